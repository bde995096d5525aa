"""The textbook LangChain pipeline, the baseline every run is compared with.

RecursiveCharacterTextSplitter 1000/200 over the raw files (no cleaning), the same
embedding model, Chroma similarity search top-4. Its "answer" is the top passage, so
retrieval metrics compare like for like.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from evals.dataset import EvalQuestion
from evals.metrics import Outcome
from ingest import loaders
from ingest.discovery import discover
from ingest.documents import DocumentError


class TextbookSystem:
    """Split, embed, similarity top-k: the pipeline of the LangChain tutorials."""

    name = "textbook"

    def __init__(self, folders: list[Path], embeddings: Embeddings, k: int = 4) -> None:
        self.k = k
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        texts, metadatas = [], []
        for folder in folders:
            for path in discover(Path(folder)).documents:
                try:
                    text = loaders.load(path, path.read_bytes()).text
                except (DocumentError, OSError):
                    continue
                texts.append(text)
                metadatas.append({"source_id": path.stem})
        chunks = splitter.create_documents(texts, metadatas=metadatas)
        client = chromadb.EphemeralClient(ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(
            collection_name=f"textbook-{uuid.uuid4().hex[:8]}",
            embedding_function=embeddings,
            client=client,
            collection_metadata={"hnsw:space": "cosine"},
        )
        self.store.add_documents(chunks)
        self.chunk_count = len(chunks)

    def config(self) -> dict:
        """What this system is, for the report."""
        return {
            "splitter": "RecursiveCharacterTextSplitter(1000, 200)",
            "k": self.k,
            "chunks": self.chunk_count,
            "search": "Chroma similarity",
        }

    def run(self, question: EvalQuestion) -> Outcome:
        """Top-k passages for the question; the answer is the first."""
        t0 = time.perf_counter()
        docs = self.store.similarity_search(question.question, k=self.k)
        elapsed = (time.perf_counter() - t0) * 1000
        retrieved = [(d.metadata.get("source_id", ""), d.page_content) for d in docs]
        top = retrieved[:1]
        return Outcome(
            retrieved=retrieved,
            answer=top[0][1] if top else "",
            sentences=[(top[0][1], [top[0][1]])] if top else [],
            citations=top,
            abstained=False,
            timings_ms={"total": elapsed, "retrieve": elapsed},
        )
