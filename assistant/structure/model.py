"""The NHS structure map as typed data: nodes, edges, and the sentences that state them.

Everything on the map cites a sentence of an ingested document (an ``Evidence``); the
renderers, the CLI, the web tab and the Python API read only these types.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Evidence(BaseModel):
    """A sentence of a document that states what the map shows, openable as a citation."""

    source_id: str
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    year: int | None = Field(None, description="The document's year of publication.")
    chunk_id: str = Field(description="The passage holding the sentence.")
    start: int = Field(description="The sentence's span in the cleaned document.")
    end: int
    text: str
    stated_year: int | None = Field(None, description="A year the sentence itself gives.")

    def label(self) -> str:
        """One-line reference: title, publisher, date."""
        parts = [p for p in (self.title, self.publisher, self.published) if p]
        return " · ".join(parts) or self.source_id


class Level(BaseModel):
    """A level of the map (national ... provider), top to bottom."""

    key: str
    label: str


class Node(BaseModel):
    """A body, committee or role the documents name."""

    id: str
    name: str
    short: str | None = Field(None, description="Its acronym, when the documents give one.")
    kind: str = Field(description="body | committee | role (prompts/structure.toml)")
    level: str | None = Field(None, description="None: no sentence places it.")
    level_evidence: Evidence | None = None
    definitions: list[Evidence] = Field(default_factory=list, description="What it is.")
    about: list[Evidence] = Field(default_factory=list, description="What it does.")
    named_in: list[Evidence] = Field(
        default_factory=list, description="The first sentence naming it, per document."
    )
    years: list[int] = Field(default_factory=list, description="Years of the documents naming it.")
    superseded_by: str | None = Field(None, description="The node that replaced it.")
    superseded_since: int | None = None
    superseded_evidence: Evidence | None = None

    @property
    def label(self) -> str:
        """Its name, with its acronym: "Integrated Care Board (ICB)"."""
        return f"{self.name} ({self.short})" if self.short else self.name

    @property
    def description(self) -> Evidence | None:
        """The one line shown for it: what it is, else what it does (None: the documents
        only name it)."""
        for group in (self.definitions, self.about):
            if group:
                return group[0]
        return None

    @property
    def attested_by(self) -> Evidence | None:
        """The sentence a box cites: its description, else the first naming it."""
        return self.description or (self.named_in[0] if self.named_in else None)

    def citations(self) -> list[Evidence]:
        """Every sentence the node's card cites, without repeats."""
        seen: dict[tuple[str, int], Evidence] = {}
        for e in (
            self.attested_by,
            self.level_evidence,
            self.superseded_evidence,
            *self.definitions,
            *self.about,
        ):
            if e is not None:
                seen.setdefault((e.source_id, e.start), e)
        return list(seen.values())


class Edge(BaseModel):
    """A relation a sentence states: source -> target."""

    source: str
    target: str
    relation: str = Field(description="replaced_by | merged_into | part_of | ...")
    label: str
    evidence: list[Evidence] = Field(min_length=1)
    years: list[int] = Field(default_factory=list)
    since: int | None = Field(
        None, description="When it holds from: a stated year, else the earliest document's."
    )


class StructureMap(BaseModel):
    """The map as of a year (None: everything the library says)."""

    as_of: int | None = None
    levels: list[Level] = Field(default_factory=list, description="Levels with a node, in order.")
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)

    def node(self, node_id: str) -> Node:
        """The node with ``node_id`` (KeyError names it)."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"no node {node_id!r} on the map")

    def find(self, text: str) -> list[Node]:
        """Nodes whose name or acronym contains ``text`` (any case), exact matches first."""
        needle = text.strip().lower()
        if not needle:
            return []
        hits = [
            n for n in self.nodes if needle in n.name.lower() or needle == (n.short or "").lower()
        ]
        return sorted(
            hits, key=lambda n: (needle not in (n.name.lower(), (n.short or "").lower()), n.name)
        )

    def edges_of(self, node_id: str) -> list[Edge]:
        """The edges from or to a node."""
        return [e for e in self.edges if node_id in (e.source, e.target)]
