"""Scale benchmark (issue 12): a store of 100, 1,000 and 10,000 synthetic documents plus the
real ones (the corpus and the library), each measured the same way in one run.

Per size: ingest throughput, its ratio to a bare ``SentenceTransformer.encode`` of the same
texts, peak memory and disk; warm retrieval and extractive answer latency; the first answer
of a fresh process and the web app's start-up; a no-op re-ingest and 100 changed documents;
the library eval set on the smallest and the largest store. The largest is also ingested
into a Chroma server on loopback, and loaded with concurrent chat sessions
(``evals.tools.load_test``). Prints a table and writes docs/benchmarks.md and its plot.

    python -m evals.tools.bench_scale --sizes 100,1000,10000 --work /tmp/bench-scale
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, TypeVar

import numpy as np
import psutil
import typer
from rich.console import Console
from rich.table import Table

from assistant.settings import Settings, StoreSettings
from evals.dataset import EvalQuestion, load_questions
from evals.report import get
from evals.tools.load_test import (
    HOST,
    NHSA,
    LoadResult,
    first_turn_questions,
    free_port,
    run_load,
    running,
    serving,
)
from evals.tools.synthetic_library import revise_documents, write_library

ROOT = Path(__file__).resolve().parents[2]
REAL_FOLDERS = (ROOT.parent / "shared" / "corpus", ROOT.parent / "shared" / "library")
QUESTIONS = ROOT / "evals" / "datasets" / "library.jsonl"
SAMPLE, WARM_UP, CHANGED = 50, 5, 100
EVAL_METRICS = (
    ("answer.fact_recall", "answer key-fact recall"),
    ("citations.precision", "citation precision"),
    ("retrieval.fact_context_recall", "context recall (key facts)"),
)
console = Console()
T = TypeVar("T")
# A fixed sample of eval questions to time, and other questions to warm up on.
Questions = tuple[list[EvalQuestion], list[EvalQuestion]]


@dataclass
class IngestFigures:
    """One store's ingest, measured in a fresh process (so its peak memory is its own)."""

    documents: int
    chunks: int
    failed: int
    seconds: float
    peak_rss_mb: float
    bare_seconds: float | None = None
    noop_seconds: float | None = None
    changed: int = 0
    change_seconds: float | None = None


@dataclass
class StoreFigures:
    """Everything measured on one store."""

    label: str
    ingest: IngestFigures
    disk_mb: float
    retrieve_ms: list[float]
    answer_ms: list[float]
    cold_answer_s: float | None = None
    ready_s: float | None = None
    quality: dict[str, float] | None = None
    problems: list[str] = field(default_factory=list)  # steps that failed, and why

    def attempt(self, step: str, call: Callable[[], T]) -> T | None:
        """``call()``, or None when it fails: a late step must not lose hours of measuring,
        so the failure is printed and listed in the report instead."""
        try:
            return call()
        except Exception as exc:
            self.problems.append(f"{self.label}, {step}: {type(exc).__name__}: {exc}")
            console.print(f"[red]{self.problems[-1]}[/red]", highlight=False)
            return None


def _ms(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _disk_mb(folder: Path) -> float:
    """Space the folder's files take on disk (as ``du``: sparse files count what they use)."""
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file()) / 2**20


def _progress(label: str) -> Callable[[int, int], None]:
    """An ingest progress callback printing each tenth of the way: a store of 10,000
    documents takes hours."""
    shown = -1

    def report(done: int, total: int) -> None:
        nonlocal shown
        if total and done * 10 // total > shown:
            shown = done * 10 // total
            print(f"  {label}: {done:,} of {total:,}", flush=True)

    return report


def _bare_encode_seconds(model, texts: list[str], batch_size: int) -> float:
    """A bare ``SentenceTransformer.encode`` of ``texts``, in slices so that the vectors
    of a big store never sit in memory at once."""
    started = time.perf_counter()
    for i in range(0, len(texts), 4096):
        model.encode(texts[i : i + 4096], batch_size=batch_size, normalize_embeddings=True)
    return time.perf_counter() - started


