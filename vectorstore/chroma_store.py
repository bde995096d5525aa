"""Chunks and their vectors in Chroma, embedded on disk or on a Chroma server.

Each document's chunks carry the document's content version. A small registry
collection says which version of each document is live; switching a document to a
new version is one upsert of its registry record, so a query never sees both
versions or neither. Superseded chunks are deleted after the switch, and any left
behind by a crash are collected on the next run.
"""

from __future__ import annotations

import base64
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError

from vectorstore.errors import StoreUnavailable
from vectorstore.lexical import LexicalIndex
from vectorstore.lexical_cache import LexicalCache
from vectorstore.records import Chunk, ChunkMeta, DocumentRecord, GlossaryEntry
from vectorstore.writer_lease import Holder, WriterLease

# Chroma refuses records without a vector (and would fetch its default model to make
# one), so registry records carry this constant stand-in; the registry is never queried
# by similarity.
_REGISTRY_VECTOR = [1.0]
_GENERATION = "generation"
# Present while the store holds no chunk of a dead version: removed before any write that
# could leave one behind (a crash between the new chunks and the switch, or between the
# switch and the old chunks' deletion), put back once garbage is collected. A run that
# wrote nothing then skips the collection, which reads every live version.
_CLEAN = "clean"
# Sentence vectors are kept at half precision: cosine scores move by about 1e-3.
_SENTENCE_DTYPE = np.float16
# Nearest chunks asked for beyond those wanted, to make up for chunks of no live version
# (an ingest writing, or leftovers of a crash) that are dropped after the search.
_QUERY_SLACK = 16


def pack_vectors(vectors: np.ndarray) -> str:
    """A chunk's sentence vectors (rows) as one text field: rows, columns, then data."""
    array = np.asarray(vectors, dtype=_SENTENCE_DTYPE)
    rows, cols = array.shape if array.size else (0, 0)
    return f"{rows}x{cols}:" + base64.b64encode(array.tobytes()).decode("ascii")


def unpack_vectors(packed: str) -> np.ndarray:
    """Inverse of :func:`pack_vectors`, as float32 rows."""
    shape, _, data = packed.partition(":")
    rows, cols = (int(x) for x in shape.split("x"))
    array = np.frombuffer(base64.b64decode(data), dtype=_SENTENCE_DTYPE)
    return array.reshape(rows, cols).astype(np.float32)


def _embedded_client(data_dir: Path, settings: ChromaSettings) -> Any:
    path = Path(data_dir) / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise StoreUnavailable(
            f"cannot keep a store in {data_dir}: {exc.filename or path} is a file, not a "
            "folder; give --data-dir (or NHSA_STORE__DATA_DIR) a folder"
        ) from exc
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot create the store folder {path}: {exc.strerror or exc}"
        ) from exc
    # Chroma writes to its SQLite file even to read (migrations, the write-ahead log).
    database = path / "chroma.sqlite3"
    if not os.access(path, os.W_OK) or (database.exists() and not os.access(database, os.W_OK)):
        raise StoreUnavailable(
            f"the store in {path} is read-only: nhsa needs write access to that folder and "
            "its files (check their owner and permissions, or copy the store elsewhere and "
            "use --data-dir)"
        )
    return chromadb.PersistentClient(path=str(path), settings=settings)


