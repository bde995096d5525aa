"""How much the per-question "has the store changed?" check costs as the library grows.

Every question first asks the store whether an ingest changed it (so that a running app
answers from what was ingested after it started). Reading the whole document registry
for that costs time in proportion to the library; reading the store's generation stamp
(one record, looked up by id) does not. This builds registries of growing size in a
temporary embedded store (stand-in records, no model) and prints both, median of repeats.

    python -m evals.tools.bench_change_check --sizes 100,1000,10000
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vectorstore.chroma_store import ChunkStore
from vectorstore.records import DocumentRecord


def _register(store: ChunkStore, start: int, stop: int) -> None:
    """Stand-in registry records ``start``..``stop`` (no chunks: only the registry is read)."""
    for first in range(start, stop, 1000):
        ids = range(first, min(first + 1000, stop))
        records = [
            DocumentRecord(
                source_id=f"doc-{i:06d}",
                version=f"{i:064x}",
                file=f"doc-{i:06d}.md",
                root="/library",
                chunk_count=12,
                char_count=9000,
                ingested_at="2026-12-06T00:00:00+00:00",
                title=f"Stand-in document {i}",
            )
            for i in ids
        ]
        register(store, records)


def register(store: ChunkStore, records: list[DocumentRecord], batch: int = 1000) -> None:
    """Write stand-in registry records (no chunks) and renew the store's stamp."""
    for first in range(0, len(records), batch):
        part = records[first : first + batch]
        store.registry.upsert(
            ids=[r.source_id for r in part],
            embeddings=[[1.0]] * len(part),
            metadatas=[r.to_chroma() for r in part],
            documents=[f"Stand-in document {r.source_id}." for r in part],
        )
    store.mark_changed()


def _timed(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return median(times)


def main(
    sizes: Annotated[str, typer.Option(help="Registry sizes, comma-separated.")] = "100,1000,10000",
    repeats: Annotated[int, typer.Option(help="Timed calls per figure.")] = 20,
) -> None:
    """Print the cost of the change check against the cost of reading the registry."""
    table = Table(title="per-question change check (ms, median)")
    for column in ("documents", "read the registry", "change check (stamp)", "ratio"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as folder:
        store = ChunkStore.open(Path(folder))
        held = 0
        for size in sorted(int(s) for s in sizes.split(",")):
            _register(store, held, size)
            held = size
            store.live_versions()  # warm: the first read after a write reads the registry
            full = _timed(store.documents, repeats)
            check = _timed(store.live_versions, repeats)
            table.add_row(str(size), f"{full:.2f}", f"{check:.2f}", f"{full / check:.0f}x")
    Console().print(table)


if __name__ == "__main__":
    typer.run(main)
