"""Run systems over an eval set and collect metrics: the Python API behind ``nhsa eval``.

from evals.runner import run_eval
results = run_eval("evals/datasets/dev.jsonl", systems=["assistant", "textbook"])
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from assistant.answer import Answer
from assistant.api import Assistant
from assistant.settings import Settings
from evals.dataset import EvalQuestion, load_questions
from evals.metrics import Outcome, aggregate, question_checks


class AssistantSystem:
    """The assistant in one answer mode."""

    def __init__(self, assistant: Assistant, mode: str, k: int | None = None) -> None:
        self.assistant = assistant
        self.mode = mode
        self.name = f"assistant-{mode}"
        self.k = k or assistant.settings.retrieval.k
        assistant.retriever.params.k = self.k

    def config(self) -> dict:
        """The settings that shape answers, for the report."""
        s = self.assistant.settings
        return {
            "mode": self.mode,
            "retrieval": s.retrieval.model_dump(),
            "answer": s.answer.model_dump(),
            "chunking": s.chunking.model_dump(),
            "llm": {"base_url": s.llm.base_url, "model": s.llm.model}
            if self.mode == "llm"
            else None,
        }

    def run(self, question: EvalQuestion) -> Outcome:
        """Ask the assistant and describe its answer for the metrics."""
        answer = self.assistant.ask(question.question, question.history or None, self.mode)
        return outcome_of(answer)


def outcome_of(answer: Answer) -> Outcome:
    """The metrics' view of an Answer."""
    by_n = {c.n: c for c in answer.citations}
    return Outcome(
        retrieved=[(c.source_id, c.passage) for c in answer.retrieved],
        answer="" if answer.abstained else answer.text,
        sentences=[
            (s.text, [by_n[n].passage for n in s.citations if n in by_n]) for s in answer.sentences
        ],
        citations=[(c.source_id, c.passage) for c in answer.citations],
        abstained=answer.abstained,
        timings_ms=dict(answer.timings_ms),
    )


def evaluate(
    system, questions: list[EvalQuestion], k: int, on_question: Callable[[], None] | None = None
) -> dict:
    """One system over all questions: summary metrics, config and per-question rows."""
    checks, latencies, rows = [], [], []
    for q in questions:
        t0 = time.perf_counter()
        outcome = system.run(q)
        outcome.timings_ms.setdefault("total", (time.perf_counter() - t0) * 1000)
        check = question_checks(q, outcome, k)
        checks.append(check)
        latencies.append(outcome.timings_ms)
        rows.append(
            {
                "id": q.id,
                "question": q.question,
                "history": q.history,
                "answerable": q.answerable,
                "expected_sources": q.expected_sources,
                "key_facts": q.key_facts,
                "retrieved_sources": [s for s, _ in outcome.retrieved[:k]],
                "answer": outcome.answer,
                "abstained": outcome.abstained,
                "citations": [s for s, _ in outcome.citations],
                "checks": check,
                "latency_ms": outcome.timings_ms.get("total", 0.0),
            }
        )
        if on_question:
            on_question()
    result = aggregate(questions, checks, latencies)
    result.update(system=system.name, config={**system.config(), "k": k}, per_question=rows)
    return result


def build_systems(
    names: list[str],
    modes: list[str],
    settings: Settings,
    assistant: Assistant | None = None,
    k: int | None = None,
) -> list:
    """The systems to compare: the assistant in each mode, and/or the textbook baseline."""
    systems: list = []
    if "assistant" in names:
        assistant = assistant or Assistant.from_settings(settings)
        for mode in modes:
            if mode == "llm" and assistant.llm is None:
                continue  # no endpoint configured: the LLM mode is not part of this run
            systems.append(AssistantSystem(assistant, mode, k))
    if "textbook" in names:
        from assistant import wiring
        from evals.textbook import TextbookSystem

        store = assistant.store if assistant else wiring.open_store(settings)
        folders = sorted({Path(r.root) for r in store.documents().values()})
        embedder = assistant.embedder if assistant else wiring.embedder(settings)
        systems.append(TextbookSystem(folders, embedder, 4))  # the tutorial's top-4, always
    return systems


def run_eval(
    questions_path: Path | str,
    systems: list[str] | None = None,
    modes: list[str] | None = None,
    k: int | None = None,
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    on_question: Callable[[], None] | None = None,
) -> list[dict]:
    """Every requested system over the eval set; one result dict per system."""
    settings = settings or Settings()
    questions = load_questions(Path(questions_path))
    k = k or settings.retrieval.k
    built = build_systems(
        systems or ["assistant", "textbook"], modes or ["extractive", "llm"], settings, assistant, k
    )
    return [evaluate(system, questions, getattr(system, "k", k), on_question) for system in built]
