"""The offline answer's options: how sentences are scored and chosen, and when to abstain.

The abstention thresholds come from ``make calibrate``; the rest from the dev set (README).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ComposeOptions(BaseModel):
    """The extractive composer: sentence scoring and selection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_sentences: int = Field(4, ge=1, le=10, description="Sentences in an extractive answer.")
    figure_bonus: float = Field(
        0.15,
        ge=0,
        le=1,
        description="Added to a sentence that gives the figure a "
        "'how many X' question asks for (a number next to X).",
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
    one_document: bool = Field(
        True,
        description="Answer from the document of the best sentence only, unless the "
        "question compares or asks what changed (no fact of one document pinned on "
        "another's subject).",
    )


class AbstainOptions(BaseModel):
    """When the documents do not answer: thresholds chosen by ``make calibrate``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_coverage: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Abstain below this share of "
        "the question's (idf-weighted) terms found in the evidence.",
    )
    min_sentence_score: float = Field(
        0.475, ge=0, le=1, description="Abstain when no sentence scores this much."
    )
