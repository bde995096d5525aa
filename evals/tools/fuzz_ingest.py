"""Mutation fuzzer for ingestion: broken documents must fail cleanly, never crash or hang.

Writes valid seed documents in the five formats and mutated copies of them
(evals/tools/fuzz_documents.py), then reads each one as ingest does (loader, cleaning,
chunking) in a worker process with a time limit per file, and finally runs the folder
through ``run_ingest`` into a real Chroma store with the real embedding model. Hung files
and the long-run files (read with the others; their thousands of chunks would keep the
model busy for many minutes) are held back from that last step.

    python -m evals.tools.fuzz_ingest --files 500 --seed 1 --out DIR

A file is ok, a clean failure (DocumentError, which names what is wrong), a crash (any
other exception, a worker that died, a chunk whose span does not match the text) or a
hang (not done within --timeout seconds). ``run_ingest`` must give every file one
outcome, name the file of every failure and agree with the per-file reading. Exits 1 on
any crash, hang or disagreement.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import random
import shutil
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from evals.tools.fuzz_documents import FORMATS, MUTATIONS
from ingest.documents import DocumentError
from ingest.job import Embedder, IngestReport, Status, run_ingest
from ingest.options import ChunkingOptions

OK, FAILURE, CRASH, HANG = "ok", "clean failure", "crash", "hang"
OUTCOMES = (OK, FAILURE, CRASH, HANG)
MARKER = ".fuzz_ingest"  # marks a folder this tool wrote, and may clear


@dataclass
class FileResult:
    """How one generated file fared when read as ingest reads it."""

    file: str
    fmt: str
    mutation: str
    outcome: str = ""  # one of OUTCOMES once read
    message: str = ""
    chunks: int = 0
    seconds: float = 0.0


@dataclass
class FuzzReport:
    """Every file's result, what ``run_ingest`` made of the folder, and the problems found."""

    results: list[FileResult]
    ingest: IngestReport | None = None
    held_back: list[FileResult] = field(default_factory=list)  # not given to run_ingest
    problems: list[str] = field(default_factory=list)  # each names its file
    seconds: float = 0.0

    def with_outcome(self, outcome: str) -> list[FileResult]:
        """The results with this outcome."""
        return [r for r in self.results if r.outcome == outcome]

    @property
    def passed(self) -> bool:
        """No crash, no hang, no disagreement."""
        return not (self.with_outcome(CRASH) or self.with_outcome(HANG) or self.problems)


def write_files(folder: Path, files: int, seed: int) -> list[FileResult]:
    """``files`` documents in ``folder``, every format with every mutation in turn."""
    rng = random.Random(seed)
    combos = list(itertools.product(MUTATIONS, FORMATS))
    results = []
    for number in range(files):
        mutation, fmt = combos[number % len(combos)]
        name = f"{number:04d}-{mutation}.{fmt}"
        (folder / name).write_bytes(MUTATIONS[mutation](fmt, random.Random(rng.random())))
        results.append(FileResult(name, fmt, mutation))
    return results


def read_file(path: Path, chunking: ChunkingOptions) -> tuple[str, str, int]:
    """(outcome, message, chunks) of reading ``path`` as ingest does: load, clean, chunk."""
    from ingest.chunking import chunk_text
    from ingest.job import read_document

    try:
        _, cleaned = read_document(path, path.read_bytes())
        spans = chunk_text(cleaned.text, chunking.max_tokens, chunking.min_tokens)
    except DocumentError as exc:
        return FAILURE, str(exc), 0
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return CRASH, f"{type(exc).__name__}: {exc} (at {where.filename}:{where.lineno})", 0
    broken = [s.index for s in spans if cleaned.text[s.start : s.end] != s.text]
    if broken:
        return CRASH, f"chunks {broken} do not match their span of the cleaned text", 0
    return OK, "", len(spans)


def _serve(conn: Connection, chunking: ChunkingOptions) -> None:
    """A worker: warm up, say so, then read each path sent until it is killed."""
    from ingest.tokens import count_tokens

    count_tokens("warm up")  # tiktoken loads its vocabulary once per process
    conn.send("ready")
    while True:
        conn.send(read_file(Path(conn.recv()), chunking))


