"""The Map tab: how the NHS fits together, drawn from the documents by level.

A click on a box opens its card (what it is, what it does, its level, what changed,
the roles in it and its relations), every line cited; a citation opens its passage in
the tab's source panel, exactly as a chat citation does. "Ask about this" starts a
chat question. The picture is our own SVG (matplotlib escapes the text it draws);
everything else is rendered from the template with autoescaping.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import gradio as gr  # at run time: Gradio reads the handlers' gr.EventData annotations
from jinja2 import Environment, PackageLoader

from assistant.structure.model import Edge, Evidence, Node, StructureMap
from assistant.structure.render import draw
from assistant.web import render

if TYPE_CHECKING:
    from assistant.api import Assistant

ALL_YEARS = "All years"
_REF = re.compile(r"^map-(\d+)$")


@dataclass
class CardLine:
    """A statement of a card, the sentence it rests on, and its citation number."""

    text: str
    quote: str = ""
    n: int | None = None


@dataclass
class Card:
    """A node's card as data: its sections of cited lines, and the sentences they cite."""

    node: Node
    kind_label: str
    level_label: str | None
    sections: list[tuple[str, list[CardLine]]] = field(default_factory=list)
    cited: list[Evidence] = field(default_factory=list)

    def cite(self, evidence: Evidence | None) -> int | None:
        """The number of ``evidence`` on this card (numbered on first use)."""
        if evidence is None:
            return None
        for n, seen in enumerate(self.cited, start=1):
            if (seen.source_id, seen.start, seen.text) == (
                evidence.source_id,
                evidence.start,
                evidence.text,
            ):
                return n
        self.cited.append(evidence)
        return len(self.cited)


@cache
def _macros() -> Any:
    env = Environment(loader=PackageLoader("assistant.web", "templates"), autoescape=True)
    return env.get_template("map.html.j2").module


def _render(macro: str, *args: Any) -> str:
    return str(getattr(_macros(), macro)(*args))


def year_of(choice: str | int | None) -> int | None:
    """The year an "as of" choice names (None for all years)."""
    text = str(choice or "")
    return int(text) if text.isdigit() else None


def ask_text(node: Node) -> str:
    """The chat question "Ask about this" starts."""
    if node.kind == "role":
        return f"What does the {node.name} do?"
    return f"What is the {node.label} and what does it do?"


def build_card(node: Node, structure: StructureMap, labels: dict[str, str]) -> Card:
    """Everything the map knows about ``node``, grouped for its card."""
    card = Card(node, labels.get(node.kind, node.kind), labels.get(node.level or ""))
    names = {n.id: n.label for n in structure.nodes}

    def line(text: str, evidence: Evidence | None) -> CardLine:
        return CardLine(text, evidence.text if evidence else "", card.cite(evidence))

    what, does = node.definitions[:2], node.about[:3]
    if what:
        card.sections.append(("What it is", [line(e.text, e) for e in what]))
    if does:
        card.sections.append(("What it does", [line(e.text, e) for e in does]))
    if not (what or does) and node.attested_by:
        card.sections.append(("Named in", [line(node.attested_by.text, node.attested_by)]))
    if node.level and node.level_evidence:
        card.sections.append(("Level", [line(card.level_label or node.level, node.level_evidence)]))
    edges = structure.edges_of(node.id)
    changed = [e for e in edges if e.relation in ("replaced_by", "merged_into")]
    if changed or node.superseded_by:
        card.sections.append(("What changed", [_edge_line(e, names, line) for e in changed]))
    roles = [
        e
        for e in edges
        if e.relation == "part_of" and e.target == node.id and _kind(structure, e.source) == "role"
    ]
    if roles:
        card.sections.append(("Roles in it", [line(names[e.source], e.evidence[0]) for e in roles]))
    others = [e for e in edges if e not in changed and e not in roles]
    if others:
        card.sections.append(("Relations", [_edge_line(e, names, line) for e in others]))
    return card


def _kind(structure: StructureMap, node_id: str) -> str | None:
    return next((n.kind for n in structure.nodes if n.id == node_id), None)


