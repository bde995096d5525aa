"""Build the parts of the flow from the settings: the only place settings meet the layers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.settings import Settings

if TYPE_CHECKING:
    from vectorstore.chroma_store import ChunkStore
    from vectorstore.embeddings import SentenceEmbedder


def open_store(settings: Settings) -> ChunkStore:
    """The chunk store the settings point at (embedded on disk, or a Chroma server)."""
    from vectorstore.chroma_store import ChunkStore

    s = settings.store
    return ChunkStore.open(s.data_dir, s.collection, s.chroma_host, s.chroma_port)


def embedder(settings: Settings) -> SentenceEmbedder:
    """The process-wide embedding model."""
    from vectorstore.embeddings import shared_embedder

    return shared_embedder(settings.embedding.model_dir, settings.embedding.batch_size)


def llm(settings: Settings):
    """The LLM client when an endpoint is configured, else None."""
    if not settings.llm.base_url:
        return None
    from assistant.grounded.client import LLMClient

    return LLMClient.from_options(settings.llm)
