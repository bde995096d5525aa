"""Answers stay in the lead sentence's document unless the question compares, or a later
document may say what has changed (answering/extractive.py)."""

from __future__ import annotations

import numpy as np

from assistant.answering.evidence import Sentence
from assistant.answering.extractive import ScoredSentence, asks_to_compare, select_sentences
from assistant.answering.options import ComposeOptions
from vectorstore.records import Chunk, ChunkMeta

OPTIONS = ComposeOptions()


def sentence(text: str, source: str, published: str, axis: int) -> Sentence:
    chunk = Chunk(f"{source}#0", text, ChunkMeta(source_id=source, published=published))
    vector = np.zeros(8)
    vector[axis] = 1.0  # orthogonal: no two sentences are near-duplicates
    return Sentence(text, chunk, 0, len(text), axis, False, vector)


LEAD = sentence("Tirzepatide goes up to 15 mg once weekly.", "tirzepatide", "2024-06", 0)
SAME_YEAR = sentence("Metformin is taken with meals.", "metformin", "2024-03", 1)
LATER = sentence("From 2025 the dose is capped at 10 mg.", "new-guide", "2025", 2)
EARLIER = sentence("In 2019 no such medicine was licensed.", "old-guide", "2019", 4)


def chosen(one_document: bool) -> list[str]:
    scored = [
        ScoredSentence(s, score, score, 0.0)
        for s, score in ((LEAD, 0.9), (SAME_YEAR, 0.85), (LATER, 0.8), (EARLIER, 0.78))
    ]
    picked = select_sentences(scored, [LEAD, SAME_YEAR, LATER, EARLIER], OPTIONS, (), one_document)
    return [s.chunk.source_id for s in picked]


def test_one_document_answers_leave_out_other_documents_of_the_time_or_earlier() -> None:
    assert "metformin" not in chosen(one_document=True)
    assert "old-guide" not in chosen(one_document=True)


def test_a_later_documents_word_on_the_point_is_kept() -> None:
    assert chosen(one_document=True) == ["tirzepatide", "new-guide"]


def test_without_the_rule_every_strong_sentence_is_kept() -> None:
    assert {"metformin", "old-guide"} <= set(chosen(one_document=False))


def test_comparisons_and_changes_are_recognised() -> None:
    assert asks_to_compare("How did the role of CCGs change after 2022?")
    assert asks_to_compare("What is the difference between an ICB and an ICP?")
    assert asks_to_compare("How has commissioning been moving to ICSs?")
    assert asks_to_compare("What happened?", years=[2019, 2022])
    assert not asks_to_compare("What is the maximum dose of tirzepatide?")
