"""The pack laid out once as plain blocks; the Markdown, HTML and DOCX writers only
translate blocks. Text runs hold raw text (document text included): each writer
escapes it for its format, so nothing from a document is ever read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from assistant.answer import Citation
from assistant.briefing.model import Briefing, Card, Line, Section, TimelineEvent
from assistant.structure.model import StructureMap


@dataclass
class Run:
    """A piece of text; style is "", "bold", "italic" or "flag" (a warning)."""

    text: str
    style: str = ""


@dataclass
class Cite:
    """A citation marker [n], linked to the cited passage under Sources."""

    n: int


class BlockKind(StrEnum):
    """What a block of the laid-out pack is."""

    HEADING = "heading"  # level 1-3
    PARA = "para"
    NOTE = "note"
    ITEM = "item"  # a bullet
    REF = "ref"  # a cited passage entry
    FIGURE = "figure"  # the structure map (drawn by each writer in its format)


@dataclass
class Block:
    """A heading (level 1-3), para, note, item (bullet) or ref (a cited passage entry)."""

    kind: BlockKind
    parts: list[Run | Cite] = field(default_factory=list)
    level: int = 0
    anchor: str | None = None
    figure: StructureMap | None = None
    # The pack's citation number of each sentence the figure cites, by (passage, start).
    numbers: dict[tuple[str, int], int] = field(default_factory=dict)

    def text(self) -> str:
        """The block as plain text (citations as [n])."""
        return "".join(p.text if isinstance(p, Run) else f"[{p.n}]" for p in self.parts)


def ref_anchor(n: int) -> str:
    """The anchor of cited passage ``n`` (a valid HTML id and DOCX bookmark name)."""
    return f"ref_{n}"


def _cited(line: Line) -> list[Run | Cite]:
    lead = [Run(line.lead, "bold")] if line.lead else []
    return [*lead, Run(line.text), *(Cite(n) for n in line.citations)]


def _header(b: Briefing) -> list[Block]:
    facts = f"For {b.audience_label}"
    if b.focus:
        facts += f" · focus: {b.focus}"
    written = (
        "written by a language model, every sentence verified"
        if b.mode == "llm"
        else "extractive: every line quotes a document"
    )
    facts += f" · {written} · built {b.created}"
    return [
        Block(BlockKind.HEADING, [Run(b.title)], level=1),
        Block(BlockKind.NOTE, [Run(facts)]),
        Block(BlockKind.PARA, [Run(b.intro)]),
    ]


def _card(card: Card, labels: dict[str, str]) -> list[Block]:
    blocks = [Block(BlockKind.HEADING, [Run(card.role)], level=3)]
    for key, lines in card.facets.items():
        for line in lines:
            blocks.append(
                Block(BlockKind.ITEM, [Run(f"{labels.get(key, key)}: ", "bold"), *_cited(line)])
            )
    missing = [labels.get(key, key).lower() for key, lines in card.facets.items() if not lines]
    if missing:
        blocks.append(
            Block(BlockKind.NOTE, [Run(f"The documents do not say: {', '.join(missing)}.")])
        )
    return blocks


def _event(event: TimelineEvent) -> Block:
    parts: list[Run | Cite] = [Run(event.date.label, "bold")]
    if event.dated_by == "document":
        parts.append(Run(" (document date)", "italic"))
    parts += [Run(" — "), *_cited(event.line)]
    if event.superseded_by:
        parts.append(Run(f" Superseded: {event.superseded_by}.", "flag"))
    return Block(BlockKind.ITEM, parts)


def _quote(c: Citation) -> str:
    if c.quote_start is None or c.quote_end is None:
        return ""
    return c.passage[c.quote_start - c.start : c.quote_end - c.start].strip()


def _sources(section: Section, b: Briefing) -> list[Block]:
    blocks = [Block(BlockKind.HEADING, [Run(b.labels.get("documents", "Documents"))], level=3)]
    for source in section.sources:
        parts: list[Run | Cite] = [Run(source.reference)]
        if source.citations:
            parts.append(Run(" Cited as "))
            parts += [Cite(n) for n in source.citations]
        else:
            parts.append(Run(" Not cited in this pack.", "italic"))
        blocks.append(Block(BlockKind.ITEM, parts))
    blocks.append(
        Block(BlockKind.HEADING, [Run(b.labels.get("passages", "Cited passages"))], level=3)
    )
    for c in b.citations:
        parts = [Run(f"[{c.n}] ", "bold"), Run(c.title or c.source_id)]
        section_name = b.citation_sections.get(c.n)
        where = f", section “{section_name}”" if section_name else ""
        parts.append(Run(f"{where}, characters {c.start}–{c.end}."))
        if quote := _quote(c):
            parts.append(Run(f" “{quote}”", "italic"))
        blocks.append(Block(BlockKind.REF, parts, anchor=ref_anchor(c.n)))
    return blocks


def _figure(structure: StructureMap, b: Briefing) -> Block:
    caption = (
        "How the bodies, committees and roles the documents name fit together, by level. "
        "Each box and line carries the numbers of the passages that state it (listed under "
        "the map and under Sources); dashed boxes were replaced."
    )
    numbers = {(c.chunk_id, c.quote_start): c.n for c in b.citations if c.quote_start is not None}
    return Block(BlockKind.FIGURE, [Run(caption)], figure=structure, numbers=numbers)


def layout(b: Briefing) -> list[Block]:
    """Every block of the pack, in reading order."""
    blocks = _header(b)
    for section in b.sections:
        blocks.append(
            Block(BlockKind.HEADING, [Run(section.title)], level=2, anchor=f"sec_{section.key}")
        )
        if section.intro:
            blocks.append(Block(BlockKind.NOTE, [Run(section.intro)]))
        if section.figure is not None:
            blocks.append(_figure(section.figure, b))
        for topic in section.topics:
            if topic.heading:
                blocks.append(Block(BlockKind.HEADING, [Run(topic.heading)], level=3))
            blocks += [Block(BlockKind.ITEM, _cited(line)) for line in topic.lines]
        for card in section.cards:
            blocks += _card(card, b.labels)
        blocks += [_event(e) for e in section.events]
        for term in section.terms:
            first, *more = term.lines
            parts: list[Run | Cite] = [Run(term.term, "bold"), Run(" — "), *_cited(first)]
            if term.inferred:
                parts.append(
                    Run(" (never spelled out; long form as the documents use it)", "italic")
                )
            for line in more:
                parts += [Run(" — "), *_cited(line)]
            blocks.append(Block(BlockKind.ITEM, parts))
        for gap in section.gaps:
            parts = [Run(gap.question, "bold"), Run(f" Not answered: {gap.reason}.")]
            if gap.nearest:
                parts.append(Run(f" Nearest: {'; '.join(gap.nearest)}.", "italic"))
            blocks.append(Block(BlockKind.ITEM, parts))
        if section.sources:
            blocks += _sources(section, b)
        if section.note:
            blocks.append(Block(BlockKind.NOTE, [Run(section.note)]))
    return blocks
