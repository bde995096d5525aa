"""A passage cut into the sentences an answer quotes: the same cut at ingest, where each
sentence is embedded and stored, and at question time, where the stored vectors are
matched back to the sentences by position. A sentence ingest flagged as an instruction
(``ingest.injection``) is not one of them: it is never embedded, scored or quoted."""

from __future__ import annotations

import re

from ingest.chunking import split_blocks, split_sentences
from vectorstore.records import Chunk

# "Ratified by: Joint Prescribing Group Date ratified: June 2024": a short line the
# chunker reads as a heading, but a label and its value state a fact, as a sentence does.
_FIELD = re.compile(r"^[A-Z][A-Za-z ()/-]{1,40}:\s+\S+(?:\s+\S+)")


def is_field_line(text: str) -> bool:
    """Whether a short unpunctuated line is a "label: value" pair (more than one value
    word), not a heading."""
    return bool(_FIELD.match(text))


def passage_sentences(chunk: Chunk) -> list[tuple[str, int, int, bool, bool]]:
    """(text, start, end, is_heading, is_item) for each sentence of a chunk that an answer
    may quote, spans in the document."""
    base = chunk.meta.start
    flagged = chunk.meta.is_flagged
    out = []
    for block in split_blocks(chunk.text):
        if block.kind == "heading":
            start, end = base + block.start, base + block.end
            if not flagged(start, end):
                text = block.text.lstrip("# ")
                heading = block.text.startswith("#") or not is_field_line(text)
                out.append((text, start, end, heading, False))
            continue
        for start, end in split_sentences(block.text, block.start):
            text = chunk.text[start:end].strip()
            # "- " marks an item; so does "o " in a list (Word's second-level bullet).
            if text.startswith("- ") or (block.kind == "bullet" and text.startswith("o ")):
                start, text = start + 2, text[2:]
            if len(text) > 2 and not flagged(base + start, base + end):
                out.append((text, base + start, base + end, False, block.kind == "bullet"))
    return out


def sentence_texts(chunk: Chunk) -> list[str]:
    """The texts of a chunk's sentences, in order (what ingest embeds)."""
    return [text for text, *_ in passage_sentences(chunk)]
