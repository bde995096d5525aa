"""The offline answer: the few sentences of the retrieved passages that best answer, cited.

Sentences are scored by embedding similarity to the question and by how much of the
question's rarer vocabulary they contain; near-duplicates are dropped; the chosen
ones are grouped by document and kept in reading order. Nothing is written beyond
the documents' own sentences, except a date marker when they come from years apart.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from assistant.answering.abstention import gives_requested_figure, question_terms
from assistant.answering.evidence import Sentence
from assistant.answering.options import ComposeOptions
from assistant.retrieval.glossary import Glossary
from vectorstore.lexical import LexicalIndex, terms

# A sentence opening with one of these leans on the sentence before it, also after a
# short opening phrase ("In most cases, these now operate at system level").
LEANS_BACK = re.compile(
    r"^(?:[A-Za-z][\w'’ -]{0,24},\s+)?(they|them|their|it|its|this|these|those|he|she|his|her|such|"
    r"both|also|however|therefore|as such|in other words|"
    r"that\s+(is|was|means|meant|will|would|has|had)\b)\b",
    re.I,
)

# "This paper asks the Board ...": the document speaking of itself leans on nothing.
_SELF_REFERENCE = re.compile(
    r"^(?:this|these)\s+(?:paper|report|document|guidance|policy|plan|framework|strategy|"
    r"section|chapter|article|page|briefing|update|assessment|summary|protocol|procedure|"
    r"terms\s+of\s+reference)s?\b",
    re.I,
)


def speaks_of_itself(sentence: Sentence) -> bool:
    """Whether the sentence is its document describing itself ("This chapter of the
    formulary covers ...", "These terms of reference replace version 2.1")."""
    return _SELF_REFERENCE.match(sentence.text) is not None


def leans_back(sentence: Sentence, before: Sentence | None) -> bool:
    """Whether ``sentence`` leans on ``before`` (the sentence ahead of it in its passage)
    for what it means: it opens with "they", "this", ... and what is before it is a
    sentence, not a heading."""
    return (
        before is not None
        and not before.is_heading
        and LEANS_BACK.match(sentence.text) is not None
        and not speaks_of_itself(sentence)
    )


_STATES_FIGURE = re.compile(r"\d")
# A line this long after a list's intro is a paragraph of its own, not the list's item
# (set by hand from how long list items run, not tuned on the eval questions).
_PARAGRAPH_WORDS = 20


@dataclass
class ScoredSentence:
    """A candidate sentence with its score parts."""

    sentence: Sentence
    score: float
    similarity: float
    overlap: float


def score_sentences(
    question: str,
    question_vector: np.ndarray,
    sentences: list[Sentence],
    lexical: LexicalIndex,
    params: ComposeOptions,
    glossary: Glossary,
    expand_acronyms: bool = True,
    named: Mapping[str, frozenset[str]] | None = None,
) -> list[ScoredSentence]:
    """Every sentence scored against the question, best first.

    With ``expand_acronyms`` a sentence saying "the RWB" matches a question about the
    "Regional Widget Board" (and vice versa). ``named`` gives, by document version, the
    question's words that name a document by its title: that document's sentences count
    as holding them ("in the 10 Year Health Plan" is where they are, not what they say).
    """
    named = named or {}
    wanted = question_terms(question, role_words=True)
    weights = {t: lexical.idf(t) for t in wanted}
    total = sum(weights.values()) or 1.0
    under = _headings_above(sentences) if params.heading_overlap > 0 else {}
    scored = []
    for sentence in sentences:
        similarity = float(np.dot(question_vector, sentence.vector))
        present = glossary.expanded_terms(sentence.text) if expand_acronyms else sentence.terms
        if title_words := named.get(sentence.chunk.meta.doc_version):
            present = present | title_words
        overlap = sum(w for t, w in weights.items() if t in present) / total
        if heading := under.get(id(sentence)):
            # "Support the public's health and promote self-care" answers a question about
            # prevention when it sits under "A greater focus on prevention".
            inherited = glossary.expanded_terms(heading) if expand_acronyms else terms(heading)
            overlap += params.heading_overlap * (
                sum(w for t, w in weights.items() if t in inherited and t not in present) / total
            )
        score = params.similarity_weight * similarity + (1 - params.similarity_weight) * overlap
        if sentence.is_heading:
            score *= 0.8  # a heading names a topic; a sentence usually answers better
        if gives_requested_figure(question, sentence.text, glossary):
            score += params.figure_bonus  # "how many X" is answered by "N X"
        scored.append(ScoredSentence(sentence, score, similarity, overlap))
    # A sentence right after a strong one often carries its substance ("The lead is
    # responsible for: ..." after "the role of the lead is crucial"): it inherits part
    # of its predecessor's score.
    for previous, current in itertools.pairwise(scored):
        # Only a sentence with some relevance of its own inherits: an unrelated one after
        # a strong sentence must not ride into the answer on its neighbour's score.
        related = current.overlap > 0 or current.similarity >= params.min_own_similarity
        if previous.sentence.chunk.id == current.sentence.chunk.id and related:
            current.score = max(current.score, params.carry_over * previous.score)
    return sorted(scored, key=lambda s: -s.score)


def _headings_above(sentences: list[Sentence]) -> dict[int, str]:
    """Each sentence's heading (by ``id``): the last heading line before it in its passage,
    else the heading the passage sits under."""
    found: dict[int, str] = {}
    current: dict[str, str] = {}
    for sentence in sentences:  # in passage order, as the sentence cache gives them
        key = sentence.chunk.id or ""
        if sentence.is_heading:
            current[key] = sentence.text
            continue
        heading = current.get(key, sentence.chunk.meta.section)
        if heading:
            found[id(sentence)] = heading
    return found


def select_sentences(
    scored: list[ScoredSentence],
    all_sentences: list[Sentence],
    params: ComposeOptions,
) -> list[Sentence]:
    """The best few distinct sentences, each with the sentence it leans on, in reading order
    (a briefing section's lines; answers are composed by ``compose``)."""
    if not scored:
        return []
    floor = scored[0].score * params.min_relative_score
    chosen: list[Sentence] = []
    by_place = {(s.chunk.id, s.position): s for s in all_sentences}
    for candidate in scored:
        if introduces_missing_list(candidate.sentence, by_place):
            continue
        if candidate.score < floor or len(chosen) >= params.max_sentences:
            break
        vector = candidate.sentence.vector
        if any(float(np.dot(vector, c.vector)) > params.near_duplicate for c in chosen):
            continue
        chosen.append(candidate.sentence)
    # A chosen "They also ..." brings the sentence that says who "they" are.
    for sentence in list(chosen):
        before = by_place.get((sentence.chunk.id, sentence.position - 1))
        if before is not None and leans_back(sentence, before) and before not in chosen:
            chosen.append(before)
    return reading_order(chosen)


def reading_order(chosen: list[Sentence]) -> list[Sentence]:
    """Documents in order of their first chosen sentence (oldest first when they come from
    different years, so a change reads forwards), then position in the text."""
    rank: dict[str, int] = {}
    for s in chosen:
        rank.setdefault(s.chunk.meta.source_id, len(rank))
    dated = len({s.chunk.meta.year for s in chosen}) > 1

    def order(s: Sentence) -> tuple[int, int, int]:
        year = s.chunk.meta.year or 0
        return (year if dated else 0, rank[s.chunk.meta.source_id], s.start)

    return sorted(chosen, key=order)


def introduces_missing_list(sentence: Sentence, by_place: dict) -> bool:
    """Whether a sentence only announces a list that is not there to follow it."""
    # "... value propositions that show:" with no list after it says nothing by itself;
    # "... needles that cost less than £3.00 per 100 needles:" does (a PDF's table that
    # follows it is often lost).
    if not sentence.text.rstrip().endswith(":") or _STATES_FIGURE.search(sentence.text):
        return False
    following = by_place.get((sentence.chunk.id, sentence.position + 1))
    if following is None or following.is_heading:
        return True
    # A whole sentence of its own where the items should be: the list was lost (a plain
    # text copy drops a web page's bullets). Items run short; a list written as lines
    # without bullets still reads as items, not as a paragraph that goes elsewhere.
    return not following.is_item and len(following.text.split()) >= _PARAGRAPH_WORDS


def build_answer_parts(chosen: list[Sentence], date_gap_years: int = 2):
    """Answer sentences and numbered citations (one per cited passage) for ``chosen``."""
    from assistant.answer import AnswerSentence, citation_from_chunk

    numbers: dict[str, int] = {}
    citations = []
    sentences = []
    years = {y for s in chosen if (y := s.chunk.meta.year) is not None}
    dated = len(years) > 1 and max(years) - min(years) >= date_gap_years
    for s in chosen:
        key = s.chunk.id or ""
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(citation_from_chunk(numbers[key], s.chunk, (s.start, s.end)))
        sentences.append(
            AnswerSentence(
                text=s.text,
                citations=[numbers[key]],
                dated=s.chunk.meta.published if dated else None,
                item=s.is_item,
            )
        )
    return sentences, citations


def render_text(sentences) -> str:
    """The answer as one text: each sentence with its [n] markers (and date when shown); a
    list's items on lines of their own, a run of them citing one passage marked once."""
    from assistant.answer import markers_shown

    parts = []
    for i, (s, marked) in enumerate(zip(sentences, markers_shown(sentences), strict=True)):
        marks = "".join(f"[{n}]" for n in s.citations) if marked else ""
        prefix = f"({s.dated}) " if s.dated else ""
        text = f"{prefix}{s.text} {marks}".strip()
        after_item = i > 0 and sentences[i - 1].item
        separator = "\n• " if s.item else ("\n" if after_item else " ")
        parts.append(separator + text)
    return "".join(parts).strip()
