"""Retrieval's options. Defaults chosen by measurement on the dev set (see the README's
sweep); the settings object composes this model, nothing else repeats it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RetrievalOptions(BaseModel):
    """Hybrid retrieval: dense and BM25 candidates, their fusion and re-ranking."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    k: int = Field(4, ge=1, le=50, description="Passages passed on to the answer.")
    dense_candidates: int = Field(40, ge=1, description="Chroma hits considered for fusion.")
    lexical_candidates: int = Field(40, ge=1, description="BM25 hits considered for fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking.")
    lexical_weight: float = Field(3.0, ge=0, description="Weight of the BM25 ranking.")
    expand_dense: bool = Field(
        False,
        description="Embed the question with the glossary's expansions appended, as BM25 "
        "searches it (off: the question's own words; cross-validated, see the README).",
    )
    rerank_candidates: int = Field(
        16, ge=0, description="Fused candidates re-ranked by their best sentence (0: off)."
    )
    rerank_weight: float = Field(
        0.3, ge=0, le=1, description="Best-sentence score's share of the re-ranked score."
    )
    per_source_cap: int = Field(
        0,
        ge=0,
        description="At most this many passages per document while others remain (0: no cap).",
    )
    near_duplicate: float = Field(
        0.9,
        gt=0,
        le=1,
        description=(
            "Candidates sharing at least this share of their words (Jaccard) with a better "
            "one are dropped: the same boilerplate in many documents takes one place, not k."
        ),
    )
    named_weight: float = Field(
        2.0,
        ge=0,
        description=(
            "Weight of a third ranking: the passages of the documents the question names "
            "by title, nearest first (0: off)."
        ),
    )
    named_max_documents: int = Field(
        1,
        ge=0,
        description="A title phrase shared by more documents than this names none of them.",
    )
