"""Answer-quality metrics. No LLM judge: each metric is a plain, documented check.

Definitions (also printed in the HTML report):
- recall@k: share of answerable questions with a passage from an expected source in the top k
  (k: the passages the system passes on); recall@4 the same over the first four.
- MRR: mean of 1/rank of the first passage from an expected source (0 when none).
- key-fact context recall: share of key facts found in the retrieved passages.
- answer fact recall: share of key facts found in the answer text.
- fully answered: share of answerable questions whose answer holds every key fact.
- median answer length: characters of the answers given to answerable questions.
- grounding: share of answer sentences whose content words are (80%+) contained in the
  passages they cite; a check independent of the assistant's own verifier.
- citation precision: share of citations pointing to an expected source or to a passage
  holding a key fact; citation recall: share of answerable questions with such a citation.
- abstention: share of unanswerable questions refused; share of answerable ones refused.
- LLM mode: share of the model's sentences the verifier kept; share of answers that fell
  back to the extractive one.
- latency: p50 / p95 of end-to-end time per question, and p50 per stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from evals.dataset import EvalQuestion

_WORD = re.compile(r"[a-z0-9]+")
GROUNDING_STOPWORDS = frozenset(
    (
        "a an and are as at be been by for from has have in is it its of on or that "
        "the their them they this to was were will with which who what when where how "
        "also these those there than then can may not no so such into about"
    ).split()
)
SUPPORT_SHARE = 0.8


def fact_found(alternatives: list[str], text: str) -> bool:
    """A key fact is found when any alternative occurs, case-insensitively, in ``text``."""
    lowered = _normalise(text)
    return any(_normalise(a) in lowered for a in alternatives)


def _normalise(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").lower().split())


def content_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` minus a fixed list of function words."""
    return [w for w in _WORD.findall(_normalise(text)) if w not in GROUNDING_STOPWORDS]


def sentence_supported(sentence: str, passages: list[str]) -> bool:
    """Whether 80%+ of the sentence's content words occur in the cited passages."""
    words = content_words(sentence)
    if not words:
        return True
    pool = set(content_words(" ".join(passages)))
    return sum(w in pool for w in words) / len(words) >= SUPPORT_SHARE


@dataclass
class Outcome:
    """What a system produced for one question (the input of every metric)."""

    retrieved: list[tuple[str, str]]  # (source_id, passage text), best first
    answer: str
    sentences: list[tuple[str, list[str]]]  # (sentence, texts of the passages it cites)
    citations: list[tuple[str, str]]  # (source_id, passage text)
    abstained: bool
    timings_ms: dict[str, float] = field(default_factory=dict)
    # LLM mode only: sentences the model wrote, how many the verifier kept, and whether
    # the answer fell back to the extractive one.
    llm_written: int | None = None
    llm_kept: int | None = None
    llm_fallback: bool | None = None


def question_checks(q: EvalQuestion, o: Outcome, k: int) -> dict:
    """Every per-question check, as plain values (the report's per-question row)."""
    facts = q.fact_alternatives()
    top = o.retrieved[:k]
    context = "\n".join(p for _, p in top)
    expected = set(q.expected_sources)
    rank = next((i for i, (s, _) in enumerate(top, start=1) if s in expected), None)
    hit_at_4 = any(s in expected for s, _ in o.retrieved[:4])
    good_citations = [
        s in expected or any(fact_found(alts, p) for alts in facts) for s, p in o.citations
    ]
    supported = [sentence_supported(s, ps) for s, ps in o.sentences]
    return {
        "hit_at_k": rank is not None,
        "hit_at_4": hit_at_4,
        "reciprocal_rank": 1.0 / rank if rank else 0.0,
        "facts_in_context": [fact_found(a, context) for a in facts],
        "facts_in_answer": [fact_found(a, o.answer) for a in facts]
        if not o.abstained
        else [False] * len(facts),
        "supported_sentences": supported,
        "good_citations": good_citations,
        "abstained": o.abstained,
        "context_chars": len(context),
        "answer_chars": len(o.answer),
        "llm_written": o.llm_written,
        "llm_kept": o.llm_kept,
        "llm_fallback": o.llm_fallback,
    }


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else 0.0


def _llm_summary(checks: list[dict]) -> dict:
    """LLM mode: share of the model's sentences the verifier kept, and fallback rate."""
    asked = [c for c in checks if c.get("llm_fallback") is not None]
    if not asked:
        return {}
    written = sum(c["llm_written"] or 0 for c in asked)
    return {
        "kept_share": sum(c["llm_kept"] or 0 for c in asked) / written if written else 0.0,
        "fallback_rate": _mean([bool(c["llm_fallback"]) for c in asked]),
    }


def aggregate(questions: list[EvalQuestion], checks: list[dict], latencies: list[dict]) -> dict:
    """The summary metrics over all questions (numbers in 0..1 unless ms)."""
    answerable = [(q, c) for q, c in zip(questions, checks, strict=True) if q.answerable]
    unanswerable = [c for q, c in zip(questions, checks, strict=True) if not q.answerable]
    with_sources = [(q, c) for q, c in answerable if q.expected_sources]
    with_facts = [(q, c) for q, c in answerable if q.key_facts]
    answered = [(q, c) for q, c in answerable if not c["abstained"]]
    all_facts_ctx = [f for _, c in with_facts for f in c["facts_in_context"]]
    all_facts_ans = [f for _, c in with_facts for f in c["facts_in_answer"]]
    sentences = [s for c in checks if not c["abstained"] for s in c["supported_sentences"]]
    citations = [g for c in checks if not c["abstained"] for g in c["good_citations"]]
    totals = [t.get("total", 0.0) for t in latencies]
    stages = sorted({k for t in latencies for k in t if k != "total"})
    return {
        "retrieval": {
            "recall_at_k": _mean([c["hit_at_k"] for _, c in with_sources]),
            "recall_at_4": _mean([c["hit_at_4"] for _, c in with_sources]),
            "mrr": _mean([c["reciprocal_rank"] for _, c in with_sources]),
            "fact_context_recall": _mean(all_facts_ctx),
            "context_chars": _mean([c["context_chars"] for c in checks]),
        },
        "answer": {
            "fact_recall": _mean(all_facts_ans),
            "fully_answered": _mean([all(c["facts_in_answer"]) for _, c in with_facts]),
            # Length of the answers given to answerable questions: recall is not to be
            # bought with length.
            "median_chars": float(
                np.median([c.get("answer_chars", 0) for _, c in answered] or [0.0])
            ),
        },
        "grounding": {"supported_sentences": _mean(sentences)},
        "citations": {
            "precision": _mean(citations),
            "recall": _mean(
                [any(c["good_citations"]) and not c["abstained"] for _, c in answerable]
            ),
        },
        "abstention": {
            "refused_unanswerable": _mean([c["abstained"] for c in unanswerable]),
            "refused_answerable": _mean([c["abstained"] for _, c in answerable]),
        },
        "latency": {
            "p50_ms": float(np.percentile(totals, 50)) if totals else 0.0,
            "p95_ms": float(np.percentile(totals, 95)) if totals else 0.0,
            "stages_p50_ms": {
                s: float(np.percentile([t[s] for t in latencies if s in t], 50)) for s in stages
            },
        },
        "llm": _llm_summary(checks),
        "counts": {
            "questions": len(questions),
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
        },
    }
