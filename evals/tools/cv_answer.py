"""Choose the extractive composer's options by cross-validation split by document.

Every combination of the option values given (``ComposeOptions`` fields) answers the eval
sets' answerable questions; each question's key facts found in the answer and its
citations' verdicts are recorded. Options are chosen per document on the other documents'
questions, by the mean of answer key-fact recall and citation precision (recall must not
be bought with sentences that do not bear on the question), and scored on the held-out
document (see ``evals.tools.folds``).

    python -m evals.tools.cv_answer evals/datasets/dev.jsonl evals/datasets/library.jsonl \\
        --grid similarity_weight=0.6,0.5,0.7 --grid min_relative_score=0.6,0.7
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.api import Assistant
from evals.dataset import EvalQuestion
from evals.metrics import question_checks
from evals.runner import outcome_of
from evals.tools.folds import (
    Combination,
    choices_made,
    cross_validate,
    describe,
    measured_grid,
)


@dataclass(frozen=True)
class Checked:
    """One question's answer, as the objective sees it."""

    facts: tuple[bool, ...]
    citations: tuple[bool, ...]
    chars: int


def answer_checks(assistant: Assistant, q: EvalQuestion) -> Checked:
    """Ask ``q`` in extractive mode and check its answer."""
    answer = assistant.ask(q.question, q.history or None, "extractive")
    checks = question_checks(q, outcome_of(answer), k=assistant._settings.retrieval.k)
    return Checked(
        tuple(checks["facts_in_answer"]), tuple(checks["good_citations"]), checks["answer_chars"]
    )


def measure(
    assistant: Assistant, questions: list[EvalQuestion], grid: list[Combination]
) -> dict[Combination, list[Checked]]:
    """Each combination's per-question checks."""
    base = assistant._settings
    found = {}
    for combination in grid:
        update = {name: type(getattr(base.answer, name))(value) for name, value in combination}
        assistant._settings = base.model_copy(
            update={"answer": base.answer.model_copy(update=update)}
        )
        found[combination] = [answer_checks(assistant, q) for q in questions]
    assistant._settings = base
    return found


def recall(rows: list[Checked]) -> float:
    facts = [f for r in rows for f in r.facts]
    return sum(facts) / len(facts) if facts else 0.0


def precision(rows: list[Checked]) -> float:
    cited = [c for r in rows for c in r.citations]
    return sum(cited) / len(cited) if cited else 0.0


def objective(rows: list[Checked]) -> float:
    """The mean of answer key-fact recall and citation precision."""
    return (recall(rows) + precision(rows)) / 2


def median_chars(rows: list[Checked]) -> float:
    return statistics.median(r.chars for r in rows if r.chars) if rows else 0.0


def main(
    paths: list[Path],
    grid: Annotated[list[str], typer.Option(help="name=v1,v2,... (a ComposeOptions field)")],
) -> None:
    """Print in-sample and held-out answer recall and citation precision for each choice."""
    questions, found = measured_grid(paths, grid, measure)

    table = Table(title=f"extractive answers, {len(questions)} answerable questions")
    for column in ("combination", "answer recall", "citation precision", "median chars"):
        table.add_column(column, justify="right")
    for combination, rows in found.items():
        table.add_row(
            describe(combination),
            f"{recall(rows):.3f}",
            f"{precision(rows):.3f}",
            f"{median_chars(rows):.0f}",
        )
    console = Console()
    console.print(table)
    cv = cross_validate(questions, found, objective)
    inside = found[cv.in_sample]
    console.print(
        f"in-sample best: {dict(cv.in_sample)}: recall {recall(inside):.3f}, precision "
        f"{precision(inside):.3f}; held out by document ({cv.folds} folds): recall "
        f"{recall(cv.held_out):.3f}, precision {precision(cv.held_out):.3f}"
    )
    console.print(choices_made(cv))


if __name__ == "__main__":
    typer.run(main)
