"""The structure map in the pack's "how the NHS is organised" section: the picture, and
under it a cited line for every box and every relation it draws.

The picture is drawn when the pack is written (HTML: SVG; DOCX: PNG), with the pack's own
citation numbers on its boxes and lines, so [3] on the map is [3] under Sources.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.briefing.model import Line, Topic
from assistant.structure.model import Evidence, StructureMap
from assistant.structure.render import draw
from vectorstore.records import Chunk


def core(structure: StructureMap) -> StructureMap:
    """The part of the map a pack draws: what is placed at a level or related to another
    box (a box nothing is said about beyond its name stays in the app's Map tab)."""
    linked = {e.source for e in structure.edges} | {e.target for e in structure.edges}
    nodes = [n for n in structure.nodes if n.level or n.id in linked]
    return structure.model_copy(update={"nodes": nodes})


def map_lines(structure: StructureMap, fetch: Callable[[list[str]], list[Chunk]]) -> Topic:
    """A cited line per box (what it is) and per relation (the sentence that states it)."""
    names = {n.id: n.label for n in structure.nodes}
    wanted: list[tuple[str, Evidence]] = []
    for node in structure.nodes:
        if node.description is not None:
            wanted.append((f"{node.label}: ", node.description))
        elif node.attested_by is not None:
            wanted.append((f"{node.label}, named: ", node.attested_by))
    for edge in structure.edges:
        summary = f"{names[edge.source]} {edge.label} {names[edge.target]}: "
        wanted.append((summary, edge.evidence[0]))
    chunks = {c.id: c for c in fetch(sorted({e.chunk_id for _, e in wanted}))}
    # The line is the sentence itself, quoted; what the map reads in it leads, in bold.
    lines = [
        Line(e.text, [chunks[e.chunk_id]], quote=(e.start, e.end), lead=lead)
        for lead, e in wanted
        if e.chunk_id in chunks
    ]
    return Topic("", lines)


def figure(structure: StructureMap, numbers: dict[tuple[str, int], int], fmt: str) -> bytes:
    """The picture as ``fmt``, each box and line marked with the pack's citation numbers."""

    def cite(evidence: list[Evidence]) -> str:
        ns = sorted({numbers[k] for e in evidence if (k := (e.chunk_id, e.start)) in numbers})
        return f"[{', '.join(map(str, ns))}]" if ns else ""

    return draw(structure, fmt, cite=cite)
