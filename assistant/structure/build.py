"""The structure map assembled from what ingest found in each document.

Each document's statements (ingest.structure) name bodies as written: "ICBs", "the
local Integrated Care Boards", "NHS Cambridgeshire and Peterborough Integrated Care
Board". Here they become one node per body: an acronym through the glossary, a name by
its key or the longest tail of it that is a node ("... Integrated Care Board"). A name
becomes a node when the glossary spells it out or a capitalised writing of it recurs, and
it is drawn when some sentence says what it is, places it at a level, or relates it to
another node. Nothing here knows any body: a library that never names one has no node.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from assistant.retrieval.glossary import Glossary
from assistant.structure.model import Edge, Evidence, Level, Node, StructureMap
from ingest.structure import document_structure, finder_stamp
from ingest.structure_names import is_acronym, name_key, singular_word
from ingest.structure_rules import StructureRules, load_rules
from vectorstore.records import Chunk, DocumentRecord, StructureStatement

# A capitalised name recurring this often (sentences, across the library) is a node even
# when no glossary entry spells it out ("NHS England", "Health and Wellbeing Board").
_MIN_NAME_USES = 2
_MIN_PHRASE_USES = 3  # the same for a lower-case kind of body ("community pharmacies")
_SUPERSEDING = ("replaced_by", "merged_into")
_MAX_EVIDENCE = 3  # sentences kept per edge and per kind of description


@dataclass
class _Candidate:
    """A node in the making: every writing of it and every statement about it."""

    key: str
    short: str | None = None
    writings: Counter[str] = field(default_factory=Counter)
    uses: int = 0
    glossary: bool = False


def _slug(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "node"


def _is_acronym_key(key: str) -> bool:
    return " " not in key and any(c.isupper() for c in key[1:])


class _Resolver:
    """Written names -> node keys, for one library."""

    def __init__(self, glossary: Glossary, rules: StructureRules) -> None:
        self.glossary = glossary
        self.rules = rules
        self.candidates: dict[str, _Candidate] = {}
        self.phrase_uses: dict[str, int] = {}  # lower-case names of a known kind, by key
        for entry in glossary.entries.values():
            if entry.inferred:
                continue  # a guess from initials is not a body the documents name
            key = name_key(entry.long)
            if len(key.split()) >= 2 and rules.kind_of(key.split()):
                cand = self.candidates.setdefault(key, _Candidate(key))
                cand.short, cand.glossary = entry.short, True
                cand.writings[entry.long] += 1

    def count(self, written: str, uses: int) -> None:
        """Count a writing of a name; capitalised multi-word names become candidates."""
        key = name_key(written)
        if _is_acronym_key(key):
            return
        words = written.split()
        if len(words) >= 2 and written.islower():
            self.phrase_uses[key] = self.phrase_uses.get(key, 0) + uses
        capitalised = sum(w[:1].isupper() for w in words) >= 2
        kind = self.rules.kind_of(key.split())
        if len(words) >= 2 and ((capitalised and kind) or kind == "role"):
            cand = self.candidates.setdefault(key, _Candidate(key))
            cand.writings[written] += uses
            cand.uses += uses
        elif key in self.candidates:
            self.candidates[key].uses += uses

    def keep(self) -> None:
        """Keep the candidates the glossary spells out or that recur; a kept name whose
        acronym no document spells out still shows the one the documents use for it."""
        self.candidates = {
            k: c for k, c in self.candidates.items() if c.glossary or c.uses >= _MIN_NAME_USES
        }
        for entry in self.glossary.entries.values():
            cand = self.candidates.get(name_key(entry.long))
            if entry.inferred and cand is not None and cand.short is None:
                cand.short = entry.short

    def promote(self, written: str) -> None:
        """A name a sentence defines or places at a level is a node even when named once
        ("The ICS Programme Lead is the Senior Responsible Officer ..."); in lower case,
        when the library keeps naming it ("medicines optimisation teams")."""
        key = name_key(written)
        words = written.split()
        if _is_acronym_key(key) or len(words) < 2 or not self.rules.kind_of(key.split()):
            return
        capitalised = sum(w[:1].isupper() for w in words) >= 2
        if capitalised or self.phrase_uses.get(key, 0) >= _MIN_PHRASE_USES:
            cand = self.candidates.setdefault(key, _Candidate(key))
            cand.writings[written] += 1
            cand.uses = max(cand.uses, _MIN_NAME_USES)

    def add_related(self, written: str, other: str, listed: bool) -> None:
        """A proper name related to a node becomes a node itself: a member listed under a
        board ("Forum Central"), or a body acting on one ("NHS Sussex commissions ... from
        community pharmacies": a name with an acronym in it, not a place's)."""
        if self.resolve(written) is not None or self.resolve(other) is None:
            return
        key = name_key(written)
        # "community pharmacies": a kind of body the library keeps naming.
        common = self.phrase_uses.get(key, 0) >= _MIN_PHRASE_USES
        acronym = any(is_acronym(w) for w in written.split())
        named = (listed or acronym) and (_proper(written) or _owned_by_acronym(written))
        if common or named:
            cand = self.candidates.setdefault(key, _Candidate(key))
            cand.writings[written] += 1
            cand.uses += 1

    def resolve(self, written: str) -> str | None:
        """The node key a writing stands for, or None."""
        key = name_key(written)
        if _is_acronym_key(key):
            entry = self.glossary.lookup(key)
            if entry is None or entry.inferred:
                return None
            long = name_key(entry.long)
            return long if long in self.candidates else None
        words = key.split()
        for start in range(len(words) - 1):
            tail = " ".join(words[start:])
            if tail in self.candidates:
                return tail  # the longest: "West Sussex Health and Wellbeing Board" is its own
        return None


_SENTENCE_OPENERS = frozenset(
    "the a an this that these those it its in on at for from by with as if when where while "
    "following since after before during under our we they there here some many all each "
    "membership members".split()
)


def _proper(written: str) -> bool:
    """A short proper name: capitalised words (and connectors), no figures, not a
    sentence's opening words ("From July", "Membership")."""
    words = written.split()
    if not 2 <= len(words) <= 8 or any(c.isdigit() for c in written):
        return False
    if words[0].lower() in _SENTENCE_OPENERS:
        return False
    content = [w for w in words if w.lower() not in ("and", "of", "for", "the", "&", "in", "on")]
    return bool(content) and all(w.lstrip("(")[:1].isupper() for w in content)


def _owned_by_acronym(written: str) -> bool:
    """ "IFR team", "ICB medicines optimisation teams": an acronym, then lower case."""
    first, _, rest = written.partition(" ")
    return is_acronym(first) and bool(rest) and rest.islower()


def _evidence(statement: StructureStatement, record: DocumentRecord) -> Evidence:
    return Evidence(
        source_id=record.source_id,
        title=record.title,
        publisher=record.publisher,
        published=record.published,
        year=record.year,
        chunk_id=statement.chunk_id,
        start=statement.start,
        end=statement.end,
        text=statement.text,
        stated_year=statement.year,
    )


def _display_name(cand: _Candidate) -> str:
    """The writing used most, singular, capitalised as the documents capitalise it."""
    capitalised = [(n, w) for w, n in cand.writings.items() if w[:1].isupper()]
    written = (
        max(capitalised)[1] if capitalised else max((n, w) for w, n in cand.writings.items())[1]
    )
    words = written.split()
    while len(words) > 1 and words[0].lower() in ("the", "a", "an", "each", "all"):
        words = words[1:]
    last = name_key(words[-1])
    words[-1] = words[-1][: len(last)] if words[-1].lower().startswith(last) else words[-1]
    name = " ".join(words)
    return name[:1].upper() + name[1:]


def statements_of(
    records: Iterable[DocumentRecord],
    chunks_of: Callable[[DocumentRecord], Sequence[Chunk]],
    text_of: Callable[[DocumentRecord], str | None],
    rules: StructureRules,
) -> list[tuple[DocumentRecord, list[StructureStatement]]]:
    """Each document's statements with their sentences' texts; found again from its
    stored passages when ingest found them with other rules (the rules file changed
    since, or the document was ingested before the map existed)."""
    out = []
    for record in records:
        found = record.structure
        if found.rules != finder_stamp(rules):
            found = document_structure(chunks_of(record), rules)
        elif any(not s.text for s in found.statements):
            found = found.with_texts(text_of(record) or "")
        out.append((record, found.statements))
    return out


def shared_head_parts(written: str, rules: StructureRules) -> list[str]:
    """The two names of "East Surrey and Crawley Hospitals" ("East Surrey Hospital",
    "Crawley Hospital"): capitalised names joined by "and" before one plural kind word.
    Empty for any other writing."""
    words = written.split()
    if words.count("and") != 1 or len(words) < 4:
        return []
    head = words[-1]
    single = singular_word(head.lower())
    if single == head.lower() or single not in rules.head_words or not head[:1].isupper():
        return []
    cut = words.index("and")
    left, right = words[:cut], words[cut + 1 : -1]
    if not left or not right or not all(w[:1].isupper() for w in left + right):
        return []
    head = head[: len(single)] if head.lower().startswith(single) else single.capitalize()
    return [" ".join([*left, head]), " ".join([*right, head])]


def _split_shared_heads(
    documents: Sequence[tuple[DocumentRecord, list[StructureStatement]]],
    glossary: Glossary,
    rules: StructureRules,
) -> list[tuple[DocumentRecord, list[StructureStatement]]]:
    """Relations of "A and B Hospitals" as relations of each of A's and B's hospitals,
    unless the writing is one body's name: the glossary spells it out, or the library
    names it again ("Health and Wellbeing Boards")."""
    uses: Counter[str] = Counter()
    for _, statements in documents:
        for s in statements:
            if s.kind == "name":
                uses[name_key(s.subject)] += s.count
    fixed = {name_key(e.long) for e in glossary.entries.values()}

    def parts(written: str) -> list[str]:
        key = name_key(written)
        if key in fixed or uses[key] >= _MIN_NAME_USES:
            return [written]
        return shared_head_parts(written, rules) or [written]

    out = []
    for record, statements in documents:
        split: list[StructureStatement] = []
        for s in statements:
            if not s.kind.startswith("relation:"):
                split.append(s)
                continue
            for a in parts(s.subject):
                for b in parts(s.object):
                    split.append(replace(s, subject=a, object=b))
        out.append((record, split))
    return out


def build_map(
    documents: Sequence[tuple[DocumentRecord, list[StructureStatement]]],
    glossary: Glossary,
    rules: StructureRules | None = None,
) -> StructureMap:
    """The whole map (every year) of these documents' statements."""
    rules = rules or load_rules()
    documents = _split_shared_heads(documents, glossary, rules)
    resolver = _Resolver(glossary, rules)
    for _, statements in documents:
        for s in statements:
            if s.kind == "name":
                resolver.count(s.subject, s.count)
            elif s.kind.startswith("relation:"):
                resolver.count(s.subject, 1)
                resolver.count(s.object, 1)
    for _, statements in documents:
        for s in statements:
            if s.kind == "definition" or s.kind.startswith("level:"):
                resolver.promote(s.subject)
    resolver.keep()
    for _, statements in documents:
        for s in statements:
            if s.kind.startswith("relation:"):
                # The acting side may be a new name; what is acted on must be known, or
                # a kind of body the library keeps naming.
                resolver.add_related(s.subject, s.object, s.listed)
                if s.object.islower():
                    resolver.add_related(s.object, s.subject, False)

    years: dict[str, set[int]] = defaultdict(set)
    named_in: dict[str, list[Evidence]] = defaultdict(list)
    definitions: dict[str, list[Evidence]] = defaultdict(list)
    about: dict[str, list[Evidence]] = defaultdict(list)
    levels: dict[str, Counter[str]] = defaultdict(Counter)
    level_evidence: dict[tuple[str, str], Evidence] = {}
    edges: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)
    # Newest documents first: a card says what a body is now, before what it was.
    ordered = sorted(documents, key=lambda d: -(d[0].year or 0))
    for record, statements in ordered:
        for s in statements:
            subject = resolver.resolve(s.subject)
            if subject is None:
                continue
            if record.year:
                years[subject].add(record.year)
            evidence = _evidence(s, record)
            if s.kind == "name":
                named_in[subject].append(evidence)
            elif s.kind == "definition":
                definitions[subject].append(evidence)
            elif s.kind == "about":
                about[subject].append(evidence)
            elif s.kind.startswith("level:"):
                placed_at = s.kind.split(":", 1)[1]
                levels[subject][placed_at] += 1
                level_evidence.setdefault((subject, placed_at), evidence)
            elif s.kind.startswith("relation:"):
                target = resolver.resolve(s.object)
                if target is not None and target != subject:
                    if record.year:
                        years[target].add(record.year)
                    edges[(subject, s.kind.split(":", 1)[1], target)].append(evidence)

    labels = {r.key: r.label for r in rules.relations}
    edge_list = [
        Edge(
            source=_slug(a),
            target=_slug(b),
            relation=relation,
            label=labels.get(relation, relation),
            evidence=ev[:_MAX_EVIDENCE],
            years=sorted({e.year for e in ev if e.year}),
            since=_since(ev, relation),
        )
        for (a, relation, b), ev in edges.items()
    ]
    linked = {e.source for e in edge_list} | {e.target for e in edge_list}
    level_order = [level.key for level in rules.levels]
    nodes = []
    for key, cand in resolver.candidates.items():
        node_id = _slug(key)
        placed = levels.get(key)
        kind = rules.kind_of(key.split()) or "body"
        said = cand.glossary or node_id in linked or placed or definitions.get(key)
        if not (said or kind == "role"):
            continue  # a body named, but nothing said about it: not drawn (a role is)
        level: str | None = None
        if placed:
            level = max(placed, key=lambda k: (placed[k], -level_order.index(k)))
        nodes.append(
            Node(
                id=node_id,
                name=_display_name(cand),
                short=cand.short,
                kind=kind,
                level=level,
                level_evidence=level_evidence.get((key, level)) if level else None,
                definitions=definitions.get(key, [])[:_MAX_EVIDENCE],
                about=about.get(key, [])[:_MAX_EVIDENCE],
                named_in=_one_per_document(named_in.get(key, [])),
                years=sorted(years.get(key, set())),
            )
        )
    _mark_superseded(nodes, edge_list)
    present = {n.level for n in nodes if n.level}
    return StructureMap(
        as_of=None,
        levels=[Level(key=lv.key, label=lv.label) for lv in rules.levels if lv.key in present],
        nodes=sorted(nodes, key=lambda n: n.name.lower()),
        edges=[
            e
            for e in edge_list
            if e.source in {n.id for n in nodes} and e.target in {n.id for n in nodes}
        ],
    )


