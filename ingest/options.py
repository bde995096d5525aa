"""The ingestion layer's options: how documents are chunked and which files are refused.

Defaults live here and only here; the settings object composes these models.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ChunkingOptions(BaseModel):
    """Token-sized, structure-aware chunking (tiktoken cl100k_base)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_tokens: int = Field(
        192,
        ge=32,
        le=2048,
        description="Largest chunk, in cl100k_base tokens (192 with k=4: see the README's "
        "sweep over the corpus and the library).",
    )
    min_tokens: int = Field(
        48, ge=0, description="A heading only starts a new chunk once the current one is this big."
    )

    @model_validator(mode="after")
    def _min_below_max(self) -> ChunkingOptions:
        if self.min_tokens >= self.max_tokens:
            raise ValueError(
                f"chunking.min_tokens ({self.min_tokens}) must be below "
                f"chunking.max_tokens ({self.max_tokens})"
            )
        return self


class IngestLimits(BaseModel):
    """What the ingestion job refuses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_file_mb: float = Field(
        25.0, gt=0, description="Files larger than this are refused with a clear error."
    )
    follow_links_outside: bool = Field(
        False,
        description="Read files that links inside the folder point to outside it (by "
        "default such links are skipped: a link must not leak a file into answers).",
    )

    @property
    def max_file_bytes(self) -> int:
        """The limit in bytes (MiB: 25 means 25 x 1024 x 1024)."""
        return int(self.max_file_mb * 1024 * 1024)
