"""The Python API: one facade over retrieval and answering.

    from assistant.api import Assistant
    bot = Assistant.from_settings()
    answer = bot.ask("Who buys services from integrated care providers?")

Models, the store and the indexes are loaded once and reused; the facade is safe to
share between a web server's threads.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from assistant import wiring
from assistant.answer import Answer, AnswerMode, AnswerProgress, Citation, citation_from_chunk
from assistant.answering.abstention import (
    Stated,
    about_asked,
    abstain_reason,
    coverage,
    gives_requested_figure,
    question_terms,
)
from assistant.answering.compose import Request, compared_forms, compose
from assistant.answering.evidence import Sentence, SentenceCache
from assistant.answering.extractive import build_answer_parts, render_text, score_sentences
from assistant.answering.question_kind import (
    QuestionKind,
    asks_members,
    asks_what_it_does,
    asks_why,
    defined_term,
    defines,
    figure_asked,
    listed_noun,
    person_focus,
    question_kind,
)
from assistant.grounded.answer import llm_answer_stream
from assistant.grounded.writer import GroundedWriter
from assistant.retrieval.followups import standalone_question
from assistant.retrieval.hybrid import HybridRetriever, Retrieval, asks_now, years_asked
from assistant.retrieval.named import bibliography_words
from assistant.settings import Settings
from vectorstore.records import Chunk, ChunkMeta, DocumentRecord, chunk_id

if TYPE_CHECKING:  # types only: the briefing package and the store load on demand
    from assistant.briefing.context import BriefingInputs
    from assistant.grounded.client import LLMClient
    from assistant.structure.model import Evidence, StructureMap
    from vectorstore.chroma_store import ChunkStore
    from vectorstore.embeddings import SentenceEmbedder


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def checked_question(question: str) -> str:
    """``question`` as clean text, or ValueError when there is nothing to answer.

    Bytes that were not UTF-8 reach Python as lone surrogates (a shell's argument, say),
    which the tokenizer cannot take: they become U+FFFD, the replacement character.
    """
    text = _LONE_SURROGATE.sub("\ufffd", question).strip()
    if not text:
        raise ValueError("the question is empty: ask something, e.g. 'What is an ICB?'")
    return text


class Assistant:
    """Ask questions of the ingested documents; every answer sentence is cited."""

    def __init__(
        self,
        settings: Settings,
        store: ChunkStore | None = None,
        embedder: SentenceEmbedder | None = None,
        llm: LLMClient | None = None,
        sentences: SentenceCache | None = None,
    ) -> None:
        """Wire the parts; any part not given is built from ``settings`` (tests inject
        a scripted ``llm`` or an already-warm ``sentences`` cache)."""
        self._settings = settings
        self._store = store or wiring.open_store(settings)
        self._embedder = embedder or wiring.embedder(settings)
        self._retriever = HybridRetriever(
            self._store,
            self._embedder,
            settings.retrieval,
            passage_scorer=self._best_sentence_scores,
        )
        self._sentences = sentences or SentenceCache(
            self._embedder, stored=self._store.sentence_vectors
        )
        self._llm = llm or wiring.llm(settings)
        self._map: tuple[frozenset[str], StructureMap] | None = None
        self._map_lock = threading.Lock()

    def _best_sentence_scores(
        self, query: str, vector, chunks, named: dict[str, frozenset[str]]
    ) -> list[float]:
        """Each passage's best sentence score for the query (the retriever's re-ranker);
        ``named``: the documents the query names, with their title words."""
        snap = self._retriever.snapshot()
        scored = score_sentences(
            query,
            vector,
            self._sentences.sentences(chunks),
            snap.lexical,
            self._settings.answer,
            snap.glossary,
            expand_acronyms=False,  # measured: re-ranking on plain terms keeps more facts
            named=named,
        )
        # A definition question ranks the passage that defines the term higher: "what is
        # an IFR" wants "this request is called an IFR", not the IFR panel's procedure.
        defined = defined_term(query) if question_kind(query) == QuestionKind.DEFINITION else None
        acts = asks_what_it_does(query)
        best: dict[str, float] = {}
        for s in scored:
            key = s.sentence.chunk.id or ""
            bonus = (
                self._settings.answer.shape_bonus
                if defined and defines(s.sentence.text, defined, acts)
                else 0.0
            )
            best[key] = max(best.get(key, 0.0), s.score + bonus)
        return [best.get(c.id or "", 0.0) for c in chunks]

    def _next_passage(self, sentence: Sentence) -> list[Sentence]:
        """The sentences of the passage after ``sentence``'s in its document (one lookup
        by id: a list or a process may run on past a passage's end)."""
        meta = sentence.chunk.meta
        following = chunk_id(meta.source_id, meta.doc_version, meta.chunk_index + 1)
        return self._sentences.sentences(self._store.get([following]))

    def _writer(self) -> GroundedWriter | None:
        """The grounded writer over the LLM endpoint, when one is configured."""
        if self._llm is None:
            return None
        return GroundedWriter(
            self._llm, self._embedder, self._sentences, self._settings.llm, self._settings.answer
        )

    @property
    def llm_available(self) -> bool:
        """Whether an LLM endpoint is configured (the llm mode can be asked for)."""
        return self._llm is not None

    def library(self) -> list[DocumentRecord]:
        """The ingested documents, in source-id order."""
        # Without their findings: a listing needs none, and at 10,000 documents parsing
        # them takes seconds.
        return [r for _, r in sorted(self._store.documents(findings=False).items())]

    def document_text(self, source_id: str) -> str | None:
        """The whole cleaned text of an ingested document (to show a citation in context)."""
        return self._store.document_text(source_id)

    def structure_map(self, as_of: int | None = None) -> StructureMap:
        """How the NHS fits together as the documents tell it: bodies, committees and
        roles, the relations the documents state between them, each citing its sentence
        (``as_of``: as the documents published by the end of that year tell it). Built
        once per set of live documents."""
        from assistant.structure import as_of as at_year
        from assistant.structure import library_map

        versions = frozenset(r.version for r in self._store.live_documents(findings=False).values())
        with self._map_lock:
            if self._map is None or self._map[0] != versions:
                self._map = (versions, library_map(self._store))
            full = self._map[1]
        return at_year(full, as_of)

    def evidence_citation(self, evidence: Evidence, n: int) -> Citation:
        """A map's sentence as a chat citation numbered ``n``: its stored passage with the
        sentence quoted (the sentence alone, if the passage has since been replaced)."""
        chunks = self._store.get([evidence.chunk_id])
        if not chunks:  # the passage was replaced since: cite the sentence as its own passage
            meta = ChunkMeta(
                source_id=evidence.source_id,
                title=evidence.title,
                publisher=evidence.publisher,
                published=evidence.published,
                start=evidence.start,
                end=evidence.end,
            )
            chunks = [Chunk(evidence.chunk_id, evidence.text, meta)]
        return citation_from_chunk(n, chunks[0], (evidence.start, evidence.end))

    def briefing_inputs(self) -> BriefingInputs:
        """What a briefing pack is built from: this assistant's retrieval, sentences,
        model, composer options and writer (``assistant.briefing.build_briefing``)."""
        from assistant.briefing.context import BriefingInputs

        return BriefingInputs(
            retriever=self._retriever,
            sentences=self._sentences,
            embedder=self._embedder,
            compose=self._settings.answer,
            writer=self._writer(),
            library=self._store.documents,
            ask=self.ask,
            default_mode=self.mode,
            structure=self.structure_map,
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Assistant:
        """An assistant built from the environment's settings (or the ones given)."""
        return cls(settings or Settings())

    @property
    def mode(self) -> AnswerMode:
        """The default answer mode: llm when an endpoint is configured and asked for."""
        if self._settings.answer.mode == AnswerMode.LLM and self._llm:
            return AnswerMode.LLM
        return AnswerMode.EXTRACTIVE

    def standalone(self, question: str, history: list[str] | None = None) -> str:
        """The question made to stand on its own (follow-ups resolved)."""
        if history and self._llm is not None and self.mode == AnswerMode.LLM:
            return self._llm.rewrite_question(question, history)
        return standalone_question(question, history)

    def retrieve(
        self, question: str, history: list[str] | None = None, k: int | None = None
    ) -> Retrieval:
        """The passages retrieved for a question (after follow-up resolution)."""
        return self._retriever.search(self.standalone(question, history), k)

    def as_retriever(self, k: int | None = None):
        """This assistant's retrieval as a LangChain ``BaseRetriever``."""
        from assistant.retrieval.langchain_adapter import AssistantRetriever

        return AssistantRetriever(assistant=self, k=k)

    def ask(
        self,
        question: str,
        history: list[str] | None = None,
        mode: AnswerMode | str | None = None,
        k: int | None = None,
    ) -> Answer:
        """A cited answer to ``question``, or an abstention that says what is nearest.

        ``k`` overrides the number of passages retrieved for this question only.
        """
        *_, answer = self.ask_stream(question, history, mode, k)
        assert isinstance(answer, Answer)
        return answer

    def ask_stream(
        self,
        question: str,
        history: list[str] | None = None,
        mode: AnswerMode | str | None = None,
        k: int | None = None,
    ) -> Iterator[AnswerProgress | Answer]:
        """``ask`` as it happens: in LLM mode, progress while the model writes (sentences
        shown once the verifier passes them); last, always, the final ``Answer``."""
        question = checked_question(question)
        history = [checked_question(h) for h in history or [] if h.strip()] or None
        mode = AnswerMode(mode) if mode else self.mode
        if mode == AnswerMode.LLM and self._llm is None:
            raise ValueError("mode 'llm' needs an endpoint: set NHSA_LLM__BASE_URL")
        t0 = time.perf_counter()
        standalone = (
            self._llm.rewrite_question(question, history)
            if mode == AnswerMode.LLM and history
            else standalone_question(question, history)
        )
        t1 = time.perf_counter()
        retrieval = self._retriever.search(standalone, k)
        t2 = time.perf_counter()
        answer = self._extractive(question, standalone, retrieval)
        t3 = time.perf_counter()
        answer.timings_ms.update(retrieval.timings_ms)
        answer.timings_ms.update(
            standalone=(t1 - t0) * 1000, retrieve=(t2 - t1) * 1000, compose=(t3 - t2) * 1000
        )
        writer = self._writer()
        if mode == AnswerMode.LLM and writer is not None and not answer.abstained:
            max_sentences = self._settings.answer.max_sentences
            for event in llm_answer_stream(
                writer, question, standalone, retrieval, answer, max_sentences
            ):
                if isinstance(event, AnswerProgress):
                    yield event
                else:
                    answer = event
            answer.timings_ms["llm"] = (time.perf_counter() - t3) * 1000
        answer.retrieved = [
            citation_from_chunk(rank, hit.chunk) for rank, hit in enumerate(retrieval.hits, start=1)
        ]
        answer.timings_ms["total"] = (time.perf_counter() - t0) * 1000
        yield answer

    def _extractive(self, question: str, standalone: str, retrieval: Retrieval) -> Answer:
        snap = self._retriever.snapshot()
        chunks = [h.chunk for h in retrieval.hits]
        sentences = self._sentences.sentences(chunks)
        scored = score_sentences(
            standalone,
            np.asarray(retrieval.query_vector),
            sentences,
            snap.lexical,
            self._settings.answer,
            snap.glossary,
            named=bibliography_words(standalone, chunks, retrieval.named),
        )
        years = tuple(years_asked(standalone, snap.published_years))
        named_years = tuple(y for y in years if str(y) in standalone)
        kind = question_kind(standalone)
        asks_figure = figure_asked(standalone) is not None
        compares = kind == QuestionKind.CHANGE or len(years) > 1
        request = Request(
            kind=kind,
            defined=defined_term(standalone) if kind == QuestionKind.DEFINITION else None,
            acts=asks_what_it_does(standalone),
            weights={t: snap.lexical.idf(t) for t in question_terms(standalone)},
            years=years,
            between=named_years if len(named_years) > 1 else (),
            latest=max(snap.published_years)
            if asks_now(standalone) and snap.published_years
            else None,
            one_document=self._settings.answer.one_document and not compares,
            sides=compared_forms(standalone, snap.glossary),
            about_asked=about_asked(question, snap.glossary),
            post=tuple(person_focus(standalone)),
            listed=listed_noun(standalone) if kind == QuestionKind.LIST else None,
            why=asks_why(standalone),
            members=asks_members(standalone),
            figure=(
                (lambda text: bool(gives_requested_figure(standalone, text, snap.glossary)))
                if asks_figure
                else None
            ),
        )
        chosen = compose(scored, sentences, request, self._settings.answer, self._next_passage)
        evidence = [c.indexed_text for c in chunks]
        cover = coverage(standalone, evidence, snap.lexical, snap.glossary)
        best = scored[0].score if scored else 0.0
        reason = abstain_reason(
            standalone,
            cover,
            best,
            [
                Stated(
                    s.text,
                    f"{s.chunk.meta.title or ''} {s.chunk.meta.section}",
                    s.chunk.indexed_text,
                )
                for s in chosen
            ],
            evidence,
            snap.glossary,
            snap.lexical,
            self._settings.answer,
            own_words=question,
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
                mode=AnswerMode.EXTRACTIVE,
                signals=signals,
            )
        sentences_out, citations = build_answer_parts(chosen)
        return Answer(
            question=question,
            standalone_question=standalone,
            text=render_text(sentences_out),
            sentences=sentences_out,
            citations=citations,
            mode=AnswerMode.EXTRACTIVE,
            signals=signals,
        )


def nearest_topics(retrieval: Retrieval, limit: int = 2) -> list[str]:
    """Titles and sections of the closest passages, to point the user somewhere."""
    seen: list[str] = []
    for hit in retrieval.hits:
        meta = hit.chunk.meta
        label = f"“{meta.title or meta.source_id}”"
        if meta.section:
            label += f", section “{meta.section}”"
        if label not in seen:
            seen.append(label)
        if len(seen) == limit:
            break
    return seen
