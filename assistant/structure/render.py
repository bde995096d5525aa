"""The structure map drawn by level (matplotlib): SVG for the web and the briefing's
HTML, PNG for DOCX and files. Every box and every line carries the numbers of the
documents that state it, listed under the picture.

In the SVG each box is a group with id ``node-<id>`` and each line ``edge-<n>``, so the
web tab can make them clickable without a second drawing.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.structure.model import Evidence, Node, StructureMap

_ROW_WIDTH = 4  # boxes per row: a level with more wraps onto a second row
_BOX_W, _BOX_H = 2.3, 0.9  # inches
_GAP_X, _GAP_Y = 0.5, 0.9
_MARGIN = 1.3  # inches left of the boxes, for the row labels
_DRAWING = threading.Lock()
_KIND_COLOURS = {"body": "#dbeafe", "committee": "#fef3c7", "role": "#dcfce7"}
_RELATION_COLOURS = {
    "replaced_by": "#b91c1c",
    "merged_into": "#c2410c",
    "part_of": "#1d4ed8",
    "accountable_to": "#7c3aed",
    "commissions": "#047857",
    "advises": "#a16207",
}


@dataclass
class Sources:
    """The documents a drawing cites, numbered in order of first use."""

    numbers: dict[str, int]
    evidence: dict[str, Evidence]

    @classmethod
    def of(cls, structure: StructureMap) -> Sources:
        numbers: dict[str, int] = {}
        evidence: dict[str, Evidence] = {}
        cited = [e for n in structure.nodes for e in node_citations(n)]
        cited += [e for edge in structure.edges for e in edge.evidence]
        for e in cited:
            if e.source_id not in numbers:
                numbers[e.source_id] = len(numbers) + 1
                evidence[e.source_id] = e
        return cls(numbers, evidence)

    def marks(self, evidence: list[Evidence]) -> str:
        """ "[1, 3]" for these sentences' documents."""
        ns = sorted({self.numbers[e.source_id] for e in evidence})
        return f"[{', '.join(map(str, ns))}]" if ns else ""


def node_citations(node: Node) -> list[Evidence]:
    """What a box cites: its description and, if placed, the sentence that places it."""
    return [e for e in (node.attested_by, node.level_evidence, node.superseded_evidence) if e]


def rows(
    structure: StructureMap, labels: dict[str, str] | None = None
) -> list[tuple[str, list[Node]]]:
    """(row label, nodes) top to bottom: each level with a node, then the unplaced ones by
    kind; within a row, nodes near the ones they relate to in the rows above."""
    labels = labels or {}
    out = []
    for level in structure.levels:
        out.append((level.label, [n for n in structure.nodes if n.level == level.key]))
    for kind in ("body", "committee", "role"):
        members = [n for n in structure.nodes if n.level is None and n.kind == kind]
        out.append((f"{_PLURAL.get(kind, kind)}, level not stated", members))
    return _ordered([(label, members) for label, members in out if members], structure)


_PLURAL = {"body": "Bodies", "committee": "Committees", "role": "Roles"}


def _ordered(
    rows_: list[tuple[str, list[Node]]], structure: StructureMap
) -> list[tuple[str, list[Node]]]:
    """Each row sorted by the mean position of its nodes' neighbours in the rows above
    (the barycentre heuristic), so that lines cross less; by name where none is above."""
    neighbours: dict[str, set[str]] = {}
    for edge in structure.edges:
        neighbours.setdefault(edge.source, set()).add(edge.target)
        neighbours.setdefault(edge.target, set()).add(edge.source)
    placed: dict[str, float] = {}
    out = []
    for label, members in rows_:
        by_name = sorted(members, key=lambda n: n.name.lower())

        def centre(node: Node, fallback: float) -> float:
            xs = [placed[m] for m in neighbours.get(node.id, ()) if m in placed]
            return sum(xs) / len(xs) if xs else fallback

        width = max(len(by_name) - 1, 1)
        ordered = sorted(by_name, key=lambda n: centre(n, by_name.index(n) / width))
        for i, node in enumerate(ordered):
            placed[node.id] = i / width
        out.append((label, ordered))
    return out


def layout(
    structure: StructureMap,
) -> tuple[dict[str, tuple[float, float]], list[tuple[str, float]], float, float]:
    """Box centres (inches), row labels with their height, and the drawing's size."""
    positions: dict[str, tuple[float, float]] = {}
    labels: list[tuple[str, float]] = []
    lines: list[tuple[str, list[Node]]] = []
    for label, members in rows(structure):
        for i in range(0, len(members), _ROW_WIDTH):
            lines.append((label if i == 0 else "", members[i : i + _ROW_WIDTH]))
    width = _MARGIN + _ROW_WIDTH * (_BOX_W + _GAP_X)
    height = max(1, len(lines)) * (_BOX_H + _GAP_Y) + 0.4
    for r, (label, members) in enumerate(lines):
        y = height - 0.4 - (r + 0.5) * (_BOX_H + _GAP_Y)
        if label:
            labels.append((label, y))
        span = len(members) * (_BOX_W + _GAP_X) - _GAP_X
        x0 = _MARGIN + (width - _MARGIN - span) / 2 + _BOX_W / 2
        for i, node in enumerate(members):
            positions[node.id] = (x0 + i * (_BOX_W + _GAP_X), y)
    return positions, labels, width, height


