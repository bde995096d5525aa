"""The briefing pack as data: sections of cited lines, cards, dated events, terms, gaps.

Renderers (Markdown, HTML, DOCX) read only these types. A ``Line`` keeps the passages
it cites as LangChain Documents until the pack is numbered; then ``citations`` holds
the numbers shown as [n] and ``Briefing.citations`` the passages they point to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from assistant.answer import Citation
from assistant.structure.model import StructureMap
from vectorstore.records import Chunk


@dataclass
class Line:
    """One statement of the pack and the passages it cites."""

    text: str
    chunks: list[Chunk] = field(default_factory=list, repr=False)
    quote: tuple[int, int] | None = None  # the sentence's span in its document
    written_by: str = "extractive"  # or "llm" (verified against the cited passages)
    citations: list[int] = field(default_factory=list)  # set by number_citations
    lead: str = ""  # shown in bold before the text: what the quote is about ("ICB part of ICS")

    @property
    def key(self) -> tuple[str, int] | None:
        """Where the sentence sits (document, offset): the same sentence is used once."""
        if self.quote is None or not self.chunks:
            return None
        return (self.chunks[0].meta.source_id, self.quote[0])


@dataclass
class Topic:
    """A sub-heading and its lines."""

    heading: str
    lines: list[Line] = field(default_factory=list)


class CardKind(StrEnum):
    """A card is about a named post, or about the members of a body."""

    ROLE = "role"
    MEMBERS = "members"


@dataclass
class Card:
    """Who's who: one role and what the documents say about it, by facet."""

    role: str
    kind: CardKind
    facets: dict[str, list[Line]]  # facet key -> lines, in the plan's facet order
    mentions: int = 0  # sentences naming the role

    def lines(self) -> list[Line]:
        """Every line of the card, facet by facet."""
        return [line for lines in self.facets.values() for line in lines]


@dataclass(frozen=True)
class DatePoint:
    """A date as precise as the text gives it, and how it sorts."""

    year: int
    month: int | None = None
    day: int | None = None
    label: str = ""

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Year, month, day; an unknown part sorts first within its year or month."""
        return (self.year, self.month or 0, self.day or 0)


@dataclass
class TimelineEvent:
    """A dated statement; ``superseded_by`` explains a later change to what it describes."""

    date: DatePoint
    line: Line
    dated_by: str  # "text" (a date in the sentence) or "document" (publication date)
    terms: list[str] = field(default_factory=list)  # glossary acronyms it mentions
    superseded_by: str | None = None


@dataclass
class Term:
    """A glossary entry: an acronym or term, its long form, and the cited definition."""

    term: str
    long: str | None
    lines: list[Line] = field(default_factory=list)
    inferred: bool = False  # the acronym is never spelled out next to its long form


@dataclass
class Gap:
    """A newcomer question the documents do not answer."""

    question: str
    reason: str
    nearest: list[str] = field(default_factory=list)


@dataclass
class Source:
    """A document of the store with its full reference."""

    source_id: str
    reference: str
    citations: list[int] = field(default_factory=list)


@dataclass
class Section:
    """One section of the pack; which lists are filled depends on ``key``."""

    key: str
    title: str
    intro: str = ""
    topics: list[Topic] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    note: str = ""
    figure: StructureMap | None = None  # the structure map, drawn after the intro

    def lines(self) -> Iterator[Line]:
        """Every cited line of the section, in reading order."""
        for topic in self.topics:
            yield from topic.lines
        for card in self.cards:
            yield from card.lines()
        for event in self.events:
            yield event.line
        for term in self.terms:
            yield from term.lines


@dataclass
class Briefing:
    """A whole pack, ready to render."""

    title: str
    intro: str
    audience: str
    audience_label: str
    focus: str | None
    mode: str  # "extractive" or "llm"
    created: str
    sections: list[Section] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    removed_sentences: list[str] = field(default_factory=list)  # LLM text the verifier cut
    fallbacks: list[str] = field(default_factory=list)  # sections where LLM text fell back
    citation_sections: dict[int, str] = field(default_factory=dict)  # n -> document section
    labels: dict[str, str] = field(default_factory=dict)  # facet and sub-heading labels
    build_seconds: float = 0.0

    def section(self, key: str) -> Section:
        """The section with ``key`` (KeyError names the keys present)."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"no section {key!r}; present: {[s.key for s in self.sections]}")

    def lines(self) -> Iterator[Line]:
        """Every cited line of the pack, in reading order."""
        for section in self.sections:
            yield from section.lines()

    def citation(self, n: int) -> Citation:
        """The cited passage numbered ``n``."""
        return next(c for c in self.citations if c.n == n)

    def stats(self) -> dict[str, int]:
        """How big the pack is."""
        lines = list(self.lines())
        words = sum(len(line.text.split()) for line in lines)
        has = {s.key: s for s in self.sections}
        return {
            "sections": len(self.sections),
            "lines": len(lines),
            "cards": len(has["people"].cards) if "people" in has else 0,
            "timeline_events": len(has["timeline"].events) if "timeline" in has else 0,
            "glossary_entries": len(has["glossary"].terms) if "glossary" in has else 0,
            "gaps": len(has["gaps"].gaps) if "gaps" in has else 0,
            "citations": len(self.citations),
            "line_words": words,
        }
