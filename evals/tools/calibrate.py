"""Choose the abstention thresholds on an eval set (never on single questions).

Runs the assistant with abstention switched off, records each question's signals
(evidence coverage, best sentence score), then searches the thresholds that refuse the
most unanswerable questions while refusing at most one answerable question in ten
(MAX_WRONG_REFUSALS: a user who is told "not in the documents" too often stops asking);
ties go to fewer wrong refusals, then to the lower thresholds.

    python -m evals.tools.calibrate evals/datasets/dev.jsonl
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

from assistant.api import Assistant
from assistant.settings import Settings
from evals.dataset import load_questions

COVERAGE_GRID = np.round(np.arange(0.0, 0.91, 0.05), 2)
SCORE_GRID = np.round(np.arange(0.0, 0.71, 0.025), 3)
MAX_WRONG_REFUSALS = 0.10


def collect_signals(
    questions_path: Path, settings: Settings
) -> list[tuple[bool, float, float, bool]]:
    """(answerable, coverage, best score, numeric check failed) per question."""
    answer = settings.answer.model_copy(update={"min_coverage": 0.0, "min_sentence_score": 0.0})
    assistant = Assistant(settings.model_copy(update={"answer": answer}))
    rows = []
    for q in load_questions(questions_path):
        a = assistant.ask(q.question, q.history or None, "extractive")
        # With both thresholds at 0, only the name and figure checks can refuse.
        numeric_refusal = a.abstained
        rows.append(
            (
                q.answerable,
                a.signals.get("coverage", 0.0),
                a.signals.get("best_sentence_score", 0.0),
                numeric_refusal,
            )
        )
    return rows


def best_thresholds(rows) -> tuple[float, float, float, float, float]:
    """(min_coverage, min_score, balanced accuracy, refused unanswerable, refused answerable)."""
    best = None
    for cov, score in itertools.product(COVERAGE_GRID, SCORE_GRID):
        refused = [r[3] or r[1] < cov or r[2] < score for r in rows]
        ans = [f for f, r in zip(refused, rows, strict=True) if r[0]]
        unans = [f for f, r in zip(refused, rows, strict=True) if not r[0]]
        ru, ra = float(np.mean(unans)), float(np.mean(ans))
        if ra > MAX_WRONG_REFUSALS:
            continue
        key = (ru, -ra, -cov, -score)
        if best is None or key > best[0]:
            best = (key, float(cov), float(score), ru, ra)
    if best is None:
        raise ValueError(f"no thresholds keep wrong refusals under {MAX_WRONG_REFUSALS}")
    _, cov, score, ru, ra = best
    return cov, score, (ru + 1 - ra) / 2, ru, ra


def main(path: str) -> None:
    """Print the signals' spread and the chosen thresholds."""
    rows = collect_signals(Path(path), Settings())
    for label, flag in (("answerable", True), ("unanswerable", False)):
        covs = [r[1] for r in rows if r[0] is flag]
        scores = [r[2] for r in rows if r[0] is flag]
        print(
            f"{label:13s} coverage p10/p50/p90 {np.percentile(covs, [10, 50, 90]).round(2)}  "
            f"score p10/p50/p90 {np.percentile(scores, [10, 50, 90]).round(3)}"
        )
    cov, score, bal, ru, ra = best_thresholds(rows)
    print(
        f"chosen: min_coverage={cov} min_sentence_score={score} -> balanced accuracy "
        f"{bal:.3f}, refused unanswerable {ru:.3f}, refused answerable {ra:.3f}"
    )


if __name__ == "__main__":
    main(sys.argv[1])
