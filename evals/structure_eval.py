"""How right the structure map is, against a hand-written key (evals/datasets/structure.jsonl).

The key lists nodes and relations the library states, each with the sentence that
states it, and nodes and relations it does not state. A map's node or edge is
"supported" when it matches a stated line of the key, "unsupported" when it matches a
not-stated line or when the key does not list it at all: an edge nobody checked counts
against precision, and is listed so that a person can judge it and extend the key.

    python -m evals.structure_eval --data-dir STORE [--as-of 2025] [--json out.json]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.structure.model import Edge, Node, StructureMap
from ingest.structure_names import name_key

KEY_FILE = Path(__file__).resolve().parent / "datasets" / "structure.jsonl"


class KeyLine(BaseModel):
    """One line of the key."""

    model_config = ConfigDict(extra="ignore")

    id: str
    type: Literal["node", "edge"]
    stated: bool
    name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    level: str | None = None
    source_node: str | None = None
    source_aliases: list[str] = Field(default_factory=list)
    relation: str | None = None
    target_node: str | None = None
    target_aliases: list[str] = Field(default_factory=list)
    source: str | None = None
    evidence: str | None = None
    year: int | None = None
    note: str | None = None

    def names(self) -> set[str]:
        return _keys([self.name or "", *self.aliases])

    def source_names(self) -> set[str]:
        return _keys([self.source_node or "", *self.source_aliases])

    def target_names(self) -> set[str]:
        return _keys([self.target_node or "", *self.target_aliases])


def _keys(names: Iterable[str]) -> set[str]:
    return {name_key(n).lower() for n in names if n.strip()}


def load_key(path: Path = KEY_FILE) -> list[KeyLine]:
    """The key's lines (ValueError names the line that is wrong)."""
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            lines.append(KeyLine.model_validate_json(raw))
        except ValidationError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
    return lines


def node_names(node: Node) -> set[str]:
    """How a map node may be written."""
    return _keys([node.name, node.short or ""])