def draw(
    structure: StructureMap,
    fmt: str,
    title: str | None = None,
    cite: Callable[[list[Evidence]], str] | None = None,
) -> bytes:
    """The map as ``fmt`` ("svg" or "png") bytes. Each box and line is marked with the
    numbers of the documents it cites, listed under the picture; or, with ``cite``, with
    the marks it gives (a briefing pack's own citation numbers, listed in the pack)."""
    import matplotlib

    # rcParams are global: one drawing at a time (the web app draws from many threads).
    # A fixed salt: the SVG's element ids, so its bytes, are the same for the same map.
    style: dict[str, Any] = {
        "svg.fonttype": "none",
        "font.family": "DejaVu Sans",
        "svg.hashsalt": "nhsa-map",
    }
    with _DRAWING, matplotlib.rc_context(style):  # type: ignore[arg-type]
        # Text stays text in the SVG: searchable, and a tenth of the size of glyph outlines.
        return _drawn(structure, fmt, title, cite)


def _drawn(
    structure: StructureMap,
    fmt: str,
    title: str | None,
    cite: Callable[[list[Evidence]], str] | None,
) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    sources = Sources.of(structure)
    marks = cite or sources.marks
    positions, labels, width, height = layout(structure)
    notes = [] if cite else _source_lines(sources)
    notes_height = 0.35 + 0.22 * len(notes) if notes else 0.1
    fig = Figure(figsize=(width, height + notes_height + 0.6))
    ax = fig.add_axes(
        (
            0,
            (notes_height) / (height + notes_height + 0.6),
            1,
            height / (height + notes_height + 0.6),
        )
    )
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    heading = title or (
        f"How the NHS fits together, as of {structure.as_of}"
        if structure.as_of
        else "How the NHS fits together"
    )
    fig.text(
        0.01,
        1 - 0.25 / (height + notes_height + 0.6),
        heading,
        fontsize=14,
        weight="bold",
        va="top",
    )
    for label, y in labels:
        ax.text(
            0.1, y, "\n".join(textwrap.wrap(label, 14)), fontsize=9, weight="bold",
            va="center", color="#334155",
        )  # fmt: skip
        ax.plot([0.1, width - 0.1], [y + (_BOX_H + _GAP_Y) / 2] * 2, color="#e2e8f0", lw=0.8)
    for node in structure.nodes:
        x, y = positions[node.id]
        superseded = node.superseded_by is not None
        box = FancyBboxPatch(
            (x - _BOX_W / 2, y - _BOX_H / 2),
            _BOX_W,
            _BOX_H,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor="#f1f5f9" if superseded else _KIND_COLOURS.get(node.kind, "#f8fafc"),
            edgecolor="#64748b" if superseded else "#1e293b",
            linestyle="--" if superseded else "-",
            lw=1.0,
            gid=f"node-{node.id}",
        )
        ax.add_patch(box)
        text = "\n".join(textwrap.wrap(node.label, 24)[:3])
        mark = marks(node_citations(node))
        if superseded:
            mark = f"replaced {mark}".strip()
        ax.text(
            x,
            y + 0.06,
            text,
            ha="center",
            va="center",
            fontsize=9,
            color="#0f172a",
            gid=f"node-{node.id}-label",
        )
        ax.text(
            x, y - _BOX_H / 2 + 0.1, mark, ha="center", va="bottom", fontsize=7.5, color="#475569"
        )
    for n, edge in enumerate(structure.edges):
        if edge.source not in positions or edge.target not in positions:
            continue
        (x1, y1), (x2, y2) = positions[edge.source], positions[edge.target]
        colour = _RELATION_COLOURS.get(edge.relation, "#334155")
        arrow = FancyArrowPatch(
            (x1, y1),
            (x2, y2),
            arrowstyle="-|>",
            mutation_scale=10,
            color=colour,
            lw=1.1,
            connectionstyle="arc3,rad=0.15",
            shrinkA=28,
            shrinkB=28,
            gid=f"edge-{n}",
        )
        ax.add_patch(arrow)
        ax.text(
            (x1 + x2) / 2,
            (y1 + y2) / 2 + 0.12,
            f"{edge.label} {marks(edge.evidence)}",
            ha="center",
            fontsize=7.5,
            color=colour,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85},
        )
    for i, line in enumerate(notes):
        fig.text(
            0.01,
            (notes_height - 0.3 - i * 0.22) / (height + notes_height + 0.6),
            line,
            fontsize=7,
            color="#334155",
            va="top",
        )
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=110 if fmt == "png" else 72, metadata=_metadata(fmt))
    return out.getvalue()


def _metadata(fmt: str) -> dict[str, str | None]:
    # No creation date: the same map draws to the same bytes.
    return {"Date": None} if fmt == "svg" else {}


def _source_lines(sources: Sources) -> list[str]:
    lines = ["Sources (each box and line cites the numbered documents; the JSON has sentences):"]
    for source_id, n in sources.numbers.items():
        lines.append(f"[{n}] {sources.evidence[source_id].label()}"[:160])
    return lines
