"""The Python API: one facade over retrieval and answering.

    from assistant.api import Assistant
    bot = Assistant.from_settings()
    answer = bot.ask("Who buys services from integrated care providers?")

Models, the store and the indexes are loaded once and reused; the facade is safe to
share between a web server's threads.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from assistant import wiring
from assistant.abstention import AbstainParams, abstain_reason, coverage
from assistant.answer import Answer, citation_from_chunk
from assistant.conversation import standalone_question
from assistant.evidence import SentenceCache
from assistant.extractive import (
    ComposeParams,
    build_answer_parts,
    render_text,
    score_sentences,
    select_sentences,
)
from assistant.grounded.answer import llm_answer
from assistant.grounded.writer import GroundedWriter
from assistant.retrieval import HybridRetriever, Retrieval, RetrievalParams, years_asked
from assistant.settings import Settings


class Assistant:
    """Ask questions of the ingested documents; every answer sentence is cited."""

    def __init__(self, settings: Settings, store=None, embedder=None) -> None:
        self.settings = settings
        self.store = store or wiring.open_store(settings)
        self.embedder = embedder or wiring.embedder(settings)
        self.retriever = HybridRetriever(
            self.store,
            self.embedder,
            plain_params(RetrievalParams, settings.retrieval),
            passage_scorer=self._best_sentence_scores,
        )
        self.compose_params = plain_params(ComposeParams, settings.answer)
        self.abstain_params = plain_params(AbstainParams, settings.answer)
        self.sentences = SentenceCache(self.embedder)
        self.llm = wiring.llm(settings)

    def _best_sentence_scores(self, query: str, vector, chunks) -> list[float]:
        """Each passage's best sentence score for the query (the retriever's re-ranker)."""
        snap = self.retriever.snapshot()
        scored = score_sentences(
            query,
            vector,
            self.sentences.sentences(chunks),
            snap.lexical,
            self.compose_params,
            snap.glossary,
            expand_acronyms=False,  # measured: re-ranking on plain terms keeps more facts
        )
        best: dict[str, float] = {}
        for s in scored:
            key = s.sentence.chunk.id or ""
            best[key] = max(best.get(key, 0.0), s.score)
        return [best.get(c.id or "", 0.0) for c in chunks]

    @property
    def writer(self) -> GroundedWriter | None:
        """The grounded writer over the LLM endpoint, when one is configured."""
        if self.llm is None:
            return None
        return GroundedWriter(
            self.llm, self.embedder, self.sentences, self.settings.llm, self.settings.answer
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Assistant:
        """An assistant built from the environment's settings (or the ones given)."""
        return cls(settings or Settings())

    @property
    def mode(self) -> str:
        """The default answer mode: llm when an endpoint is configured and asked for."""
        return "llm" if self.settings.answer.mode == "llm" and self.llm else "extractive"

    def standalone(self, question: str, history: list[str] | None = None) -> str:
        """The question made to stand on its own (follow-ups resolved)."""
        if history and self.llm is not None and self.mode == "llm":
            return self.llm.rewrite_question(question, history)
        return standalone_question(question, history)

    def retrieve(
        self, question: str, history: list[str] | None = None, k: int | None = None
    ) -> Retrieval:
        """The passages retrieved for a question (after follow-up resolution)."""
        return self.retriever.search(self.standalone(question, history), k)

    def as_retriever(self, k: int | None = None):
        """This assistant's retrieval as a LangChain ``BaseRetriever``."""
        from assistant.langchain_retriever import AssistantRetriever

        return AssistantRetriever(assistant=self, k=k)

    def ask(
        self, question: str, history: list[str] | None = None, mode: str | None = None
    ) -> Answer:
        """A cited answer to ``question``, or an abstention that says what is nearest."""
        mode = mode or self.mode
        if mode == "llm" and self.llm is None:
            raise ValueError("mode 'llm' needs an endpoint: set NHSA_LLM__BASE_URL")
        t0 = time.perf_counter()
        standalone = (
            self.llm.rewrite_question(question, history)
            if mode == "llm" and history
            else standalone_question(question, history)
        )
        t1 = time.perf_counter()
        retrieval = self.retriever.search(standalone)
        t2 = time.perf_counter()
        answer = self._extractive(question, standalone, retrieval)
        t3 = time.perf_counter()
        answer.timings_ms.update(retrieval.timings_ms)
        answer.timings_ms.update(
            standalone=(t1 - t0) * 1000, retrieve=(t2 - t1) * 1000, compose=(t3 - t2) * 1000
        )
        if mode == "llm" and not answer.abstained:
            answer = llm_answer(self.writer, question, standalone, retrieval, answer)
            answer.timings_ms["llm"] = (time.perf_counter() - t3) * 1000
        answer.retrieved = [
            citation_from_chunk(rank, hit.chunk) for rank, hit in enumerate(retrieval.hits, start=1)
        ]
        answer.timings_ms["total"] = (time.perf_counter() - t0) * 1000
        return answer

    def _extractive(self, question: str, standalone: str, retrieval: Retrieval) -> Answer:
        snap = self.retriever.snapshot()
        chunks = [h.chunk for h in retrieval.hits]
        sentences = self.sentences.sentences(chunks)
        scored = score_sentences(
            standalone,
            np.asarray(retrieval.query_vector),
            sentences,
            snap.lexical,
            self.compose_params,
            snap.glossary,
        )
        years = years_asked(standalone, snap.published_years)
        chosen = select_sentences(scored, sentences, self.compose_params, years)
        evidence = [evidence_text(c) for c in chunks]
        cover = coverage(standalone, evidence, snap.lexical, snap.glossary)
        best = scored[0].score if scored else 0.0
        reason = abstain_reason(
            standalone,
            cover,
            best,
            [s.text for s in chosen],
            evidence,
            snap.glossary,
            self.abstain_params,
        )
        signals = {"coverage": round(cover, 4), "best_sentence_score": round(best, 4)}
        if reason or not chosen:
            nearest = nearest_topics(retrieval)
            text = "The documents do not answer this. " + (
                f"Nearest they come: {'; '.join(nearest)}." if nearest else ""
            )
            return Answer(
                question=question,
                standalone_question=standalone,
                text=text.strip(),
                abstained=True,
                abstain_reason=reason or "nothing relevant found",
                nearest=nearest,
                mode="extractive",
                signals=signals,
            )
        sentences_out, citations = build_answer_parts(chosen)
        return Answer(
            question=question,
            standalone_question=standalone,
            text=render_text(sentences_out),
            sentences=sentences_out,
            citations=citations,
            mode="extractive",
            signals=signals,
        )


def plain_params(kind, group):
    """The plain dataclass ``kind`` filled from the settings group's fields of the same name."""
    names = {f.name for f in dataclasses.fields(kind)}
    return kind(**group.model_dump(include=names))


def evidence_text(chunk) -> str:
    """A passage with the bibliographic facts that go with it (a question may name them)."""
    meta = chunk.metadata
    parts = [meta.get(k) for k in ("title", "author", "publisher", "section")]
    return "\n".join([*(p for p in parts if p), chunk.page_content])


def nearest_topics(retrieval: Retrieval, limit: int = 2) -> list[str]:
    """Titles and sections of the closest passages, to point the user somewhere."""
    seen: list[str] = []
    for hit in retrieval.hits:
        meta = hit.chunk.metadata
        label = f"“{meta.get('title') or meta.get('source_id')}”"
        if meta.get("section"):
            label += f", section “{meta['section']}”"
        if label not in seen:
            seen.append(label)
        if len(seen) == limit:
            break
    return seen
