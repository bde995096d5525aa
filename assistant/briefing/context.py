"""What every section builder shares while one pack is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from assistant.answering.evidence import Sentence, SentenceCache
from assistant.briefing.plans import AudiencePlan, BriefingPlans
from assistant.briefing.statements import document_order
from assistant.retrieval.hybrid import HybridRetriever, KnowledgeSnapshot, Retrieval

if TYPE_CHECKING:  # types only
    from assistant.answer import Answer, AnswerMode
    from assistant.answering.options import ComposeOptions
    from assistant.grounded.writer import GroundedWriter
    from assistant.structure.model import StructureMap
    from vectorstore.records import DocumentRecord


class QueryVectors:
    """An embedder front that encodes a pack's many queries in one batch, then serves them.

    A pack runs dozens of plan queries; one batch is far cheaper than one call per query.
    """

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    def prepare(self, texts: list[str]) -> None:
        """Encode, in one batch, the texts not seen before."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vector in zip(missing, self.embedder.encode(missing), strict=True):
                self._vectors[text] = np.asarray(vector)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts`` (what the retriever asks of an embedder)."""
        self.prepare(texts)
        return np.asarray([self._vectors[t] for t in texts])


class Embedder(Protocol):
    """Anything that turns texts into normalised vectors."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class BriefingInputs:
    """What a pack is built from, handed over by the assistant (``briefing_inputs``)."""

    retriever: HybridRetriever
    sentences: SentenceCache
    embedder: Embedder
    compose: ComposeOptions
    writer: GroundedWriter | None  # None: no LLM endpoint configured
    library: Callable[[], dict[str, DocumentRecord]]
    ask: Callable[..., Answer]
    default_mode: AnswerMode
    # The structure map (Assistant.structure_map), drawn in the organisation section.
    structure: Callable[[], StructureMap] | None = None


@dataclass
class BuildContext:
    """The pack's inputs, the plans, the tailoring and the sentences already used."""

    parts: BriefingInputs
    plans: BriefingPlans
    audience: AudiencePlan
    focus: str | None
    mode: str
    emphasis: np.ndarray  # the audience's emphasis, embedded
    focus_vector: np.ndarray | None
    retriever: HybridRetriever
    used: set[tuple[str, int]] = field(default_factory=set)
    removed_sentences: list[str] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    _all: list[Sentence] | None = None

    @classmethod
    def create(
        cls,
        parts: BriefingInputs,
        plans: BriefingPlans,
        audience: str,
        focus: str | None,
        mode: str,
    ) -> BuildContext:
        """A context with the audience's emphasis (and the focus) embedded once."""
        plan = plans.audience(audience)
        queries = QueryVectors(parts.embedder)
        # The product's own retrieval and indexes, fed from the batch of the pack's queries.
        retriever = parts.retriever.sharing_indexes(queries)
        glossary = retriever.snapshot().glossary
        texts = [plan.emphasis, *([focus] if focus else [])]
        queries.prepare(texts + [glossary.expand(q) for q in plan_queries(plans, plan, focus)])
        vectors = queries.encode(texts)
        return cls(
            parts,
            plans,
            plan,
            focus,
            mode,
            vectors[0],
            vectors[1] if focus else None,
            retriever,
        )

    def snapshot(self) -> KnowledgeSnapshot:
        """The live chunks, lexical index and glossary the pack is built from."""
        return self.retriever.snapshot()

    def retrieve(self, query: str, k: int) -> Retrieval:
        """The best ``k`` passages for ``query`` (hybrid retrieval, as answers use)."""
        return self.retriever.search(query, k)

    def all_sentences(self) -> list[Sentence]:
        """Every sentence of every live document, in document order (embedded once)."""
        if self._all is None:
            chunks = self.snapshot().chunks
            self._all = document_order(self.parts.sentences.sentences(chunks))
        return self._all

    def bonus(self, vector: np.ndarray) -> float:
        """What the audience's emphasis and the focus add to a sentence's score."""
        extra = self.audience.emphasis_weight * float(np.dot(self.emphasis, vector))
        if self.focus_vector is not None:
            extra += self.plans.focus.weight * float(np.dot(self.focus_vector, vector))
        return extra


ProgressCallback = Callable[[str, int, int], None]


def plan_queries(plans: BriefingPlans, audience: AudiencePlan, focus: str | None) -> list[str]:
    """Every retrieval query the pack will run, as the builders will phrase them."""
    topics = [
        *plans.organisation.topics,
        *plans.medicines.topics,
        *(t for extra in audience.extra_topics.values() for t in extra),
    ]
    queries = [q for t in topics for q in t.queries]
    if focus:
        focus_queries = [q.format(focus=focus) for q in plans.focus.queries]
        queries += focus_queries + [f"{q} {focus}" for q in focus_queries[:1]]
        queries += [f"{t.queries[0]} {focus}" for t in topics]
    return queries + list(plans.timeline.queries)