class _Worker:
    """One worker process and the file it is reading."""

    def __init__(self, context, chunking: ChunkingOptions) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, chunking), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(120) or self.conn.recv() != "ready":
            raise RuntimeError("a fuzz worker did not start within 120 s")
        self.result: FileResult | None = None
        self.started = 0.0

    def give(self, result: FileResult, path: Path) -> None:
        self.result, self.started = result, time.perf_counter()
        self.conn.send(str(path))

    def stop(self) -> None:
        self.process.kill()
        self.process.join()


def read_all(
    folder: Path,
    results: list[FileResult],
    chunking: ChunkingOptions,
    timeout: float,
    workers: int,
    on_done: Callable[[FileResult], None] | None = None,
) -> None:
    """Fill in each result by reading its file in a worker; a worker past ``timeout`` on a
    file is killed (the file hangs) and replaced, as is one that dies (a crash)."""
    context = multiprocessing.get_context("spawn")  # no state inherited from this process
    todo = deque(results)
    pool = [_Worker(context, chunking) for _ in range(min(workers, len(results)))]
    try:
        while todo or any(w.result for w in pool):
            for worker in pool:
                if worker.result is None and todo:
                    item = todo.popleft()
                    worker.give(item, folder / item.file)
            wait([w.conn for w in pool if w.result], timeout=0.2)
            for i, worker in enumerate(pool):
                if (result := worker.result) is None:
                    continue
                result.seconds = time.perf_counter() - worker.started
                if worker.conn.poll():
                    try:
                        result.outcome, result.message, result.chunks = worker.conn.recv()
                    except EOFError:
                        worker.process.join(5)
                        code = worker.process.exitcode
                        result.outcome, result.message = CRASH, f"the worker died (exit {code})"
                elif result.seconds > timeout:
                    result.outcome, result.message = HANG, f"not done after {timeout:g} s"
                else:
                    continue
                worker.result = None
                if on_done:
                    on_done(result)
                if result.outcome == HANG or not worker.process.is_alive():
                    worker.stop()
                    if todo:
                        pool[i] = _Worker(context, chunking)
    finally:
        for worker in pool:
            worker.stop()


def check_ingest(report: IngestReport, results: list[FileResult]) -> list[str]:
    """Problems with what ``run_ingest`` said of the files it was given: each must have
    exactly one outcome; a failure must name its file and say why; a file read as ok alone
    must be added (unless cleaning left nothing), one that failed alone must fail."""
    problems = []
    outcomes: dict[str, list] = {}
    for outcome in report.outcomes:
        outcomes.setdefault(outcome.file, []).append(outcome)
    expected = {r.file: r for r in results}
    for file in sorted(set(outcomes) - set(expected)):
        problems.append(f"run_ingest reported on {file!r}, which is not a file it was given")
    for file, result in expected.items():
        found = outcomes.get(file, [])
        if len(found) != 1:
            problems.append(f"{file}: {len(found)} outcomes from run_ingest, not 1")
            continue
        outcome = found[0]
        if outcome.status == Status.FAILED and not outcome.message.strip():
            problems.append(f"{file}: failed in run_ingest without saying why")
        added = outcome.status == Status.ADDED
        if added != (result.outcome == OK and result.chunks > 0):
            problems.append(
                f"{file}: {outcome.status} by run_ingest ({outcome.message or 'no message'}) "
                f"but {result.outcome} when read alone ({result.message or 'no message'})"
            )
        elif outcome.message.startswith(("could not be read", "could not be stored")):
            problems.append(f"{file}: run_ingest caught a crash: {outcome.message}")
    problems.extend(f"store: {e}" for e in report.store_errors)
    return problems


