"""The offline answer: the few sentences of the retrieved passages that best answer, cited.

Sentences are scored by embedding similarity to the question and by how much of the
question's rarer vocabulary they contain; near-duplicates are dropped; the chosen
ones are grouped by document and kept in reading order. Nothing is written beyond
the documents' own sentences, except a date marker when they come from years apart.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from assistant.answering.abstention import gives_requested_figure, question_terms
from assistant.answering.evidence import Sentence
from assistant.answering.options import ComposeOptions
from assistant.retrieval.glossary import Glossary
from vectorstore.lexical import LexicalIndex

# A sentence opening with one of these leans on the sentence before it.
_LEANS_BACK = re.compile(
    r"^(they|them|their|it|its|this|these|those|he|she|his|her|such|"
    r"both|also|however|therefore|as such|in other words)\b",
    re.I,
)


# Questions that ask for more than one source's view: a comparison or a change over time.
_COMPARES = re.compile(
    r"\b(compar\w*|differ\w*|versus|vs\.?|chang\w*|evolv\w*|mov(e|es|ed|ing)|shift\w*"
    r"|transition\w*|over\s+time|between\b.+\band|how\s+(has|have)\b.+\bbeen)\b",
    re.I,
)


def asks_to_compare(question: str, years: list[int] | tuple[int, ...] = ()) -> bool:
    """Whether a question wants several documents side by side (a comparison, a change,
    or two years named); any other question is answered from one document."""
    return len(years) > 1 or bool(_COMPARES.search(question))


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
) -> list[ScoredSentence]:
    """Every sentence scored against the question, best first.

    With ``expand_acronyms`` a sentence saying "the RWB" matches a question about the
    "Regional Widget Board" (and vice versa).
    """
    wanted = question_terms(question)
    weights = {t: lexical.idf(t) for t in wanted}
    total = sum(weights.values()) or 1.0
    scored = []
    for sentence in sentences:
        similarity = float(np.dot(question_vector, sentence.vector))
        present = glossary.expanded_terms(sentence.text) if expand_acronyms else sentence.terms
        overlap = sum(w for t, w in weights.items() if t in present) / total
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


def select_sentences(
    scored: list[ScoredSentence],
    all_sentences: list[Sentence],
    params: ComposeOptions,
    years: list[int] | tuple[int, ...] = (),
    one_document: bool = False,
) -> list[Sentence]:
    """The best few distinct sentences, each with the sentence it leans on, in reading order.

    ``years`` are document years the question asks about ("between 2019 and 2022"): each
    gets its best sentence when one scores reasonably, so a "how did X change" answer
    shows both ends of the change. With ``one_document`` the sentences come from the
    document of the best one, or from a later document (which may say what has changed,
    dated in the answer): sentences stitched from different documents can pin one
    document's fact on another's subject.
    """
    if not scored:
        return []
    floor = scored[0].score * params.min_relative_score
    chosen: list[Sentence] = []
    by_place = {(s.chunk.id, s.position): s for s in all_sentences}
    for candidate in scored:
        if _introduces_missing_list(candidate.sentence, by_place):
            continue
        if candidate.score < floor or len(chosen) >= params.max_sentences:
            break
        if one_document and chosen and _not_a_later_word(candidate.sentence, chosen[0]):
            continue
        vector = candidate.sentence.vector
        if any(float(np.dot(vector, c.vector)) > params.near_duplicate for c in chosen):
            continue
        chosen.append(candidate.sentence)
    for year in years:
        if any(c.chunk.meta.year == year for c in chosen):
            continue
        best = next(
            (
                c
                for c in scored
                if c.sentence.chunk.meta.year == year
                and c.score >= floor * params.min_relative_score
                and not _introduces_missing_list(c.sentence, by_place)
            ),
            None,
        )
        if best is not None:
            chosen.append(best.sentence)
    # A chosen "They also ..." brings the sentence that says who "they" are.
    for sentence in list(chosen):
        before = by_place.get((sentence.chunk.id, sentence.position - 1))
        if _LEANS_BACK.match(sentence.text) and before is not None and before not in chosen:
            chosen.append(before)
    # Reading order: documents in order of their best sentence (oldest first when they
    # come from different years, so a change reads forwards), then position in the text.
    rank: dict[object, int] = {}
    for s in chosen:
        rank.setdefault(s.chunk.meta.source_id, len(rank))
    dated = len({s.chunk.meta.year for s in chosen}) > 1

    def order(s: Sentence) -> tuple:
        year = s.chunk.meta.year or 0
        return (year if dated else 0, rank[s.chunk.meta.source_id], s.start)

    return sorted(chosen, key=order)


def _not_a_later_word(sentence: Sentence, lead: Sentence) -> bool:
    """Whether ``sentence`` is from another document that is not newer than the lead's:
    only a later document may add to an answer, since it may say what has changed."""
    if sentence.chunk.source_id == lead.chunk.source_id:
        return False
    year, lead_year = sentence.chunk.meta.year, lead.chunk.meta.year
    return year is None or lead_year is None or year <= lead_year


def _introduces_missing_list(sentence: Sentence, by_place: dict) -> bool:
    # "... value propositions that show:" with no list after it says nothing by itself.
    if not sentence.text.rstrip().endswith(":"):
        return False
    following = by_place.get((sentence.chunk.id, sentence.position + 1))
    return following is None or following.is_heading


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
            )
        )
    return sentences, citations


def render_text(sentences) -> str:
    """The answer as one text: each sentence with its [n] markers (and date when shown)."""
    parts = []
    for s in sentences:
        marks = "".join(f"[{n}]" for n in s.citations)
        prefix = f"({s.dated}) " if s.dated else ""
        parts.append(f"{prefix}{s.text} {marks}".strip())
    return " ".join(parts)
