"""Ingest benchmark: prints documents, chunks, ingest and embedding seconds, and the ratio of
ingest time to a bare ``SentenceTransformer.encode`` of the same chunk texts, measured in the
same run (the machine's noise hits both alike). Also the no-op re-run, the peak memory and
the CLI's cold start.

    python -m evals.tools.bench_ingest ../shared/corpus
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.table import Table

from assistant import wiring
from assistant.settings import Settings
from ingest.job import Status, run_ingest

REPEATS = 3


def _cli_seconds(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", *args], check=True, capture_output=True)
    return time.perf_counter() - t0


def main(corpus: str) -> None:
    """Run the benchmark on ``corpus`` and print the figures."""
    settings = Settings()
    embedder = wiring.embedder(settings)
    embedder.encode(["warm up the model"])  # loading is start-up, not ingest
    ingest_times, embed_times, bare_times = [], [], []
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory() as tmp:
            store = wiring.open_store(settings.with_data_dir(Path(tmp)))
            run = partial(
                run_ingest,
                Path(corpus),
                store,
                lambda: embedder,
                chunking=settings.chunking,
                limits=settings.ingest,
            )
            t0 = time.perf_counter()
            report = run()
            ingest_times.append(time.perf_counter() - t0)
            embed_times.append(report.embed_seconds)
            texts = [c.embedded_text for c in store.live_chunks()]
            t0 = time.perf_counter()
            embedder.model.encode(
                texts, batch_size=settings.embedding.batch_size, normalize_embeddings=True
            )
            bare_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            noop = run()
            noop_seconds = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        _cli_seconds(["ingest", corpus, "--data-dir", tmp])
        cli_noop = _cli_seconds(["ingest", corpus, "--data-dir", tmp])
    cli_help = _cli_seconds(["--help"])
    ingest, embed, bare = (statistics.median(x) for x in (ingest_times, embed_times, bare_times))
    table = Table(title=f"Ingest benchmark ({REPEATS} runs, medians)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("documents", str(report.count(Status.ADDED))),
        ("chunks", str(len(texts))),
        ("chunk size (max tokens)", str(settings.chunking.max_tokens)),
        ("total ingest seconds", f"{ingest:.2f}"),
        ("embedding seconds (inside ingest)", f"{embed:.2f}"),
        ("bare SentenceTransformer.encode seconds", f"{bare:.2f}"),
        ("ratio ingest / bare encode (target <= 1.5)", f"{ingest / bare:.2f}"),
        (
            "no-op re-run seconds (in process)",
            f"{noop_seconds:.3f} ({noop.count(Status.UNCHANGED)} unchanged)",
        ),
        ("CLI no-op re-run, whole process (s)", f"{cli_noop:.2f}"),
        ("CLI cold start: nhsa --help (s)", f"{cli_help:.2f}"),
        (
            "peak RSS of this process (MB)",
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}",
        ),
    ]
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