def fuzz(
    out: Path,
    files: int,
    seed: int,
    *,
    embedder: Callable[[], Embedder] | None,
    timeout: float = 60.0,
    workers: int = 2,
    on_done: Callable[[FileResult], None] | None = None,
) -> FuzzReport:
    """Generate ``files`` documents in ``out``/files and read each with a time limit; then,
    if ``embedder`` is given, ingest that folder into ``out``/store, the hung and long-run
    files first moved to ``out``/held-back. Every result is also in ``out``/results.jsonl."""
    from vectorstore.chroma_store import ChunkStore

    started = time.perf_counter()
    _prepare(out)
    folder = out / "files"
    results = write_files(folder, files, seed)
    chunking = ChunkingOptions()
    read_all(folder, results, chunking, timeout, workers, on_done)
    report = FuzzReport(results)
    report.problems = [
        f"{r.file}: failed without saying why" for r in results if not r.message and r.outcome != OK
    ]
    if embedder is not None:
        report.held_back = [r for r in results if r.outcome == HANG or r.mutation == "long_run"]
        for result in report.held_back:
            (folder / result.file).rename(out / "held-back" / result.file)
        given = [r for r in results if r not in report.held_back]
        try:
            store = ChunkStore.open(out / "store")
            report.ingest = run_ingest(folder, store, embedder, chunking=chunking)
            report.problems += check_ingest(report.ingest, given)
        except Exception as exc:  # escaped the job's per-file handling: a crash of the job
            report.problems.append(f"run_ingest raised {type(exc).__name__}: {exc}")
    with (out / "results.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in results)
    report.seconds = time.perf_counter() - started
    return report


def _prepare(out: Path) -> None:
    """An empty ``out`` with files/ and held-back/; only a folder this tool wrote is cleared."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise FileExistsError(f"{out} is not empty and was not written by this tool")
        shutil.rmtree(out)
    for sub in ("files", "held-back"):
        (out / sub).mkdir(parents=True)
    (out / MARKER).touch()


def print_summary(report: FuzzReport, console: Console) -> None:
    """Files per format and mutation, outcomes per format, and every crash, hang, problem."""
    generated = Table(title="Files generated (mutation x format)")
    generated.add_column("mutation")
    for fmt in FORMATS:
        generated.add_column(fmt, justify="right")
    made = Counter((r.mutation, r.fmt) for r in report.results)
    for mutation in MUTATIONS:
        generated.add_row(mutation, *(str(made[mutation, fmt]) for fmt in FORMATS))
    console.print(generated)

    outcomes = Table(title="Outcomes when read as ingest reads them (per format)")
    outcomes.add_column("format")
    for name in ("files", *OUTCOMES):
        outcomes.add_column(name, justify="right")
    for fmt in (*FORMATS, "all"):
        mine = [r for r in report.results if fmt in (r.fmt, "all")]
        counts = Counter(r.outcome for r in mine)
        outcomes.add_row(fmt, str(len(mine)), *(str(counts[o]) for o in OUTCOMES))
    console.print(outcomes)

    for result in report.with_outcome(CRASH) + report.with_outcome(HANG):
        console.print(f"[red]{result.outcome}[/]: {escape(result.file)}: {escape(result.message)}")
    slowest = max(report.results, key=lambda r: r.seconds)
    console.print(f"slowest file: {escape(slowest.file)} ({slowest.seconds:.1f} s)")
    if report.ingest is not None:
        ingest = report.ingest
        console.print(
            f"run_ingest over {len(report.results) - len(report.held_back)} files "
            f"({len(report.held_back)} long-run or hung files held back): "
            f"{ingest.count(Status.ADDED)} added, {len(ingest.failed)} failed, "
            f"{ingest.chunks_written} chunks written in {ingest.seconds:.1f} s "
            f"(embedding {ingest.embed_seconds:.1f} s)"
        )
    for problem in report.problems:
        console.print(f"[red]problem[/]: {escape(problem)}")
    verdict = "[green]passed[/]" if report.passed else "[red]FAILED[/]"
    console.print(f"{verdict}: {len(report.results)} files in {report.seconds:.1f} s")


def main(
    files: Annotated[int, typer.Option(min=1, help="How many files to generate.")] = 500,
    seed: Annotated[int, typer.Option(help="The same seed writes the same files.")] = 1,
    out: Annotated[
        Path | None, typer.Option(help="Folder for the files, results and store (kept).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds a file may take: more hangs.")] = 60.0,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes reading files.")] = 2,
    store: Annotated[bool, typer.Option(help="Also ingest the folder (real model).")] = True,
) -> None:
    """Fuzz the ingest path; exit 1 on a crash, a hang or a disagreement."""
    import tempfile

    from vectorstore.embeddings import shared_embedder

    console = Console()
    with (
        tempfile.TemporaryDirectory(prefix="fuzz-ingest-") as tmp,
        Progress(console=console, transient=True) as progress,
    ):
        # The bar counts files read; run_ingest follows, when it is full.
        reading = progress.add_task("reading files, then run_ingest", total=files)
        report = fuzz(
            out or Path(tmp),
            files,
            seed,
            embedder=shared_embedder if store else None,
            timeout=timeout,
            workers=workers,
            on_done=lambda _: progress.advance(reading),
        )
    print_summary(report, console)
    raise typer.Exit(0 if report.passed else 1)


if __name__ == "__main__":
    typer.run(main)
