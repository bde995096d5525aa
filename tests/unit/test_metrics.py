"""Each eval metric on hand-made cases whose right value is known."""

from __future__ import annotations

import pytest

from evals.dataset import EvalQuestion
from evals.metrics import Outcome, aggregate, fact_found, question_checks, sentence_supported


def q(qid: str, answerable: bool = True, sources=("doc-a",), facts=("red fox",)) -> EvalQuestion:
    return EvalQuestion(
        id=qid,
        question=f"question {qid}?",
        expected_sources=list(sources),
        key_facts=list(facts),
        answerable=answerable,
    )


def outcome(retrieved, answer="", sentences=(), citations=(), abstained=False, ms=10.0):
    return Outcome(
        retrieved=list(retrieved),
        answer=answer,
        sentences=list(sentences),
        citations=list(citations),
        abstained=abstained,
        timings_ms={"total": ms},
    )


def test_fact_found_takes_any_alternative_case_insensitively():
    assert fact_found(["fourteen", "14 areas"], "There were 14 AREAS in all.")
    assert not fact_found(["fourteen"], "fifteen")


def test_fact_found_treats_curly_and_straight_quotes_alike():
    assert fact_found(["the 'system' level"], "at the ‘system’ level")


def test_sentence_is_supported_when_most_content_words_are_in_its_passages():
    passage = "The red fox jumps over the lazy dog near the river bank."
    assert sentence_supported("The red fox jumps over the dog.", [passage])
    assert not sentence_supported("The red fox eats purple grapes at noon.", [passage])


def test_recall_at_k_and_mrr_follow_the_rank_of_the_first_expected_source():
    checks = question_checks(q("1"), outcome([("doc-b", "x"), ("doc-a", "y")]), k=4)
    assert checks["hit_at_k"] is True
    assert checks["reciprocal_rank"] == pytest.approx(0.5)
    missed = question_checks(q("2"), outcome([("doc-b", "x"), ("doc-a", "y")]), k=1)
    assert missed["hit_at_k"] is False and missed["reciprocal_rank"] == 0.0


def test_fact_context_recall_counts_facts_in_the_top_k_passages_only():
    question = q("1", facts=("red fox", "blue whale"))
    checks = question_checks(
        question, outcome([("doc-a", "a red fox"), ("doc-b", "blue whale")]), k=1
    )
    assert checks["facts_in_context"] == [True, False]


def test_aggregate_gives_known_values_on_a_small_hand_made_run():
    questions = [
        q("1", facts=("red fox", "lazy dog")),
        q("2", facts=("blue whale",)),
        q("3", answerable=False, sources=(), facts=()),
    ]
    outcomes = [
        # fully answered, grounded, one good citation; retrieved doc-a first
        outcome(
            [("doc-a", "the red fox and the lazy dog")],
            answer="The red fox and lazy dog.",
            sentences=[("The red fox and the lazy dog.", ["the red fox and the lazy dog"])],
            citations=[("doc-a", "the red fox and the lazy dog")],
            ms=100,
        ),
        # wrongly refused; doc-a second
        outcome([("doc-c", "nothing"), ("doc-a", "blue whale")], abstained=True, ms=200),
        # unanswerable, answered with an ungrounded sentence and a bad citation
        outcome(
            [("doc-c", "cats sleep")],
            answer="Dogs fly planes.",
            sentences=[("Dogs fly planes.", ["cats sleep"])],
            citations=[("doc-c", "cats sleep")],
            ms=300,
        ),
    ]
    checks = [question_checks(qq, o, k=4) for qq, o in zip(questions, outcomes, strict=True)]
    result = aggregate(questions, checks, [o.timings_ms for o in outcomes])
    assert result["retrieval"]["recall_at_k"] == pytest.approx(1.0)
    assert result["retrieval"]["mrr"] == pytest.approx((1 + 0.5) / 2)
    assert result["retrieval"]["fact_context_recall"] == pytest.approx(1.0)
    assert result["answer"]["fact_recall"] == pytest.approx(2 / 3)
    assert result["answer"]["fully_answered"] == pytest.approx(0.5)
    assert result["grounding"]["supported_sentences"] == pytest.approx(0.5)
    assert result["citations"]["precision"] == pytest.approx(0.5)
    assert result["citations"]["recall"] == pytest.approx(0.5)
    assert result["abstention"]["refused_unanswerable"] == pytest.approx(0.0)
    assert result["abstention"]["refused_answerable"] == pytest.approx(0.5)
    assert result["latency"]["p50_ms"] == pytest.approx(200)
    assert result["latency"]["p95_ms"] == pytest.approx(290)


def test_a_refused_answer_counts_no_facts_even_if_its_text_had_them():
    checks = question_checks(
        q("1"), outcome([("doc-a", "red fox")], answer="red fox", abstained=True), k=4
    )
    assert checks["facts_in_answer"] == [False]
