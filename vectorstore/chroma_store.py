"""Chunks and their vectors in Chroma, embedded on disk or on a Chroma server.

Each document's chunks carry the document's content version. A small registry
collection says which version of each document is live; switching a document to a
new version is one upsert of its registry record, so a query never sees both
versions or neither. Superseded chunks are deleted after the switch, and any left
behind by a crash are collected on the next run.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from vectorstore.records import Chunk, ChunkMeta, DocumentRecord

# Chroma refuses records without a vector (and would fetch its default model to make
# one), so registry records carry this constant stand-in; the registry is never queried
# by similarity.
_REGISTRY_VECTOR = [1.0]
# Sentence vectors are kept at half precision: cosine scores move by about 1e-3.
_SENTENCE_DTYPE = np.float16


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


def open_client(data_dir: Path, host: str | None = None, port: int = 8000) -> Any:
    """A Chroma client: a server's when ``host`` is given, else embedded on disk."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    path = Path(data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class ChunkStore:
    """The chunk collection plus its document registry."""

    def __init__(self, client: Any, collection: str = "nhs_chunks") -> None:
        self.client = client
        # embedding_function=None: we always pass our own vectors.
        self.chunks = client.get_or_create_collection(
            collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        self.registry = client.get_or_create_collection(
            f"{collection}__documents", embedding_function=None
        )
        # Each chunk's sentence vectors, computed at ingest so that a question embeds only
        # itself. One record per chunk, looked up by the chunk's id, never by similarity.
        self.sentences = client.get_or_create_collection(
            f"{collection}__sentences", embedding_function=None
        )
        self._batch = max(1, min(int(client.get_max_batch_size()), 2000))

    @classmethod
    def open(
        cls,
        data_dir: Path,
        collection: str = "nhs_chunks",
        host: str | None = None,
        port: int = 8000,
    ) -> ChunkStore:
        """Open (creating if needed) the store in ``data_dir`` or on a server."""
        return cls(open_client(data_dir, host, port), collection)

    # -- registry --------------------------------------------------------------------

    def documents(self) -> dict[str, DocumentRecord]:
        """Live documents by source id."""
        got = self.registry.get(include=["metadatas"])
        return {m["source_id"]: DocumentRecord.from_chroma(m) for m in got["metadatas"] or [] if m}

    def document_text(self, source_id: str) -> str | None:
        """The whole cleaned text of a live document."""
        got = self.registry.get(ids=[source_id], include=["documents"])
        return got["documents"][0] if got["ids"] else None

    def live_versions(self) -> list[str]:
        """Content versions of the live documents (the filter every query uses)."""
        return [r.version for r in self.documents().values()]

    # -- writes ----------------------------------------------------------------------

    def replace_document(
        self,
        record: DocumentRecord,
        chunks: Sequence[Chunk],
        vectors: Sequence[Sequence[float]],
        sentence_vectors: Sequence[np.ndarray] | None = None,
    ) -> None:
        """Make ``record``'s version live with these chunks (and, when given, each chunk's
        sentence vectors), replacing any older version."""
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
        self.registry.delete(ids=[source_id])
        self.chunks.delete(where={"source_id": source_id})
        self.sentences.delete(where={"source_id": source_id})

    def collect_garbage(self) -> int:
        """Delete chunks of no live version (left by an interrupted run); return how many."""
        live = self.live_versions()
        where = {"doc_version": {"$nin": live}} if live else None
        stale = self.chunks.get(where=where, include=[])["ids"]
        for start in range(0, len(stale), self._batch):
            self.chunks.delete(ids=stale[start : start + self._batch])
        orphans = self.sentences.get(where=where, include=[])["ids"]
        for start in range(0, len(orphans), self._batch):
            self.sentences.delete(ids=orphans[start : start + self._batch])
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
        """The ``n`` live chunks nearest ``vector``, with cosine similarity."""
        live = list(versions) if versions is not None else self.live_versions()
        if not live or n <= 0:
            return []
        got = self.chunks.query(
            query_embeddings=[list(map(float, vector))],
            n_results=n,
            where={"doc_version": {"$in": live}},
            include=["documents", "metadatas", "distances"],
        )
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
