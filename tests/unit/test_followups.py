"""Follow-up questions made to stand alone (retrieval/followups.py)."""

from __future__ import annotations

from assistant.retrieval.followups import leans_on_history, standalone_question


def test_one_standing_for_a_thing_named_before_leans_on_the_history() -> None:
    assert "IFR" in standalone_question("What services can you use one for?", ["What is an IFR?"])
    assert "pen" in standalone_question("Which one is first choice?", ["Which pen needles?"])
    assert standalone_question("Is there one national formulary?", None) == (
        "Is there one national formulary?"
    )


def test_a_contracted_question_word_is_not_carried_as_a_name() -> None:
    assert standalone_question("Who wrote it?", ["What's the Model ICB?"]) == (
        "Who wrote it? (Model ICB)"
    )


def test_him_and_hers_point_back_like_the_other_pronouns() -> None:
    history = ["Who described the ICS Chief Pharmacist role as crucial?"]
    assert standalone_question("Who took over from him?", history) == (
        "Who took over from him? (ICS Chief Pharmacist)"
    )
    assert leans_on_history("Which team is hers?")
