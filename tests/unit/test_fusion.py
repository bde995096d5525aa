"""Fusion, diversity and year coverage of retrieval: pure functions over small inline hits."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.glossary import Glossary
from assistant.retrieval.hybrid import (
    Hit,
    HybridRetriever,
    KnowledgeSnapshot,
    cover_years,
    diversify,
    fuse,
    years_asked,
)
from assistant.retrieval.options import RetrievalOptions
from vectorstore.lexical import LexicalIndex
from vectorstore.records import Chunk, ChunkMeta


def doc(chunk_id: str, source: str = "a", published: str | None = None) -> Chunk:
    return Chunk(chunk_id, chunk_id, ChunkMeta(source_id=source, published=published))


def hit(chunk_id: str, score: float, source: str = "a", published: str | None = None) -> Hit:
    return Hit(doc(chunk_id, source, published), score)


def ids(hits: list[Hit]) -> list[str]:
    return [h.chunk.id or "" for h in hits]


def test_fuse_adds_reciprocal_ranks_so_agreement_wins() -> None:
    dense = [(doc("x"), 0.9), (doc("both"), 0.8)]
    lexical = [(doc("y"), 12.0), (doc("both"), 11.0)]

    fused = fuse(dense, lexical, rrf_k=60)

    assert ids(fused)[0] == "both"
    assert fused[0].score == pytest.approx(2 / 62)
    assert (fused[0].dense_rank, fused[0].lexical_rank) == (2, 2)


def test_fuse_weights_tip_a_tie_towards_the_heavier_ranking() -> None:
    dense = [(doc("d"), 0.9)]
    lexical = [(doc("l"), 5.0)]

    assert ids(fuse(dense, lexical, lexical_weight=3.0)) == ["l", "d"]
    assert ids(fuse(dense, lexical, dense_weight=3.0)) == ["d", "l"]


def test_fuse_keeps_each_hits_own_scores() -> None:
    [only] = fuse([(doc("a"), 0.5)], [], rrf_k=10)

    assert (only.dense, only.lexical, only.lexical_rank) == (0.5, None, None)
    assert only.score == pytest.approx(1 / 11)


def test_diversify_without_a_cap_is_the_top_k() -> None:
    hits = [hit(str(i), 1 - i / 10) for i in range(5)]

    assert ids(diversify(hits, 3, per_source_cap=0)) == ["0", "1", "2"]


def test_diversify_caps_a_document_while_others_remain() -> None:
    hits = [hit("a1", 0.9), hit("a2", 0.8), hit("a3", 0.7), hit("b1", 0.6, source="b")]

    assert ids(diversify(hits, 3, per_source_cap=2)) == ["a1", "a2", "b1"]


def test_diversify_fills_from_the_capped_document_when_nothing_else_is_left() -> None:
    hits = [hit("a1", 0.9), hit("a2", 0.8), hit("a3", 0.7)]

    assert ids(diversify(hits, 3, per_source_cap=1)) == ["a1", "a2", "a3"]


def test_years_asked_are_the_named_years_the_library_has_and_the_latest_for_now() -> None:
    years = {2019, 2022, 2025}

    assert years_asked("How did it change between 2019 and 2022?", years) == [2019, 2022]
    assert years_asked("What about 2031?", years) == []
    assert years_asked("Who leads it now?", years) == [2025]


def test_cover_years_brings_in_a_missing_year_in_place_of_a_repeated_one() -> None:
    top = [hit("a", 0.9, published="2022"), hit("b", 0.8, published="2022")]
    candidates = [*top, hit("old", 0.1, "c", published="2019-05")]

    covered = cover_years(top, candidates, k=2, years=[2019, 2022])

    assert ids(covered) == ["a", "old"]


def test_cover_years_leaves_the_hits_alone_when_no_passage_has_the_year() -> None:
    top = [hit("a", 0.9, published="2022"), hit("b", 0.8, published="2022")]

    assert ids(cover_years(top, top, k=2, years=[2019])) == ["a", "b"]


def test_the_passage_defining_an_acronym_joins_a_definition_questions_candidates() -> None:
    from assistant.retrieval.glossary import Glossary
    from assistant.retrieval.hybrid import Hit, KnowledgeSnapshot, with_definitions
    from vectorstore.lexical import LexicalIndex

    defining = Chunk(
        "p#3",
        "This request is called an Individual Funding Request (IFR).",
        ChunkMeta(source_id="p"),
    )
    panel = Chunk(
        "p#9",
        "The IFR panel decides each individual funding request.",
        ChunkMeta(source_id="p", chunk_index=9),
    )
    chunks = [defining, panel]
    snap = KnowledgeSnapshot(
        frozenset({""}),
        LexicalIndex(chunks),
        Glossary(chunks),
        lambda ids: [c for c in chunks if c.id in ids],
        lambda: chunks,
    )
    fused = [Hit(panel, 0.03)]
    asked = with_definitions("What is an individual funding request?", fused, snap, 60, 1.0)
    assert [h.chunk.id for h in asked] == ["p#9", "p#3"]  # a candidate, ranked 1st of 3rd list
    assert asked[1].score == pytest.approx(1 / 61)
    other = with_definitions("Who decides an individual funding request?", fused, snap, 60, 1.0)
    assert [h.chunk.id for h in other] == ["p#9"]


def test_copies_of_one_passage_take_one_place() -> None:
    from assistant.retrieval.hybrid import drop_near_duplicates

    disclaimer = "This paper is for information only and does not set policy for the board."
    texts = {
        "a": disclaimer,
        "b": disclaimer.replace("board", "Board"),  # the same words
        "c": "The area prescribing committee decides the formulary.",
        "d": disclaimer + " Contact the secretary.",  # 14 of 17 words shared
    }
    top = [
        Hit(Chunk(i, text, ChunkMeta(source_id=i)), 1.0 - n / 10)
        for n, (i, text) in enumerate(texts.items())
    ]
    assert ids(drop_near_duplicates(top, 0.9, enough=10)) == ["a", "c", "d"]
    assert ids(drop_near_duplicates(top, 1.0, enough=10)) == ["a", "b", "c", "d"]
    assert ids(drop_near_duplicates(top, 0.9, enough=1)) == ["a", "b", "c", "d"]


class _Recorder:
    """An embedder that records what it is asked to embed."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts: list[str]):
        self.texts.extend(texts)
        return np.zeros((len(texts), 4), dtype=np.float32)