def _one_per_document(evidence: list[Evidence]) -> list[Evidence]:
    seen: dict[str, Evidence] = {}
    for e in evidence:
        seen.setdefault(e.source_id, e)
    return list(seen.values())[:_MAX_EVIDENCE]


def _since(evidence: list[Evidence], relation: str) -> int | None:
    """When a relation holds from: for a change, the year a sentence states, else the
    earliest document's year."""
    if relation in _SUPERSEDING:
        stated = [e.stated_year for e in evidence if e.stated_year]
        if stated:
            return min(stated)
    dated = [e.year for e in evidence if e.year]
    return min(dated) if dated else None


def _mark_superseded(nodes: list[Node], edges: list[Edge]) -> None:
    by_id = {n.id: n for n in nodes}
    for edge in edges:
        node = by_id.get(edge.source)
        if edge.relation not in _SUPERSEDING or node is None or edge.target not in by_id:
            continue
        if node.superseded_since is None or (edge.since or 0) < node.superseded_since:
            node.superseded_by = edge.target
            node.superseded_since = edge.since
            node.superseded_evidence = edge.evidence[0]


def as_of(full: StructureMap, year: int | None) -> StructureMap:
    """The map as the documents published by the end of ``year`` describe it: nodes and
    edges they attest, each citing only them; a body replaced by then is marked, and a
    change not yet made is not shown."""
    if year is None:
        return full
    nodes = []
    for node in full.nodes:
        if not node.years or min(node.years) > year:
            continue
        kept = node.model_copy(deep=True)
        kept.years = [y for y in node.years if y <= year]
        for name in ("definitions", "about", "named_in"):
            setattr(kept, name, [e for e in getattr(node, name) if (e.year or 0) <= year])
        if node.level_evidence and (node.level_evidence.year or 0) > year:
            kept.level, kept.level_evidence = None, None
        kept.superseded_by = kept.superseded_since = kept.superseded_evidence = None
        nodes.append(kept)
    ids = {n.id for n in nodes}
    edges = []
    for edge in full.edges:
        evidence = [e for e in edge.evidence if (e.year or 0) <= year]
        if edge.source in ids and edge.target in ids and evidence and (edge.since or 0) <= year:
            edges.append(edge.model_copy(update={"evidence": evidence}))
    # Replaced by then, as the documents of then say: from the edges kept.
    _mark_superseded(nodes, edges)
    present = {n.level for n in nodes if n.level}
    return StructureMap(
        as_of=year,
        levels=[lv for lv in full.levels if lv.key in present],
        nodes=nodes,
        edges=edges,
    )