def open_client(data_dir: Path, host: str | None = None, port: int = 8000) -> Any:
    """A Chroma client: a server's when ``host`` is given, else embedded on disk."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not host:
        return _embedded_client(data_dir, settings)
    try:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    except Exception as exc:  # Chroma's own message names neither host nor port
        raise StoreUnavailable(
            f"cannot reach the Chroma server at {host}:{port} ({type(exc).__name__}): start "
            f"it (`chroma run --host {host} --port {port} --path DIR`) or unset "
            "NHSA_STORE__CHROMA_HOST to use the store on disk"
        ) from exc


def _fresh_embedded_client(client: Any) -> Any:
    """A new embedded client on ``client``'s folder that reads the folder afresh.

    Embedded Chroma keeps each collection's vector index in memory, and in a process that
    did not write them it never sees another process's writes: a query then fails with
    "Error finding id" (or silently misses the new chunks). Chroma shares one in-memory
    system per folder across a process's clients, so the cached system is dropped first,
    else the new client would get the same stale index back."""
    settings = client.get_settings()
    client.close()
    SharedSystemClient._identifier_to_system.pop(settings.persist_directory, None)
    return chromadb.PersistentClient(path=settings.persist_directory, settings=settings)


@dataclass(frozen=True)
class _Collections:
    """One client and the three collections opened through it, swapped as one."""

    client: Any
    chunks: Any
    registry: Any
    sentences: Any
    state: Any

    @classmethod
    def open(cls, client: Any, collection: str) -> _Collections:
        # embedding_function=None: we always pass our own vectors (Chroma's default one
        # would download a model).
        return cls(
            client,
            client.get_or_create_collection(
                collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
            ),
            client.get_or_create_collection(f"{collection}__documents", embedding_function=None),
            # Each chunk's sentence vectors, computed at ingest so that a question embeds
            # only itself. One record per chunk, looked up by the chunk's id, never by
            # similarity.
            client.get_or_create_collection(f"{collection}__sentences", embedding_function=None),
            # The store's generation stamp: one record, renewed by every write that changes
            # the live documents, so "has the store changed?" costs one lookup by id.
            client.get_or_create_collection(f"{collection}__state", embedding_function=None),
        )


class ChunkStore:
    """The chunk collection plus its document registry."""

    def __init__(
        self, client: Any, collection: str = "nhs_chunks", cache_dir: Path | None = None
    ) -> None:
        """The store in ``client``'s ``collection``; its lexical index is kept on disk in
        ``cache_dir`` when given (else built in memory when asked for)."""
        self.collection = collection
        self._lexical = LexicalCache(cache_dir) if cache_dir is not None else None
        self._open = _Collections.open(client, collection)
        self._batch = max(1, min(int(client.get_max_batch_size()), 2000))
        self._embedded = bool(client.get_settings().is_persistent)
        self._reopen_lock = threading.Lock()
        # The live versions this process's open indexes are known to hold: None until
        # first read, and after this process's own writes (which its indexes saw).
        self._indexed: frozenset[str] | None = None
        # The live documents as last read from the registry, with the generation stamp
        # they were read under and whether they were read with their findings.
        self._documents: tuple[str, dict[str, DocumentRecord], bool] | None = None
        # Whether this object removed the clean marker since its last collection: one
        # state write per run, not one per document written.
        self._unclean = False

    @property
    def client(self) -> Any:
        return self._open.client

    @property
    def chunks(self) -> Any:
        return self._open.chunks

    @property
    def registry(self) -> Any:
        return self._open.registry

    @property
    def sentences(self) -> Any:
        return self._open.sentences

    @property
    def state(self) -> Any:
        return self._open.state

    @classmethod
    def open(
        cls,
        data_dir: Path,
        collection: str = "nhs_chunks",
        host: str | None = None,
        port: int = 8000,
    ) -> ChunkStore:
        """Open (creating if needed) the store in ``data_dir`` or on a server."""
        client = open_client(data_dir, host, port)
        # The lexical index lives with the data it indexes: beside an embedded store, and
        # for a server in this machine's data folder, one per server and collection.
        where = f"{host}_{port}" if host else "embedded"
        cache_dir = Path(data_dir) / "lexical" / where / collection
        try:
            return cls(client, collection, cache_dir)
        except Exception as exc:  # Chroma's errors name neither the server nor the folder
            where = f"the Chroma server at {host}:{port}" if host else f"the store in {data_dir}"
            raise StoreUnavailable(f"cannot open {where}: {type(exc).__name__}: {exc}") from exc

    def reopen(self) -> None:
        """Read an embedded store afresh (after another process wrote to it)."""
        if not self._embedded:
            return  # a server's indexes are the server's: always current
        stale = self._open
        with self._reopen_lock:
            if self._open is stale:
                self._open = _Collections.open(
                    _fresh_embedded_client(stale.client), self.collection
                )

    def _follow_other_writers(self, versions: frozenset[str]) -> None:
        """Reopen an embedded store whose live versions changed under it: another
        process (``nhsa ingest`` while ``nhsa serve`` runs) wrote them."""
        if self._embedded and self._indexed is not None and versions != self._indexed:
            self.reopen()
        self._indexed = versions

    # -- registry --------------------------------------------------------------------

    def documents(self, findings: bool = True) -> dict[str, DocumentRecord]:
        """Live documents by source id (without their acronym and structure findings
        unless ``findings``: see :meth:`DocumentRecord.from_chroma`)."""
        got = self.registry.get(include=["metadatas"])
        return {
            m["source_id"]: DocumentRecord.from_chroma(m, findings)
            for m in got["metadatas"] or []
            if m
        }

    def document_text(self, source_id: str) -> str | None:
        """The whole cleaned text of a live document."""
        got = self.registry.get(ids=[source_id], include=["documents"])
        return got["documents"][0] if got["ids"] else None

    def live_documents(self, findings: bool = True) -> dict[str, DocumentRecord]:
        """Live documents by source id, as of the current generation stamp (without their
        findings unless ``findings``: see :meth:`documents`).

        Read from the registry only when the stamp has changed since the last read: asked
        before every question, it costs one lookup at any library size."""
        stamp = self.generation()  # before the registry: a write in between is seen next time
        cached = self._documents
        if stamp is None or cached is None or cached[0] != stamp or (findings and not cached[2]):
            documents = self.documents(findings)
            # A store written before stamps existed has none: read it every time.
            self._documents = (stamp, documents, findings) if stamp is not None else None
        else:
            documents = cached[1]
        self._follow_other_writers(frozenset(r.version for r in documents.values()))
        return documents

    def live_versions(self) -> list[str]:
        """Content versions of the live documents (what every search keeps)."""
        return [r.version for r in self.live_documents(findings=False).values()]

    def generation(self) -> str | None:
        """The store's generation stamp (None for a store that has never had one)."""
        got = self.state.get(ids=[_GENERATION], include=["metadatas"])
        metadatas = got["metadatas"] or []
        return str(metadatas[0]["stamp"]) if got["ids"] and metadatas[0] else None

    def mark_changed(self) -> None:
        """Renew the generation stamp: every process's next change check re-reads the
        registry. Called after each write that changes the live documents."""
        self.state.upsert(
            ids=[_GENERATION],
            embeddings=[_REGISTRY_VECTOR],
            metadatas=[{"stamp": uuid.uuid4().hex, "changed_at": time.time()}],
        )

    # -- writes ----------------------------------------------------------------------

    @contextmanager
    def sole_writer(self, on_wait: Callable[[Holder], None] | None = None) -> Iterator[None]:
        """Hold the store's writer lease for the block (see vectorstore.writer_lease)."""
        lease = WriterLease(self.state)
        lease.acquire(on_wait=on_wait)
        try:
            yield
        finally:
            lease.release()

    def replace_document(
        self,
        record: DocumentRecord,
        chunks: Sequence[Chunk],
        vectors: Sequence[Sequence[float]],
        sentence_vectors: Sequence[np.ndarray] | None = None,
    ) -> None:
        """Make ``record``'s version live with these chunks (and, when given, each chunk's
        sentence vectors), replacing any older version."""
        self._indexed = None  # this process's indexes see its own writes
        self._mark_unclean()
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        if sentence_vectors is not None and len(sentence_vectors) != len(chunks):
            raise ValueError(f"{len(chunks)} chunks but {len(sentence_vectors)} sentence sets")
        for start in range(0, len(chunks), self._batch):
            end = start + self._batch
            self.chunks.upsert(
                ids=[c.id for c in chunks[start:end]],
                embeddings=[list(map(float, v)) for v in vectors[start:end]],
                documents=[c.text for c in chunks[start:end]],
                metadatas=[c.meta.to_chroma() for c in chunks[start:end]],
            )
            if sentence_vectors is not None:
                # In metadata, not as a document: Chroma full-text indexes documents, and a
                # trigram index of base64 would triple the store's size on disk.
                self.sentences.upsert(
                    ids=[c.id for c in chunks[start:end]],
                    embeddings=[_REGISTRY_VECTOR] * len(chunks[start:end]),
                    metadatas=[
                        {
                            "source_id": c.meta.source_id,
                            "doc_version": c.meta.doc_version,
                            "vectors": pack_vectors(v),
                        }
                        for c, v in zip(chunks[start:end], sentence_vectors[start:end], strict=True)
                    ],
                )
        # The switch: one registry upsert makes the new version the one queries see.
        self.registry.upsert(
            ids=[record.source_id],
            embeddings=[_REGISTRY_VECTOR],
            metadatas=[record.to_chroma()],
            documents=[record.text],
        )
        self.mark_changed()
        stale = {
            "$and": [
                {"source_id": record.source_id},
                {"doc_version": {"$ne": record.version}},
            ]
        }
        self.chunks.delete(where=stale)
        self.sentences.delete(where=stale)

    def remove_document(self, source_id: str) -> None:
        """Take a document out of the store: registry first, so queries stop seeing it."""
        self._indexed = None
        self._mark_unclean()
        self.registry.delete(ids=[source_id])
        self.mark_changed()
        self.chunks.delete(where={"source_id": source_id})
        self.sentences.delete(where={"source_id": source_id})

    def _mark_unclean(self) -> None:
        if not self._unclean:
            self.state.delete(ids=[_CLEAN])
            self._unclean = True

    def collect_garbage(self) -> int:
        """Delete chunks of no live version (left by an interrupted run); return how many.
        Nothing is read when no write since the last collection could have left any."""
        if self.state.get(ids=[_CLEAN], include=[])["ids"]:
            return 0
        live = [r.version for r in self.documents(findings=False).values()]
        where = {"doc_version": {"$nin": live}} if live else None
        stale = self.chunks.get(where=where, include=[])["ids"]
        for start in range(0, len(stale), self._batch):
            self.chunks.delete(ids=stale[start : start + self._batch])
        orphans = self.sentences.get(where=where, include=[])["ids"]
        for start in range(0, len(orphans), self._batch):
            self.sentences.delete(ids=orphans[start : start + self._batch])
        self.state.upsert(
            ids=[_CLEAN], embeddings=[_REGISTRY_VECTOR], metadatas=[{"at": time.time()}]
        )
        self._unclean = False
        return len(stale)

    # -- reads -----------------------------------------------------------------------

    def count(self) -> int:
        """Number of stored chunks."""
        return self.chunks.count()

    def live_chunks(self) -> list[Chunk]:
        """Every chunk of every live document, in document order."""
        live = self.live_versions()
        if not live:
            return []
        got = self.chunks.get(
            where={"doc_version": {"$in": live}}, include=["documents", "metadatas"]
        )
        chunks = [
            Chunk(cid, text, ChunkMeta.from_chroma(meta))
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        chunks.sort(key=lambda c: (c.meta.source_id, c.meta.chunk_index))
        return chunks

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        """The stored chunks with these ids (missing ones left out), in the order asked."""
        if not ids:
            return []
        got = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        found = {
            cid: Chunk(cid, text, ChunkMeta.from_chroma(meta))
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        return [found[i] for i in ids if i in found]

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored sentence vectors of the chunks with these ids (rows in sentence
        order); chunks stored without them are left out."""
        if not ids:
            return {}
        got = self.sentences.get(ids=list(ids), include=["metadatas"])
        return {
            cid: unpack_vectors(str(meta["vectors"]))
            for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=True)
            if meta and meta.get("vectors")
        }

    def query(
        self, vector: Sequence[float], n: int, versions: Iterable[str] | None = None
    ) -> list[tuple[Chunk, float]]:
        """The ``n`` live chunks nearest ``vector``, with cosine similarity.

        Searched without a metadata filter, which Chroma applies before the vector search
        at a cost that grows with the library (0.8 s at 70,000 chunks against 8 ms without
        one): chunks of no live version are rare and transient, so a few more are asked
        for and those dropped, and more only when too many were dropped."""
        live = frozenset(versions) if versions is not None else frozenset(self.live_versions())
        if not live or n <= 0:
            return []
        asked = n + _QUERY_SLACK
        while True:
            found = self._nearest(vector, asked)
            kept = [(c, s) for c, s in found if c.meta.doc_version in live]
            if len(kept) < len(found) and (fresh := self._newer_versions(live)) is not None:
                # An ingest switched documents since the caller's check, and may already
                # have deleted the versions the caller knows: filter by the new ones.
                live = fresh
                kept = [(c, s) for c, s in found if c.meta.doc_version in live]
            if len(kept) >= n or len(found) < asked:
                return kept[:n]
            asked *= 4

    def nearest_among(
        self, vector: Sequence[float], n: int, ids: Sequence[str]
    ) -> list[tuple[Chunk, float]]:
        """The ``n`` chunks of ``ids`` nearest ``vector``, with cosine similarity. Read by
        id and compared here: Chroma's metadata filter would cost 85-100 ms at 70,000
        chunks even for one document's version, a read by id 2-19 ms (7-300 ids)."""
        if not ids or n <= 0:
            return []
        got = self.chunks.get(ids=list(ids), include=["documents", "metadatas", "embeddings"])
        if not got["ids"]:
            return []
        rows = np.asarray(got["embeddings"], dtype=np.float32)
        query = np.asarray(vector, dtype=np.float32)
        scores = (
            rows @ query / np.maximum(np.linalg.norm(rows, axis=1) * np.linalg.norm(query), 1e-12)
        )
        best = np.argsort(-scores)[:n]
        return [
            (
                Chunk(
                    got["ids"][i], got["documents"][i], ChunkMeta.from_chroma(got["metadatas"][i])
                ),
                float(scores[i]),
            )
            for i in best
        ]

    def _newer_versions(self, known: frozenset[str]) -> frozenset[str] | None:
        """The live versions, when they are no longer ``known`` (one stamp lookup)."""
        current = frozenset(self.live_versions())
        return current if current != known else None

    def _nearest(self, vector: Sequence[float], n: int) -> list[tuple[Chunk, float]]:
        request = {
            "query_embeddings": [list(map(float, vector))],
            "n_results": n,
            "include": ["documents", "metadatas", "distances"],
        }
        try:
            got = self.chunks.query(**request)
        except InternalError:
            # Another process wrote between our version check and this query (see
            # _fresh_embedded_client): read the store afresh and ask once more.
            if not self._embedded:
                raise
            self.reopen()
            got = self.chunks.query(**request)
        return [
            (Chunk(cid, text, ChunkMeta.from_chroma(meta)), 1.0 - float(dist))
            for cid, text, meta, dist in zip(
                got["ids"][0],
                got["documents"][0],
                got["metadatas"][0],
                got["distances"][0],
                strict=True,
            )
        ]

    def chunks_of(self, versions: Sequence[str]) -> list[Chunk]:
        """Every chunk of these document versions."""
        if not versions:
            return []
        got = self.chunks.get(
            where={"doc_version": {"$in": list(versions)}}, include=["documents", "metadatas"]
        )
        chunks = [
            Chunk(cid, text, ChunkMeta.from_chroma(meta))
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(chunks, key=lambda c: (c.meta.source_id, c.meta.chunk_index))

    @property
    def keeps_lexical_index(self) -> bool:
        """Whether the BM25 index is kept on disk (else built in memory when asked for)."""
        return self._lexical is not None

    def saved_lexical_index(self, documents: Mapping[str, DocumentRecord]) -> LexicalIndex | None:
        """The BM25 index over these documents if it is on disk already (a load, no build);
        None when it must be built (or this store keeps none)."""
        if self._lexical is None:
            return None
        return self._lexical.saved((r.source_id, r.version) for r in documents.values())

    def saved_glossary(
        self, documents: Mapping[str, DocumentRecord], stamp: str
    ) -> list[GlossaryEntry] | None:
        """The glossary saved for these documents by the assembly ``stamp`` names (None:
        not saved, or this store keeps no files beside it)."""
        if self._lexical is None:
            return None
        pairs = ((r.source_id, r.version) for r in documents.values())
        return self._lexical.saved_glossary(pairs, stamp)

    def save_glossary(
        self, documents: Mapping[str, DocumentRecord], stamp: str, entries: Sequence[GlossaryEntry]
    ) -> None:
        """Save the glossary assembled for these documents (see :meth:`saved_glossary`)."""
        if self._lexical is not None:
            pairs = ((r.source_id, r.version) for r in documents.values())
            self._lexical.save_glossary(pairs, stamp, entries)

    def lexical_index(self, documents: Mapping[str, DocumentRecord] | None = None) -> LexicalIndex:
        """The BM25 index over the live documents' chunks (of ``documents`` when given):
        from disk when this store keeps one, brought up to date for the documents it has
        not seen."""
        live = self.live_documents(findings=False) if documents is None else documents
        if self._lexical is None:
            return LexicalIndex(self.chunks_of(sorted({r.version for r in live.values()})))
        return self._lexical.index(
            ((r.source_id, r.version) for r in live.values()), self.chunks_of
        )
