"""Hybrid retrieval: dense (Chroma) and BM25, fused by weighted reciprocal rank, diversified.

The lexical index and the glossary are built from the store's live chunks and rebuilt
only when the set of live document versions changes (an ingest ran), never per query.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.answering.question_kind import QuestionKind, defined_term, question_kind
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.options import RetrievalOptions
from vectorstore.chroma_store import ChunkStore
from vectorstore.lexical import LexicalIndex, terms
from vectorstore.records import Chunk


@dataclass
class Hit:
    """A retrieved chunk and how each retriever ranked it."""

    chunk: Chunk
    score: float
    dense: float | None = None
    dense_rank: int | None = None
    lexical: float | None = None
    lexical_rank: int | None = None


@dataclass
class Retrieval:
    """The hits for a query, with the query as searched and its vector."""

    query: str
    expanded_query: str
    hits: list[Hit]
    query_vector: list[float] = field(repr=False, default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass
class KnowledgeSnapshot:
    """Everything derived from one set of live chunks."""

    versions: frozenset[str]
    chunks: list[Chunk]
    lexical: LexicalIndex
    glossary: Glossary
    published_years: set[int] = field(default_factory=set)
    by_id: dict[str, Chunk] = field(default_factory=dict)


def fuse(
    dense: list[tuple[Chunk, float]],
    lexical: list[tuple[Chunk, float]],
    rrf_k: int = 60,
    dense_weight: float = 1.0,
    lexical_weight: float = 1.0,
) -> list[Hit]:
    """Weighted reciprocal rank fusion of two ranked lists (scores on different scales)."""
    hits: dict[str, Hit] = {}
    for rank, (doc, score) in enumerate(dense, start=1):
        hit = hits.setdefault(doc.id or "", Hit(doc, 0.0))
        hit.dense, hit.dense_rank = score, rank
        hit.score += dense_weight / (rrf_k + rank)
    for rank, (doc, score) in enumerate(lexical, start=1):
        hit = hits.setdefault(doc.id or "", Hit(doc, 0.0))
        hit.lexical, hit.lexical_rank = score, rank
        hit.score += lexical_weight / (rrf_k + rank)
    return sorted(hits.values(), key=lambda h: -h.score)


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_NOW = re.compile(r"\b(now|today|currently|current|latest|these days|nowadays)\b", re.I)


def years_asked(query: str, published_years: set[int]) -> list[int]:
    """Document years a question points at: years it names, and the latest for "now"."""
    wanted = [int(y) for y in _YEAR.findall(query) if int(y) in published_years]
    if _NOW.search(query) and published_years:
        wanted.append(max(published_years))
    return list(dict.fromkeys(wanted))


def cover_years(hits: list[Hit], candidates: list[Hit], k: int, years: list[int]) -> list[Hit]:
    """Make sure each year asked about has a passage from a document of that year.

    "How did X change between 2019 and 2022?" needs both documents even when one of them
    ranks lower; its best passage replaces the weakest pick from an over-represented year.
    """
    chosen = list(hits[:k])
    for year in years:
        if any(h.chunk.meta.year == year for h in chosen):
            continue
        best = next((h for h in candidates if h.chunk.meta.year == year and h not in chosen), None)
        if best is None:
            continue
        protected = set(years)
        for i in range(len(chosen) - 1, -1, -1):
            if (
                chosen[i].chunk.meta.year not in protected
                or sum(h.chunk.meta.year == chosen[i].chunk.meta.year for h in chosen) > 1
            ):
                chosen[i] = best
                break
    return sorted(chosen, key=lambda h: -h.score)


def diversify(hits: list[Hit], k: int, per_source_cap: int) -> list[Hit]:
    """Top ``k`` hits, at most ``per_source_cap`` per document while others remain."""
    if per_source_cap <= 0:
        return hits[:k]
    chosen: list[Hit] = []
    deferred: list[Hit] = []
    per_source: dict[str, int] = {}
    for hit in hits:
        source = hit.chunk.meta.source_id
        if per_source.get(source, 0) < per_source_cap:
            chosen.append(hit)
            per_source[source] = per_source.get(source, 0) + 1
        else:
            deferred.append(hit)
        if len(chosen) == k:
            break
    chosen.extend(deferred[: k - len(chosen)])
    return sorted(chosen, key=lambda h: -h.score)


def with_definitions(
    query: str, fused: list[Hit], snap: KnowledgeSnapshot, rrf_k: int, weight: float
) -> list[Hit]:
    """For "what is X", where a document spells out X as an acronym, the passage that
    does so joins the candidates as if ranked first by a third retriever: in a policy
    that names "individual funding requests" on every page, the words alone do not find
    the one passage that says what an IFR is."""
    if question_kind(query) != QuestionKind.DEFINITION:
        return fused
    asked = defined_term(query)
    wanted = terms(asked) if asked else []
    if not wanted:
        return fused
    hits = {h.chunk.id or "": h for h in fused}
    for entry in snap.glossary.mentioned(asked or ""):
        if entry.inferred or wanted not in (terms(entry.short), terms(entry.long)):
            continue
        chunk = snap.by_id.get(entry.chunk_id)
        if chunk is None:
            continue
        hit = hits.setdefault(entry.chunk_id, Hit(chunk, 0.0))
        hit.score += weight / (rrf_k + 1)
    return sorted(hits.values(), key=lambda h: -h.score)


class HybridRetriever:
    """Dense + lexical retrieval over a chunk store, with glossary query expansion."""

    def __init__(
        self,
        store: ChunkStore,
        embedder,
        params: RetrievalOptions,
        passage_scorer: Callable[[str, np.ndarray, list[Chunk]], list[float]] | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.params = params
        # Scores a passage by its best sentence for the query (late interaction): sharper
        # than one vector per chunk. Given by the composition root; optional.
        self.passage_scorer = passage_scorer
        self._snapshot: KnowledgeSnapshot | None = None
        self._lock = threading.Lock()

    def sharing_indexes(self, embedder, passage_scorer=None) -> HybridRetriever:
        """A retriever over the same store and the same built indexes, with another
        embedder (e.g. one that batches many queries) and optionally another re-ranker."""
        twin = HybridRetriever(self.store, embedder, self.params, passage_scorer)
        twin._snapshot = self.snapshot()
        return twin

    def snapshot(self) -> KnowledgeSnapshot:
        """The current lexical index and glossary, rebuilt if an ingest changed the store."""
        versions = frozenset(self.store.live_versions())
        current = self._snapshot
        if current is not None and current.versions == versions:
            return current
        with self._lock:
            if self._snapshot is None or self._snapshot.versions != versions:
                chunks = self.store.live_chunks()
                years = {year for c in chunks if (year := c.meta.year) is not None}
                self._snapshot = KnowledgeSnapshot(
                    versions,
                    chunks,
                    LexicalIndex(chunks),
                    Glossary(chunks),
                    years,
                    {c.id or "": c for c in chunks},
                )
            return self._snapshot

    def search(self, query: str, k: int | None = None) -> Retrieval:
        """The best ``k`` chunks for ``query``."""
        params = self.params
        k = k or params.k
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        snap = self.snapshot()
        expanded = snap.glossary.expand(query)
        t1 = time.perf_counter()
        vector = self.embedder.encode([expanded])[0].tolist()
        t2 = time.perf_counter()
        dense = self.store.query(vector, params.dense_candidates, versions=snap.versions)
        t3 = time.perf_counter()
        lexical = snap.lexical.search(expanded, params.lexical_candidates)
        fused = fuse(dense, lexical, params.rrf_k, params.dense_weight, params.lexical_weight)
        fused = with_definitions(query, fused, snap, params.rrf_k, params.dense_weight)
        if self.passage_scorer and params.rerank_candidates > 0:
            fused = self._rerank(query, np.asarray(vector), fused[: params.rerank_candidates])
        hits = diversify(fused, k, params.per_source_cap)
        years = years_asked(query, snap.published_years)
        if years:
            hits = cover_years(hits, fused, k, years)
        t4 = time.perf_counter()
        timings.update(
            expand=(t1 - t0) * 1000,
            embed_query=(t2 - t1) * 1000,
            dense=(t3 - t2) * 1000,
            lexical_fuse=(t4 - t3) * 1000,
        )
        return Retrieval(query, expanded, hits, vector, timings)

    def _rerank(self, query: str, vector: np.ndarray, hits: list[Hit]) -> list[Hit]:
        """Blend each candidate's fused rank score with its best sentence's score."""
        if not hits or self.passage_scorer is None:
            return hits
        best = self.passage_scorer(query, vector, [h.chunk for h in hits])
        top_fused = max(h.score for h in hits) or 1.0
        w = self.params.rerank_weight
        for hit, sentence_score in zip(hits, best, strict=True):
            hit.score = w * sentence_score + (1 - w) * hit.score / top_fused
        return sorted(hits, key=lambda h: -h.score)