def _edge_line(edge: Edge, names: dict[str, str], line) -> CardLine:
    since = f" (from {edge.since})" if edge.relation in ("replaced_by", "merged_into") else ""
    return line(f"{names[edge.source]} {edge.label} {names[edge.target]}{since}", edge.evidence[0])


class MapView:
    """The tab's handlers, over the shared assistant (its map is built once per library)."""

    def __init__(self, assistant: Assistant, labels: dict[str, str]) -> None:
        self.assistant = assistant
        self.labels = labels  # level and kind keys -> labels (prompts/structure.toml)
        self._pictures: dict[int | None, str] = {}  # by "as of" year, for one library
        self._drawn_from: StructureMap | None = None
        self._lock = threading.Lock()

    def structure(self, choice: str | int | None) -> StructureMap:
        """The map as of the chosen year."""
        return self.assistant.structure_map(year_of(choice))

    def years(self) -> list[str]:
        """The "as of" choices: all years, then each year a document was published."""
        full = self.structure(None)
        years = sorted({y for n in full.nodes for y in n.years}, reverse=True)
        return [ALL_YEARS, *map(str, years)]

    def picture(self, choice: str | int | None) -> str:
        """The map as of the chosen year, as HTML holding its SVG (drawn once per map)."""
        structure = self.structure(choice)
        full, key = self.assistant.structure_map(None), structure.as_of
        with self._lock:
            if full is not self._drawn_from:  # the library changed: the pictures are stale
                self._pictures.clear()
                self._drawn_from = full
            if key not in self._pictures:
                if not structure.nodes:
                    self._pictures[key] = _render("empty_map", structure.as_of)
                else:
                    svg = draw(structure, "svg").decode("utf-8")
                    svg = svg[svg.index("<svg") :]  # no XML prologue inside HTML
                    self._pictures[key] = _render("picture", svg, structure, self.labels)
            return self._pictures[key]

    def search_choices(self, choice: str | int | None) -> list[tuple[str, str]]:
        """(label, node id) for the search box: name and acronym are both searchable."""
        return [(n.label, n.id) for n in self.structure(choice).nodes]

    def card(self, node_id: str | None, choice: str | int | None) -> str:
        """A node's card (a hint when none is chosen or it is not on this year's map)."""
        structure = self.structure(choice)
        try:
            node = structure.node(node_id or "")
        except KeyError:
            return _render("no_card", bool(node_id), structure.as_of)
        return _render("card", build_card(node, structure, self.labels))

    def select(self, evt: gr.EventData) -> str | None:
        """A click on a box: that node (its card is drawn next)."""
        return str(getattr(evt, "ref", "") or "") or None

    def open_citation(self, node_id: str | None, choice: str, evt: gr.EventData) -> str:
        """The source panel for a card's citation marker."""
        return self._panel(node_id, choice, getattr(evt, "ref", None), whole=False)

    def open_whole_document(self, node_id: str | None, choice: str, evt: gr.EventData) -> str:
        """The source panel showing the cited document in full."""
        return self._panel(node_id, choice, getattr(evt, "ref", None), whole=True)

    def _panel(self, node_id: str | None, choice: str, ref: str | None, whole: bool) -> str:
        match = _REF.match((ref or "").lstrip("#"))
        structure = self.structure(choice)
        try:
            node = structure.node(node_id or "")
        except KeyError:
            return render.empty_panel_html()
        cited = build_card(node, structure, self.labels).cited
        if match is None or not 1 <= int(match[1]) <= len(cited):
            return render.empty_panel_html()
        n = int(match[1])
        citation = self.assistant.evidence_citation(cited[n - 1], n)
        text = self.assistant.document_text(citation.source_id)
        return render.source_panel_html(citation, text, f"map-{n}", whole)

    def question(self, node_id: str | None, choice: str) -> str:
        """The question "Ask about this" puts in the chat."""
        try:
            return ask_text(self.structure(choice).node(node_id or ""))
        except KeyError:
            return ""
