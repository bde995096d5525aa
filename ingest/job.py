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
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from langchain_core.documents import Document

from ingest import loaders
from ingest.chunking import ChunkSpan, chunk_text
from ingest.cleaning import clean_text
from ingest.documents import DocumentError, DocumentMetadata
from ingest.manifest import MANIFEST_NAME, Manifest, read_manifest
from vectorstore.chroma_store import ChunkStore, DocumentRecord

# Bump when cleaning or chunking changes what a file turns into: every document is redone.
PIPELINE_VERSION = "2"
# Embed in groups of about this many chunks: big enough for efficient batches, small
# enough that an interrupted run keeps most of its work.
EMBED_GROUP_CHUNKS = 256


class Embedder(Protocol):
    """What the job needs of an embedding model."""

    def encode(self, texts: list[str]): ...  # -> array of unit vectors, one row per text


@dataclass
class IngestOptions:
    """Plain values the job needs (taken from the settings by the caller)."""

    max_tokens: int = 128
    min_tokens: int = 48
    max_file_bytes: int = 25 * 1024 * 1024

    def signature(self) -> str:
        """What, besides a file's bytes, decides its chunks."""
        return f"pipeline={PIPELINE_VERSION};max={self.max_tokens};min={self.min_tokens}"


@dataclass
class FileOutcome:
    """What happened to one file (or one stored document)."""

    source_id: str
    file: str
    status: str  # added | updated | unchanged | removed | failed
    chunks: int = 0
    message: str = ""


