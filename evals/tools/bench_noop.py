"""How long a no-op re-ingest takes as the library grows, without hours of embedding.

A re-run over unchanged files reads each file, hashes it, compares the hash with the
store's registry and writes nothing. Its cost depends on the number of files and on the
registry, not on the vectors, so this builds what that path reads: N files in a
temporary folder, and for each a registry record whose version matches the file (the
store believes every file was ingested). Each record carries the acronym and structure
findings of a real document, taken in turn from a store given with ``--template`` (by
default the app's store), so the registry weighs what a real one does. Then it times
``run_ingest`` on the folder, in this process, with an embedder that fails if called,
and what an app reads when it starts: the registry without the findings, and the glossary
ingest saved (the first run saves it, assembled from every document's findings).

    python -m evals.tools.bench_noop --sizes 1000,10000
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.retrieval.glossary import Glossary
from assistant.settings import Settings
from evals.tools.bench_change_check import register
from ingest.acronyms import GLOSSARY_VERSION
from ingest.job import document_version, run_ingest
from ingest.options import ChunkingOptions
from vectorstore.chroma_store import ChunkStore
from vectorstore.records import DocumentRecord

_BATCH = 500


def _no_embedder():
    raise AssertionError("a no-op re-ingest must not load the model")


def _templates(store_dir: Path) -> list[DocumentRecord]:
    """The real records whose findings the stand-ins carry."""
    records = list(ChunkStore.open(store_dir).documents().values())
    if not records:
        raise typer.BadParameter(
            f"the store in {store_dir} holds no documents", param_hint="--template"
        )
    return sorted(records, key=lambda r: r.source_id)


def _stand_ins(
    folder: Path, start: int, stop: int, templates: list[DocumentRecord]
) -> list[DocumentRecord]:
    """Files ``start``..``stop`` in ``folder`` and a registry record matching each."""
    chunking = ChunkingOptions()
    records = []
    for i in range(start, stop):
        path = folder / f"doc-{i:06d}.md"
        raw = f"# Stand-in document {i}\n\nA paragraph about board {i}.\n".encode()
        path.write_bytes(raw)
        template = templates[i % len(templates)]
        records.append(
            replace(
                template,
                source_id=path.stem,
                version=document_version(raw, None, chunking),
                file=path.name,
                root=str(folder),
                text="",
            )
        )
    return records


def main(
    sizes: Annotated[str, typer.Option(help="Library sizes, comma-separated.")] = "1000,10000",
    template: Annotated[
        Path | None, typer.Option(help="Store whose records' findings the stand-ins carry.")
    ] = None,
    repeats: Annotated[int, typer.Option(help="No-op runs per size (the median is shown).")] = 3,
) -> None:
    """Print the no-op re-ingest time and the registry's weight at each size."""
    templates = _templates(template or Settings().store.data_dir)
    table = Table(title="no-op re-ingest (s, fresh store object each run)")
    columns = (
        "documents",
        "registry (MB)",
        "read the registry",
        "no-op re-ingest",
        "runs",
        "app start: registry and glossary",
    )
    for column in columns:
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as work:
        folder, store_dir = Path(work) / "library", Path(work) / "store"
        folder.mkdir()
        held = 0
        for size in sorted(int(s) for s in sizes.split(",")):
            records = _stand_ins(folder, held, size, templates)
            register(ChunkStore.open(store_dir), records, _BATCH)
            held = size
            weight = sum(len(str(v)) for r in records for v in r.to_chroma().values())
            # The run that wrote these documents would have saved the glossary: so does
            # an untimed first run here (it reads every document's findings once).
            run_ingest(folder, ChunkStore.open(store_dir), _no_embedder)
            runs, reads = [], []
            for _ in range(repeats):
                store = ChunkStore.open(store_dir)  # as a new `nhsa ingest` process would
                t0 = time.perf_counter()
                store.documents()
                reads.append(time.perf_counter() - t0)
                store = ChunkStore.open(store_dir)
                report = run_ingest(folder, store, _no_embedder)
                if report.chunks_written or report.has_errors:
                    raise SystemExit(f"the re-run at {size} documents was not a no-op")
                runs.append(report.seconds)
            store = ChunkStore.open(store_dir)
            t0 = time.perf_counter()
            live = store.live_documents(findings=False)
            glossary = Glossary.from_entries(store.saved_glossary(live, GLOSSARY_VERSION) or [])
            start = time.perf_counter() - t0
            if not len(glossary):
                raise SystemExit("ingest saved no glossary")
            table.add_row(
                f"{size:,}",
                f"{weight / 1e6 * size / len(records):.0f}",
                f"{sorted(reads)[len(reads) // 2]:.2f}",
                f"{sorted(runs)[len(runs) // 2]:.2f}",
                ", ".join(f"{r:.2f}" for r in runs),
                f"{start:.2f}",
            )
    Console().print(table)


if __name__ == "__main__":
    typer.run(main)
