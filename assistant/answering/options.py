"""The offline answer's options: how sentences are scored and chosen, and when to abstain.

The abstention thresholds come from ``make calibrate``; the rest from the dev set (README).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ComposeOptions(BaseModel):
    """The extractive composer: sentence scoring and selection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_sentences: int = Field(
        8,
        ge=1,
        le=10,
        description="Most sentences in an answer (chosen by cross-validation split by "
        "document, evals.tools.cv_answer: 8 in all 18 folds; max_chars still bounds length).",
    )
    figure_bonus: float = Field(
        0.15,
        ge=0,
        le=1,
        description="Added to a sentence that gives the figure a figure question asks "
        "for (a number next to X for 'how many X', a dose, an amount, a date or duration).",
    )
    min_own_similarity: float = Field(
        0.3,
        ge=0,
        le=1,
        description="A successor inherits only with this much similarity "
        "of its own (or some term overlap).",
    )
    carry_over: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Share of a sentence's score its "
        "successor inherits (it often carries the substance).",
    )
    min_relative_score: float = Field(
        0.6, ge=0, le=1, description="Keep sentences scoring at least this share of the best."
    )
    near_duplicate: float = Field(
        0.9,
        ge=0,
        le=1,
        description="Cosine above which two sentences count as saying the same thing.",
    )
    similarity_weight: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Embedding similarity's share of a sentence's score (the rest: term overlap).",
    )
    heading_overlap: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of a question word's weight a sentence gets when its heading, "
        "not the sentence, holds the word (0: off; 0.5 chosen by cv_answer in all 18 folds).",
    )
    max_chars: int = Field(
        680,
        ge=100,
        le=4000,
        description="Length an answer stays within (a list: max_chars_list); 680 chosen by "
        "cv_answer over 700/680/650 in all 18 folds, a median answer under the 700 goal.",
    )
    max_chars_list: int = Field(
        1100, ge=100, le=6000, description="Length a list answer may take to stay whole."
    )
    min_support_gain: float = Field(
        0.0,
        ge=0,
        le=1,
        description="A sentence beyond the lead's passage joins only when it adds this "
        "share of the question's (rarity-weighted) terms to the answer (0: off; 0.05 and "
        "0.1 cost 3-4 points of key-fact recall on the dev sets).",
    )
    shape_bonus: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Added to a sentence with the shape the question wants (a number "
        "for a figure question, 'X is' for a definition, a list for a list).",
    )
    one_document: bool = Field(
        True,
        description="Answer from the document of the best sentence only, unless the "
        "question compares or asks what changed (no fact of one document pinned on "
        "another's subject).",
    )
    later_documents_add: bool = Field(
        False,
        description="With one_document, a newer document may still add a sentence (it "
        "may say what has changed since). Off: on 2026-12-01 it cost 6 points of "
        "citation precision on the dev set and 5 on the library set, for no key fact.",
    )


class AbstainOptions(BaseModel):
    """When the documents do not answer: thresholds chosen by ``make calibrate``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_coverage: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Abstain below this share of "
        "the question's (idf-weighted) terms found in the evidence.",
    )
    min_sentence_score: float = Field(
        0.125, ge=0, le=1, description="Abstain when no sentence scores this much."
    )