@dataclass
class IngestReport:
    """The job's result: an outcome per document, skipped files, timings."""

    folder: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    manifest_errors: list[str] = field(default_factory=list)
    cleaning_removed: Counter = field(default_factory=Counter)
    cleaning_hits: Counter = field(default_factory=Counter)
    garbage_collected: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def count(self, status: str) -> int:
        """Documents with this status."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def chunks_written(self) -> int:
        """Chunks embedded and stored in this run."""
        return sum(o.chunks for o in self.outcomes if o.status in ("added", "updated"))

    @property
    def failed(self) -> list[FileOutcome]:
        """Outcomes of files that could not be ingested."""
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self, chunks_in_store: int) -> dict[str, object]:
        """The run as plain JSON-ready data, for scripts and monitoring (``--json``)."""
        return {
            "folder": self.folder,
            "added": self.count("added"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "removed": self.count("removed"),
            "failed": [
                {"file": o.file, "source_id": o.source_id, "reason": o.message} for o in self.failed
            ],
            "chunks": chunks_in_store,
            "chunks_written": self.chunks_written,
            "seconds": round(self.seconds, 3),
            "skipped": list(self.skipped),
            "manifest_errors": list(self.manifest_errors),
        }


@dataclass
class _Pending:
    path: Path
    source_id: str
    version: str
    status: str
    record: DocumentRecord
    chunks: list[Document]


def is_folder_documentation(path: Path) -> bool:
    """A README or the manifest describes the folder; it is not one of its documents."""
    return path.name == MANIFEST_NAME or path.stem.upper() == "README"


def discover(folder: Path) -> tuple[list[Path], list[Path]]:
    """Files under ``folder`` (recursively) that a loader reads, and the others."""
    wanted, skipped = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        readable = path.suffix.lower() in loaders.LOADERS and not is_folder_documentation(path)
        (wanted if readable else skipped).append(path)
    return wanted, skipped


def document_version(
    raw: bytes, manifest_row: DocumentMetadata | None, options: IngestOptions
) -> str:
    """Content hash deciding whether a document must be redone."""
    digest = hashlib.sha256(raw)
    row = json.dumps(manifest_row.as_dict() if manifest_row else None, sort_keys=True)
    digest.update(row.encode())
    digest.update(options.signature().encode())
    return digest.hexdigest()


def build_chunks(
    source_id: str,
    version: str,
    text: str,
    meta: DocumentMetadata,
    spans: list[ChunkSpan],
    file: str,
) -> list[Document]:
    """LangChain documents for the chunk spans, each carrying provenance and metadata."""
    base = {k: v for k, v in meta.as_dict().items() if v is not None}
    return [
        Document(
            page_content=span.text,
            metadata={
                **base,
                "source_id": source_id,
                "doc_version": version,
                "file": file,
                "chunk_index": span.index,
                "start": span.start,
                "end": span.end,
                "section": span.section,
                "tokens": span.tokens,
            },
        )
        for span in spans
    ]


def embedding_text(chunk: Document) -> str:
    """What is embedded for a chunk: its heading gives it context it may not repeat."""
    section = chunk.metadata.get("section") or ""
    text = chunk.page_content
    return text if not section or text.startswith(section) else f"{section}\n{text}"


def _prepare(
    path: Path,
    raw: bytes,
    source_id: str,
    version: str,
    status: str,
    folder: Path,
    manifest: Manifest,
    options: IngestOptions,
    report: IngestReport,
) -> _Pending:
    rel = path.relative_to(folder).as_posix()
    loaded = loaders.load(path, raw)
    cleaned = clean_text(loaded.text)
    if not cleaned.text.strip():
        raise DocumentError("nothing left after cleaning (only navigation or boilerplate)")
    report.cleaning_removed.update(cleaned.removed)
    report.cleaning_hits.update(cleaned.hits)
    row = manifest.entries.get(rel) or manifest.entries.get(path.name)
    meta = (row or DocumentMetadata()).merged_over(loaded.metadata)
    if not meta.title:
        first = cleaned.text.strip().split("\n", 1)[0].lstrip("# ").strip()
        meta.title = first[:200] if first else source_id
    spans = chunk_text(cleaned.text, options.max_tokens, options.min_tokens)
    chunks = build_chunks(source_id, version, cleaned.text, meta, spans, rel)
    record = DocumentRecord(
        source_id=source_id,
        version=version,
        file=rel,
        root=str(folder),
        chunk_count=len(chunks),
        char_count=len(cleaned.text),
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        metadata={
            **meta.as_dict(),
            "notes": loaded.notes,
            "cleaning_removed": dict(cleaned.removed),
        },
        text=cleaned.text,
    )
    return _Pending(path, source_id, version, status, record, chunks)


def _groups(pending: list[_Pending]) -> Iterator[list[_Pending]]:
    group: list[_Pending] = []
    for item in pending:
        group.append(item)
        if sum(len(p.chunks) for p in group) >= EMBED_GROUP_CHUNKS:
            yield group
            group = []
    if group:
        yield group


def run_ingest(
    folder: Path,
    store: ChunkStore,
    embedder: Callable[[], Embedder],
    options: IngestOptions | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Bring the store in step with ``folder``; ``embedder`` is called only if needed."""
    started = time.perf_counter()
    options = options or IngestOptions()
    folder = Path(folder).resolve()
    report = IngestReport(folder=str(folder))
    if not folder.is_dir():
        raise DocumentError(f"{folder} is not a folder")

    manifest = (
        read_manifest(folder / MANIFEST_NAME) if (folder / MANIFEST_NAME).is_file() else Manifest()
    )
    report.manifest_errors = manifest.errors
    files, skipped = discover(folder)
    report.skipped = [p.relative_to(folder).as_posix() for p in skipped]
    stored = store.documents()
    seen: dict[str, Path] = {}
    pending: list[_Pending] = []

    for path in files:
        rel = path.relative_to(folder).as_posix()
        source_id = path.stem
        if source_id in seen:
            other = seen[source_id].relative_to(folder).as_posix()
            report.outcomes.append(
                FileOutcome(
                    source_id,
                    rel,
                    "failed",
                    message=(
                        f"source id {source_id!r} is already taken by {other}; rename one of them"
                    ),
                )
            )
            continue
        seen[source_id] = path
        try:
            size = path.stat().st_size
            if size > options.max_file_bytes:
                raise DocumentError(
                    f"too large: {size / 1e6:.1f} MB, the limit is "
                    f"{options.max_file_bytes / 1e6:.1f} MB (setting ingest.max_file_mb)"
                )
            raw = path.read_bytes()
            row = manifest.entries.get(rel) or manifest.entries.get(path.name)
            version = document_version(raw, row, options)
            previous = stored.get(source_id)
            if previous and previous.version == version:
                report.outcomes.append(
                    FileOutcome(source_id, rel, "unchanged", chunks=previous.chunk_count)
                )
                continue
            status = "updated" if previous else "added"
            pending.append(
                _prepare(path, raw, source_id, version, status, folder, manifest, options, report)
            )
        except FileNotFoundError:
            report.outcomes.append(
                FileOutcome(source_id, rel, "failed", message="vanished before it could be read")
            )
        except DocumentError as exc:
            report.outcomes.append(FileOutcome(source_id, rel, "failed", message=str(exc)))
        except Exception as exc:  # a loader library's surprise must not stop the others
            report.outcomes.append(
                FileOutcome(
                    source_id,
                    rel,
                    "failed",
                    message=(f"could not be read ({type(exc).__name__}: {exc})"),
                )
            )

    total = sum(len(p.chunks) for p in pending)
    done = 0
    if on_progress:
        on_progress(0, total)
    model = embedder() if pending else None
    for group in _groups(pending):
        texts = [embedding_text(c) for p in group for c in p.chunks]
        t0 = time.perf_counter()
        vectors = model.encode(texts)
        report.embed_seconds += time.perf_counter() - t0
        offset = 0
        for item in group:
            n = len(item.chunks)
            try:
                store.replace_document(item.record, item.chunks, vectors[offset : offset + n])
                report.outcomes.append(
                    FileOutcome(item.source_id, item.record.file, item.status, chunks=n)
                )
            except Exception as exc:  # the store refused this one; keep going
                report.outcomes.append(
                    FileOutcome(
                        item.source_id,
                        item.record.file,
                        "failed",
                        message=f"could not be stored ({exc})",
                    )
                )
            offset += n
            done += n
            if on_progress:
                on_progress(done, total)

    # Documents whose file is gone from this folder leave the store.
    for source_id, record in stored.items():
        if record.root == str(folder) and source_id not in seen:
            store.remove_document(source_id)
            report.outcomes.append(
                FileOutcome(
                    source_id,
                    record.file,
                    "removed",
                    chunks=record.chunk_count,
                    message="file no longer in the folder",
                )
            )
    report.garbage_collected = store.collect_garbage()
    report.seconds = time.perf_counter() - started
    return report
