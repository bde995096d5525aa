"""The per-question "has the store changed?" check (vectorstore/chroma_store.py): one
lookup of the generation stamp, the registry re-read only after a write. Real Chroma,
stand-in vectors (no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vectorstore.chroma_store import ChunkStore
from vectorstore.records import Chunk, ChunkMeta, DocumentRecord


def _record(source_id: str, version: str) -> DocumentRecord:
    return DocumentRecord(
        source_id=source_id,
        version=version,
        file=f"{source_id}.md",
        root="/library",
        chunk_count=1,
        char_count=20,
        ingested_at="2026-12-06T00:00:00+00:00",
        text="A stand-in document.",
    )


def _write(store: ChunkStore, source_id: str, version: str) -> None:
    chunk = Chunk(
        f"{source_id}#{version}#0",
        "A stand-in document.",
        ChunkMeta(source_id=source_id, doc_version=version, end=20),
    )
    store.replace_document(_record(source_id, version), [chunk], [[1.0, 0.0, 0.0, 0.0]])


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A store whose registry reads are counted."""
    store = ChunkStore.open(tmp_path / "store")
    reads = []
    read = store.documents

    def counting(findings: bool = True):
        reads.append(1)
        return read(findings)

    monkeypatch.setattr(store, "documents", counting)
    return store, reads


def test_the_registry_is_read_once_until_the_store_changes(counted) -> None:
    store, reads = counted
    _write(store, "plan", "v1")
    assert store.live_versions() == ["v1"]
    for _ in range(5):
        assert store.live_versions() == ["v1"]
    assert len(reads) == 1


def test_a_write_through_another_handle_is_seen_at_the_next_check(counted, tmp_path: Path) -> None:
    store, reads = counted
    _write(store, "plan", "v1")
    store.live_versions()
    other = ChunkStore.open(tmp_path / "store")  # as another app or `nhsa ingest` would
    before = store.generation()
    _write(other, "plan", "v2")
    _write(other, "strategy", "s1")
    assert store.generation() != before
    assert sorted(store.live_versions()) == ["s1", "v2"]
    other.remove_document("strategy")
    assert store.live_versions() == ["v2"]
    assert len(reads) == 3


def test_a_store_without_a_stamp_is_read_every_time(counted) -> None:
    store, reads = counted
    _write(store, "plan", "v1")
    store.state.delete(ids=["generation"])  # as a store written before stamps existed
    assert store.generation() is None
    store.live_versions()
    store.live_versions()
    assert len(reads) == 2
