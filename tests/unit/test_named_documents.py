"""Documents a question names by title: which title runs count, and when none does."""

from __future__ import annotations

from assistant.retrieval.glossary import Glossary
from assistant.retrieval.hybrid import HybridRetriever, KnowledgeSnapshot, fuse
from assistant.retrieval.named import (
    TitleIndex,
    asked_words,
    bibliography_words,
    longest_name_run,
    words_in_runs,
)
from assistant.retrieval.options import RetrievalOptions
from vectorstore.lexical import LexicalIndex, terms
from vectorstore.records import Chunk, ChunkMeta, DocumentRecord


def record(source_id: str, title: str | None) -> DocumentRecord:
    return DocumentRecord(
        source_id=source_id,
        version=f"v-{source_id}",
        file=f"{source_id}.md",
        root="/library",
        chunk_count=1,
        char_count=1,
        ingested_at="2026-12-07T00:00:00+00:00",
        title=title,
    )


INDEX = TitleIndex.from_documents(
    [
        record("plan", "Fit for the Future: 10 Year Health Plan for England"),
        record("framework", "Medium Term Planning Framework 2026/27 to 2028/29"),
        record("hwb", "Health and Wellbeing Board Annual Report"),
        record("ccgs", "CCG profiles (West Sussex JSNA report)"),
        record("cfv", "RightCare Commissioning for Value (West Sussex JSNA report)"),
        record("untitled", None),
    ]
)


def run(question: str, title: str) -> int:
    return longest_name_run(asked_words(question), terms(title))


def test_a_name_run_is_two_words_or_more_one_of_them_a_kind_of_document() -> None:
    assert run("in the oversight framework?", "NHS Oversight Framework 2025/26") == 2
    assert run("the 10 Year Health Plan", "Fit for the Future: 10 Year Health Plan") == 4
    # A topic, not a name: no word says what kind of document it is.
    assert run("which type 2 diabetes patients", "Tirzepatide for Type 2 Diabetes in Adults") == 0
    assert (
        run("How many primary care networks?", "Key considerations for Primary Care Networks") == 0
    )
    # A capitalised name counts whole or not at all.
    assert (
        run("By when did the NHS Long Term Plan expect it?", "Medium Term Planning Framework") == 0
    )
    assert run("What does the Long Term Plan say?", "The NHS Long Term Plan") == 3
    # A tail of a run that leaves a partly matched name out still names the document.
    assert run("the Big Health planning framework update", "Health planning framework update") == 3
    # Words apart in the question are no run.
    assert run("the Year of the Plan", "10 Year Health Plan") == 0


def test_a_question_naming_a_title_names_its_document() -> None:
    named = INDEX.named("What are the three shifts in the 10 Year Health Plan?", 1)
    assert named == {"v-plan": frozenset({"10", "year", "health", "plan"})}
    assert list(INDEX.named("what does the medium-term planning framework say?", 1)) == [
        "v-framework"
    ]
    # Stop words between title words do not break the run.
    assert list(INDEX.named("What does the wellbeing board's annual report say?", 1)) == ["v-hwb"]


def test_a_named_version_gives_its_chunk_ids() -> None:
    ids = INDEX.chunk_ids(["v-plan", "v-unknown"])
    assert ids == ["plan#v-plan#0"]


def test_one_shared_word_or_a_topic_names_nothing() -> None:
    assert INDEX.named("What is the plan for pharmacy?", 1) == {}
    assert INDEX.named("What's a JSNA?", 1) == {}
    assert INDEX.named("Who sits on a health and wellbeing board?", 1) == {}


def test_a_run_shared_by_more_titles_than_allowed_names_none() -> None:
    question = "What does the West Sussex JSNA report say about CCGs?"
    assert INDEX.named(question, 1) == {}
    assert sorted(INDEX.named(question, 2)) == ["v-ccgs", "v-cfv"]
    assert INDEX.named(question, 0) == {}


def test_a_named_ranking_adds_to_the_fused_score() -> None:
    def chunk(chunk_id: str) -> Chunk:
        return Chunk(chunk_id, chunk_id, ChunkMeta(source_id=chunk_id))

    dense = [(chunk("other"), 0.9), (chunk("in-named"), 0.5)]
    named = [(chunk("in-named"), 0.5)]

    assert [h.chunk.id for h in fuse(dense, [], named=named, named_weight=0.0)] == [
        "other",
        "in-named",
    ]
    assert fuse(dense, [], named=named, named_weight=1.0)[0].chunk.id == "in-named"


def test_words_in_runs_keep_multiword_names_not_lone_words() -> None:
    publisher = terms("NHS Cambridgeshire and Peterborough Integrated Care Board")
    asked = terms("Which pen needles does Cambridgeshire and Peterborough prefer?")
    assert words_in_runs(asked, publisher) == {"cambridgeshir", "peterborough"}
    assert words_in_runs(["a", "b", "x", "c", "d"], ["c", "d", "a", "b"]) == {"a", "b", "c", "d"}
    # "NHS" alone names too much: the NHS App is not NHS England's.
    assert words_in_runs(terms("What will the NHS App become?"), terms("NHS England")) == set()


def test_bibliography_words_count_runs_of_a_passages_publisher() -> None:
    meta = ChunkMeta(
        source_id="n",
        doc_version="v-n",
        title="Prescribing of Insulin Pen Needles",
        publisher="NHS Cambridgeshire and Peterborough Integrated Care Board",
    )
    chunk = Chunk("n#v-n#0", "Practices may prescribe any of these.", meta)
    question = "Which pen needles does Cambridgeshire and Peterborough prefer?"
    words = bibliography_words(question, [chunk], {"v-other": frozenset({"plan"})})
    assert words == {
        "v-other": frozenset({"plan"}),
        "v-n": frozenset({"pen", "needl", "cambridgeshir", "peterborough"}),
    }
    assert bibliography_words("What will the NHS App become?", [chunk], {}) == {}


def test_a_document_named_by_its_acronym_is_named() -> None:
    pna = record("pna", "West Sussex Pharmaceutical Needs Assessment 2025-2028")
    defines = Chunk(
        "pna#v#0",
        "The Pharmaceutical Needs Assessment (PNA) is published.",
        ChunkMeta(source_id="pna"),
    )
    glossary = Glossary([defines])
    assert glossary.spelled_out("Which localities does the West Sussex PNA use?")[0] == (
        "Which localities does the West Sussex Pharmaceutical Needs Assessment use?"
    )
    snap = KnowledgeSnapshot(
        frozenset({pna.version}),
        LexicalIndex([defines]),
        glossary,
        lambda ids: [],
        lambda: [],
        titles=TitleIndex.from_documents([pna]),
    )
    retriever = HybridRetriever(None, None, RetrievalOptions())  # type: ignore[arg-type]
    named = retriever.named_documents(snap, "Which localities does the West Sussex PNA use?")
    # The acronym counts among the title's words: its passages need not repeat it.
    assert named == {
        pna.version: frozenset(terms("west sussex pharmaceutical needs assessment PNA"))
    }
    # Lower case is a word, not the acronym written in capitals.
    assert retriever.named_documents(snap, "Which localities do the pna use?") == {}
