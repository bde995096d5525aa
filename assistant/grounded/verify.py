"""Check each sentence of an LLM answer against the passages it cites.

A sentence stays only when the passages it cites support it twice over: a sentence of
theirs is close in meaning (embedding cosine) and most of its content words occur in that
sentence or the ones either side of it (lexical support). Thresholds are settings. A
figure or a name the passages never state, or a question, never stays.

Instruction-like text a document holds (flagged at ingest, ``ingest.injection``) is never
evidence, and a sentence that reads as an instruction itself, or repeats a flagged span's
words or figures that no evidence has, never stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.answering.abstention import capitalised_words
from assistant.answering.evidence import Sentence, repeats_title
from ingest.injection import looks_like_injection
from vectorstore.lexical import terms

_MARKER = re.compile(r"\[(\d+)\]")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
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


def _words_and_figures(text: str) -> set[str]:
    return set(terms(text)) | set(_FIGURE.findall(text))


# Number words an LLM may write a figure in; "one" is left out ("one of the ...").
_NUMBER_WORDS = dict(
    zip(
        "two three four five six seven eight nine ten eleven twelve "
        "twenty thirty forty fifty sixty seventy eighty ninety".split(),
        [*map(str, range(2, 13)), *map(str, range(20, 100, 10))],
        strict=True,
    )
)
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


def figures(text: str) -> set[str]:
    """The figures ``text`` states, in digits ("four" and "4" are one figure, "15,000"
    and "15000" too)."""
    found = {f.replace(",", "") for f in _FIGURE.findall(text)}
    return found | {_NUMBER_WORDS[w.lower()] for w in _NUMBER_WORD.findall(text)}


def invents_a_figure(sentence: str, evidence: list[str]) -> bool:
    """Whether ``sentence`` states a figure none of the ``evidence`` states: however well
    its words match, "four regions" is not supported by a passage that says 42."""
    return bool(figures(sentence) - figures(" ".join(evidence)))


def _titles(cited: list[int], passages: dict[int, list[Sentence]]) -> list[str]:
    return sorted({s.chunk.meta.title or "" for n in cited for s in passages.get(n, [])})


def _stated_around(cited: list[int], passages: dict[int, list[Sentence]]) -> list[str]:
    """What the cited passages state, headings and their documents' titles included (a
    sentence may name "the 10 Year Health Plan" that its passage never repeats)."""
    said = [s.text for n in cited for s in passages.get(n, [])]
    return [*said, *_titles(cited, passages)]


def names(text: str) -> set[str]:
    """The names ``text`` uses, in lower case: its capitalised words but the first, and
    every acronym (the first word too)."""
    found = set(capitalised_words(text.strip()))
    first = text.strip().split()[:1]
    if first and sum(c.isupper() for c in first[0]) >= 2:
        found.add(first[0].strip(".,;:()"))
    return {n.lower() for n in found}


def copies_a_title(sentence: str, titles: list[str]) -> bool:
    """Whether ``sentence`` only repeats (part of) one of the documents' ``titles``
    ("The ten NHS personas industry should recognise.")."""
    return any(repeats_title(sentence, t) for t in titles if t)


def invents_a_name(sentence: str, evidence: list[str]) -> bool:
    """Whether ``sentence`` names someone or something none of the ``evidence`` names:
    "the blueprint was put together by NICE" is not supported by a passage that never
    mentions NICE, however many of its other words the passage holds."""
    said = " ".join(evidence).lower()
    # A plural is its singular's name ("Service Leads", "the Service Lead").
    bare = {n[:-1] if n.endswith("s") and len(n) > 3 else n for n in names(sentence)}
    return any(not re.search(rf"\b{re.escape(n)}", said) for n in bare)


def repeats_injection(sentence: str, evidence: list[str], flagged: list[str]) -> bool:
    """Whether ``sentence`` carries words or figures that no ``evidence`` sentence has and
    a ``flagged`` (instruction-like) span does: it took them from the injection."""
    if not flagged:
        return False
    novel = _words_and_figures(sentence) - _words_and_figures(" ".join(evidence))
    return bool(novel & _words_and_figures(" ".join(flagged)))


def verify_sentences(
    sentences: list[str],
    passages: dict[int, list[Sentence]],
    embedder,
    min_similarity: float,
    min_support: float,
    flagged: list[str] | None = None,
) -> list[Verdict]:
    """A verdict for each sentence; ``passages`` maps a passage number to its sentences
    (the quotable ones), ``flagged`` lists the passages' instruction-like spans."""
    flagged = flagged or []
    everything = [s.text for ss in passages.values() for s in ss]
    cleaned = [split_cited(s) for s in sentences]
    texts = [t for t, _ in cleaned]
    vectors = embedder.encode(texts) if texts else np.zeros((0, 1))
    verdicts = []
    for (text, cited), vector in zip(cleaned, vectors, strict=True):
        # A heading is a topic, not a statement: an LLM "sentence" that only copies one
        # (a title, a section name) has nothing to be verified against.
        evidence = [s for n in cited for s in passages.get(n, []) if not s.is_heading]
        around = _stated_around(cited, passages)
        if (
            not text
            or not evidence
            or is_fragment(text)
            or text.endswith("?")  # a question (the user's, echoed) answers nothing
            or copies_a_title(text, _titles(cited, passages))
            or looks_like_injection(text)
            or repeats_injection(text, everything, flagged)
            or invents_a_figure(text, around)
            or invents_a_name(text, around)
        ):
            verdicts.append(Verdict(text, cited, 0.0, 0.0, False))
            continue
        closeness = [float(np.dot(vector, s.vector)) for s in evidence]
        best = int(np.argmax(closeness))
        similarity = closeness[best]
        # The words must be where the meaning is: in the closest sentence and its
        # neighbours, not gathered from across the passages ("Service Leads are the
        # heads" from one sentence's "Service Leads" and another's "heads").
        window = evidence[max(0, best - 1) : best + 2]
        support = lexical_support(text, [s.text for s in window])
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
