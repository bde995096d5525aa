"""Structured LLM output: the schema, and reading a reply (grounded/writer.py)."""

from __future__ import annotations

import json

import pytest

from assistant.grounded.client import response_formats
from assistant.grounded.writer import UnreadableOutput, cited_answer_schema, parse_structured


def test_the_schema_bounds_sentences_and_passage_numbers() -> None:
    schema = cited_answer_schema(max_sentences=3, passages=5)
    sentences = schema["properties"]["sentences"]
    numbers = sentences["items"]["properties"]["passages"]["items"]

    assert sentences["maxItems"] == 3
    assert (numbers["minimum"], numbers["maximum"]) == (1, 5)
    assert [f["type"] for f in response_formats(schema)] == ["json_schema", "json_object"]


def test_a_reply_becomes_sentences_with_their_markers() -> None:
    raw = json.dumps(
        {
            "sentences": [
                {"text": "ICBs plan  services.", "passages": [2]},
                {"text": "PCNs group practices.", "passages": [1, 3]},
            ],
            "answerable": True,
        }
    )

    assert parse_structured(raw) == ["ICBs plan services. [2]", "PCNs group practices. [1][3]"]


def test_a_reply_saying_it_cannot_answer_is_none() -> None:
    assert parse_structured('{"sentences": [], "answerable": false}') is None


def test_a_reply_cut_off_by_the_token_limit_keeps_its_complete_sentences() -> None:
    raw = '{"sentences": [{"text": "ICBs plan services.", "passages": [1]}, {"text": "They also buy'

    assert parse_structured(raw) == ["ICBs plan services. [1]"]


def test_a_reply_with_nothing_readable_is_an_error() -> None:
    with pytest.raises(UnreadableOutput):
        parse_structured("Sure! Here is the answer")
