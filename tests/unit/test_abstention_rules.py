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
ELSEWHERE = "Mercia has its own board, chaired by a local councillor."
NO_GLOSSARY = Glossary([])
RULES = AbstainOptions(min_coverage=0.5, min_sentence_score=0.4)
LIBRARY = LexicalIndex(
    [
        Chunk(f"d{i}", text, ChunkMeta(source_id=f"d{i}"))
        for i, text in enumerate([*EVIDENCE, ELSEWHERE, "Metformin is taken with meals."])
    ]
)


def reason(
    question: str, best: float = 0.9, cover: float = 1.0, chosen=None, evidence=None
) -> str | None:
    chosen = EVIDENCE if chosen is None else chosen
    evidence = EVIDENCE if evidence is None else evidence
    return abstain_reason(question, cover, best, chosen, evidence, NO_GLOSSARY, LIBRARY, RULES)


def test_a_name_the_library_never_mentions_is_refused_by_name() -> None:
    question = "Who chairs the Wessex board?"
    assert missing_names(question, EVIDENCE, NO_GLOSSARY, LIBRARY) == ["Wessex"]
    assert "Wessex" in (reason(question) or "")


def test_a_name_the_library_has_elsewhere_is_not_a_reason_to_refuse() -> None:
    # The search may have missed Mercia's passage: absence from the top passages is not
    # absence from the documents.
    assert missing_names("Who runs the Mercia board?", EVIDENCE, NO_GLOSSARY, LIBRARY) == []


def test_a_figure_for_another_thing_does_not_answer() -> None:
    # Tirzepatide's dose, next to a table fragment naming metformin: not metformin's dose.
    dose = ["The dose goes up to a maximum of 15 mg once weekly.", "add-on to metformin"]
    question = "What is the maximum daily dose of metformin?"
    assert "not for what the question asks" in (reason(question, chosen=dose) or "")
    own = ["Metformin is taken up to 2 g a day."]
    assert reason(question, chosen=own) is None


def test_who_chairs_needs_a_passage_that_speaks_of_a_chair() -> None:
    ratified = ["Ratified by: the Joint Prescribing Group, December 2024."]
    question = "Who chairs the Joint Prescribing Group?"
    assert reason(question, chosen=ratified, evidence=ratified) is not None
    chaired = ["The Joint Prescribing Group is chaired by the medical director."]
    assert reason(question, chosen=chaired, evidence=chaired) is None


def test_a_funding_request_is_not_a_question_about_an_amount() -> None:
    assert gives_requested_figure("What is an individual funding request?", "", NO_GLOSSARY) is None
    assert gives_requested_figure("What is the budget of the board?", "", NO_GLOSSARY) is False
    assert gives_requested_figure("What does a reader cost?", "£30 each", NO_GLOSSARY)


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


def test_the_subject_of_a_figure_question_is_not_a_figure_word() -> None:
    from assistant.answering.abstention import subject_term

    # "maximum" and "daily" are rarer in this library than "metformin", but they say what
    # kind of figure is wanted, not what it is about.
    library = LexicalIndex(
        [
            Chunk("a", "Metformin is taken with meals.", ChunkMeta(source_id="a")),
            Chunk("b", "Metformin is common.", ChunkMeta(source_id="b")),
            Chunk("c", "The maximum daily amount.", ChunkMeta(source_id="c")),
        ]
    )
    assert subject_term("What is the maximum daily dose of metformin?", library) == "metformin"


def test_cost_as_a_name_is_not_a_question_about_an_amount() -> None:
    assert gives_requested_figure("What do High Cost Drug Pharmacists do?", "", NO_GLOSSARY) is None
    assert gives_requested_figure("What does it cost the NHS?", "", NO_GLOSSARY) is False
