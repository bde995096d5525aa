"""The product's result types: an answer whose every sentence carries its citations."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from vectorstore.records import Chunk


class AnswerMode(StrEnum):
    """How an answer is written: extractive (offline) or by an LLM, verified."""

    EXTRACTIVE = "extractive"
    LLM = "llm"


class Citation(BaseModel):
    """A passage that supports a statement, with everything needed to check it."""

    n: int = Field(description="Number shown in the answer text, [n].")
    source_id: str
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    published: str | None = Field(None, description="As precise as known: 2019, 2022-09, ...")
    kind: str | None = None
    chunk_id: str
    passage: str = Field(description="The cited passage (chunk) text.")
    start: int = Field(description="Passage start, in characters of the cleaned document.")
    end: int = Field(description="Passage end, in characters of the cleaned document.")
    quote_start: int | None = Field(None, description="Start of the quoted sentence, if any.")
    quote_end: int | None = Field(None, description="End of the quoted sentence, if any.")

    def label(self) -> str:
        """One-line reference: title, publisher or author, date, kind."""
        who = self.publisher or self.author
        parts = [p for p in (self.title, who, self.published, self.kind) if p]
        return " · ".join(parts) or self.source_id


class AnswerSentence(BaseModel):
    """One sentence of an answer and the citations that support it."""

    text: str
    citations: list[int] = Field(default_factory=list, description="Citation numbers.")
    dated: str | None = Field(
        None,
        description="The date of the document it comes from, "
        "shown when the answer mixes documents years apart.",
    )
    item: bool = Field(
        False,
        description="A list item or a table cell: shown on a line of its own, a run of "
        "items citing the same passages marked once, at its end.",
    )


def markers_shown(sentences: list[AnswerSentence]) -> list[bool]:
    """Whether each sentence's citation markers are shown after it: always, except on an
    item followed by an item citing the same passages (a run is marked once, at its end)."""
    following: list[AnswerSentence | None] = [*sentences[1:], None]
    return [
        not (s.item and nxt is not None and nxt.item and nxt.citations == s.citations)
        for s, nxt in zip(sentences, following, strict=True)
    ]


class Answer(BaseModel):
    """An answer, or an abstention, with its provenance and timings."""

    question: str
    standalone_question: str = Field(description="The question after follow-up resolution.")
    text: str
    sentences: list[AnswerSentence] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    abstained: bool = False
    abstain_reason: str | None = None
    nearest: list[str] = Field(
        default_factory=list,
        description="What the documents cover that is nearest, when the answer abstains.",
    )
    mode: AnswerMode = Field(AnswerMode.EXTRACTIVE, description="extractive | llm")
    fallback: bool = Field(False, description="LLM answer replaced by the extractive one.")
    fallback_reason: str | None = None
    removed_sentences: list[str] = Field(
        default_factory=list, description="LLM sentences the verifier removed."
    )
    retrieved: list[Citation] = Field(
        default_factory=list,
        description="Every passage retrieved, best first (n is the rank), cited or not.",
    )
    timings_ms: dict[str, float] = Field(default_factory=dict)
    signals: dict[str, float] = Field(
        default_factory=dict, description="What the abstention decision looked at."
    )

    def citation(self, n: int) -> Citation:
        """The citation numbered ``n``."""
        return next(c for c in self.citations if c.n == n)


class AnswerProgress(BaseModel):
    """An LLM answer while the model writes it: the sentences the verifier has passed so
    far, how many it removed, and the sentence being written (not yet checked)."""

    verified: list[str] = Field(default_factory=list)
    removed: int = 0
    draft: str = ""


def citation_from_chunk(n: int, chunk: Chunk, quote: tuple[int, int] | None = None) -> Citation:
    """A citation of a stored ``chunk``, optionally of a quote in it."""
    meta = chunk.meta
    return Citation(
        n=n,
        source_id=meta.source_id,
        title=meta.title,
        author=meta.author,
        publisher=meta.publisher,
        published=meta.published,
        kind=meta.kind,
        chunk_id=chunk.id,
        passage=chunk.text,
        start=meta.start,
        end=meta.end,
        quote_start=quote[0] if quote else None,
        quote_end=quote[1] if quote else None,
    )