def ingest_store(
    settings: Settings, folders: Sequence[Path], changes: Sequence[int] = (), full: bool = True
) -> IngestFigures:
    """Ingest ``folders`` into the settings' store and time it. ``full`` adds the bare
    encode, the no-op re-run and, for ``changes`` (indices of the last folder's synthetic
    documents), the re-ingest after they change. Run it in a fresh process."""
    from assistant import wiring
    from ingest.job import Status, run_ingest
    from ingest.sentences import sentence_texts

    embedder = wiring.embedder(settings)
    embedder.encode(["warm up the model"])  # loading is start-up, not ingest
    store = wiring.open_store(settings)
    run = partial(
        run_ingest,
        store=store,
        embedder=lambda: embedder,
        chunking=settings.chunking,
        limits=settings.ingest,
    )
    started = time.perf_counter()
    reports = [run(folder, on_progress=_progress(folder.name)) for folder in folders]
    figures = IngestFigures(
        documents=sum(r.count(Status.ADDED) for r in reports),
        chunks=sum(r.chunks_written for r in reports),
        failed=sum(len(r.failed) for r in reports),
        seconds=time.perf_counter() - started,
        # Linux reports KiB. Read before the bare encode, which is not the ingest's.
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    for failed in (o for r in reports for o in r.failed):
        print(f"ingest failed: {failed.file}: {failed.message}", flush=True)
    if not full:
        return figures
    # The texts the ingest embedded: each chunk, then its sentences.
    texts = [t for c in store.live_chunks() for t in (c.embedded_text, *sentence_texts(c))]
    figures.bare_seconds = _bare_encode_seconds(
        embedder.model, texts, settings.embedding.batch_size
    )
    started = time.perf_counter()
    for folder in folders:
        run(folder)
    figures.noop_seconds = time.perf_counter() - started
    revise_documents(folders[-1], changes)
    started = time.perf_counter()
    changed = run(folders[-1])
    figures.change_seconds = time.perf_counter() - started
    figures.changed = changed.count(Status.UPDATED)
    return figures


def _in_fresh_process(call: Callable[..., IngestFigures], *args) -> IngestFigures:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(call, *args).result()


def warm_latency(
    settings: Settings, sample: Sequence[EvalQuestion], warm_up: Sequence[EvalQuestion]
) -> tuple[list[float], list[float]]:
    """Retrieval and extractive answer milliseconds per sample question, after warm-up
    questions (other than the sample's, so no cache holds the sample's passages)."""
    from assistant.api import Assistant
    from evals.tools.bench_answer import time_questions

    assistant = Assistant.from_settings(settings)
    for q in warm_up:
        assistant.ask(q.question, q.history or None, "extractive")
    return time_questions(assistant, sample)


def _nhsa(*args: str) -> float:
    """Run the CLI to the end; its wall seconds."""
    started = time.perf_counter()
    done = subprocess.run([str(NHSA), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"nhsa {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def eval_quality(data_dir: Path, work: Path) -> dict[str, float]:
    """The library eval set through ``nhsa eval`` (extractive assistant) on the store,
    restricted to questions about the real documents; the summary's headline metrics."""
    real = {p.stem for folder in REAL_FOLDERS for p in folder.iterdir()}
    kept = [q for q in load_questions(QUESTIONS) if set(q.expected_sources) <= real]
    questions, out = work / "eval-questions.jsonl", work / f"eval-{data_dir.name}.json"
    questions.write_text("".join(q.model_dump_json() + "\n" for q in kept), encoding="utf-8")
    _nhsa(
        *("eval", "--questions", str(questions), "--system", "assistant"),
        *("--mode", "extractive", "--json", str(out), "--data-dir", str(data_dir)),
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    quality = {key: value for key, _ in EVAL_METRICS if (value := get(result, key)) is not None}
    return quality | {"questions": len(kept)}


@contextmanager
def chroma_server(path: Path, log: Path) -> Iterator[int]:
    """A ``chroma run`` server on a free loopback port, ready once it answers a heartbeat."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port = free_port()

    def heartbeat() -> str | None:
        try:
            settings = ChromaSettings(anonymized_telemetry=False)
            chromadb.HttpClient(host=HOST, port=port, settings=settings).heartbeat()
            return "up"
        except Exception:  # not listening yet
            return None

    args = [str(Path(sys.executable).parent / "chroma"), "run", "--host", HOST, "--port"]
    with running([*args, str(port), "--path", str(path)], log, heartbeat, 120):
        yield port


def _on_server(settings: Settings, port: int) -> Settings:
    store = StoreSettings.model_validate(
        {**settings.store.model_dump(), "chroma_host": HOST, "chroma_port": port}
    )
    return settings.model_copy(update={"store": store})


def bench_store(
    size: int,
    work: Path,
    settings: Settings,
    questions: Questions,
    evaluate: bool,
    load_sessions: int,
) -> tuple[StoreFigures, LoadResult | None]:
    """Build the store of ``size`` synthetic documents plus the real ones and measure it;
    ``load_sessions`` above 0 also runs the load test against its web app."""
    library, data_dir = work / f"library-{size}", work / f"store-{size}"
    for folder in (library, data_dir):  # a store left by an earlier run would be a no-op
        shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    write_library(library, size)
    console.print(f"[{size:,}] wrote the library in {time.perf_counter() - started:.0f} s")
    changes = list(range(0, size, max(1, size // CHANGED)))[:CHANGED]
    store_settings = settings.with_data_dir(data_dir)
    ingest = _in_fresh_process(ingest_store, store_settings, [*REAL_FOLDERS, library], changes)
    console.print(f"[{size:,}] ingested {ingest.documents:,} documents in {ingest.seconds:.0f} s")
    sample, warm_up = questions
    retrieve_ms, answer_ms = warm_latency(store_settings, sample, warm_up)
    figures = StoreFigures(f"{size:,} + real", ingest, _disk_mb(data_dir), retrieve_ms, answer_ms)
    question = sample[0].question
    figures.cold_answer_s = figures.attempt(
        "first answer of a fresh process",
        lambda: _nhsa("ask", question, "--data-dir", str(data_dir)),
    )

    def serve_and_load() -> LoadResult | None:
        with serving(data_dir, work / f"serve-{size}.log") as served:
            figures.ready_s = served.ready_seconds
            if not load_sessions:
                return None
            questions = first_turn_questions(QUESTIONS)
            load = run_load(served.url, served.process.pid, questions, load_sessions)
            console.print(f"[{size:,}] load test: {load.line()}")
            return load

    load = figures.attempt("web app", serve_and_load)
    if evaluate:
        figures.quality = figures.attempt("eval", lambda: eval_quality(data_dir, work))
    return figures, load


def bench_server(size: int, work: Path, settings: Settings, questions: Questions) -> StoreFigures:
    """The same documents as the store of ``size`` ingested into, and answered from, a
    Chroma server on loopback."""
    path = work / "chroma-server"
    shutil.rmtree(path, ignore_errors=True)
    with chroma_server(path, work / "chroma-server.log") as port:
        on_server = _on_server(settings.with_data_dir(work / "server-client", "bench_scale"), port)
        folders = [*REAL_FOLDERS, work / f"library-{size}"]
        ingest = _in_fresh_process(ingest_store, on_server, folders, (), False)
        retrieve_ms, answer_ms = warm_latency(on_server, *questions)
        return StoreFigures(
            f"Chroma server ({size:,} + real)", ingest, _disk_mb(path), retrieve_ms, answer_ms
        )


def _cell(value: float | None, form: str) -> str:
    return "–" if value is None else format(value, form)


def table_rows(stores: Sequence[StoreFigures]) -> list[tuple[str, list[str]]]:
    """The report's rows: a label, then one cell per store."""

    def row(label: str, cell: Callable[[StoreFigures], str]) -> tuple[str, list[str]]:
        return label, [cell(s) for s in stores]

    def ratio(s: StoreFigures) -> float | None:
        return s.ingest.seconds / s.ingest.bare_seconds if s.ingest.bare_seconds else None

    rows = [
        row("documents (synthetic + real)", lambda s: f"{s.ingest.documents:,}"),
        row("chunks", lambda s: f"{s.ingest.chunks:,}"),
        row("files that failed to ingest", lambda s: str(s.ingest.failed)),
        row("ingest (s)", lambda s: f"{s.ingest.seconds:,.1f}"),
        row("documents / s", lambda s: f"{s.ingest.documents / s.ingest.seconds:.2f}"),
        row("chunks / s", lambda s: f"{s.ingest.chunks / s.ingest.seconds:.1f}"),
        row("ingest / bare encode of the same texts", lambda s: _cell(ratio(s), ".2f")),
        row("peak RSS of the ingest process (MB)", lambda s: f"{s.ingest.peak_rss_mb:,.0f}"),
        row("store on disk (MB)", lambda s: f"{s.disk_mb:,.1f}"),
        row("retrieval p50 / p95, warm (ms)", lambda s: _p50_p95(s.retrieve_ms)),
        row("extractive answer p50 / p95, warm (ms)", lambda s: _p50_p95(s.answer_ms)),
        row("first answer of a fresh process (s)", lambda s: _cell(s.cold_answer_s, ".1f")),
        row("web app ready, `nhsa serve` (s)", lambda s: _cell(s.ready_s, ".1f")),
        row("no-op re-ingest (s)", lambda s: _cell(s.ingest.noop_seconds, ".2f")),
        row("re-ingest after changing documents (s)", _changed),
    ]
    return rows + [row(label, _quality_cell(key)) for key, label in EVAL_METRICS]


def _quality_cell(key: str) -> Callable[[StoreFigures], str]:
    return lambda s: _cell((s.quality or {}).get(key), ".3f")


def _p50_p95(ms: list[float]) -> str:
    return f"{_ms(ms, 50):.0f} / {_ms(ms, 95):.0f}"


def _changed(s: StoreFigures) -> str:
    seconds = s.ingest.change_seconds
    return "–" if seconds is None else f"{seconds:.1f} ({s.ingest.changed} changed)"


def print_table(stores: Sequence[StoreFigures], load: str | None) -> None:
    """The rows as a rich table on the console, the load test's line under it."""
    table = Table(title="Scale benchmark")
    table.add_column("figure")
    for s in stores:
        table.add_column(s.label, justify="right")
    for label, cells in table_rows(stores):
        table.add_row(label, *cells)
    console.print(table)
    if load:
        console.print(load)
    for problem in (p for s in stores for p in s.problems):
        console.print(f"[red]failed:[/red] {problem}", highlight=False)


def plot_latency(stores: Sequence[StoreFigures], server: StoreFigures | None, path: Path) -> None:
    """Answer p50 and p95 against the number of documents in the store, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    documents = [s.ingest.documents for s in stores]
    for q, style in ((50, "o-"), (95, "s--")):
        ax.plot(documents, [_ms(s.answer_ms, q) for s in stores], style, label=f"p{q}, on disk")
        if server:
            at = (server.ingest.documents, _ms(server.answer_ms, q))
            ax.plot(*at, style[0], color="tab:red", label=f"p{q}, Chroma server")
    ax.set_xscale("log")
    ax.set_xticks(documents, [f"{n:,}" for n in documents])
    ax.minorticks_off()
    ax.set_xlabel("documents in the store (synthetic + real)")
    ax.set_ylabel("extractive answer, warm (ms)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def machine() -> str:
    """CPUs, memory and system, as a line of the report."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    model = names[0] if names else platform.processor() or "unknown model"
    return (
        f"{os.cpu_count()} CPUs ({model}), "
        f"{psutil.virtual_memory().total / 2**30:.1f} GB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def commit() -> str:
    """The checkout's commit, marked when files differ from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return (git("rev-parse", "--short", "HEAD") or "unknown") + (
        " (+ local changes)" if dirty else ""
    )


MEASURED = """\
## How each figure is measured

- **Stores.** One embedded Chroma store per size: the synthetic library of that size
  (`evals/tools/synthetic_library.py`, seed 2025) plus the real documents of
  `../shared/corpus` and `../shared/library`, each folder ingested by `run_ingest` as
  `nhsa ingest` does. Every store is built from empty.
- **Ingest** runs in a fresh process with the model already loaded (loading is start-up);
  documents/s and chunks/s are over all three folders. **Ingest / bare encode** divides
  that time by a bare `SentenceTransformer.encode` of the same texts the ingest embedded
  (every chunk and its sentences), timed in the same process right after. **Peak RSS**
  is that process's `ru_maxrss` after the ingest (model included, bare encode not).
  **Disk** is the size of the store's folder.
- **Retrieval and answer latency**: {sample} questions of `evals/datasets/library.jsonl`
  (a fixed sample), after {warm} other questions warm the process; retrieval is
  `Assistant.retrieve`, the answer `Assistant.ask(..., "extractive")` (retrieval included).
- **First answer of a fresh process**: `nhsa ask QUESTION` from start to exit: Python,
  imports, the model, the store, and one answer. **Web app ready**: `nhsa serve` from start
  to printing its URL (it loads everything and answers one question before that).
- **No-op re-ingest**: the three folders again, nothing changed. **Re-ingest after
  changing documents**: up to {changed} synthetic files rewritten with a few sentences
  changed, then their folder ingested again.
- **Quality**: `nhsa eval --questions evals/datasets/library.jsonl --system assistant --mode
  extractive --json` on the smallest and the largest store, restricted to questions about
  the real documents ({questions} questions): a synthetic document cited counts against
  citation precision.
- **Chroma server**: the largest store's documents ingested into a `chroma run` server on
  loopback, the same latency sample answered from it.
- **Web app under load**: `evals/tools/load_test.py`: concurrent `gradio_client` sessions
  against `nhsa serve` on the largest store, each asking questions in turn through the
  `ask` API; errors must be 0. Serve RSS is sampled every 0.2 s.

## The synthetic library

Template sentences about fictional ICBs, trusts, PCNs and committees in the real
documents' vocabulary (formulary, area prescribing committee, medicines optimisation,
PCN, ICB); no sentence of a real document. Lengths of {min_words} to {max_words} words;
dates 2015 to 2025 at day, month or year precision; kinds report, guidance, other, news,
policy and article; formats {formats} per 50 documents (PDF written by fpdf2, a dev
dependency). Three of every ten documents are board papers of one family that differ in a
few sentences, and publishers repeat their navigation text, disclaimers and footers.
"""


def write_markdown(
    path: Path, stores: Sequence[StoreFigures], load: str | None, plot: Path, argv: str
) -> None:
    """The report: when, where and how it ran, the table, the load test, the plot."""
    from evals.tools.synthetic_library import FORMATS, MAX_WORDS, MIN_WORDS

    failed = [f"- **Failed:** {problem}" for s in stores for problem in s.problems]
    lines = [
        "# Scale benchmarks",
        "",
        f"Written by `{argv}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit {commit()}.",
        f"Machine: {machine()}.",
        "",
        "| figure | " + " | ".join(s.label for s in stores) + " |",
        "|---|" + "---:|" * len(stores),
        *(f"| {label} | " + " | ".join(cells) + " |" for label, cells in table_rows(stores)),
        "",
        *([load, ""] if load else []),
        *([*failed, ""] if failed else []),
        f"![Extractive answer latency against library size]({plot.name})",
        "",
    ]
    questions = next((int(s.quality["questions"]) for s in stores if s.quality), 0)
    formats = ", ".join(f"{n} {fmt}" for fmt, n in FORMATS.items())
    counts = {"sample": SAMPLE, "warm": WARM_UP, "changed": CHANGED, "questions": questions}
    words = {"min_words": MIN_WORDS, "max_words": MAX_WORDS}
    lines.append(MEASURED.format(**counts, **words, formats=formats))
    path.write_text("\n".join(lines), encoding="utf-8")


def _sample(path: Path) -> Questions:
    """A fixed sample of the eval set's questions, and other questions to warm up on."""
    picked = random.Random(12).sample(load_questions(path), SAMPLE + WARM_UP)
    return picked[WARM_UP:], picked[:WARM_UP]


def main(
    sizes: Annotated[str, typer.Option(help="Synthetic library sizes, comma-separated.")] = (
        "100,1000,10000"
    ),
    out: Annotated[
        Path, typer.Option(help="Markdown report to write; the plot goes beside it.")
    ] = ROOT / "docs" / "benchmarks.md",
    work: Annotated[
        Path | None,
        typer.Option(help="Folder for libraries and stores, kept (default: a temporary one)."),
    ] = None,
    skip_server: Annotated[bool, typer.Option(help="No Chroma server run.")] = False,
    skip_eval: Annotated[bool, typer.Option(help="No eval set runs.")] = False,
    sessions: Annotated[int, typer.Option(help="Load test sessions (0: none).")] = 50,
) -> None:
    """Measure the store of every size, print the table and write the report."""
    counts = sorted({int(s.replace("_", "")) for s in sizes.split(",") if s.strip()})
    if not counts or counts[0] < 1:
        raise typer.BadParameter(f"{sizes!r}: give sizes of 1 or more, e.g. 100,1000")
    settings, questions = Settings(), _sample(QUESTIONS)
    stores: list[StoreFigures] = []
    with tempfile.TemporaryDirectory(prefix="nhsa-bench-scale-") as tmp:
        folder = work or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        console.print(f"libraries and stores in {folder}")
        for size in counts:
            evaluate = not skip_eval and size in (counts[0], counts[-1])
            load_sessions = sessions if size == counts[-1] else 0
            figures, load = bench_store(size, folder, settings, questions, evaluate, load_sessions)
            stores.append(figures)
        largest = stores[-1]
        server = None
        if not skip_server:
            run_server = partial(bench_server, counts[-1], folder, settings, questions)
            server = largest.attempt("Chroma server", run_server)
    load_line = f"Web app under load ({largest.label}): {load.line()}." if load else None
    plot = out.with_name("benchmark-latency.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    plot_latency(stores, server, plot)
    every = [*stores, *([server] if server else [])]
    print_table(every, load_line)
    argv = " ".join(["python -m evals.tools.bench_scale", *sys.argv[1:]])
    write_markdown(out, every, load_line, plot, argv)
    console.print(f"wrote {out} and {plot}")
    if (load and load.errors) or any(s.problems for s in stores):
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
