"""The ingestion job: a folder of files in, live chunks and vectors in the store out.

Incremental: each document's version is a hash of its bytes, its manifest row and the
pipeline settings, so a re-run skips what has not changed without parsing it (and
without loading the embedding model). A bad file is reported and never stops the
others; a document that fails keeps whatever version the store already had.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Protocol, TypeVar

from ingest import loaders
from ingest.acronyms import document_acronyms, load_or_assemble_glossary
from ingest.chunking import ChunkSpan, chunk_text
from ingest.cleaning import CleanResult, clean_text
from ingest.discovery import Discovery, SkippedFile, discover, read_regular_file
from ingest.documents import DocumentError, DocumentMetadata, LoadedDocument
from ingest.identity import assign_source_ids
from ingest.injection import find_injections, mark_chunks
from ingest.manifest import Manifest, read_manifest
from ingest.options import ChunkingOptions, IngestLimits
from ingest.sentences import sentence_texts
from ingest.structure import document_structure
from vectorstore.chroma_store import ChunkStore
from vectorstore.records import (
    Chunk,
    ChunkMeta,
    DocumentAcronyms,
    DocumentRecord,
    FlaggedSpan,
    chunk_id,
)
from vectorstore.writer_lease import Holder

# Bump when cleaning or chunking changes what a file turns into: every document is redone.
PIPELINE_VERSION = "24"
# Formats of printed documents: no site chrome to clean off their end.
PRINTED_FORMATS = frozenset({".pdf", ".docx"})
# Embed in groups of about this many chunks: big enough for efficient batches, small
# enough that an interrupted run keeps most of its work.
EMBED_GROUP_CHUNKS = 256
# Documents read and chunked ahead of the one being embedded.
READ_AHEAD = 16
T = TypeVar("T")
R = TypeVar("R")


def _split_rows(rows, counts: list[int]) -> list:
    """``rows`` cut into consecutive runs of ``counts`` rows."""
    out, start = [], 0
    for n in counts:
        out.append(rows[start : start + n])
        start += n
    return out


class Embedder(Protocol):
    """What the job needs of an embedding model."""

    def encode(self, texts: list[str]): ...  # -> array of unit vectors, one row per text


class Status(StrEnum):
    """What the job did with one document."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    FAILED = "failed"


@dataclass
class FileOutcome:
    """What happened to one file (or one stored document)."""

    source_id: str
    file: str
    status: Status
    chunks: int = 0
    message: str = ""


@dataclass
class IngestReport:
    """The job's result: an outcome per document, skipped files, timings."""

    folder: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    # Sub-folders that could not be listed: an error, and their stored documents are kept.
    unreadable_folders: list[str] = field(default_factory=list)
    # Store steps after the per-file writes that failed (the server went away, say).
    store_errors: list[str] = field(default_factory=list)
    manifest_errors: list[str] = field(default_factory=list)
    cleaning_removed: Counter = field(default_factory=Counter)
    cleaning_hits: Counter = field(default_factory=Counter)
    # Instruction-like sentences (prompt injection) in the documents read this run, by
    # file: stored as data, kept out of every answer.
    flagged: dict[str, list[FlaggedSpan]] = field(default_factory=dict)
    garbage_collected: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def count(self, status: Status) -> int:
        """Documents with this status."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def chunks_written(self) -> int:
        """Chunks embedded and stored in this run."""
        return sum(o.chunks for o in self.outcomes if o.status in (Status.ADDED, Status.UPDATED))

    @property
    def has_errors(self) -> bool:
        """Anything the user must act on: a failed file, a folder or store step that failed."""
        return bool(self.failed or self.unreadable_folders or self.store_errors)

    @property
    def failed(self) -> list[FileOutcome]:
        """Outcomes of files that could not be ingested."""
        return [o for o in self.outcomes if o.status == Status.FAILED]

    def summary(self, chunks_in_store: int | str) -> dict[str, object]:
        """The run as plain JSON-ready data, for scripts and monitoring (``--json``)."""
        return {
            "folder": self.folder,
            "added": self.count(Status.ADDED),
            "updated": self.count(Status.UPDATED),
            "unchanged": self.count(Status.UNCHANGED),
            "removed": self.count(Status.REMOVED),
            "failed": [
                {"file": o.file, "source_id": o.source_id, "reason": o.message} for o in self.failed
            ],
            "chunks": chunks_in_store,
            "chunks_written": self.chunks_written,
            "seconds": round(self.seconds, 3),
            "skipped": [{"file": s.file, "reason": s.reason} for s in self.skipped],
            "unreadable_folders": list(self.unreadable_folders),
            "store_errors": list(self.store_errors),
            "manifest_errors": list(self.manifest_errors),
            "flagged": [
                {"file": file, "sentences": len(spans), "excerpts": [s.excerpt for s in spans]}
                for file, spans in sorted(self.flagged.items())
            ],
        }


@dataclass
class _Pending:
    path: Path
    source_id: str
    version: str
    status: Status
    record: DocumentRecord
    chunks: list[Chunk]


def read_document(path: Path, raw: bytes) -> tuple[LoadedDocument, CleanResult]:
    """A file as ingest reads it: loaded by its format's loader, then cleaned (a printed
    document keeps its last lines; a web page loses its trailing chrome)."""
    loaded = loaders.load(path, raw)
    return loaded, clean_text(loaded.text, web_page=path.suffix.lower() not in PRINTED_FORMATS)


def document_version(
    raw: bytes, manifest_row: DocumentMetadata | None, chunking: ChunkingOptions
) -> str:
    """Content hash deciding whether a document must be redone."""
    digest = hashlib.sha256(raw)
    row = json.dumps(manifest_row.as_dict() if manifest_row else None, sort_keys=True)
    digest.update(row.encode())
    # What, besides a file's bytes, decides its chunks.
    signature = f"pipeline={PIPELINE_VERSION};max={chunking.max_tokens};min={chunking.min_tokens}"
    digest.update(signature.encode())
    return digest.hexdigest()


def build_chunks(
    source_id: str,
    version: str,
    text: str,
    meta: DocumentMetadata,
    spans: list[ChunkSpan],
    file: str,
) -> list[Chunk]:
    """The chunks of the spans, each carrying its provenance and its document's metadata."""
    bibliography = meta.as_dict()
    return [
        Chunk(
            chunk_id(source_id, version, span.index),
            span.text,
            ChunkMeta(
                source_id=source_id,
                doc_version=version,
                file=file,
                chunk_index=span.index,
                start=span.start,
                end=span.end,
                section=span.section,
                tokens=span.tokens,
                lead_in=span.lead_in,
                **bibliography,
            ),
        )
        for span in spans
    ]


