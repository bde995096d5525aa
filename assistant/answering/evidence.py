"""Retrieved passages cut into sentences, each with its span and vector (cached per chunk)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ingest.chunking import split_blocks, split_sentences
from vectorstore.lexical import terms
from vectorstore.records import Chunk


@dataclass
class Sentence:
    """A sentence (or list item, or heading) of a retrieved passage."""

    text: str
    chunk: Chunk
    start: int  # span in the cleaned document
    end: int
    position: int  # order within its passage
    is_heading: bool
    vector: np.ndarray
    is_item: bool = False  # a list item (bullet or numbered line)

    @property
    def terms(self) -> frozenset[str]:
        """Stemmed content terms (computed once)."""
        cached = self.__dict__.get("_terms")
        if cached is None:
            cached = self.__dict__["_terms"] = frozenset(terms(self.text))
        return cached


def passage_sentences(chunk: Chunk) -> list[tuple[str, int, int, bool, bool]]:
    """(text, start, end, is_heading, is_item) for each sentence of a chunk, spans in the
    document."""
    base = chunk.meta.start
    out = []
    for block in split_blocks(chunk.text):
        if block.kind == "heading":
            out.append((block.text.lstrip("# "), base + block.start, base + block.end, True, False))
            continue
        for start, end in split_sentences(block.text, block.start):
            text = chunk.text[start:end].strip()
            if text.startswith("- "):
                start, text = start + 2, text[2:]
            if len(text) > 2:
                out.append((text, base + start, base + end, False, block.kind == "bullet"))
    return out


class SentenceCache:
    """Sentence vectors per chunk, so a passage is embedded once, not per question."""

    def __init__(self, embedder, capacity: int = 4096) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._cache: OrderedDict[str, list[Sentence]] = OrderedDict()
        self._lock = threading.Lock()

    def sentences(self, chunks: list[Chunk]) -> list[Sentence]:
        """Sentences of ``chunks``, in chunk order, embedding only chunks not seen before."""
        missing = [c for c in chunks if self._key(c) not in self._cache]
        if missing:
            parts = [(c, passage_sentences(c)) for c in missing]
            texts = [t for _, sents in parts for t, *_ in sents]
            vectors = self.embedder.encode(texts) if texts else np.zeros((0, 1))
            offset = 0
            with self._lock:
                for chunk, sents in parts:
                    self._cache[self._key(chunk)] = [
                        Sentence(text, chunk, start, end, i, heading, vectors[offset + i], item)
                        for i, (text, start, end, heading, item) in enumerate(sents)
                    ]
                    offset += len(sents)
                while len(self._cache) > self.capacity:
                    self._cache.popitem(last=False)
        with self._lock:
            return [s for c in chunks for s in self._cache.get(self._key(c), [])]

    @staticmethod
    def _key(chunk: Chunk) -> str:
        return f"{chunk.id}:{chunk.meta.doc_version}"
