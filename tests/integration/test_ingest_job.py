"""The ingestion job end to end: real embedder, real Chroma store in tmp_path, real CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from docgen import docx_bytes, pdf_bytes, pdf_without_text_bytes, prose, short_doc, write_file

from ingest import job as job_module
from ingest.discovery import SkippedFile
from ingest.job import IngestReport, run_ingest
from ingest.options import ChunkingOptions, IngestLimits
from vectorstore.chroma_store import ChunkStore

SMALL = {"max_tokens": 40, "min_tokens": 10}  # several chunks from a tiny document


def _ingest(folder: Path, store: ChunkStore, factory, **options) -> IngestReport:
    limits = (
        {"max_file_mb": options.pop("max_file_bytes") / 2**20}
        if "max_file_bytes" in options
        else {}
    )
    chunking = ChunkingOptions(**{**SMALL, **options})
    return run_ingest(folder, store, factory, chunking=chunking, limits=IngestLimits(**limits))


def _outcome(report: IngestReport, source_id: str):
    found = [o for o in report.outcomes if o.source_id == source_id]
    assert len(found) == 1, report.outcomes
    return found[0]


def _stored_chunks(store: ChunkStore, source_id: str) -> dict:
    return store.chunks.get(where={"source_id": source_id}, include=["metadatas", "documents"])


# -- the sample corpus --------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, embedder):
    store = ChunkStore.open(tmp_path_factory.mktemp("corpus-store"))
    report = run_ingest(corpus_dir, store, lambda: embedder)
    return store, report


def test_sample_corpus_is_ingested_as_five_added_documents(corpus_store) -> None:
    store, report = corpus_store
    assert report.count("added") == 5
    assert report.failed == []
    assert report.manifest_errors == []
    assert set(store.documents()) == {
        "jackson-future-of-mo-in-ics",
        "maule-2026-mo-capability",
        "pharmafile-2019-regional-footprints",
        "pharmatimes-2022-nhs-personas",
        "rps-system-leadership-pcns",
    }


def test_corpus_chunks_point_at_their_span_of_the_cleaned_text(corpus_store) -> None:
    store, _ = corpus_store
    chunks = store.live_chunks()
    assert len(chunks) == store.count()
    texts = {sid: store.document_text(sid) for sid in store.documents()}
    by_doc: dict[str, list[int]] = {}
    for chunk in chunks:
        meta = chunk.meta
        assert texts[meta.source_id][meta.start : meta.end] == chunk.text
        by_doc.setdefault(meta.source_id, []).append(meta.chunk_index)
    for sid, indexes in by_doc.items():
        assert indexes == list(range(store.documents()[sid].chunk_count)), sid


def test_corpus_chunks_carry_manifest_metadata(corpus_store, corpus_dir: Path) -> None:
    store, _ = corpus_store
    with (corpus_dir / "manifest.csv").open(encoding="utf-8") as handle:
        rows = {Path(r["file"]).stem: r for r in csv.DictReader(handle)}
    for chunk in store.live_chunks():
        meta = chunk.meta
        row = rows[meta.source_id]
        for field in ("title", "author", "publisher", "published", "kind"):
            if row[field]:
                assert getattr(meta, field) == row[field], (meta.source_id, field)
            else:  # a plain .txt says nothing about itself: the field stays empty
                assert getattr(meta, field) is None, (meta.source_id, field)
        assert meta.file == row["file"]


def test_corpus_publication_dates_keep_their_precision(corpus_store) -> None:
    store, _ = corpus_store
    expected = {
        "rps-system-leadership-pcns": ("2018", "year"),
        "pharmatimes-2022-nhs-personas": ("2022-09", "month"),
        "pharmafile-2019-regional-footprints": ("2019-01-22", "day"),
    }
    documents = store.documents()
    for sid, (published, precision) in expected.items():
        record = documents[sid]
        assert (record.published, record.published_precision) == (published, precision)
        chunk_meta = _stored_chunks(store, sid)["metadatas"][0]
        assert (chunk_meta["published"], chunk_meta["published_precision"]) == expected[sid]


def test_second_run_finds_everything_unchanged_without_loading_the_model(
    corpus_store, corpus_dir: Path, embedder_factory
) -> None:
    store, first = corpus_store
    before = store.count()
    report = run_ingest(corpus_dir, store, embedder_factory)
    assert report.count("unchanged") == 5
    assert len(report.outcomes) == 5
    assert embedder_factory.calls == 0
    assert store.count() == before == first.chunks_written


def test_a_later_run_still_looks_for_acronyms_the_stored_documents_use(
    docs: Path, store, embedder_factory
) -> None:
    # A re-run reads the registry without the documents' findings (it only compares
    # versions); a run that writes must still know the acronyms stored documents use.
    write_file(docs, "a.txt", "The RWB meets every month to agree the plan for the region.")
    _ingest(docs, store, embedder_factory)
    write_file(docs, "b.txt", "Each regional widget board sets its own agenda for the year.")
    report = _ingest(docs, store, embedder_factory)

    assert _outcome(report, "b").status == "added"
    phrases = store.documents()["b"].acronyms.phrases
    assert [p.short for p in phrases] == ["RWB"]


# -- incremental runs ---------------------------------------------------------------------


def test_changed_document_is_reported_updated(docs: Path, store, embedder_factory) -> None:
    write_file(docs, "a.txt", short_doc(1))
    write_file(docs, "b.txt", short_doc(2))
    _ingest(docs, store, embedder_factory)
    write_file(docs, "a.txt", short_doc(3))
    report = _ingest(docs, store, embedder_factory)
    assert _outcome(report, "a").status == "updated"
    assert _outcome(report, "b").status == "unchanged"


def test_changed_document_replaces_its_chunks(docs: Path, store, embedder_factory) -> None:
    write_file(docs, "a.txt", prose(1, paragraphs=3, sentences=2))
    _ingest(docs, store, embedder_factory)
    old = _stored_chunks(store, "a")
    new_text = prose(7, paragraphs=2, sentences=2)
    write_file(docs, "a.txt", new_text)
    _ingest(docs, store, embedder_factory)

    now = _stored_chunks(store, "a")
    record = store.documents()["a"]
    assert store.chunks.get(ids=old["ids"])["ids"] == []
    assert {m["doc_version"] for m in now["metadatas"]} == {record.version}
    assert len(now["ids"]) == record.chunk_count
    assert sorted(m["chunk_index"] for m in now["metadatas"]) == list(range(record.chunk_count))
    assert store.document_text("a") == new_text
    assert all(doc in new_text for doc in now["documents"])


def test_query_never_mixes_old_and_new_versions(
    docs: Path, store, embedder_factory, embedder
) -> None:
    write_file(docs, "a.txt", "Old wording about hospital discharge for frail patients.")
    _ingest(docs, store, embedder_factory)
    write_file(docs, "a.txt", "New wording about hospital discharge for frail patients today.")
    _ingest(docs, store, embedder_factory)
    vector = embedder.encode(["hospital discharge for frail patients"])[0]
    hits = store.query(vector, 10)
    assert [c.text for c, _ in hits] == [
        "New wording about hospital discharge for frail patients today."
    ]


def test_sentence_vectors_are_stored_at_ingest_and_follow_their_document(
    docs: Path, store, embedder_factory, embedder
) -> None:
    from assistant.answering.evidence import SentenceCache
    from ingest.sentences import sentence_texts

    write_file(docs, "a.txt", prose(1, paragraphs=3, sentences=2))
    _ingest(docs, store, embedder_factory)
    chunks = [c for c in store.live_chunks() if c.source_id == "a"]
    stored = store.sentence_vectors([c.id or "" for c in chunks])
    assert set(stored) == {c.id for c in chunks}
    for chunk in chunks:
        fresh = embedder.encode(sentence_texts(chunk))
        assert stored[chunk.id or ""].shape == fresh.shape
        # Half precision on disk: the same vectors to within 1e-2 in cosine.
        assert np.min(np.sum(stored[chunk.id or ""] * fresh, axis=1)) > 0.99

    # At question time nothing is embedded: the vectors come from the store.
    cache = SentenceCache(embedder, stored=store.sentence_vectors)
    assert len(cache.sentences(chunks)) == sum(len(sentence_texts(c)) for c in chunks)
    assert cache.embedded_here == 0

    write_file(docs, "a.txt", prose(5, paragraphs=2, sentences=2))
    _ingest(docs, store, embedder_factory)
    assert store.sentence_vectors([c.id or "" for c in chunks]) == {}
    (docs / "a.txt").unlink()
    _ingest(docs, store, embedder_factory)
    assert store.sentences.get(where={"source_id": "a"})["ids"] == []


def test_deleted_file_is_removed_with_its_chunks(docs: Path, store, embedder_factory) -> None:
    write_file(docs, "a.txt", short_doc(1))
    gone = write_file(docs, "b.txt", short_doc(2))
    _ingest(docs, store, embedder_factory)
    gone.unlink()
    report = _ingest(docs, store, embedder_factory)
    assert _outcome(report, "b").status == "removed"
    assert "b" not in store.documents()
    assert _stored_chunks(store, "b")["ids"] == []
    assert _stored_chunks(store, "a")["ids"] != []


def test_documents_of_another_folder_survive_reingesting_the_first(
    tmp_path: Path, store, embedder_factory
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_file(first, "a.txt", short_doc(1))
    write_file(second, "b.txt", short_doc(2))
    _ingest(first, store, embedder_factory)
    _ingest(second, store, embedder_factory)
    report = _ingest(first, store, embedder_factory)
    assert [o.status for o in report.outcomes] == ["unchanged"]
    assert set(store.documents()) == {"a", "b"}
    assert _stored_chunks(store, "b")["ids"] != []


def test_changed_manifest_row_updates_the_document(docs: Path, store, embedder_factory) -> None:
    write_file(docs, "a.txt", short_doc(1))
    write_file(docs, "manifest.csv", "file,title\na.txt,First title\n")
    _ingest(docs, store, embedder_factory)
    write_file(docs, "manifest.csv", "file,title\na.txt,Second title\n")
    report = _ingest(docs, store, embedder_factory)
    assert _outcome(report, "a").status == "updated"
    titles = {m["title"] for m in _stored_chunks(store, "a")["metadatas"]}
    assert titles == {"Second title"}


def test_manifest_row_wins_over_what_the_file_says(docs: Path, store, embedder_factory) -> None:
    write_file(docs, "n.md", f"---\ntitle: Own title\nauthor: Own Author\n---\n{short_doc(1)}\n")
    write_file(docs, "manifest.csv", "file,title,published\nn.md,Manifest title,2020-02\n")
    _ingest(docs, store, embedder_factory)
    record = store.documents()["n"]
    assert (record.title, record.author, record.published) == (
        "Manifest title",
        "Own Author",
        "2020-02",
    )


def test_file_without_manifest_row_uses_its_own_metadata(
    docs: Path, store, embedder_factory
) -> None:
    write_file(
        docs, "w.docx", docx_bytes([("Normal", short_doc(1))], title="Docx title", author="Di")
    )
    _ingest(docs, store, embedder_factory)
    record = store.documents()["w"]
    assert (record.title, record.author) == ("Docx title", "Di")


def test_document_with_an_unusable_date_is_still_ingested(
    docs: Path, store, embedder_factory
) -> None:
    write_file(docs, "n.md", f"---\ntitle: T\ndate: 22/01/2019\n---\n{short_doc(1)}\n")
    report = _ingest(docs, store, embedder_factory)
    assert _outcome(report, "n").status == "added"
    assert store.documents()["n"].published is None


def test_each_folders_manifest_applies_to_its_own_files_when_the_parent_is_ingested(
    docs: Path, store, embedder_factory
) -> None:
    write_file(docs, "corpus/a.txt", short_doc(1))
    write_file(docs, "corpus/manifest.csv", "file,title,publisher\na.txt,Corpus A,Pub A\n")
    write_file(docs, "library/deep/b.txt", short_doc(2))
    write_file(docs, "library/manifest.csv", "file,title,published\ndeep/b.txt,Library B,2021-05\n")
    write_file(docs, "c.txt", short_doc(3))  # no manifest above it: its own metadata

    report = _ingest(docs, store, embedder_factory)

    records = store.documents()
    assert not report.manifest_errors
    assert (records["a"].title, records["a"].publisher) == ("Corpus A", "Pub A")
    assert (records["b"].title, records["b"].published) == ("Library B", "2021-05")
    assert records["c"].title != "Corpus A" and records["c"].publisher is None
    assert {c.meta.title for c in store.live_chunks() if c.source_id == "b"} == {"Library B"}


def test_manifest_errors_are_reported_and_good_rows_still_apply(
    docs: Path, store, embedder_factory
) -> None:
    write_file(docs, "a.txt", short_doc(1))
    write_file(docs, "b.txt", short_doc(2))
    write_file(
        docs, "manifest.csv", "file,title,published\na.txt,A title,2019-13\nb.txt,B title,2019\n"
    )
    report = _ingest(docs, store, embedder_factory)
    assert len(report.manifest_errors) == 1
    assert "row 2, field 'published'" in report.manifest_errors[0]
    docs_meta = store.documents()
    assert docs_meta["a"].title == "A title"
    assert docs_meta["b"].published == "2019"


# -- bad input ----------------------------------------------------------------------------

BAD_FILES = {
    "empty": ("empty.txt", b"", "empty file"),
    "binary": ("binary.txt", b"\x00\x01\x02\x03binary\x00\xff" * 20, "binary"),
    "corrupt-pdf": ("corrupt.pdf", b"%PDF-1.7\nnot really a PDF\n", "not a readable PDF"),
    "pdf-without-text": ("scan.pdf", None, "no text layer"),
    "corrupt-docx": ("broken.docx", b"PK\x03\x04 truncated", "not a readable DOCX"),
    "too-large": ("huge.txt", None, "too large"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_file_fails_alone_with_a_message_naming_the_problem(
    case: str, docs: Path, store, embedder_factory
) -> None:
    name, content, problem = BAD_FILES[case]
    if case == "pdf-without-text":
        content = pdf_without_text_bytes()
    if case == "too-large":
        content = ("Too much text about formularies. " * 200).encode()
    write_file(docs, "good.txt", short_doc(1))
    write_file(docs, name, content)
    report = _ingest(docs, store, embedder_factory, max_file_bytes=4096)
    assert len(report.failed) == 1
    failed = report.failed[0]
    assert failed.file == name
    assert problem in failed.message
    assert _outcome(report, "good").status == "added"
    assert set(store.documents()) == {"good"}


def test_file_vanishing_mid_run_fails_alone(
    docs: Path, store, embedder_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file(docs, "good.txt", short_doc(1))
    write_file(docs, "vanishing.txt", short_doc(2))
    real_read = job_module.read_regular_file

    def read_regular_file(path: Path, limits):
        if path.name == "vanishing.txt":
            path.unlink()  # deleted after the folder was listed, before it is read
        return real_read(path, limits)

    monkeypatch.setattr(job_module, "read_regular_file", read_regular_file)
    report = _ingest(docs, store, embedder_factory)
    assert [(o.file, o.status) for o in report.failed] == [("vanishing.txt", "failed")]
    assert "vanished" in report.failed[0].message
    assert _outcome(report, "good").status == "added"


def test_windows_1252_text_is_ingested_with_a_note(docs: Path, store, embedder_factory) -> None:
    write_file(docs, "legacy.txt", b"The board\x92s plan for place-based care was agreed in 2019.")
    report = _ingest(docs, store, embedder_factory)
    assert _outcome(report, "legacy").status == "added"
    assert "The board’s plan" in store.document_text("legacy")
    assert store.documents()["legacy"].notes == ["not UTF-8; decoded as cp1252"]


def test_stored_document_keeps_its_chunks_when_its_file_turns_corrupt(
    docs: Path, store, embedder_factory
) -> None:
    path = write_file(docs, "a.pdf", pdf_bytes(short_doc(1), title="A report"))
    _ingest(docs, store, embedder_factory)
    before_ids = _stored_chunks(store, "a")["ids"]
    before_version = store.documents()["a"].version
    path.write_bytes(b"%PDF-1.7\ngarbage after a bad sync\n")
    report = _ingest(docs, store, embedder_factory)
    assert _outcome(report, "a").status == "failed"
    assert store.documents()["a"].version == before_version
    assert _stored_chunks(store, "a")["ids"] == before_ids != []


def test_files_sharing_a_name_are_two_documents(docs: Path, store, embedder_factory) -> None:
    write_file(docs, "a.txt", short_doc(1))
    write_file(docs, "sub/a.md", short_doc(2))
    report = _ingest(docs, store, embedder_factory)
    assert report.failed == []
    stored = store.documents()
    assert stored["a"].file == "a.txt"  # the first keeps the plain name
    (other,) = set(stored) - {"a"}
    assert other.startswith("a-") and stored[other].file == "sub/a.md"
    # A second run knows both by their paths: nothing changes, nothing is renamed.
    again = _ingest(docs, store, embedder_factory)
    assert {(o.source_id, o.status) for o in again.outcomes} == {
        ("a", "unchanged"),
        (other, "unchanged"),
    }


def test_unknown_extension_is_listed_as_skipped(docs: Path, store, embedder_factory) -> None:
    write_file(docs, "a.txt", short_doc(1))
    write_file(docs, "figures.xlsx", b"PK\x03\x04 not read")
    report = _ingest(docs, store, embedder_factory)
    assert SkippedFile("figures.xlsx", "not a document type") in report.skipped
    assert [o.source_id for o in report.outcomes] == ["a"]


def test_readme_and_manifest_are_not_ingested(docs: Path, store, embedder_factory) -> None:
    write_file(docs, "README.md", "# About this folder\n\nNotes for people, not a document.\n")
    write_file(docs, "manifest.csv", "file,title\na.txt,A\n")
    write_file(docs, "a.txt", short_doc(1))
    report = _ingest(docs, store, embedder_factory)
    assert [o.source_id for o in report.outcomes] == ["a"]
    assert set(store.documents()) == {"a"}


def test_hidden_files_are_ignored(docs: Path, store, embedder_factory) -> None:
    write_file(docs, ".draft.txt", short_doc(2))
    write_file(docs, ".cache/x.txt", short_doc(3))
    write_file(docs, "a.txt", short_doc(1))
    report = _ingest(docs, store, embedder_factory)
    assert [o.source_id for o in report.outcomes] == ["a"]


# -- the command line ---------------------------------------------------------------------


def test_ingest_saves_the_glossary_an_app_starts_from(docs: Path, store, embedder_factory) -> None:
    from ingest.acronyms import GLOSSARY_VERSION, library_glossary

    write_file(docs, "a.txt", "Integrated Care Boards (ICBs) plan services for their area.")
    write_file(docs, "b.txt", "The RWB meets monthly; each Regional Widget Board sets goals.")
    _ingest(docs, store, embedder_factory)

    saved = store.saved_glossary(store.live_documents(findings=False), GLOSSARY_VERSION)

    assert saved == library_glossary(store.documents().values())
    assert {e.short for e in saved or []} >= {"ICB", "RWB"}


def test_a_run_that_writes_reads_the_findings_once_and_saves_the_live_glossary(
    docs: Path, store, embedder_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.acronyms import GLOSSARY_VERSION, library_glossary

    write_file(docs, "a.txt", "Integrated Care Boards (ICBs) plan services for their area.")
    write_file(docs, "gone.txt", "Primary Care Networks (PCNs) group practices together.")
    _ingest(docs, store, embedder_factory)
    (docs / "gone.txt").unlink()
    write_file(docs, "b.txt", "The RWB meets monthly; each Regional Widget Board sets goals.")
    full_reads: list[bool] = []
    documents = store.documents

    def counting(findings: bool = True):
        if findings:
            full_reads.append(True)
        return documents(findings)

    monkeypatch.setattr(store, "documents", counting)
    report = _ingest(docs, store, embedder_factory)
    monkeypatch.undo()

    assert _outcome(report, "b").status == "added" and _outcome(report, "gone").status == "removed"
    assert len(full_reads) == 1  # for the acronyms other documents use; not again for the glossary
    saved = store.saved_glossary(store.live_documents(findings=False), GLOSSARY_VERSION)
    assert saved == library_glossary(store.documents().values())
    assert {e.short for e in saved or []} >= {"ICB", "RWB"} and "PCN" not in {
        e.short for e in saved or []
    }
