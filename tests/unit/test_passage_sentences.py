"""How a passage is cut into the sentences an answer may quote: headings, fields, items."""

from __future__ import annotations

from ingest.sentences import is_field_line, passage_sentences
from vectorstore.records import Chunk, ChunkMeta

TEXT = (
    "Document ratification details\n"
    "Ratified by: Joint Prescribing Group Date ratified: June 2024\n"
    "Review date: June 2027\n"
    "The group meets monthly and publishes its decisions.\n"
)


def test_a_label_and_its_value_is_a_statement_not_a_heading() -> None:
    chunk = Chunk("d#0", TEXT, ChunkMeta(source_id="d", end=len(TEXT)))
    parts = {text: heading for text, _, _, heading, _ in passage_sentences(chunk)}

    assert parts["Document ratification details"] is True
    assert parts["Ratified by: Joint Prescribing Group Date ratified: June 2024"] is False
    assert parts["Review date: June 2027"] is False


def test_field_lines() -> None:
    assert is_field_line("Version number: 2 (December 2024)")
    assert not is_field_line("Contents:")
    assert not is_field_line("Summary: overview")  # one value word reads as a title
    assert not is_field_line("the board: who sits on it")  # lower case: no label


def test_a_second_level_o_bullet_is_an_item_without_its_glyph() -> None:
    text = "Use it first for:\no patients with a high HbA1c\no patients near surgery"
    chunk = Chunk("d#0", text, ChunkMeta(source_id="d", end=len(text)))
    items = [(t, start) for t, start, _, _, item in passage_sentences(chunk) if item]

    assert [t for t, _ in items] == ["patients with a high HbA1c", "patients near surgery"]
    assert all(text[start : start + len(t)] == t for t, start in items)  # spans still fit
