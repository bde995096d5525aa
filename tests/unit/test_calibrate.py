"""Threshold choice by cross-validation split by document (evals/tools/calibrate.py)."""

from __future__ import annotations

from evals.tools.calibrate import Signals, Thresholds, choose, held_out, rates


def row(document: str, answerable: bool, score: float) -> Signals:
    return Signals(document, answerable, coverage=1.0, best_score=score, refused_by_rule=False)


# Answerable questions score high, unanswerable ones low, in every document but "odd",
# whose answerable questions score as low as the others' unanswerable ones.
ROWS = [
    *(row(d, True, 0.7) for d in ("a", "b", "c") for _ in range(4)),
    *(row(d, False, 0.3) for d in ("a", "b", "c") for _ in range(2)),
    *(row("odd", True, 0.3) for _ in range(3)),
]


def test_the_choice_separates_what_it_can() -> None:
    t = choose([r for r in ROWS if r.document != "odd"])

    assert 0.3 < t.min_sentence_score <= 0.7
    assert rates(ROWS[:18], t) == (1.0, 0.0)


def test_held_out_figures_show_what_a_new_document_gets() -> None:
    refused, per_fold = held_out(ROWS)

    # Chosen without "odd", the threshold refuses all of odd's answerable questions: the
    # held-out figure shows it, where an in-sample choice could hide it.
    odd = [f for f, r in zip(refused, ROWS, strict=True) if r.document == "odd"]
    assert odd == [True, True, True]
    assert len(per_fold) == 4 and all(isinstance(t, Thresholds) for t in per_fold)


def test_among_equally_good_thresholds_the_middle_of_the_range_is_chosen() -> None:
    # Answerable at 0.7, unanswerable at 0.3: any threshold in (0.3, 0.7] separates them.
    t = choose([r for r in ROWS if r.document != "odd"])
    assert 0.45 <= t.min_sentence_score <= 0.55
