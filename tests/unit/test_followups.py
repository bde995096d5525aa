"""Follow-up questions made to stand alone (retrieval/followups.py)."""

from __future__ import annotations


def test_one_standing_for_a_thing_named_before_leans_on_the_history() -> None:
    from assistant.retrieval.followups import standalone_question

    assert "IFR" in standalone_question("What services can you use one for?", ["What is an IFR?"])
    assert "pen" in standalone_question("Which one is first choice?", ["Which pen needles?"])
    assert standalone_question("Is there one national formulary?", None) == (
        "Is there one national formulary?"
    )


def test_a_contracted_question_word_is_not_carried_as_a_name() -> None:
    from assistant.retrieval.followups import standalone_question

    assert standalone_question("Who wrote it?", ["What's the Model ICB?"]) == (
        "Who wrote it? (Model ICB)"
    )
