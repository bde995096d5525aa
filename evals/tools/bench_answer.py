"""Answer benchmark: a thin call of the eval suite on the dev set, assistant against the
textbook LangChain pipeline in the same run, then warm latencies and peak memory.

    python -m evals.tools.bench_answer evals/datasets/dev.jsonl
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from rich.console import Console

from assistant.api import Assistant
from assistant.settings import Settings
from evals.dataset import EvalQuestion, load_questions
from evals.report import print_summary
from evals.runner import build_systems, evaluate


def time_questions(
    assistant: Assistant, questions: Sequence[EvalQuestion]
) -> tuple[list[float], list[float]]:
    """Milliseconds to retrieve for, and then to answer (extractive), each question."""
    retrieve_ms, answer_ms = [], []
    for q in questions:
        t0 = time.perf_counter()
        assistant.retrieve(q.question, q.history or None)
        t1 = time.perf_counter()
        assistant.ask(q.question, q.history or None, "extractive")
        t2 = time.perf_counter()
        retrieve_ms.append((t1 - t0) * 1000)
        answer_ms.append((t2 - t1) * 1000)
    return retrieve_ms, answer_ms


def main(questions_path: str) -> None:
    """Print quality for both systems, then warm retrieval and answer latency."""
    console = Console()
    settings = Settings()
    questions = load_questions(Path(questions_path))
    assistant = Assistant.from_settings(settings)
    k = settings.retrieval.k
    systems = build_systems(["assistant", "textbook"], ["extractive"], settings, assistant, k)
    results = [evaluate(s, questions, s.k) for s in systems]  # also warms every cache
    print_summary(results, console)
    retrieve_ms, answer_ms = time_questions(assistant, questions)
    a, t = results[0], results[1]
    gap = a["retrieval"]["fact_context_recall"] - t["retrieval"]["fact_context_recall"]
    console.print(
        f"key-fact context recall: assistant {a['retrieval']['fact_context_recall']:.3f}, "
        f"textbook {t['retrieval']['fact_context_recall']:.3f} (gap {gap:+.3f}; target >= "
        f"0.95 and >= +0.10)\n"
        f"context passed on: assistant {a['retrieval']['context_chars']:.0f} chars, textbook "
        f"{t['retrieval']['context_chars']:.0f} chars\n"
        f"warm retrieval p50 {np.percentile(retrieve_ms, 50):.1f} ms, p95 "
        f"{np.percentile(retrieve_ms, 95):.1f} ms (target p50 <= 30)\n"
        f"warm extractive answer p50 {np.percentile(answer_ms, 50):.1f} ms, p95 "
        f"{np.percentile(answer_ms, 95):.1f} ms (target p50 <= 250)\n"
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "evals/datasets/dev.jsonl")