@dataclass
class Scores:
    """Precision and recall of nodes and edges, and what was matched."""

    nodes: int = 0
    nodes_supported: int = 0
    nodes_against_not_stated: list[str] = field(default_factory=list)
    key_nodes: int = 0
    key_nodes_found: int = 0
    levels_given: int = 0
    levels_right: int = 0
    edges: int = 0
    edges_supported: int = 0
    edges_against_not_stated: list[str] = field(default_factory=list)
    edges_unjudged: list[str] = field(default_factory=list)
    key_edges: int = 0
    key_edges_found: int = 0
    key_edges_missed: list[str] = field(default_factory=list)
    citations: int = 0
    citations_supporting: int = 0

    def figures(self) -> dict[str, float | int]:
        """The headline numbers."""

        def ratio(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0

        return {
            "node_precision": ratio(self.nodes_supported, self.nodes),
            "node_recall": ratio(self.key_nodes_found, self.key_nodes),
            "level_accuracy": ratio(self.levels_right, self.levels_given),
            "edge_precision": ratio(self.edges_supported, self.edges),
            "edge_recall": ratio(self.key_edges_found, self.key_edges),
            "citation_precision": ratio(self.citations_supporting, self.citations),
            "nodes": self.nodes,
            "edges": self.edges,
            "edges_unjudged": len(self.edges_unjudged),
            "not_stated_shown": len(self.nodes_against_not_stated)
            + len(self.edges_against_not_stated),
        }


def _edge_text(structure: StructureMap, edge: Edge) -> str:
    names = {n.id: n.label for n in structure.nodes}
    return f"{names[edge.source]} --{edge.relation}--> {names[edge.target]}"


def _edge_matches(line: KeyLine, source: set[str], target: set[str], relation: str) -> bool:
    return (
        line.relation == relation
        and bool(line.source_names() & source)
        and bool(line.target_names() & target)
    )


# "East Surrey and Crawley Hospitals" names East Surrey Hospital and Crawley Hospital.
_SHARED_HEAD = re.compile(r"\b((?:[A-Z][\w’']*\s)+)and\s((?:[A-Z][\w’']*\s)+)([A-Z][a-z]+s)\b")


def _mentions(text: str, names: set[str]) -> bool:
    """Whether ``text`` names one of ``names`` (singular or plural)."""
    text = _SHARED_HEAD.sub(r"\1\3 and \2\3", text)
    lowered = " ".join(text.lower().split())
    forms = set()
    for name in names:
        name = name.lower()
        forms.update({name, name.rstrip("s")})
        if name.endswith("y"):
            forms.add(name[:-1] + "ies")
    return any(form and form in lowered for form in forms)


def score(structure: StructureMap, key: list[KeyLine]) -> Scores:
    """Score a map against the key."""
    s = Scores()
    nodes_by_id = {n.id: n for n in structure.nodes}
    names_by_id = {n.id: node_names(n) for n in structure.nodes}
    key_nodes = [k for k in key if k.type == "node"]
    key_edges = [k for k in key if k.type == "edge"]
    # A body a stated relation names is stated to exist, even without a line of its own.
    ends = [n for k in key_edges if k.stated for n in (k.source_names(), k.target_names())]
    for node in structure.nodes:
        s.nodes += 1
        names = names_by_id[node.id]
        stated = [k for k in key_nodes if k.stated and k.names() & names]
        if stated or any(end & names for end in ends):
            s.nodes_supported += 1
            if stated and stated[0].level and node.level:
                s.levels_given += 1
                s.levels_right += node.level == stated[0].level
        elif any(not k.stated and k.names() & names for k in key_nodes):
            s.nodes_against_not_stated.append(node.label)
    for k in key_nodes:
        if k.stated:
            s.key_nodes += 1
            s.key_nodes_found += any(k.names() & names for names in names_by_id.values())
    for edge in structure.edges:
        s.edges += 1
        source, target = names_by_id[edge.source], names_by_id[edge.target]
        if any(k.stated and _edge_matches(k, source, target, edge.relation) for k in key_edges):
            s.edges_supported += 1
        elif any(
            not k.stated and _edge_matches(k, source, target, edge.relation) for k in key_edges
        ):
            s.edges_against_not_stated.append(_edge_text(structure, edge))
        else:
            s.edges_unjudged.append(_edge_text(structure, edge))
        # A shown citation supports its line when its sentence names both ends.
        for evidence in edge.evidence[:1]:
            s.citations += 1
            s.citations_supporting += _mentions(
                evidence.text, source | _keys([nodes_by_id[edge.source].name])
            ) and _mentions(evidence.text, target | _keys([nodes_by_id[edge.target].name]))
    for k in key_edges:
        if not k.stated:
            continue
        s.key_edges += 1
        found = any(
            _edge_matches(k, names_by_id[e.source], names_by_id[e.target], e.relation)
            for e in structure.edges
        )
        s.key_edges_found += found
        if not found:
            s.key_edges_missed.append(f"{k.source_node} --{k.relation}--> {k.target_node}")
    return s


def main(argv: list[str] | None = None) -> int:
    """Score the map of a store against the key; print the figures and what went wrong."""
    import argparse

    from assistant.cli import load_settings
    from assistant.structure import as_of, library_map
    from assistant.wiring import open_store

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--key", type=Path, default=KEY_FILE)
    parser.add_argument("--as-of", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    store = open_store(load_settings(args.data_dir))
    structure = as_of(library_map(store), args.as_of)
    scores = score(structure, load_key(args.key))
    figures = scores.figures()
    for name, value in figures.items():
        print(f"{name:22} {value}")
    for title, items in (
        ("edges the key says are not stated", scores.edges_against_not_stated),
        ("nodes the key says are not stated", scores.nodes_against_not_stated),
        ("edges the key does not judge (counted as unsupported)", scores.edges_unjudged),
        ("stated edges the map misses", scores.key_edges_missed),
    ):
        if items:
            print(f"\n{title}:")
            for item in items:
                print(f"  {item}")
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, **scores.__dict__}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
