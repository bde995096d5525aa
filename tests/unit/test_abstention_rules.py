"""The abstention rules, each on its own: missing names, thresholds, figures, term coverage."""

from __future__ import annotations

import pytest

from assistant.answering.abstention import (
    Stated,
    abstain_reason,
    coverage,
    figure_misplaced,
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
    said = [Stated(text) for text in (EVIDENCE if chosen is None else chosen)]
    evidence = EVIDENCE if evidence is None else evidence
    return abstain_reason(question, cover, best, said, evidence, NO_GLOSSARY, LIBRARY, RULES)


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


def test_who_holds_a_post_needs_an_answer_that_names_someone() -> None:
    question = "Who is the chief pharmacist at the Mercia board?"
    post_only = ["At the Mercia board the chief pharmacist leads the medicines teams."]
    refused = reason(question, chosen=post_only, evidence=post_only) or ""
    assert "never name who holds it" in refused
    named = ["At the Mercia board the chief pharmacist is Ada Lovelace."]
    assert reason(question, chosen=named, evidence=named) is None
    # A name in a sentence that never names the post holds no post.
    elsewhere = ["At the Mercia board Ada Lovelace leads the finance team."]
    evidence = [*elsewhere, "The Mercia board's chief pharmacist post is new."]
    assert "never name who holds it" in (
        reason(question, chosen=elsewhere, evidence=evidence) or ""
    )
    # A role question is answered by what the post does, not by a name.
    assert reason("Who is responsible for the Mercia board?", chosen=post_only) is None


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


def test_a_figure_must_sit_under_what_the_question_names() -> None:
    # The heading above a dose says whose dose it is; a passage that mentions metformin in
    # passing does not make tirzepatide's dose metformin's.
    dose = "The starting dose is 2.5 mg once weekly."
    passage = f"{dose} It may be added to metformin."
    own = Stated(dose, heading="Tirzepatide: dosage", passage=passage)
    other = Stated(dose, heading="Dosage", passage=passage)
    assert not figure_misplaced("What is the starting dose of tirzepatide?", [own], NO_GLOSSARY)
    assert figure_misplaced("What is the starting dose of metformin?", [other], NO_GLOSSARY)


def test_a_count_for_another_place_does_not_answer() -> None:
    count = "There are 161 community pharmacies in the county."
    sussex = Stated(count, heading="West Sussex PNA", passage=count)
    question = "How many community pharmacies are there in Leeds?"
    assert figure_misplaced(question, [sussex], NO_GLOSSARY)
    assert not figure_misplaced(question.replace("Leeds", "Sussex"), [sussex], NO_GLOSSARY)


def test_how_much_notice_wants_a_duration_and_doses_mentioned_ask_no_figure() -> None:
    notice = "How much notice must a pharmacy give?"
    assert gives_requested_figure(notice, "It must give five weeks' notice.", NO_GLOSSARY)
    assert not gives_requested_figure(notice, "It must give notice of £5.", NO_GLOSSARY)
    process = "What should happen to insulin doses when tirzepatide is added?"
    assert gives_requested_figure(process, "Reduce them.", NO_GLOSSARY) is None


def test_cost_as_a_name_is_not_a_question_about_an_amount() -> None:
    assert gives_requested_figure("What do High Cost Drug Pharmacists do?", "", NO_GLOSSARY) is None
    assert gives_requested_figure("What does it cost the NHS?", "", NO_GLOSSARY) is False


def test_how_many_counts_the_head_noun_of_its_phrase() -> None:
    areas = "How many areas had been given the go-ahead to become integrated care systems?"
    assert gives_requested_figure(areas, "Fourteen areas were named in 2018.", NO_GLOSSARY)
    trusts = "How many NHS trusts are in segment 5?"
    assert not gives_requested_figure(trusts, "All 5 segments are set by the NHS.", NO_GLOSSARY)
    assert gives_requested_figure(trusts, "There are 12 trusts in segment 5.", NO_GLOSSARY)


def test_how_many_x_and_y_counts_each_and_reads_every_number_of_a_sentence() -> None:
    both = "How many pharmacists and pharmacy technicians does the network employ?"
    # The second count sits within the words after the first: it is read too.
    team = "A pharmacy team of six dietitians and three technicians works across the area."
    assert gives_requested_figure(both, team, NO_GLOSSARY)
    assert gives_requested_figure(both, "It employs four pharmacists.", NO_GLOSSARY)
    assert not gives_requested_figure(both, "It employs four paramedics.", NO_GLOSSARY)


def test_a_budget_wants_money_not_a_percentage() -> None:
    question = "What's the annual budget of the partnership?"
    assert not gives_requested_figure(
        question, "26% of people live in deprived areas.", NO_GLOSSARY
    )
    assert gives_requested_figure(question, "Its budget is £1.2 billion.", NO_GLOSSARY)
    assert gives_requested_figure("By how much will headcount fall?", "By 50%.", NO_GLOSSARY)


def test_a_price_must_be_for_the_thing_priced() -> None:
    question = "How much does a Dexcom ONE starter kit cost?"
    sensor = Stated("One Dexcom ONE sensor costs £25.", passage="Dexcom ONE starter kit")
    kit = Stated("A Dexcom ONE starter kit costs £30.")
    assert figure_misplaced(question, [sensor], NO_GLOSSARY)
    assert not figure_misplaced(question, [kit], NO_GLOSSARY)


def test_spend_on_a_thing_must_be_spend_on_that_thing() -> None:
    question = "What is the total annual NHS spend on high cost drugs?"
    capital = Stated("Capital spending will increase to £13.6 billion.")
    drugs = Stated("Spend on high cost drugs reached £2 billion a year.")
    assert figure_misplaced(question, [capital], NO_GLOSSARY)
    assert not figure_misplaced(question, [drugs], NO_GLOSSARY)


def test_a_when_question_is_not_refused_for_want_of_a_date() -> None:
    # Times are given in too many ways to refuse on their absence.
    question = "When will the new contracts start?"
    assert (
        gives_requested_figure(question, "They start once the Bill is passed.", NO_GLOSSARY)
        is False
    )
    assert reason(question, chosen=["The contracts start once the Bill is passed."]) is None
    assert gives_requested_figure(question, "They start in April 2027.", NO_GLOSSARY)


def test_role_words_count_when_scoring_but_not_towards_coverage() -> None:
    from assistant.answering.abstention import question_terms

    question = "Describe what the Board is responsible for."
    assert "respons" not in question_terms(question)
    scoring = question_terms(question, role_words=True)
    # Words that only ask ("describe") stay out either way.
    assert "respons" in scoring and "describ" not in scoring


def test_an_answer_about_another_place_is_refused_for_any_kind_of_question() -> None:
    # "Mercia" is in the library (ELSEWHERE), but not in the passages that answer.
    question = "What does the Mercia board plan?"
    assert "Mercia" in (reason(question) or "")
    assert reason(question, chosen=[ELSEWHERE], evidence=[*EVIDENCE, ELSEWHERE]) is None


def test_an_acronym_the_answer_spells_another_way_is_not_a_reason_to_refuse() -> None:
    # Only a who-question insists on the acronym itself (the chair of *that* body).
    assert reason("What do the ICBs plan?", chosen=EVIDENCE[1:]) is None


def test_a_count_given_under_an_acronym_answers_how_many() -> None:
    defined = Chunk(
        "hcd#0",
        "High cost drugs (HCDs) are funded separately.",
        ChunkMeta(source_id="hcd"),
    )
    glossary = Glossary([defined])
    question = "How many high cost drugs are used?"
    assert gives_requested_figure(question, "It reports on the 400-plus HCDs in use.", glossary)
    assert not gives_requested_figure(question, "It reports on the 400-plus HCDs.", NO_GLOSSARY)


def _said(text: str, heading: str) -> Stated:
    """A chosen sentence that is its whole passage."""
    return Stated(text, heading=heading, passage=text)


@pytest.mark.parametrize(
    ("question", "elsewhere", "answering"),
    [
        # "NHS England" in the heading names a body, not the place the figure is for.
        (
            "How many primary care networks are there in England now?",
            _said(
                "The practices are grouped into 21 Primary Care Networks (PCNs).",
                "West Sussex PNA: NHS England services",
            ),
            _said("There are 1,250 Primary Care Networks across England.", "Primary care"),
        ),
        # "insulin pen needles" prices needles, not pens.
        (
            "What is the price of an Ozempic pen?",
            _said(
                "Practices may prescribe insulin pen needles that cost less than £3.00 per 100.",
                "Insulin Pen Needles",
            ),
            _said("An Ozempic pen costs £73.25 in the Drug Tariff.", "Prices"),
        ),
    ],
)
def test_a_figure_for_something_else_does_not_answer(
    question: str, elsewhere: Stated, answering: Stated
) -> None:
    assert figure_misplaced(question, [elsewhere], NO_GLOSSARY)
    assert not figure_misplaced(question, [answering], NO_GLOSSARY)


def test_a_countys_count_still_answers_a_question_not_asked_for_england() -> None:
    local = _said(
        "The practices are grouped into 21 Primary Care Networks (PCNs).",
        "West Sussex PNA: NHS England services",
    )
    question = "How many primary care networks are there now?"
    assert not figure_misplaced(question, [local], NO_GLOSSARY)


def test_a_number_followed_by_a_verb_counts_nothing_after_it() -> None:
    question = "How many GP practices are in a typical primary care network?"
    population = "A combined population of at least 30-50,000 allows practices to share staff."
    assert not gives_requested_figure(question, population, NO_GLOSSARY)
    assert gives_requested_figure(question, "There are 74 GP practices in the county.", NO_GLOSSARY)


def test_a_typical_count_is_not_answered_by_one_places_total_nor_by_more_than_one() -> None:
    typical = "How many GP practices are in a typical primary care network?"
    total = "There are 74 GP practices in West Sussex that provide NHS services."
    assert not gives_requested_figure(typical, total, NO_GLOSSARY)
    assert gives_requested_figure("How many GP practices are there?", total, NO_GLOSSARY)
    assert gives_requested_figure(typical, "A typical network has 5 GP practices.", NO_GLOSSARY)
    vague = "More than one GP practice can operate in the same area."
    assert not gives_requested_figure("How many GP practices are there?", vague, NO_GLOSSARY)


def test_who_took_over_is_refused_when_the_passages_only_name_who_left() -> None:
    left = ["The board's outgoing chair, Mercia's councillor, described the plan as crucial."]
    question = "Who took over from the outgoing chair of the board?"
    assert "took over" in (reason(question, chosen=left, evidence=left) or "")
    named = ["The councillor was succeeded as chair of the board by a GP in 2024."]
    assert reason(question, chosen=named, evidence=named) is None


def test_who_chairs_a_committee_is_not_answered_by_a_passage_about_boards_only() -> None:
    question = "Who chairs the Mercia board's medicines group?"
    boards = "Joint Chair: Ann Lee has been appointed chair of the Mercia board."
    refused = reason(question, chosen=[boards], evidence=[boards])
    assert "not of Mercia board's medicines group" in (refused or "")
    # The same line in a passage that speaks of the group answers.
    minutes = f"The medicines group reports to the Mercia board. {boards}"
    said = [Stated(boards, "Minutes", minutes)]
    assert abstain_reason(question, 1.0, 0.9, said, [minutes], NO_GLOSSARY, LIBRARY, RULES) is None
