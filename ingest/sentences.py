"""A passage cut into the sentences an answer quotes: the same cut at ingest, where each
sentence is embedded and stored, and at question time, where the stored vectors are
matched back to the sentences by position. A sentence ingest flagged as an instruction
(``ingest.injection``) is not one of them: it is never embedded, scored or quoted."""

from __future__ import annotations

from ingest.chunking import split_blocks, split_sentences
from vectorstore.records import Chunk


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
                out.append((block.text.lstrip("# "), start, end, True, False))
            continue
        for start, end in split_sentences(block.text, block.start):
            text = chunk.text[start:end].strip()
            if text.startswith("- "):
                start, text = start + 2, text[2:]
            if len(text) > 2 and not flagged(base + start, base + end):
                out.append((text, base + start, base + end, False, block.kind == "bullet"))
    return out


def sentence_texts(chunk: Chunk) -> list[str]:
    """The texts of a chunk's sentences, in order (what ingest embeds)."""
    return [text for text, *_ in passage_sentences(chunk)]
