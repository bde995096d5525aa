"""Hybrid retrieval: dense (Chroma) and BM25, fused by weighted reciprocal rank, diversified.

The lexical index and the glossary come from what ingest computed and stored (the
store's saved BM25 index and glossary, assembled from each document's acronyms); they are
picked up again only when the set of live document versions changes, never per query.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from assistant.answering.question_kind import QuestionKind, defined_term, question_kind
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.named import TitleIndex
from assistant.retrieval.options import RetrievalOptions
from ingest.acronyms import load_or_assemble_glossary
from vectorstore.chroma_store import ChunkStore
from vectorstore.lexical import LexicalIndex, terms
from vectorstore.records import Chunk, DocumentRecord

logger = logging.getLogger(__name__)


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
    # The documents the query names by title (by version), each with the query's words
    # its title holds: their passages need not repeat them (see retrieval.named).
    named: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class KnowledgeSnapshot:
    """Everything searched besides the vectors, for one set of live document versions."""

    versions: frozenset[str]
    lexical: LexicalIndex
    glossary: Glossary
    # The stored chunks with these ids (missing ones left out), and every live chunk.
    fetch: Callable[[Sequence[str]], list[Chunk]]
    fetch_all: Callable[[], list[Chunk]]
    published_years: set[int] = field(default_factory=set)
    titles: TitleIndex = field(default_factory=TitleIndex)

    @cached_property
    def chunks(self) -> list[Chunk]:
        """Every live chunk, in document order (read when first asked: briefings want
        them, answers never do)."""
        return self.fetch_all()


def fuse(
    dense: list[tuple[Chunk, float]],
    lexical: list[tuple[Chunk, float]],
    rrf_k: int = 60,
    dense_weight: float = 1.0,
    lexical_weight: float = 1.0,
    named: Sequence[tuple[Chunk, float]] = (),
    named_weight: float = 0.0,
) -> list[Hit]:
    """Weighted reciprocal rank fusion of the ranked lists (scores on different scales):
    dense, BM25, and the passages of the documents the question names."""
    hits: dict[str, Hit] = {}
    for rank, (doc, score) in enumerate(dense, start=1):
        hit = hits.setdefault(doc.id or "", Hit(doc, 0.0))
        hit.dense, hit.dense_rank = score, rank
        hit.score += dense_weight / (rrf_k + rank)
    for rank, (doc, score) in enumerate(lexical, start=1):
        hit = hits.setdefault(doc.id or "", Hit(doc, 0.0))
        hit.lexical, hit.lexical_rank = score, rank
        hit.score += lexical_weight / (rrf_k + rank)
    for rank, (doc, _) in enumerate(named, start=1):
        hit = hits.setdefault(doc.id or "", Hit(doc, 0.0))
        hit.score += named_weight / (rrf_k + rank)
    return sorted(hits.values(), key=lambda h: -h.score)


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_NOW = re.compile(r"\b(now|today|currently|current|latest|these days|nowadays)\b", re.I)


def asks_now(query: str) -> bool:
    """Whether the question asks how things stand now ("which roles are teams now expected
    to play?"): the newest documents have the word on that."""
    return _NOW.search(query) is not None


def years_asked(query: str, published_years: set[int]) -> list[int]:
    """Document years a question points at: years it names, and the latest for "now"."""
    wanted = [int(y) for y in _YEAR.findall(query) if int(y) in published_years]
    if asks_now(query) and published_years:
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


_WORDS = re.compile(r"\w+")


def drop_near_duplicates(hits: list[Hit], threshold: float, enough: int) -> list[Hit]:
    """``hits`` without those whose words overlap a better hit's by ``threshold`` or more
    (Jaccard): a library of similar documents (board papers, the same disclaimer in each)
    must not fill the top k with one passage's copies. Only the best hits are compared,
    until ``enough`` are kept; the rest follow unchecked."""
    if threshold >= 1:
        return hits
    kept: list[Hit] = []
    seen: list[frozenset[str]] = []
    for n, hit in enumerate(hits):
        if len(kept) >= enough:
            return kept + hits[n:]
        words = frozenset(_WORDS.findall(hit.chunk.quotable_text.lower()))
        if any(len(words & other) >= threshold * len(words | other) for other in seen if words):
            continue
        kept.append(hit)
        seen.append(words)
    return kept


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
        if entry.chunk_id in hits:
            hit = hits[entry.chunk_id]
        else:
            found = snap.fetch([entry.chunk_id])
            if not found or found[0].meta.doc_version not in snap.versions:
                continue
            hit = hits[entry.chunk_id] = Hit(found[0], 0.0)
        hit.score += weight / (rrf_k + 1)
    return sorted(hits.values(), key=lambda h: -h.score)


# Scores each passage by its best sentence for the query: (query, its vector, passages,
# the documents the query names with their title words) -> one score per passage.
PassageScorer = Callable[[str, np.ndarray, list[Chunk], dict[str, frozenset[str]]], list[float]]


class HybridRetriever:
    """Dense + lexical retrieval over a chunk store, with glossary query expansion."""

    def __init__(
        self,
        store: ChunkStore,
        embedder,
        params: RetrievalOptions,
        passage_scorer: PassageScorer | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.params = params
        # Scores a passage by its best sentence for the query (late interaction): sharper
        # than one vector per chunk. Given by the composition root; optional.
        self.passage_scorer = passage_scorer
        self._snapshot: KnowledgeSnapshot | None = None
        self._lock = threading.Lock()
        self._refreshing: threading.Thread | None = None

    def sharing_indexes(self, embedder, passage_scorer=None) -> HybridRetriever:
        """A retriever over the same store and the same built indexes, with another
        embedder (e.g. one that batches many queries) and optionally another re-ranker."""
        twin = HybridRetriever(self.store, embedder, self.params, passage_scorer)
        twin._snapshot = self.snapshot()
        return twin

    def snapshot(self) -> KnowledgeSnapshot:
        """The current lexical index and glossary, picked up again if an ingest changed
        the store."""
        documents = self.store.live_documents(findings=False)
        versions = frozenset(r.version for r in documents.values())
        current = self._snapshot
        if current is not None and current.versions == versions:
            return current
        if (
            current is not None
            and self.store.keeps_lexical_index
            and self.store.saved_lexical_index(documents) is None
        ):
            # Another process changed a store whose index this one must build (a shared
            # Chroma server): seconds at 10,000 documents. Questions keep the index they
            # have until it is built in the background; the dense search follows the new
            # versions at once (ChunkStore.query).
            self._refresh_in_background(versions, documents)
            return current
        with self._lock:
            if self._snapshot is None or self._snapshot.versions != versions:
                self._snapshot = self._load(versions, documents)
            return self._snapshot

    def _refresh_in_background(
        self, versions: frozenset[str], documents: dict[str, DocumentRecord]
    ) -> None:
        with self._lock:
            if self._refreshing is not None and self._refreshing.is_alive():
                return  # the next question after it finishes starts another if needed

            def refresh() -> None:
                try:
                    fresh = self._load(versions, documents)
                except Exception:  # the store went away: the next question tries again
                    logger.exception("could not bring the word index up to date")
                    return
                with self._lock:
                    self._snapshot = fresh

            self._refreshing = threading.Thread(target=refresh, name="nhsa-index", daemon=True)
            self._refreshing.start()

    def _load(
        self, versions: frozenset[str], documents: dict[str, DocumentRecord]
    ) -> KnowledgeSnapshot:
        ordered = sorted(documents.values(), key=lambda r: r.source_id)
        return KnowledgeSnapshot(
            versions,
            self.store.lexical_index(documents),
            Glossary.from_entries(load_or_assemble_glossary(self.store, documents)),
            self.store.get,
            self.store.live_chunks,
            {year for r in ordered if (year := r.year) is not None},
            TitleIndex.from_documents(ordered),
        )

    def search(self, query: str, k: int | None = None) -> Retrieval:
        """The best ``k`` chunks for ``query``."""
        params = self.params
        k = k or params.k
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        snap = self.snapshot()
        expanded = snap.glossary.expand(query)
        t1 = time.perf_counter()
        # The glossary's long forms help BM25 match words; appended to what is embedded
        # they pull the question's vector towards every passage about the NHS at large.
        vector = self.embedder.encode([expanded if params.expand_dense else query])[0].tolist()
        t2 = time.perf_counter()
        dense = self.store.query(vector, params.dense_candidates, versions=snap.versions)
        t3 = time.perf_counter()
        lexical = self._lexical_hits(snap, expanded, dense)
        named_documents = self.named_documents(snap, query)
        named = self.store.nearest_among(
            vector, params.lexical_candidates, snap.titles.chunk_ids(named_documents)
        )
        fused = fuse(
            dense,
            lexical,
            params.rrf_k,
            params.dense_weight,
            params.lexical_weight,
            named,
            params.named_weight,
        )
        fused = with_definitions(query, fused, snap, params.rrf_k, params.dense_weight)
        fused = drop_near_duplicates(fused, params.near_duplicate, max(params.rerank_candidates, k))
        if self.passage_scorer and params.rerank_candidates > 0:
            fused = self._rerank(
                query, np.asarray(vector), fused[: params.rerank_candidates], named_documents
            )
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
        return Retrieval(query, expanded, hits, vector, timings, named_documents)

    def named_documents(self, snap: KnowledgeSnapshot, query: str) -> dict[str, frozenset[str]]:
        """The documents ``query`` names by title (see :meth:`TitleIndex.named`); none
        when that ranking is switched off."""
        if self.params.named_weight <= 0:
            return {}
        # "The West Sussex PNA" names the West Sussex Pharmaceutical Needs Assessment.
        spelled, entries = snap.glossary.spelled_out(query)
        named = snap.titles.named(spelled, self.params.named_max_documents)
        if not entries:
            return named
        # The acronym is one of the words the document's title holds.
        return {
            version: words.union(*(terms(e.short) for e in entries if set(terms(e.long)) <= words))
            for version, words in named.items()
        }

    def _lexical_hits(
        self, snap: KnowledgeSnapshot, query: str, dense: list[tuple[Chunk, float]]
    ) -> list[tuple[Chunk, float]]:
        """BM25's best chunks, read from the store unless the dense search brought them."""
        ranked = snap.lexical.search(query, self.params.lexical_candidates)
        known = {c.id: c for c, _ in dense}
        fetched = {c.id: c for c in snap.fetch([i for i, _ in ranked if i not in known])}
        return [
            (chunk, score)
            for chunk_id, score in ranked
            if (chunk := known.get(chunk_id) or fetched.get(chunk_id)) is not None
            and chunk.meta.doc_version in snap.versions
        ]

    def _rerank(
        self,
        query: str,
        vector: np.ndarray,
        hits: list[Hit],
        named: dict[str, frozenset[str]],
    ) -> list[Hit]:
        """Blend each candidate's fused rank score with its best sentence's score."""
        if not hits or self.passage_scorer is None:
            return hits
        best = self.passage_scorer(query, vector, [h.chunk for h in hits], named)
        top_fused = max(h.score for h in hits) or 1.0
        w = self.params.rerank_weight
        for hit, sentence_score in zip(hits, best, strict=True):
            hit.score = w * sentence_score + (1 - w) * hit.score / top_fused
        return sorted(hits, key=lambda h: -h.score)
