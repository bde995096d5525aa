"""Choosing options by cross-validation split by document, shared by the cv_* tools.

Each question belongs to its first expected source. For every document, the option
combination is chosen on the questions of all the other documents and scored on that
document's questions: the pooled held-out figure is what a new document can expect.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import typer

from assistant.api import Assistant
from assistant.settings import Settings
from evals.dataset import EvalQuestion, load_questions

Combination = tuple[tuple[str, float], ...]
Row = TypeVar("Row")


def parse_grid(specs: Sequence[str]) -> list[Combination]:
    """``name=v1,v2`` specs as every combination of (name, value) pairs."""
    axes = []
    for spec in specs:
        name, _, values = spec.partition("=")
        if not name or not values:
            raise typer.BadParameter(f"--grid {spec!r}: expected name=value,value,...")
        axes.append([(name.strip(), float(v)) for v in values.split(",")])
    return [tuple(c) for c in itertools.product(*axes)]


def fold_of(question: EvalQuestion) -> str:
    """The document a question is held out with: its first expected source."""
    return question.expected_sources[0] if question.expected_sources else question.id


@dataclass
class CrossValidated:
    """The combination chosen on everything, and the per-question rows held out."""

    in_sample: Combination
    held_out: list
    chosen: Counter[Combination]
    folds: int


def cross_validate(
    questions: Sequence[EvalQuestion],
    found: dict[Combination, list[Row]],
    score: Callable[[list[Row]], float],
) -> CrossValidated:
    """Choose per fold on the other folds' rows (ties go to the first combination, so
    list the current default first) and keep the chosen combination's rows for the fold."""
    combos = list(found)
    by_fold: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        by_fold[fold_of(q)].append(i)
    held_out: list = [None] * len(questions)
    chosen: Counter[Combination] = Counter()
    for members in by_fold.values():
        inside = set(members)
        others = [i for i in range(len(questions)) if i not in inside]
        best = max(combos, key=lambda c: score([found[c][i] for i in others]))
        chosen[best] += 1
        for i in members:
            held_out[i] = found[best][i]
    in_sample = max(combos, key=lambda c: score(found[c]))
    return CrossValidated(in_sample, held_out, chosen, len(by_fold))


def describe(combination: Combination) -> str:
    """``name=value, ...`` for printing."""
    return ", ".join(f"{n}={v:g}" for n, v in combination)


def measured_grid(
    paths: Sequence[Path],
    grid: Sequence[str],
    measure: Callable[[Assistant, list[EvalQuestion], list[Combination]], dict[Combination, list]],
) -> tuple[list[EvalQuestion], dict[Combination, list]]:
    """The answerable questions of ``paths`` and each ``grid`` combination's rows for
    them, measured by ``measure`` on the assistant the settings build."""
    questions = answerable_questions(paths)
    assistant = Assistant.from_settings(Settings())
    return questions, measure(assistant, questions, parse_grid(grid))


def answerable_questions(paths: Sequence[Path]) -> list[EvalQuestion]:
    """The answerable questions with key facts of the eval sets at ``paths``."""
    return [q for p in paths for q in load_questions(p) if q.answerable and q.key_facts]


def choices_made(cv: CrossValidated) -> str:
    """Which combination each fold chose, most chosen first."""
    return "chosen per fold: " + "; ".join(f"{dict(c)} x{n}" for c, n in cv.chosen.most_common())
