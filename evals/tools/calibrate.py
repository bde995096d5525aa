"""Choose the abstention thresholds by cross-validation split by document.

Runs the assistant with both thresholds at zero and records each question's signals
(evidence coverage, best sentence score; the rule-based refusals for names, figures and
posts stay on). Every question belongs to one document: an answerable question to its
first expected source, an unanswerable one to the document the search brought first
(so a question "near" a document is held out with it). For each document, thresholds are
chosen on the questions of all the other documents and applied to that document's
questions: the held-out figures are what a new document can expect. The in-sample
figures (chosen and scored on everything) are printed beside them; a large gap means
the thresholds fit particular questions, which is a bug to fix, not a number to tune.

The choice maximises refused-unanswerable minus WRONG_REFUSAL_COST x refused-answerable
(a user told "not in the documents" about something that is there stops trusting the
tool); among equally good thresholds, the middle of their range.

    python -m evals.tools.calibrate evals/datasets/dev.jsonl evals/datasets/library.jsonl
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from assistant.api import Assistant
from assistant.settings import Settings
from evals.dataset import load_questions

COVERAGE_GRID = np.round(np.arange(0.0, 0.71, 0.05), 2)
SCORE_GRID = np.round(np.arange(0.0, 0.61, 0.025), 3)
WRONG_REFUSAL_COST = 3.0


@dataclass(frozen=True)
class Signals:
    """One question's abstention signals, with thresholds at zero."""

    document: str  # the fold it is held out with
    answerable: bool
    coverage: float
    best_score: float
    refused_by_rule: bool


@dataclass(frozen=True)
class Thresholds:
    min_coverage: float
    min_sentence_score: float


def collect_signals(paths: Sequence[Path], settings: Settings) -> list[Signals]:
    """Signals of every question of ``paths`` (thresholds off)."""
    answer = settings.answer.model_copy(update={"min_coverage": 0.0, "min_sentence_score": 0.0})
    assistant = Assistant(settings.model_copy(update={"answer": answer}))
    rows = []
    for path in paths:
        for q in load_questions(path):
            a = assistant.ask(q.question, q.history or None, "extractive")
            nearest = a.retrieved[0].source_id if a.retrieved else "(none)"
            rows.append(
                Signals(
                    document=q.expected_sources[0] if q.expected_sources else nearest,
                    answerable=q.answerable,
                    coverage=a.signals.get("coverage", 0.0),
                    best_score=a.signals.get("best_sentence_score", 0.0),
                    refused_by_rule=a.abstained,
                )
            )
    return rows


def refuses(row: Signals, t: Thresholds) -> bool:
    """Whether the assistant refuses ``row`` under thresholds ``t``."""
    return (
        row.refused_by_rule
        or row.coverage < t.min_coverage
        or row.best_score < t.min_sentence_score
    )


def rates(rows: Sequence[Signals], t: Thresholds) -> tuple[float, float]:
    """(refused unanswerable, refused answerable) shares under ``t``."""
    unans = [refuses(r, t) for r in rows if not r.answerable]
    ans = [refuses(r, t) for r in rows if r.answerable]
    return (float(np.mean(unans)) if unans else 0.0, float(np.mean(ans)) if ans else 0.0)


def objective(rows: Sequence[Signals], t: Thresholds) -> float:
    """Refused unanswerable minus WRONG_REFUSAL_COST x refused answerable under ``t``."""
    ru, ra = rates(rows, t)
    return round(ru - WRONG_REFUSAL_COST * ra, 9)


def choose(rows: Sequence[Signals]) -> Thresholds:
    """The thresholds that do best on ``rows`` (see the module's objective).

    Many thresholds often do equally well: the questions fall either side of a wide gap.
    The choice is then the middle of that range, not an edge of it, so that a new
    document's questions, scored a little differently, fall on the same side of it."""
    scored = {
        (float(cov), float(score)): objective(rows, Thresholds(float(cov), float(score)))
        for cov, score in itertools.product(COVERAGE_GRID, SCORE_GRID)
    }
    top = max(scored.values())
    best = sorted(point for point, value in scored.items() if value == top)
    coverages = sorted({cov for cov, _ in best})
    cov = coverages[(len(coverages) - 1) // 2]
    scores = sorted(score for c, score in best if c == cov)
    return Thresholds(cov, scores[(len(scores) - 1) // 2])


def held_out(rows: Sequence[Signals]) -> tuple[list[bool], list[Thresholds]]:
    """Each question's refusal under thresholds chosen without its document's questions."""
    refused = [False] * len(rows)
    chosen = []
    for document in sorted({r.document for r in rows}):
        train = [r for r in rows if r.document != document]
        t = choose(train)
        chosen.append(t)
        for i, r in enumerate(rows):
            if r.document == document:
                refused[i] = refuses(r, t)
    return refused, chosen


def _shares(rows: Sequence[Signals], refused: Sequence[bool]) -> tuple[str, str]:
    unans = [f for f, r in zip(refused, rows, strict=True) if not r.answerable]
    ans = [f for f, r in zip(refused, rows, strict=True) if r.answerable]
    return f"{sum(unans)}/{len(unans)}", f"{sum(ans)}/{len(ans)}"


def main(paths: list[Path]) -> None:
    """Print in-sample and held-out (leave-one-document-out) refusals side by side."""
    rows = collect_signals(paths, Settings())
    everything = choose(rows)
    in_sample = [refuses(r, everything) for r in rows]
    out_of_sample, per_fold = held_out(rows)
    table = Table(title=f"abstention, {len({r.document for r in rows})} documents as folds")
    for column in ("", "refused unanswerable", "refused answerable"):
        table.add_column(column, justify="right")
    table.add_row("in-sample", *_shares(rows, in_sample))
    table.add_row("held-out (by document)", *_shares(rows, out_of_sample))
    console = Console()
    console.print(table)
    covs = sorted({t.min_coverage for t in per_fold})
    scores = sorted({t.min_sentence_score for t in per_fold})
    console.print(f"per-fold choices: min_coverage {covs}, min_sentence_score {scores}")
    console.print(
        f"chosen on all: min_coverage={everything.min_coverage} "
        f"min_sentence_score={everything.min_sentence_score}"
    )


if __name__ == "__main__":
    typer.run(main)
