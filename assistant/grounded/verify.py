"""Check each sentence of an LLM answer against the passages it cites.

A sentence stays only when the passages it cites support it twice over: a sentence of
theirs is close in meaning (embedding cosine) and most of its content words occur in
them (lexical support). Thresholds are settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.answering.evidence import Sentence
from vectorstore.lexical import terms

_MARKER = re.compile(r"\[(\d+)\]")
_STATEMENT_END = re.compile(r"[.!?;:]['’”\")]*$")


def is_fragment(text: str, max_words: int = 12) -> bool:
    """A short line with no closing punctuation ("The Future of Medicines Optimisation in
    ICSs"): a title or a heading copied out, not a statement that can answer."""
    return len(text.split()) <= max_words and not _STATEMENT_END.search(text.strip())


@dataclass
class Verdict:
    """One LLM sentence, the passages it cites and whether they support it."""

    text: str
    cited: list[int]
    similarity: float
    support: float
    supported: bool


def split_cited(sentence: str) -> tuple[str, list[int]]:
    """A sentence without its [n] markers, and the numbers it cited."""
    numbers = [int(n) for n in _MARKER.findall(sentence)]
    text = " ".join(_MARKER.sub("", sentence).split())
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return text, list(dict.fromkeys(numbers))


def lexical_support(sentence: str, passages: list[str]) -> float:
    """Share of the sentence's content terms that occur in the passages."""
    wanted = set(terms(sentence))
    if not wanted:
        return 0.0
    pool = set(terms(" ".join(passages)))
    return len(wanted & pool) / len(wanted)


def verify_sentences(
    sentences: list[str],
    passages: dict[int, list[Sentence]],
    embedder,
    min_similarity: float,
    min_support: float,
) -> list[Verdict]:
    """A verdict for each sentence; ``passages`` maps a passage number to its sentences."""
    cleaned = [split_cited(s) for s in sentences]
    texts = [t for t, _ in cleaned]
    vectors = embedder.encode(texts) if texts else np.zeros((0, 1))
    verdicts = []
    for (text, cited), vector in zip(cleaned, vectors, strict=True):
        # A heading is a topic, not a statement: an LLM "sentence" that only copies one
        # (a title, a section name) has nothing to be verified against.
        evidence = [s for n in cited for s in passages.get(n, []) if not s.is_heading]
        if not text or not evidence or is_fragment(text):
            verdicts.append(Verdict(text, cited, 0.0, 0.0, False))
            continue
        similarity = max(float(np.dot(vector, s.vector)) for s in evidence)
        support = lexical_support(text, [s.text for s in evidence])
        verdicts.append(
            Verdict(
                text,
                cited,
                similarity,
                support,
                similarity >= min_similarity and support >= min_support,
            )
        )
    return verdicts
