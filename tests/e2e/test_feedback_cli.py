"""`nhsa feedback-export` as a user runs it: the chat's feedback becomes an eval file."""

from __future__ import annotations

from pathlib import Path

from feedback_records import abstention, cited_answer

from assistant.web.feedback import FeedbackStore
from evals.dataset import load_questions


def test_feedback_export_writes_an_eval_file_the_suite_loads(tmp_path: Path, nhsa):
    data_dir = tmp_path / "data"
    store = FeedbackStore.in_data_dir(data_dir)
    store.record(
        liked=False,
        question="What do they liaise with?",
        history=["What do High Cost Drug Pharmacists do?"],
        settings={},
        answer=cited_answer("What do they liaise with?", "pharmatimes-2022-nhs-personas"),
    )
    store.record(
        liked=True,
        question="Who runs Kent's ICB?",
        history=[],
        settings={},
        answer=abstention("Who runs Kent's ICB?"),
    )
    out = tmp_path / "feedback.jsonl"

    result = nhsa("feedback-export", "--out", out, "--data-dir", data_dir)

    assert result.returncode == 0, result.stderr
    questions = load_questions(out)
    assert [q.question for q in questions] == ["What do they liaise with?", "Who runs Kent's ICB?"]
    assert questions[0].history == ["What do High Cost Drug Pharmacists do?"]
    assert questions[0].expected_sources == ["pharmatimes-2022-nhs-personas"]
    assert questions[0].key_facts == [] and questions[0].answerable is True


def test_feedback_export_without_any_feedback_says_so_and_fails(tmp_path: Path, nhsa):
    result = nhsa("feedback-export", "--out", tmp_path / "x.jsonl", "--data-dir", tmp_path)
    assert result.returncode == 1
    assert "No feedback yet" in result.stderr
    assert not (tmp_path / "x.jsonl").exists()
