"""The lexical index kept with the store (vectorstore/lexical_cache.py) and the dense search
without a metadata filter: real Chroma, stand-in vectors (no model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vectorstore.chroma_store import ChunkStore
from vectorstore.records import Chunk, ChunkMeta, DocumentRecord

TEXTS = {
    "formulary": "The area prescribing committee keeps the joint formulary for the system.",
    "pcn": "Primary care networks bring neighbouring practices together to share staff.",
    "beds": "Acute trusts count the beds open each night and add escalation beds in winter.",
}


def _write(
    store: ChunkStore, source_id: str, version: str, text: str, axis: int, acronyms: bool = False
) -> None:
    """One document of one chunk, its vector along ``axis`` (and with its acronym
    findings when ``acronyms``)."""
    from ingest.acronyms import document_acronyms

    chunk = Chunk(
        f"{source_id}#{version}#0", text, ChunkMeta(source_id=source_id, doc_version=version)
    )
    record = DocumentRecord(
        source_id=source_id,
        version=version,
        file=f"{source_id}.md",
        root="/library",
        chunk_count=1,
        char_count=len(text),
        ingested_at="2026-12-06T00:00:00+00:00",
        text=text,
    )
    if acronyms:
        record.acronyms = document_acronyms([chunk])
    vector = [0.0] * 4
    vector[axis] = 1.0
    store.replace_document(record, [chunk], [vector])


@pytest.fixture
def store(tmp_path: Path) -> ChunkStore:
    store = ChunkStore.open(tmp_path / "store")
    for axis, (source_id, text) in enumerate(TEXTS.items()):
        _write(store, source_id, "v1", text, axis)
    return store


def _counting_fetch(store: ChunkStore, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    asked: list[list[str]] = []
    fetch = store.chunks_of

    def counting(versions):
        asked.append(list(versions))
        return fetch(versions)

    monkeypatch.setattr(store, "chunks_of", counting)
    return asked


def test_the_index_is_saved_and_loaded_not_rebuilt(
    store: ChunkStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = store.lexical_index()
    assert [i for i, _ in first.search("formulary committee", 3)] == ["formulary#v1#0"]
    reader = ChunkStore.open(tmp_path / "store")  # as `nhsa serve` after `nhsa ingest`
    asked = _counting_fetch(reader, monkeypatch)
    loaded = reader.lexical_index()
    assert asked == []  # nothing read from Chroma: the saved index was loaded
    assert loaded.search("practices networks", 3) == first.search("practices networks", 3)
    assert loaded.idf("formulari") == pytest.approx(first.idf("formulari"))
    assert loaded.knows("escal") and not loaded.knows("dentist")


def test_a_changed_document_costs_only_its_own_chunks(
    store: ChunkStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.lexical_index()
    asked = _counting_fetch(store, monkeypatch)
    _write(store, "beds", "v2", "Community pharmacies offer blood pressure checks.", 2)
    index = store.lexical_index()
    assert asked == [["v2"]]  # the new version only, not the library
    assert [i for i, _ in index.search("blood pressure pharmacies", 3)] == ["beds#v2#0"]
    assert index.search("escalation beds winter", 3) == []  # the old version is gone
    assert len(index) == 3


def test_a_removed_document_leaves_the_index(store: ChunkStore) -> None:
    store.lexical_index()
    store.remove_document("pcn")
    index = store.lexical_index()
    assert index.search("primary care networks", 3) == []
    assert sorted(index.chunk_ids) == ["beds#v1#0", "formulary#v1#0"]


def test_a_damaged_saved_index_is_built_again(store: ChunkStore, tmp_path: Path) -> None:
    store.lexical_index()
    for saved in (tmp_path / "store" / "lexical").rglob("index.json"):
        saved.write_text("{not json", encoding="utf-8")
    index = ChunkStore.open(tmp_path / "store").lexical_index()
    assert [i for i, _ in index.search("formulary", 3)] == ["formulary#v1#0"]


def test_the_dense_search_drops_chunks_of_no_live_version(store: ChunkStore) -> None:
    # An ingest in another process has written a new version's chunks but not yet made
    # it live: many of them, all nearer the query than any live chunk.
    pending = [
        Chunk(f"pcn#v9#{i}", "draft", ChunkMeta(source_id="pcn", doc_version="v9", chunk_index=i))
        for i in range(40)
    ]
    store.chunks.upsert(
        ids=[c.id for c in pending],
        embeddings=[[0.0, 1.0, 0.01 * i, 0.0] for i in range(40)],
        documents=[c.text for c in pending],
        metadatas=[c.meta.to_chroma() for c in pending],
    )
    found = store.query([0.0, 1.0, 0.0, 0.0], 2)
    assert len(found) == 2  # asked again, wider, after dropping the pending chunks
    assert found[0][0].id == "pcn#v1#0"
    assert {c.meta.doc_version for c, _ in found} == {"v1"}


def test_a_switch_between_the_version_check_and_the_search_is_followed(store: ChunkStore) -> None:
    known = frozenset(store.live_versions())  # the caller's check, before the ingest
    _write(store, "pcn", "v2", "Primary care networks now cover every practice.", 1)
    found = store.query([0.0, 1.0, 0.0, 0.0], 1, versions=known)
    # v1's chunk is deleted already: without following the switch nothing would be found.
    assert [c.id for c, _ in found] == ["pcn#v2#0"]


class _AxisEmbedder:
    """Stand-in for the model: the retriever here is tested for its indexes, not vectors."""

    def encode(self, texts):
        import numpy as np

        return np.tile([1.0, 0.0, 0.0, 0.0], (len(texts), 1))


def test_an_index_another_process_must_build_is_built_in_the_background(
    store: ChunkStore, tmp_path: Path
) -> None:
    import time

    from assistant.retrieval.hybrid import HybridRetriever
    from assistant.retrieval.options import RetrievalOptions

    # A reader with its own index folder, as an app on another machine sharing a server.
    reader = ChunkStore(store.client, store.collection, cache_dir=tmp_path / "elsewhere")
    retriever = HybridRetriever(reader, _AxisEmbedder(), RetrievalOptions(rerank_candidates=0))
    before = retriever.snapshot()
    _write(store, "dental", "d1", "Dental contracts moved to integrated care boards.", 3)
    assert retriever.snapshot() is before  # answered at once from the index it has
    deadline = time.monotonic() + 30
    while retriever.snapshot() is before:
        assert time.monotonic() < deadline, "the index was never rebuilt"
        time.sleep(0.05)
    hits = retriever.search("dental contracts", k=2).hits
    assert hits[0].chunk.id == "dental#d1#0" and hits[0].lexical_rank == 1


def test_a_search_among_ids_ranks_only_those_chunks(store: ChunkStore) -> None:
    # The vector points at "beds"; searched among "pcn" and "formulary", it finds "pcn".
    near_beds = [0.0, 0.3, 1.0, 0.0]
    assert store.query(near_beds, 1, versions=["v1"])[0][0].source_id == "beds"
    among = store.nearest_among(near_beds, 5, ["pcn#v1#0", "formulary#v1#0", "gone#v1#0"])
    assert [c.source_id for c, _ in among] == ["pcn", "formulary"]
    assert among[0][1] == pytest.approx(0.3 / np.linalg.norm(near_beds), abs=1e-5)
    assert store.nearest_among(near_beds, 1, ["pcn#v1#0", "formulary#v1#0"])[0][0].id == "pcn#v1#0"
    assert store.nearest_among(near_beds, 5, []) == []


def _glossed(store: ChunkStore) -> None:
    """Two documents whose findings the glossary assembles (one defines, one infers)."""
    _write(
        store, "icb", "g1", "Integrated Care Boards (ICBs) plan services for their area.", 0, True
    )
    _write(
        store, "rwb", "g1", "The RWB meets monthly; each Regional Widget Board sets goals.", 1, True
    )


def test_a_saved_glossary_is_what_the_findings_assemble_and_survives_damage(
    store: ChunkStore,
) -> None:
    from ingest.acronyms import GLOSSARY_VERSION, library_glossary, load_or_assemble_glossary

    _glossed(store)
    live = store.live_documents(findings=False)
    assert store.saved_glossary(live, GLOSSARY_VERSION) is None
    entries = library_glossary(store.documents().values())
    assert {e.short for e in entries} >= {"ICB", "RWB"}

    assert load_or_assemble_glossary(store, live) == entries  # assembled, then saved

    assert store.saved_glossary(live, GLOSSARY_VERSION) == entries
    assert store.saved_glossary({k: r for k, r in live.items() if k != "rwb"}, "1") is None
    # Another assembly's glossary is not this one's.
    assert store.saved_glossary(live, GLOSSARY_VERSION + "-next") is None
    saved = next(store._lexical.folder.glob("glossary-*.json"))  # type: ignore[union-attr]
    saved.write_text("[[1, 2", encoding="utf-8")
    assert store.saved_glossary(live, GLOSSARY_VERSION) is None and not saved.exists()


def test_a_start_with_a_saved_glossary_reads_no_findings(
    store: ChunkStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.retrieval.hybrid import HybridRetriever
    from assistant.retrieval.options import RetrievalOptions

    _glossed(store)
    # The first start assembles the glossary from every document's findings and saves it.
    first = HybridRetriever(store, _AxisEmbedder(), RetrievalOptions(rerank_candidates=0))
    assert first.snapshot().glossary.lookup("RWB").long == "Regional Widget Board"
    reads: list[bool] = []
    documents = store.documents

    def counting(findings: bool = True):
        reads.append(findings)
        return documents(findings)

    monkeypatch.setattr(store, "documents", counting)
    store._documents = None  # as a new process: nothing read yet

    again = HybridRetriever(store, _AxisEmbedder(), RetrievalOptions(rerank_candidates=0))
    glossary = again.snapshot().glossary

    assert glossary.lookup("ICB").long == "Integrated Care Boards"
    assert glossary.lookup("RWB").long == "Regional Widget Board"
    assert reads == [False]  # the registry once, without the findings
