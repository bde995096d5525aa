"""The assistant's hybrid retriever as a LangChain ``BaseRetriever``, for any LangChain app."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class AssistantRetriever(BaseRetriever):
    """Dense + BM25 retrieval with glossary expansion, returning the store's chunks."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any
    k: int | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        # The typed chunk becomes a Document here, at the LangChain edge, and nowhere else.
        return [hit.chunk.to_document() for hit in self.assistant.retrieve(query, k=self.k).hits]
