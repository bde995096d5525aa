"""Choose retrieval options by cross-validation split by document.

Every combination of the option values given is run over the answerable questions of the
eval sets (retrieval only: no answer is composed), and each question's key-fact context
recall is recorded. Each question belongs to its first expected source. For every
document, the combination is chosen on the questions of all the other documents and scored
on that document's questions: the pooled held-out recall is what a new document can
expect. The in-sample figure (chosen and scored on everything) is printed beside it; a
large gap means the options fit particular questions.

    python -m evals.tools.cv_retrieval evals/datasets/dev.jsonl evals/datasets/library.jsonl \\
        --grid named_weight=0,1,2 --grid named_max_documents=1,2,3
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from assistant.api import Assistant
from evals.dataset import EvalQuestion
from evals.metrics import fact_found
from evals.tools.folds import (
    Combination,
    choices_made,
    cross_validate,
    describe,
    measured_grid,
)


def context_recall(assistant: Assistant, q: EvalQuestion) -> list[bool]:
    """Whether each key fact of ``q`` is in the passages retrieved for it."""
    retrieval = assistant.retrieve(q.question, q.history)
    context = "\n".join(h.chunk.text for h in retrieval.hits)
    return [fact_found(alternatives, context) for alternatives in q.fact_alternatives()]


def measure(
    assistant: Assistant, questions: list[EvalQuestion], grid: list[Combination]
) -> dict[Combination, list[list[bool]]]:
    """Each combination's per-question fact checks."""
    retriever = assistant._retriever
    base = retriever.params
    found = {}
    for combination in grid:
        update = {name: type(getattr(base, name))(value) for name, value in combination}
        retriever.params = base.model_copy(update=update)
        retriever._snapshot = None  # options may shape the indexes built per snapshot
        found[combination] = [context_recall(assistant, q) for q in questions]
    retriever.params = base
    retriever._snapshot = None
    return found


def _recall(rows: list[list[bool]]) -> float:
    facts = [f for row in rows for f in row]
    return float(np.mean(facts)) if facts else 0.0


def main(
    paths: list[Path],
    grid: Annotated[list[str], typer.Option(help="name=v1,v2,... (a RetrievalOptions field)")],
) -> None:
    """Print in-sample and held-out key-fact context recall for each choice."""
    questions, found = measured_grid(paths, grid, measure)

    table = Table(title=f"key-fact context recall, {len(questions)} questions")
    table.add_column("combination")
    table.add_column("recall", justify="right")
    for combination, rows in found.items():
        table.add_row(describe(combination), f"{_recall(rows):.3f}")
    console = Console()
    console.print(table)
    cv = cross_validate(questions, found, _recall)
    console.print(
        f"in-sample best: {dict(cv.in_sample)} recall {_recall(found[cv.in_sample]):.3f}; "
        f"held out by document ({cv.folds} folds): recall {_recall(cv.held_out):.3f}"
    )
    console.print(choices_made(cv))


if __name__ == "__main__":
    typer.run(main)
