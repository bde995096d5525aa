"""Eval files: the project's sets are valid and large enough; bad files are named precisely."""

from __future__ import annotations

import pytest
from conftest import ROOT

from evals.dataset import EvalSetError, load_questions

DATASETS = ROOT / "evals" / "datasets"
GOOD = (
    '{"id": "a", "question": "Who?", "expected_sources": ["d"], "key_facts": ["x"], '
    '"answerable": true}'
)


def test_dev_set_has_the_promised_shape():
    questions = load_questions(DATASETS / "dev.jsonl")
    answerable = [q for q in questions if q.answerable]
    sources = {s for q in answerable for s in q.expected_sources}
    assert len(questions) >= 60
    assert len(answerable) >= 40
    assert len([q for q in questions if not q.answerable]) >= 12
    assert len([q for q in questions if q.history]) >= 8
    assert len(sources) == 5
    assert len([q for q in answerable if len(q.expected_sources) >= 2]) >= 4


def test_smoke_set_is_valid_and_small():
    questions = load_questions(DATASETS / "smoke.jsonl")
    assert 8 <= len(questions) <= 30
    assert any(not q.answerable for q in questions)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '{"id": "a", "question": "Who?", "expected_sources": [], "key_facts": [], '
            '"answerable": "yes"}',
            "bad.jsonl line 2: field 'answerable'",
        ),
        (
            '{"id": "a", "question": "Who?", "key_facts": [], "answerable": false}',
            "field 'expected_sources'",
        ),
        (
            '{"id": "a", "question": "Who?", "expected_sources": [], "key_facts": [], '
            '"answerable": false, "notes": "x"}',
            "field 'notes'",
        ),
        (
            '{"id": "b", "question": "Who?", "expected_sources": [], "key_facts": [1], '
            '"answerable": false}',
            "field 'key_facts.0'",
        ),
        ("{not json", "line 2: not valid JSON"),
        ('["a list"]', "expected a JSON object"),
    ],
)
def test_malformed_line_is_reported_with_its_line_and_field(tmp_path, line, expected):
    path = tmp_path / "bad.jsonl"
    path.write_text(GOOD + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(EvalSetError) as caught:
        load_questions(path)
    assert expected in str(caught.value)


def test_duplicate_id_names_the_earlier_line(tmp_path):
    path = tmp_path / "dup.jsonl"
    path.write_text(GOOD + "\n" + GOOD + "\n", encoding="utf-8")
    with pytest.raises(
        EvalSetError, match=r"dup.jsonl line 2: field 'id': 'a' already used on line 1"
    ):
        load_questions(path)