class _EmptyStore:
    """A store with no live documents and no hits: only what search asks of it."""

    keeps_lexical_index = False

    def live_documents(self, findings: bool = True) -> dict:
        return {}

    def query(self, vector, n, versions=None) -> list:
        return []

    def nearest_among(self, vector, n, ids) -> list:
        return []


@pytest.mark.parametrize("expand_dense", [False, True])
def test_the_question_is_embedded_in_its_own_words_unless_told_otherwise(
    expand_dense: bool,
) -> None:
    defines = Chunk(
        "g#0", "Primary care networks (PCNs) group practices.", ChunkMeta(source_id="g")
    )
    snap = KnowledgeSnapshot(
        frozenset(), LexicalIndex([defines]), Glossary([defines]), lambda ids: [], lambda: []
    )
    embedder = _Recorder()
    options = RetrievalOptions(expand_dense=expand_dense)
    retriever = HybridRetriever(_EmptyStore(), embedder, options)  # type: ignore[arg-type]
    retriever._snapshot = snap
    found = retriever.search("How do PCNs work?")
    # BM25 always searches the expansion; the vector is of the user's words by default.
    assert found.expanded_query == "How do PCNs work? (Primary care networks)"
    assert embedder.texts == [found.expanded_query if expand_dense else "How do PCNs work?"]