def read_ahead(work: Callable[[T], R], items: Iterable[T], depth: int) -> Iterator[R]:
    """``work`` of each item, in order, done in another thread up to ``depth`` items ahead
    of the caller (bounded, so a fast reader never holds the whole library in memory)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nhsa-read") as pool:
        queued: deque[Future[R]] = deque()
        source = iter(items)
        for item in islice(source, depth):
            queued.append(pool.submit(work, item))
        while queued:
            result = queued.popleft().result()
            for item in islice(source, 1):
                queued.append(pool.submit(work, item))
            yield result


@dataclass
class _Job:
    """One run over one folder: what it was given, and what it has found so far."""

    folder: Path
    store: ChunkStore
    chunking: ChunkingOptions
    limits: IngestLimits
    manifests: dict[Path, Manifest]  # by the folder each manifest.csv sits in
    report: IngestReport
    stored: dict[str, DocumentRecord]  # without their findings (see acronyms())
    acronyms_used: set[str] | None = None  # acronyms the documents use, never spelled out
    # The live records with their findings: read once when the first document is
    # (re)written, then kept in step with this run's writes and removals, so that the
    # glossary saved at the end needs no second read of the registry.
    findings: dict[str, DocumentRecord] | None = None

    def manifest_row(self, path: Path) -> DocumentMetadata | None:
        """The row of the nearest manifest above ``path`` (within the ingested folder):
        each folder's manifest describes its own files, whatever folder is ingested."""
        for directory in (path.parent, *path.parent.parents):
            manifest = self.manifests.get(directory)
            if manifest is not None:
                rel = path.relative_to(directory).as_posix()
                return manifest.entries.get(rel) or manifest.entries.get(path.name)
            if directory == self.folder:
                return None
        return None

    def acronyms(self, chunks: list[Chunk]) -> DocumentAcronyms:
        """A document's acronym findings, looking for long forms of the acronyms the other
        documents use too (those stored, and those of this run met so far: documents are
        examined one at a time, in order)."""
        if self.acronyms_used is None:
            # Read here, once, and only when a document is (re)written: a run over
            # unchanged files never parses the registry's findings.
            self.findings = self.store.documents()
            self.acronyms_used = {a for r in self.findings.values() for a in r.acronyms.used}
        found = document_acronyms(chunks, self.acronyms_used)
        self.acronyms_used.update(found.used)
        return found

    def fail(self, source_id: str, rel: str, message: str) -> None:
        """Record a document that could not be ingested (the store keeps its old version)."""
        self.report.outcomes.append(FileOutcome(source_id, rel, Status.FAILED, message=message))

    def examine(self, path: Path, source_id: str) -> _Pending | FileOutcome:
        """The document to (re)write for ``path``, or the outcome when there is nothing to
        write: the store already has it, or the file cannot be read (a bad file never
        stops the others)."""
        rel = path.relative_to(self.folder).as_posix()
        try:
            raw = read_regular_file(path, self.limits)
            row = self.manifest_row(path)
            version = document_version(raw, row, self.chunking)
            previous = self.stored.get(source_id)
            if previous and previous.version == version:
                return FileOutcome(source_id, rel, Status.UNCHANGED, chunks=previous.chunk_count)
            status = Status.UPDATED if previous else Status.ADDED
            return self.prepare(path, raw, source_id, version, status, row)
        except FileNotFoundError:
            message = "vanished before it could be read"
        except DocumentError as exc:
            message = str(exc)
        except Exception as exc:  # a loader library's surprise must not stop the others
            message = f"could not be read ({type(exc).__name__}: {exc})"
        return FileOutcome(source_id, rel, Status.FAILED, message=message)

    def prepare(
        self,
        path: Path,
        raw: bytes,
        source_id: str,
        version: str,
        status: Status,
        row: DocumentMetadata | None,
    ) -> _Pending:
        """Load, clean and chunk one file into the record and chunks the store will hold."""
        rel = path.relative_to(self.folder).as_posix()
        loaded, cleaned = read_document(path, raw)
        if not cleaned.text.strip():
            raise DocumentError("nothing left after cleaning (only navigation or boilerplate)")
        self.report.cleaning_removed.update(cleaned.removed)
        self.report.cleaning_hits.update(cleaned.hits)
        meta = (row or DocumentMetadata()).merged_over(loaded.metadata)
        if not meta.title:
            first = cleaned.text.strip().split("\n", 1)[0].lstrip("# ").strip()
            meta.title = first[:200] if first else source_id
        spans = chunk_text(cleaned.text, self.chunking.max_tokens, self.chunking.min_tokens)
        chunks = build_chunks(source_id, version, cleaned.text, meta, spans, rel)
        flagged = find_injections(cleaned.text)
        mark_chunks([c.meta for c in chunks], flagged)
        if flagged:
            self.report.flagged[rel] = flagged
        record = DocumentRecord(
            source_id=source_id,
            version=version,
            file=rel,
            root=str(self.folder),
            chunk_count=len(chunks),
            char_count=len(cleaned.text),
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            **meta.as_dict(),
            notes=list(loaded.notes),
            cleaning_removed=dict(cleaned.removed),
            flagged=flagged,
            acronyms=self.acronyms(chunks),
            structure=document_structure(chunks),
            text=cleaned.text,
        )
        return _Pending(path, source_id, version, status, record, chunks)

    def write(
        self,
        examined: Iterable[_Pending | FileOutcome],
        total: int,
        embedder: Callable[[], Embedder],
        on_progress: Callable[[int, int], None] | None,
    ) -> None:
        """Embed the examined documents in groups, as they come, and make each one live in
        the store; ``on_progress(documents done, total)`` after each."""
        done = 0
        if on_progress:
            on_progress(0, total)
        group: list[_Pending] = []
        for item in examined:
            if isinstance(item, FileOutcome):
                self.report.outcomes.append(item)
                done += 1
                if on_progress:
                    on_progress(done, total)
                continue
            group.append(item)
            if sum(len(p.chunks) for p in group) >= EMBED_GROUP_CHUNKS:
                done = self._write_group(group, embedder(), done, total, on_progress)
                group = []
        if group:
            self._write_group(group, embedder(), done, total, on_progress)

    def _write_group(
        self,
        group: list[_Pending],
        model: Embedder,
        done: int,
        total: int,
        on_progress: Callable[[int, int], None] | None,
    ) -> int:
        texts = [c.embedded_text for p in group for c in p.chunks]
        # Each chunk's sentences are embedded here, once, in the same batch: at question
        # time only the question is embedded.
        per_chunk = [sentence_texts(c) for p in group for c in p.chunks]
        t0 = time.perf_counter()
        vectors = model.encode(texts + [t for ss in per_chunk for t in ss])
        self.report.embed_seconds += time.perf_counter() - t0
        sentence_vectors = _split_rows(vectors[len(texts) :], [len(ss) for ss in per_chunk])
        offset = 0
        for item in group:
            n = len(item.chunks)
            try:
                self.store.replace_document(
                    item.record,
                    item.chunks,
                    vectors[offset : offset + n],
                    sentence_vectors[offset : offset + n],
                )
                outcome = FileOutcome(item.source_id, item.record.file, item.status, chunks=n)
                self.report.outcomes.append(outcome)
                if self.findings is not None:
                    self.findings[item.source_id] = item.record
            except Exception as exc:  # the store refused this one; keep going
                self.fail(item.source_id, item.record.file, f"could not be stored ({exc})")
            offset += n
            done += 1
            if on_progress:
                on_progress(done, total)
        return done

    def remove_missing(self, present: set[str], found: Discovery) -> None:
        """Documents whose file was under this folder and is gone leave the store; those of
        other folders, and of sub-folders that could not be listed, stay."""
        for source_id, record in self.stored.items():
            location = Path(record.location)
            if (
                source_id in present
                or not location.is_relative_to(self.folder)
                or found.under_unreadable(location)
            ):
                continue
            self.store.remove_document(source_id)
            if self.findings is not None:
                self.findings.pop(source_id, None)
            self.report.outcomes.append(
                FileOutcome(
                    source_id,
                    location.relative_to(self.folder).as_posix(),
                    Status.REMOVED,
                    chunks=record.chunk_count,
                    message="file no longer in the folder",
                )
            )


