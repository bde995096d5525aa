"""Feedback on answers: stored in SQLite beside the store, exported as an eval file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from assistant.web.feedback import FeedbackStore, eval_rows
from evals.dataset import load_questions

SETTINGS = {"retrieval": {"k": 4}, "answer": {"mode": "extractive"}}


def cited_answer(question: str, *sources: str) -> dict:
    """An Answer as the chat keeps it (JSON), citing one passage of each source."""
    citations = [
        {"n": i, "source_id": s, "title": s.title(), "chunk_id": f"{s}#v#0", "passage": "..."}
        for i, s in enumerate(sources, start=1)
    ]
    return {
        "question": question,
        "text": "An answer. [1]",
        "abstained": False,
        "mode": "extractive",
        "citations": citations,
    }


def abstention(question: str) -> dict:
    return {
        "question": question,
        "text": "The documents do not answer this.",
        "abstained": True,
        "mode": "extractive",
        "citations": [],
    }


def test_a_thumbs_down_is_stored_with_question_answer_citations_and_settings(tmp_path: Path):
    store = FeedbackStore.in_data_dir(tmp_path)
    answer = cited_answer("Who leads an ICS?", "pharmatimes-2022-nhs-personas")
    feedback_id = store.record(
        liked=False,
        question="Who leads an ICS?",
        history=["Earlier?"],
        answer=answer,
        settings=SETTINGS,
    )
    assert store.add_comment(feedback_id, "  Missed the ICB chair.  ")

    db = sqlite3.connect(tmp_path / "feedback.sqlite3")
    row = db.execute(
        "SELECT rating, comment, question, history, citations, answer, settings FROM feedback"
    ).fetchone()
    assert row[0] == -1 and row[1] == "Missed the ICB chair."
    assert row[2] == "Who leads an ICS?" and json.loads(row[3]) == ["Earlier?"]
    assert json.loads(row[4])[0]["source_id"] == "pharmatimes-2022-nhs-personas"
    assert json.loads(row[5])["text"] == "An answer. [1]"
    assert json.loads(row[6]) == SETTINGS


def test_a_feedback_file_opens_again_without_rerunning_its_migrations(tmp_path: Path):
    FeedbackStore.in_data_dir(tmp_path).record(
        liked=True, question="Q?", history=[], answer=cited_answer("Q?", "a"), settings={}
    )
    again = FeedbackStore.in_data_dir(tmp_path)
    assert [r.question for r in again.records()] == ["Q?"]


def test_export_rows_cite_the_answers_sources_and_leave_key_facts_to_a_person(tmp_path: Path):
    store = FeedbackStore.in_data_dir(tmp_path)
    store.record(
        liked=True,
        question="Q1?",
        history=[],
        settings={},
        answer=cited_answer("Q1?", "doc-b", "doc-a", "doc-b"),
    )
    store.record(
        liked=False, question="Q2?", history=["Q1?"], settings={}, answer=abstention("Q2?")
    )
    rows = eval_rows(store.records())
    assert rows[0] == {
        "id": "feedback-1-up",
        "question": "Q1?",
        "history": [],
        "expected_sources": ["doc-b", "doc-a"],
        "key_facts": [],
        "answerable": True,
    }
    assert rows[1]["answerable"] is False and rows[1]["expected_sources"] == []
    assert [r["id"] for r in eval_rows(store.records(), "down")] == ["feedback-2-down"]


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
