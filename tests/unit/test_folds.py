"""Cross-validation split by document (evals/tools/folds.py): each document's questions
are scored with the combination chosen on the other documents' questions."""

from __future__ import annotations

import pytest
import typer

from evals.dataset import EvalQuestion
from evals.tools.folds import cross_validate, parse_grid


def question(qid: str, source: str) -> EvalQuestion:
    return EvalQuestion(
        id=qid, question="?", expected_sources=[source], key_facts=["x"], answerable=True
    )


def test_each_document_is_scored_with_the_choice_made_without_it() -> None:
    questions = [question("a1", "a"), question("a2", "a"), question("b1", "b")]
    low, high = (("w", 0.0),), (("w", 1.0),)
    # "high" fits document a's questions and nothing else; "low" fits b's.
    found = {low: [0.0, 0.0, 1.0], high: [1.0, 1.0, 0.0]}
    cv = cross_validate(questions, found, lambda rows: sum(rows) / len(rows))
    assert cv.in_sample == high  # 2 of 3 in-sample
    # Held out, a's questions get the choice made on b alone (low), and b's the choice
    # made on a (high): both wrong, which in-sample hides.
    assert cv.held_out == [0.0, 0.0, 0.0]
    assert cv.folds == 2 and cv.chosen == {low: 1, high: 1}


def test_a_grid_is_every_combination_and_a_bad_spec_names_itself() -> None:
    assert parse_grid(["a=1,2", "b=3"]) == [(("a", 1.0), ("b", 3.0)), (("a", 2.0), ("b", 3.0))]
    with pytest.raises(typer.BadParameter, match="'a'"):
        parse_grid(["a"])