def run_ingest(
    folder: Path,
    store: ChunkStore,
    embedder: Callable[[], Embedder],
    *,
    chunking: ChunkingOptions | None = None,
    limits: IngestLimits | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_wait: Callable[[Holder], None] | None = None,
) -> IngestReport:
    """Bring the store in step with ``folder``; ``embedder`` is called only if needed.

    One ingest writes to a store at a time: another one, in any process or on any machine
    sharing the Chroma server, is waited for (``on_wait`` is told who holds the store)."""
    started = time.perf_counter()
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise DocumentError(f"{folder} is not a folder")
    limits = limits or IngestLimits()
    found = discover(folder, follow_links_outside=limits.follow_links_outside)
    manifests = {p.parent: read_manifest(p) for p in found.manifests}
    report = IngestReport(
        folder=str(folder),
        manifest_errors=[e for m in manifests.values() for e in m.errors],
        skipped=found.skipped,
        unreadable_folders=[
            f"{d.relative_to(folder).as_posix() or '.'}: {why}"
            for d, why in sorted(found.unreadable.items())
        ],
    )
    for manifest in manifests.values():
        report.manifest_errors.extend(manifest.unmatched_rows(found.documents))
    with store.sole_writer(on_wait):
        _bring_in_step(
            folder, store, embedder, chunking, limits, manifests, found, report, on_progress
        )
    report.seconds = time.perf_counter() - started
    return report


