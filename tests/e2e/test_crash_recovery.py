"""An ingest killed part-way leaves nothing doubled or half-switched once it is re-run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import NHSA
from docgen import prose

from ingest.job import run_ingest
from ingest.options import ChunkingOptions
from vectorstore.chroma_store import ChunkStore
from vectorstore.records import chunk_id

SMALL = ChunkingOptions(max_tokens=40, min_tokens=10)


def _stored_rows(store_dir: Path) -> int:
    """Rows Chroma has written so far, read without opening a second Chroma client."""
    db = store_dir / "chroma" / "chroma.sqlite3"
    if not db.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return conn.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    except sqlite3.Error:  # not migrated yet, or locked by the writer this instant
        return 0


def _assert_one_copy_of_each_document(store: ChunkStore, expected: set[str]) -> None:
    records = store.documents()
    assert set(records) == expected
    got = store.chunks.get(include=["metadatas"])
    by_doc: dict[str, list[dict]] = {}
    for meta in got["metadatas"]:
        by_doc.setdefault(meta["source_id"], []).append(meta)
    assert set(by_doc) == expected
    for source_id, metas in by_doc.items():
        record = records[source_id]
        indexes = sorted(m["chunk_index"] for m in metas)
        assert indexes == list(range(record.chunk_count)), source_id
        assert {m["doc_version"] for m in metas} == {record.version}, source_id
    assert store.count() == sum(r.chunk_count for r in records.values())


@pytest.mark.slow
def test_ingest_killed_mid_run_leaves_one_copy_of_each_document_after_rerun(
    tmp_path: Path,
) -> None:
    docs, store_dir = tmp_path / "docs", tmp_path / "store"
    docs.mkdir()
    for i in range(40):
        (docs / f"doc-{i:02d}.txt").write_text(prose(i, paragraphs=3, sentences=2))
    command = [str(NHSA), "ingest", str(docs), "--data-dir", str(store_dir)]
    env = {**os.environ, "NHSA_CHUNKING__MAX_TOKENS": "64", "NHSA_CHUNKING__MIN_TOKENS": "16"}

    victim = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 240
        while _stored_rows(store_dir) == 0 and victim.poll() is None:
            assert time.monotonic() < deadline, "the ingest wrote nothing in time"
            time.sleep(0.02)
        os.kill(victim.pid, signal.SIGKILL)
    finally:
        victim.wait(timeout=60)
    assert victim.returncode == -signal.SIGKILL, "the ingest finished before it was killed"

    rerun = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr

    store = ChunkStore.open(store_dir)
    _assert_one_copy_of_each_document(store, {f"doc-{i:02d}" for i in range(40)})
    assert len(store.documents()) == 40


# -- stale versions, in process -----------------------------------------------------------


def _ingest_one(tmp_path: Path, store: ChunkStore, embedder, text: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "a.txt").write_text(text)
    run_ingest(docs, store, lambda: embedder, chunking=SMALL)


def _plant_stale_chunks(
    store: ChunkStore, vector, n: int = 3, *, as_a_write: bool = True
) -> list[str]:
    """Chunks of a version no registry record points at, as a crash would leave them
    (``as_a_write``: the store marked unclean first, as every write does before it
    starts; without it, planted behind the store's back)."""
    if as_a_write:
        store._mark_unclean()
    ids = [chunk_id("a", "f" * 64, i) for i in range(n)]
    store.chunks.upsert(
        ids=ids,
        embeddings=[[float(x) for x in vector]] * n,
        documents=[f"stale chunk {i}" for i in range(n)],
        metadatas=[{"source_id": "a", "doc_version": "f" * 64, "chunk_index": i} for i in range(n)],
    )
    return ids


def test_query_never_returns_chunks_of_a_stale_version(tmp_path: Path, store, embedder) -> None:
    _ingest_one(tmp_path, store, embedder, "Community pharmacies offer blood pressure checks.")
    vector = embedder.encode(["late night pharmacy opening hours"])[0]
    stale = _plant_stale_chunks(store, vector)  # nearer the query than anything live
    hits = store.query(vector, 10)
    assert hits
    assert not {doc.id for doc, _ in hits} & set(stale)
    assert all(c.meta.doc_version == store.documents()["a"].version for c, _ in hits)


def test_collect_garbage_removes_chunks_of_a_stale_version(tmp_path: Path, store, embedder) -> None:
    _ingest_one(tmp_path, store, embedder, "Community pharmacies offer blood pressure checks.")
    live = store.count()
    stale = _plant_stale_chunks(store, embedder.encode(["anything"])[0])
    assert store.count() == live + len(stale)
    assert store.collect_garbage() == len(stale)
    assert store.chunks.get(ids=stale)["ids"] == []
    assert store.count() == live


def test_garbage_is_looked_for_only_after_a_write_since_the_last_collection(
    tmp_path: Path, store, embedder
) -> None:
    _ingest_one(tmp_path, store, embedder, "Community pharmacies offer blood pressure checks.")
    assert store.collect_garbage() == 0  # the ingest collected and marked the store clean
    stale = _plant_stale_chunks(store, embedder.encode(["anything"])[0], as_a_write=False)
    # A run that writes nothing does not read every live version looking for garbage ...
    assert store.collect_garbage() == 0
    assert len(store.chunks.get(ids=stale)["ids"]) == len(stale)
    # ... a write (here, the removal of a document) marks it unclean, and the next
    # collection finds what an interrupted run left.
    store.remove_document("no-such-document")
    assert store.collect_garbage() == len(stale)
    assert store.chunks.get(ids=stale)["ids"] == []


def test_update_interrupted_before_the_switch_keeps_the_old_version_live(
    tmp_path: Path, store, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest_one(tmp_path, store, embedder, prose(1, paragraphs=2, sentences=2))
    old = store.documents()["a"]

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store.registry, "upsert", crash)  # new chunks written, no switch
    _ingest_one(tmp_path, store, embedder, prose(2, paragraphs=2, sentences=2))
    monkeypatch.undo()

    assert store.documents()["a"].version == old.version
    versions = Counter(c.meta.doc_version for c in store.live_chunks())
    assert versions == {old.version: old.chunk_count}


def test_run_after_an_interrupted_update_leaves_one_version(
    tmp_path: Path, store, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest_one(tmp_path, store, embedder, prose(1, paragraphs=2, sentences=2))
    with monkeypatch.context() as patch:
        patch.setattr(store.registry, "upsert", lambda *a, **k: 1 / 0)
        _ingest_one(tmp_path, store, embedder, prose(2, paragraphs=2, sentences=2))
    _ingest_one(tmp_path, store, embedder, prose(2, paragraphs=2, sentences=2))
    _assert_one_copy_of_each_document(store, {"a"})
