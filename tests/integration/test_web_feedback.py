"""Feedback on answers: stored in SQLite beside the store, exported as an eval file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from feedback_records import SETTINGS, abstention, cited_answer

from assistant.web.feedback import FeedbackStore, eval_rows


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
