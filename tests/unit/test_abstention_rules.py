"""The abstention rules, each on its own: missing names, thresholds, figures, term coverage."""

from __future__ import annotations

from assistant.answering.abstention import (
    abstain_reason,
    coverage,
    gives_requested_figure,
    missing_names,
)
from assistant.answering.options import AbstainOptions
from assistant.retrieval.glossary import Glossary
from vectorstore.lexical import LexicalIndex
from vectorstore.records import Chunk, ChunkMeta

EVIDENCE = [
    "Integrated care boards (ICBs) plan and buy health services for their population.",
    "The board meets every month and has 12 members.",
]
NO_GLOSSARY = Glossary([])
RULES = AbstainOptions(min_coverage=0.5, min_sentence_score=0.4)


def reason(question: str, best: float = 0.9, cover: float = 1.0, chosen=None) -> str | None:
    chosen = EVIDENCE if chosen is None else chosen
    return abstain_reason(question, cover, best, chosen, EVIDENCE, NO_GLOSSARY, RULES)


def test_a_name_the_passages_never_mention_is_refused_by_name() -> None:
    assert missing_names("Who chairs the Wessex board?", EVIDENCE, NO_GLOSSARY) == ["Wessex"]
    assert "Wessex" in (reason("Who chairs the Wessex board?") or "")


def test_low_coverage_is_refused_with_both_figures() -> None:
    why = reason("What do boards plan?", cover=0.2)

    assert why is not None and "0.20 < 0.50" in why


def test_a_weak_best_sentence_is_refused() -> None:
    why = reason("What do boards plan?", best=0.3)

    assert why is not None and "0.30 < 0.40" in why


def test_a_strong_answer_is_not_refused() -> None:
    assert reason("What do boards plan?") is None


def test_a_how_many_question_needs_a_number_next_to_what_it_counts() -> None:
    assert gives_requested_figure("How many members does the board have?", EVIDENCE[1], NO_GLOSSARY)
    assert not gives_requested_figure("How many staff does it employ?", EVIDENCE[1], NO_GLOSSARY)
    assert gives_requested_figure("Who chairs the board?", EVIDENCE[1], NO_GLOSSARY) is None
    assert "figure" in (reason("How many staff does it employ?") or "")


def test_coverage_weighs_rare_terms_more() -> None:
    chunks = [
        Chunk(f"d{i}", text, ChunkMeta(source_id=f"d{i}"))
        for i, text in enumerate([*EVIDENCE, "The board publishes a report.", "A board."])
    ]
    index = LexicalIndex(chunks)

    found = coverage("Which board plans services?", EVIDENCE, index, NO_GLOSSARY)
    missing = coverage("Which board publishes elephants?", EVIDENCE, index, NO_GLOSSARY)

    assert found == 1.0
    assert 0 < missing < 0.5
