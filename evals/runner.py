"""Run systems over an eval set and collect metrics: the Python API behind ``nhsa eval``.

from evals.runner import run_eval
results = run_eval("evals/datasets/dev.jsonl", systems=["assistant", "textbook"])
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from assistant.answer import Answer
from assistant.api import Assistant
from assistant.settings import Settings
from evals.dataset import EvalQuestion, load_questions
from evals.metrics import Outcome, aggregate, question_checks


class System(Protocol):
    """What the eval suite compares: anything that answers an eval question."""

    name: str
    k: int  # passages it retrieves per question (recall@k is measured at this k)

    def run(self, question: EvalQuestion) -> Outcome:
        """Answer one question, described for the metrics."""
        ...

    def config(self) -> dict:
        """The settings that shape its answers, for the report."""
        ...


class AssistantSystem:
    """The assistant in one answer mode."""

    def __init__(self, assistant: Assistant, settings: Settings, mode: str, k: int) -> None:
        self.assistant = assistant
        self.settings = settings
        self.mode = mode
        self.name = f"assistant-{mode}"
        # Asked per question, never set on the shared retriever: two systems with
        # different k over one assistant must not change each other's results.
        self.k = k

    def config(self) -> dict:
        """The settings that shape answers, for the report."""
        s = self.settings
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
        answer = self.assistant.ask(
            question.question, question.history or None, self.mode, k=self.k
        )
        return outcome_of(answer)


def outcome_of(answer: Answer) -> Outcome:
    """The metrics' view of an Answer."""
    by_n = {c.n: c for c in answer.citations}
    llm = answer.mode == "llm" and not answer.abstained
    kept = 0 if answer.fallback else len(answer.sentences)
    return Outcome(
        retrieved=[(c.source_id, c.passage) for c in answer.retrieved],
        answer="" if answer.abstained else answer.text,
        sentences=[
            (s.text, [by_n[n].passage for n in s.citations if n in by_n]) for s in answer.sentences
        ],
        citations=[(c.source_id, c.passage) for c in answer.citations],
        abstained=answer.abstained,
        timings_ms=dict(answer.timings_ms),
        llm_written=kept + len(answer.removed_sentences) if llm else None,
        llm_kept=kept if llm else None,
        llm_fallback=answer.fallback if llm else None,
    )


def evaluate(
    system: System,
    questions: list[EvalQuestion],
    k: int,
    on_question: Callable[[], None] | None = None,
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
) -> list[System]:
    """The systems to compare: the assistant in each mode, and/or the textbook baseline."""
    from assistant import wiring

    systems: list[System] = []
    assistant = assistant or Assistant.from_settings(settings)
    if "assistant" in names:
        for mode in modes:
            if mode == "llm" and not assistant.llm_available:
                continue  # no endpoint configured: the LLM mode is not part of this run
            systems.append(AssistantSystem(assistant, settings, mode, k or settings.retrieval.k))
    if "textbook" in names:
        from evals.textbook import TextbookSystem

        folders = sorted({Path(r.root) for r in assistant.library()})
        # wiring.embedder is the process-wide model: the one the assistant already loaded.
        systems.append(TextbookSystem(folders, wiring.embedder(settings), 4))  # top-4, always
    return systems


def run_eval(
    questions: Path | str | list[EvalQuestion],
    systems: list[str] | None = None,
    modes: list[str] | None = None,
    k: int | None = None,
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    track: Callable[[str, int], Callable[[], None]] | None = None,
) -> list[dict]:
    """Every requested system over the eval set; one result dict per system.

    ``track(system_name, question_count)``, when given, returns the callable to call
    after each question (a progress bar's advance).
    """
    settings = settings or Settings()
    if not isinstance(questions, list):
        questions = load_questions(Path(questions))
    k = k or settings.retrieval.k
    built = build_systems(
        systems or ["assistant", "textbook"], modes or ["extractive", "llm"], settings, assistant, k
    )
    results = []
    for system in built:
        tick = track(system.name, len(questions)) if track else None
        results.append(evaluate(system, questions, system.k, tick))
    return results