def _bring_in_step(
    folder: Path,
    store: ChunkStore,
    embedder: Callable[[], Embedder],
    chunking: ChunkingOptions | None,
    limits: IngestLimits,
    manifests: dict[Path, Manifest],
    found: Discovery,
    report: IngestReport,
    on_progress: Callable[[int, int], None] | None,
) -> None:
    stored = store.documents(findings=False)
    job = _Job(folder, store, chunking or ChunkingOptions(), limits, manifests, report, stored)
    source_ids = assign_source_ids(found.documents, stored)
    # Files are read, cleaned and chunked in a second thread while this one embeds: the
    # model's work releases the interpreter's lock, so the two overlap.
    examined = read_ahead(
        lambda path: job.examine(path, source_ids[path]), found.documents, READ_AHEAD
    )
    job.write(examined, len(found.documents), embedder, on_progress)
    # Each file's outcome is already in the report: a store that fails from here on (a
    # server stopped mid-run) is reported with it, never instead of it.
    try:
        job.remove_missing(set(source_ids.values()), found)
    except Exception as exc:
        report.store_errors.append(f"could not remove documents whose files are gone ({exc})")
    try:
        report.garbage_collected = store.collect_garbage()
    except Exception as exc:
        report.store_errors.append(f"could not collect chunks left by earlier runs ({exc})")
    try:
        # The lexical index is brought up to date here, so that no reader builds it. A
        # run that changed nothing keeps the registry it read first (a second read costs
        # seconds at 10,000 documents).
        changed = any(report.count(s) for s in (Status.ADDED, Status.UPDATED, Status.REMOVED))
        live = store.documents(findings=False) if changed else stored
        store.lexical_index(live)
    except Exception as exc:
        report.store_errors.append(f"could not bring the word index up to date ({exc})")
        return
    try:
        # So is the glossary: assembling it reads every document's findings, which an
        # app would otherwise do when it starts.
        if store.keeps_lexical_index:
            load_or_assemble_glossary(store, live, job.findings)
    except Exception as exc:
        report.store_errors.append(f"could not save the glossary ({exc})")
