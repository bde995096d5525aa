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

import itertools
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from assistant.api import Assistant
from assistant.settings import Settings
from evals.dataset import EvalQuestion, load_questions
from evals.metrics import fact_found

Combination = tuple[tuple[str, float], ...]


def parse_grid(specs: Sequence[str]) -> list[Combination]:
    """``name=v1,v2`` specs as every combination of (name, value) pairs."""
    axes = []
    for spec in specs:
        name, _, values = spec.partition("=")
        if not name or not values:
            raise typer.BadParameter(f"--grid {spec!r}: expected name=value,value,...")
        axes.append([(name.strip(), float(v)) for v in values.split(",")])
    return [tuple(c) for c in itertools.product(*axes)]


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
    combos = parse_grid(grid)
    questions = [q for p in paths for q in load_questions(p) if q.answerable and q.key_facts]
    folds = [q.expected_sources[0] if q.expected_sources else q.id for q in questions]
    assistant = Assistant.from_settings(Settings())
    found = measure(assistant, questions, combos)

    table = Table(title=f"key-fact context recall, {len(questions)} questions")
    table.add_column("combination")
    table.add_column("recall", justify="right")
    for combination, rows in found.items():
        table.add_row(", ".join(f"{n}={v:g}" for n, v in combination), f"{_recall(rows):.3f}")
    console = Console()
    console.print(table)

    by_fold: dict[str, list[int]] = defaultdict(list)
    for i, fold in enumerate(folds):
        by_fold[fold].append(i)
    held_out: list[list[bool]] = [[] for _ in questions]
    chosen: list[Combination] = []
    for _fold, members in by_fold.items():
        inside = set(members)
        others = [i for i in range(len(questions)) if i not in inside]
        # Ties go to the first combination given: list the current default first.
        best = max(combos, key=lambda c: _recall([found[c][i] for i in others]))
        chosen.append(best)
        for i in members:
            held_out[i] = found[best][i]
    in_sample = max(combos, key=lambda c: _recall(found[c]))
    console.print(
        f"in-sample best: {dict(in_sample)} recall {_recall(found[in_sample]):.3f}; "
        f"held out by document ({len(by_fold)} folds): recall {_recall(held_out):.3f}"
    )
    counts: dict[Combination, int] = defaultdict(int)
    for c in chosen:
        counts[c] += 1
    console.print(
        "chosen per fold: "
        + "; ".join(f"{dict(c)} x{n}" for c, n in sorted(counts.items(), key=lambda x: -x[1]))
    )


if __name__ == "__main__":
    typer.run(main)
