"""The structure map: assembled across documents (assistant/structure/build.py), its
types (model.py), its drawing (render.py) and its scoring against a key
(evals/structure_eval.py).

The documents here are invented: records built by hand, their statements found by the
real finder (ingest.structure) or written out where a test needs exact control.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.retrieval.glossary import Glossary
from assistant.structure.build import as_of, build_map, statements_of
from assistant.structure.model import Edge, Evidence, Level, Node, StructureMap
from assistant.structure.render import Sources, draw, rows
from evals.structure_eval import KEY_FILE, KeyLine, load_key, score
from ingest.acronyms import document_acronyms
from ingest.structure import document_structure, finder_stamp
from ingest.structure_rules import load_rules
from vectorstore.records import (
    Chunk,
    ChunkMeta,
    DocumentAcronyms,
    DocumentRecord,
    DocumentStructure,
    GlossaryEntry,
    StructureStatement,
)

# -- invented documents -------------------------------------------------------------------


def _chunks(source_id: str, texts: Sequence[str]) -> list[Chunk]:
    chunks, start = [], 0
    for i, text in enumerate(texts):
        meta = ChunkMeta(source_id=source_id, chunk_index=i, start=start, end=start + len(text))
        chunks.append(Chunk(f"{source_id}#v#{i}", text, meta))
        start += len(text) + 1
    return chunks


def _record(source_id: str, published: str | None, *texts: str, **fields) -> DocumentRecord:
    """A document as ingest records it: its acronyms and statements found in its chunks."""
    chunks = _chunks(source_id, texts)
    text = "\n".join(texts)
    values = {
        "acronyms": document_acronyms(chunks),
        "structure": document_structure(chunks),
        **fields,
    }
    return DocumentRecord(
        source_id=source_id,
        version=f"{source_id}-v1",
        file=f"{source_id}.txt",
        root="/library",
        chunk_count=len(chunks),
        char_count=len(text),
        ingested_at="2025-01-01T00:00:00+00:00",
        published=published,
        title=f"The {source_id} paper",
        publisher="Invented Press",
        text=text,
        **values,
    )


def _map(*records: DocumentRecord) -> StructureMap:
    glossary = Glossary.from_documents([r.acronyms for r in records])
    return build_map([(r, r.structure.statements) for r in records], glossary)


REPLACED = (
    "From July 2022, Clinical Commissioning Groups were replaced by Integrated Care Boards (ICBs)."
)
ICB_DEFINED = "An Integrated Care Board is a statutory body that plans services for its area."
PANEL_REPLACED = (
    "From April 2024, the Riverside Medicines Panel will be replaced by the Riverside "
    "Medicines Committee."
)


def _early() -> DocumentRecord:
    return _record(
        "early",
        "2019",
        "Clinical Commissioning Groups (CCGs) are statutory bodies that plan local services.",
        "Each CCG works with Primary Care Networks (PCNs) at neighbourhood level.",
    )


def _late() -> DocumentRecord:
    return _record(
        "late",
        "2023-05",
        REPLACED,
        ICB_DEFINED,
        PANEL_REPLACED,
        "The Riverside Medicines Committee is a group of clinicians.",
    )


@pytest.fixture(scope="module")
def library() -> tuple[DocumentRecord, DocumentRecord]:
    return _early(), _late()


@pytest.fixture(scope="module")
def full(library) -> StructureMap:
    return _map(*library)


def _ids(structure: StructureMap) -> set[str]:
    return {n.id for n in structure.nodes}


def _edges(structure: StructureMap) -> set[tuple[str, str, str]]:
    return {(e.source, e.relation, e.target) for e in structure.edges}


# -- build_map ----------------------------------------------------------------------------


def test_the_map_has_a_node_per_body_the_documents_say_something_about(full) -> None:
    assert _ids(full) == {
        "clinical-commissioning-group",
        "integrated-care-board",
        "primary-care-network",
        "riverside-medicines-committee",
        "riverside-medicines-panel",
    }
    ccg = full.node("clinical-commissioning-group")
    assert (ccg.name, ccg.short, ccg.kind) == ("Clinical Commissioning Group", "CCG", "body")
    assert full.node("riverside-medicines-panel").kind == "committee"


def test_a_library_naming_no_body_has_no_node() -> None:
    quiet = _record("quiet", "2020", "it was a quiet week; nothing much happened at all.")

    structure = _map(quiet)

    assert structure.nodes == [] and structure.edges == [] and structure.levels == []


def test_an_acronym_resolves_through_the_glossary(full) -> None:
    # "Each CCG works with Primary Care Networks (PCNs) at neighbourhood level": the
    # level statement names "PCNs"; the glossary (from "(PCNs)") makes it the node.
    pcn = full.node("primary-care-network")

    assert pcn.short == "PCN"
    assert pcn.level == "neighbourhood"
    assert pcn.level_evidence is not None
    assert pcn.level_evidence.text == (
        "Each CCG works with Primary Care Networks (PCNs) at neighbourhood level."
    )
    assert [lv.key for lv in full.levels] == ["neighbourhood"]  # only levels with a node


def test_a_replacement_with_a_stated_year_marks_the_old_body_superseded(full) -> None:
    ccg = full.node("clinical-commissioning-group")

    assert ccg.superseded_by == "integrated-care-board"
    assert ccg.superseded_since == 2022  # the year the sentence states, not the document's
    assert ccg.superseded_evidence is not None
    assert ccg.superseded_evidence.text == REPLACED
    assert full.node("integrated-care-board").superseded_by is None
    edge = next(e for e in full.edges if e.source == "clinical-commissioning-group")
    assert (edge.relation, edge.target, edge.label) == (
        "replaced_by",
        "integrated-care-board",
        "replaced by",
    )
    assert (edge.since, edge.years) == (2022, [2023])


def test_a_relation_without_a_stated_year_holds_from_its_earliest_document() -> None:
    said = "The Riverside Medicines Forum reports to the Integrated Care Board (ICB)."
    first = _record("first", "2020", said)
    again = _record("again", "2024", said)

    structure = _map(first, again)

    edge = next(e for e in structure.edges if e.relation == "accountable_to")
    assert (edge.source, edge.target) == ("riverside-medicines-forum", "integrated-care-board")
    assert edge.since == 2020
    assert edge.years == [2020, 2024]
    assert {e.source_id for e in edge.evidence} == {"first", "again"}


def test_node_years_are_the_years_of_the_documents_naming_it(full) -> None:
    assert full.node("clinical-commissioning-group").years == [2019, 2023]
    assert full.node("integrated-care-board").years == [2023]
    assert full.node("primary-care-network").years == [2019]


def _stated(kind: str, subject: str, obj: str, text: str, sentence: str) -> StructureStatement:
    start = text.index(sentence)
    return StructureStatement(
        kind, subject, obj, "hand#v#0", start, start + len(sentence), sentence
    )


def _hand_record(text: str, statements: list[StructureStatement]) -> DocumentRecord:
    glossary_entry = GlossaryEntry("ICB", "Integrated Care Board", "hand", "hand#v#0", 0, 21)
    return DocumentRecord(
        source_id="hand",
        version="hand-v1",
        file="hand.txt",
        root="/library",
        chunk_count=1,
        char_count=len(text),
        ingested_at="2025-01-01T00:00:00+00:00",
        published="2021",
        title="Written by hand",
        acronyms=DocumentAcronyms(defined=[glossary_entry]),
        structure=DocumentStructure(finder_stamp(load_rules()), statements),
        text=text,
    )


def _one_relation_map(names_of_panel: int) -> StructureMap:
    sentence = "The Integrated Care Board answers to the widget oversight panel."
    text = "Integrated Care Board (ICB) papers. " + sentence
    statements = [
        _stated(
            "relation:accountable_to",
            "Integrated Care Board",
            "widget oversight panel",
            text,
            sentence,
        )
    ]
    if names_of_panel:
        statements.append(
            replace(
                _stated("name", "widget oversight panel", "", text, sentence),
                count=names_of_panel,
            )
        )
    record = _hand_record(text, statements)
    return build_map([(record, statements)], Glossary.from_documents([record.acronyms]))


def test_an_edge_needs_both_ends_to_resolve() -> None:
    # A lower-case name used once is no node: the relation to it is not drawn ...
    once = _one_relation_map(names_of_panel=0)
    # ... while a kind of body the library keeps naming is one, and the edge is drawn.
    often = _one_relation_map(names_of_panel=3)

    assert _ids(once) == {"integrated-care-board"}  # the glossary spells it out
    assert once.edges == []
    assert "widget-oversight-panel" in _ids(often)
    assert _edges(often) == {("integrated-care-board", "accountable_to", "widget-oversight-panel")}


def test_names_sharing_one_plural_kind_word_are_each_a_node() -> None:
    from assistant.structure.build import shared_head_parts

    rules = load_rules()
    assert shared_head_parts("East Vale and Northby Hospitals", rules) == [
        "East Vale Hospital",
        "Northby Hospital",
    ]
    assert shared_head_parts("Health and Wellbeing Board", rules) == []  # one body
    assert shared_head_parts("NHS England and NHS Improvement", rules) == []


def test_a_writing_the_library_uses_as_one_name_is_not_split() -> None:
    sentence = "Riverside Healthcare NHS Trust encompasses East Vale and Northby Hospitals."
    once = _map(_record("trust", "2024", sentence))
    assert {"east-vale-hospital", "northby-hospital"} <= _ids(once)
    assert ("east-vale-hospital", "part_of", "riverside-healthcare-nhs-trust") in _edges(once)
    again = _map(
        _record(
            "trust",
            "2024",
            sentence,
            "East Vale and Northby Hospitals serve the valley.",
            "East Vale and Northby Hospitals share a board.",
        )
    )
    assert "east-vale-hospital" not in _ids(again)


def test_a_body_no_sentence_defines_places_or_relates_is_not_drawn() -> None:
    named = (
        "The Hilltop Steering Group met in March.",
        "Papers for the Hilltop Steering Group are online.",
    )
    defined = "The Hilltop Steering Group is a group of clinicians."

    assert _map(_record("named", "2021", *named)).nodes == []
    assert _ids(_map(_record("defined", "2021", *named, defined))) == {"hilltop-steering-group"}


def test_a_description_is_the_newest_documents_sentence() -> None:
    old = _record("old", "2018", "The Riverside Medicines Forum is a group of clinicians.")
    new = _record("new", "2024", "The Riverside Medicines Forum is a committee of pharmacists.")

    forum = _map(old, new).node("riverside-medicines-forum")

    assert forum.description is not None
    assert forum.description.source_id == "new"
    assert [e.source_id for e in forum.definitions] == ["new", "old"]


def test_the_description_kept_is_the_documents_own_sentence(library) -> None:
    # Stored as ingest stores it: statement texts dropped, spans kept.
    stored = [
        replace(r, structure=DocumentStructure.from_json(r.structure.to_json())) for r in library
    ]
    assert all(not s.text for r in stored for s in r.structure.statements if not s.listed)

    documents = statements_of(
        stored,
        lambda r: pytest.fail("statements found with the current rules are not found again"),
        lambda r: r.text,
        load_rules(),
    )
    structure = build_map(documents, Glossary.from_documents([r.acronyms for r in stored]))

    texts = {r.source_id: r.text for r in library}
    icb = structure.node("integrated-care-board")
    assert icb.description is not None
    assert icb.description.text == ICB_DEFINED
    for node in structure.nodes:
        d = node.attested_by  # what it is or does, else the sentence naming it
        assert d is not None
        assert texts[d.source_id][d.start : d.end] == d.text
        assert (d.title, d.publisher) == (f"The {d.source_id} paper", "Invented Press")
    assert icb.description.year == 2023 and icb.description.published == "2023-05"


def test_statements_found_with_other_rules_are_found_again_from_the_passages() -> None:
    texts = ("The Riverside Medicines Forum reports to the Integrated Care Board (ICB).",)
    stale = _record("stale", "2022", *texts, structure=DocumentStructure("old-rules", []))
    asked: list[str] = []

    def chunks_of(record: DocumentRecord) -> list[Chunk]:
        asked.append(record.source_id)
        return _chunks(record.source_id, texts)

    [(record, statements)] = statements_of(
        [stale], chunks_of, lambda r: pytest.fail("text not needed"), load_rules()
    )

    assert asked == ["stale"]
    assert record is stale
    assert ("relation:accountable_to", "Riverside Medicines Forum", "Integrated Care Board") in {
        (s.kind, s.subject, s.object) for s in statements
    }
    assert all(s.text for s in statements)


# -- as_of --------------------------------------------------------------------------------


def test_as_of_none_is_the_whole_map(full) -> None:
    assert as_of(full, None) is full


def test_as_of_drops_nodes_first_named_later(full) -> None:
    then = as_of(full, 2019)

    assert then.as_of == 2019
    assert _ids(then) == {"clinical-commissioning-group", "primary-care-network"}
    assert then.edges == []
    ccg = then.node("clinical-commissioning-group")
    assert ccg.years == [2019]
    assert ccg.superseded_by is None  # replaced in 2022: not yet
    assert all((e.year or 0) <= 2019 for n in then.nodes for e in n.citations())
    assert [lv.key for lv in then.levels] == ["neighbourhood"]


def test_as_of_a_year_before_every_document_is_empty(full) -> None:
    then = as_of(full, 2000)

    assert then.nodes == [] and then.edges == [] and then.levels == []


def test_as_of_unmarks_a_supersession_stated_for_later_and_drops_its_edge(full) -> None:
    # The 2023 document says the panel "will be replaced" from 2024.
    assert full.node("riverside-medicines-panel").superseded_since == 2024

    then = as_of(full, 2023)
    later = as_of(full, 2024)

    panel = then.node("riverside-medicines-panel")
    assert (panel.superseded_by, panel.superseded_since, panel.superseded_evidence) == (
        None,
        None,
        None,
    )
    assert ("riverside-medicines-panel", "replaced_by", "riverside-medicines-committee") not in (
        _edges(then)
    )
    assert ("clinical-commissioning-group", "replaced_by", "integrated-care-board") in _edges(then)
    assert later.node("riverside-medicines-panel").superseded_by == "riverside-medicines-committee"
    assert ("riverside-medicines-panel", "replaced_by", "riverside-medicines-committee") in (
        _edges(later)
    )


def test_as_of_does_not_change_the_full_map(full) -> None:
    before = full.model_dump()

    as_of(full, 2019)

    assert full.model_dump() == before


def test_as_of_keeps_only_evidence_published_by_then() -> None:
    said = "The Riverside Medicines Forum reports to the Integrated Care Board (ICB)."
    structure = _map(_record("first", "2020", said), _record("again", "2024", said))

    then = as_of(structure, 2021)

    [edge] = [e for e in then.edges if e.relation == "accountable_to"]
    assert [e.source_id for e in edge.evidence] == ["first"]
    assert then.node("riverside-medicines-forum").years == [2020]


def test_as_of_marks_a_supersession_only_with_a_document_of_then(full) -> None:
    then = as_of(full, 2022)  # replaced "from July 2022", said by a 2023 document

    ccg = then.node("clinical-commissioning-group")
    for node in then.nodes:
        assert node.superseded_by is None or node.superseded_by in _ids(then)
        assert all((e.year or 0) <= 2022 for e in node.citations())
    assert ccg.superseded_by is None


# -- the model ----------------------------------------------------------------------------


def _evidence(source_id: str = "doc", start: int = 0, text: str = "A sentence.") -> Evidence:
    return Evidence(
        source_id=source_id,
        chunk_id=f"{source_id}#v#0",
        start=start,
        end=start + len(text),
        text=text,
    )


def test_a_node_label_carries_its_acronym() -> None:
    assert Node(id="icb", name="Integrated Care Board", short="ICB", kind="body").label == (
        "Integrated Care Board (ICB)"
    )
    assert Node(id="x", name="Hilltop Panel", kind="committee").label == "Hilltop Panel"


def test_a_node_description_is_what_it_is_else_what_it_does_never_a_mere_mention() -> None:
    defined, does, named = _evidence(text="d."), _evidence(text="a."), _evidence(text="n.")

    assert Node(id="x", name="X", kind="body").description is None
    only_named = Node(id="x", name="X", kind="body", named_in=[named])
    assert only_named.description is None  # a sentence naming it does not say what it is
    assert only_named.attested_by == named  # but the box still cites where it is named
    assert Node(id="x", name="X", kind="body", about=[does], named_in=[named]).description == does
    node = Node(id="x", name="X", kind="body", definitions=[defined], about=[does])
    assert node.description == defined
    assert node.attested_by == defined


def test_a_node_cites_each_sentence_once() -> None:
    same = _evidence(start=10, text="Same.")
    other = _evidence(start=50, text="Other.")
    node = Node(
        id="x",
        name="X",
        kind="body",
        definitions=[same],
        level_evidence=same,
        about=[other],
    )

    assert node.citations() == [same, other]


def test_evidence_label() -> None:
    evidence = Evidence(
        source_id="doc",
        title="A Title",
        publisher="A Press",
        published="2021-03",
        chunk_id="doc#v#0",
        start=0,
        end=1,
        text="x",
    )

    assert evidence.label() == "A Title · A Press · 2021-03"
    assert _evidence().label() == "doc"


def test_an_edge_needs_evidence() -> None:
    with pytest.raises(ValidationError):
        Edge(source="a", target="b", relation="part_of", label="part of", evidence=[])


def _small_map() -> StructureMap:
    nodes = [
        Node(id="icb", name="Integrated Care Board", short="ICB", kind="body"),
        Node(id="icb-chair", name="ICB Board Chair", kind="role"),
        Node(id="pcn", name="Primary Care Network", short="PCN", kind="body"),
    ]
    edges = [
        Edge(
            source="icb-chair",
            target="icb",
            relation="part_of",
            label="part of",
            evidence=[_evidence()],
        )
    ]
    return StructureMap(nodes=nodes, edges=edges)


def test_map_node_lookup() -> None:
    structure = _small_map()

    assert structure.node("pcn").name == "Primary Care Network"
    with pytest.raises(KeyError, match="nowhere"):
        structure.node("nowhere")


def test_map_find_puts_exact_matches_first() -> None:
    structure = _small_map()

    assert [n.id for n in structure.find("icb")] == ["icb", "icb-chair"]
    assert [n.id for n in structure.find("  primary care  ")] == ["pcn"]
    assert structure.find("") == [] and structure.find("ambulance") == []


def test_map_edges_of_a_node() -> None:
    structure = _small_map()

    assert len(structure.edges_of("icb")) == len(structure.edges_of("icb-chair")) == 1
    assert structure.edges_of("pcn") == []


def test_the_map_round_trips_through_json(full) -> None:
    assert StructureMap.model_validate_json(full.model_dump_json()) == full


# -- drawing ------------------------------------------------------------------------------


def test_svg_has_a_group_per_node_and_edge(full) -> None:
    svg = draw(full, "svg").decode("utf-8")

    assert svg.startswith("<?xml") or svg.startswith("<svg")
    assert "</svg>" in svg
    for node in full.nodes:
        assert f'id="node-{node.id}"' in svg
    for n in range(len(full.edges)):
        assert f'id="edge-{n}"' in svg
    assert "Riverside" in svg and "Medicines" in svg  # text stays text (perhaps wrapped)
    assert "The early paper" in svg and "The late paper" in svg  # the numbered sources
    assert "How the NHS fits together" in svg


def test_svg_names_the_year_of_an_as_of_map(full) -> None:
    svg = draw(as_of(full, 2019), "svg").decode("utf-8")

    assert "as of 2019" in svg
    assert 'id="node-integrated-care-board"' not in svg


def test_png_is_a_png(full) -> None:
    png = draw(full, "png")

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert draw(full, "png") == png  # no creation date: the same bytes each time


def test_svg_of_the_same_map_is_the_same_bytes(full) -> None:
    assert draw(full, "svg") == draw(full, "svg")


def test_an_empty_map_draws() -> None:
    svg = draw(StructureMap(), "svg").decode("utf-8")

    assert "How the NHS fits together" in svg
    assert 'id="node-' not in svg


def test_rows_go_by_level_then_the_unplaced_bodies_before_committees_before_roles() -> None:
    structure = StructureMap(
        levels=[Level(key="national", label="National"), Level(key="system", label="System")],
        nodes=[
            Node(id="s", name="Zed System Board", kind="body", level="system"),
            Node(id="r", name="Alpha Lead", kind="role"),
            Node(id="c", name="Beta Panel", kind="committee"),
            Node(id="b", name="Gamma Trust", kind="body"),
            Node(id="n", name="National Agency", kind="body", level="national"),
        ],
    )

    drawn = rows(structure)

    assert [(label, [n.id for n in ns]) for label, ns in drawn[:2]] == [
        ("National", ["n"]),
        ("System", ["s"]),
    ]
    unplaced = drawn[2:]
    assert all("not stated" in label.lower() for label, _ in unplaced)
    assert [n.id for _, ns in unplaced for n in ns] == ["b", "c", "r"]
    assert all(ns for _, ns in drawn)  # no empty row


def test_sources_are_numbered_in_order_of_first_use(full) -> None:
    sources = Sources.of(full)

    assert set(sources.numbers) == {"early", "late"}
    assert sorted(sources.numbers.values()) == [1, 2]
    ccg = full.node("clinical-commissioning-group")
    assert ccg.superseded_evidence is not None
    late = sources.numbers["late"]
    assert sources.marks([ccg.superseded_evidence]) == f"[{late}]"
    assert sources.marks([]) == ""


# -- the eval key and its score -----------------------------------------------------------


def test_the_key_file_loads_with_enough_stated_and_not_stated_lines() -> None:
    key = load_key()

    assert sum(k.stated for k in key) >= 40
    assert sum(not k.stated for k in key) >= 15
    assert len({k.id for k in key}) == len(key)


def test_the_key_uses_the_rules_vocabulary() -> None:
    rules = load_rules()
    key = load_key(KEY_FILE)

    assert {k.relation for k in key if k.type == "edge"} <= {r.key for r in rules.relations}
    assert {k.level for k in key if k.level} <= {lv.key for lv in rules.levels}
    for k in key:
        if k.type == "node":
            assert k.name, k.id
        else:
            assert k.source_node and k.target_node and k.relation, k.id
        if k.stated:
            assert k.evidence, k.id


def test_a_wrong_key_line_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "key.jsonl"
    good = '{"id": "n1", "type": "node", "name": "Integrated Care Board", "stated": true}'
    path.write_text(f'{good}\n\n{{"id": "n2", "type": "nodes", "stated": true}}\n')

    with pytest.raises(ValueError, match=re.escape(f"{path}:3")):
        load_key(path)


def _key(*lines: dict) -> list[KeyLine]:
    return [KeyLine.model_validate(line) for line in lines]


def test_score_counts_supported_not_stated_and_unjudged() -> None:
    key = _key(
        {"id": "n1", "type": "node", "name": "Integrated Care Board", "aliases": ["ICB"],
         "level": "system", "stated": True},
        {"id": "n2", "type": "node", "name": "Primary Care Network", "stated": True},
        {"id": "n3", "type": "node", "name": "Primary Care Trust", "stated": False},
        {"id": "n4", "type": "node", "name": "Strategic Health Authority", "stated": True},
        {"id": "e1", "type": "edge", "source_node": "Clinical Commissioning Group",
         "relation": "replaced_by", "target_node": "ICB", "stated": True},
        {"id": "e2", "type": "edge", "source_node": "Primary Care Trust",
         "relation": "replaced_by", "target_node": "Integrated Care Board", "stated": False},
        {"id": "e3", "type": "edge", "source_node": "Primary Care Network",
         "relation": "part_of", "target_node": "Integrated Care Board", "stated": True},
    )  # fmt: skip
    ev = _evidence(text="Clinical Commissioning Groups were replaced by ICBs.")
    structure = StructureMap(
        nodes=[
            Node(id="icb", name="Integrated Care Board", short="ICB", kind="body", level="place"),
            Node(id="ccg", name="Clinical Commissioning Group", kind="body"),
            Node(id="pct", name="Primary Care Trust", short="PCT", kind="body"),
        ],
        edges=[
            Edge(source="ccg", target="icb", relation="replaced_by", label="r", evidence=[ev]),
            Edge(source="pct", target="icb", relation="replaced_by", label="r", evidence=[ev]),
            Edge(source="ccg", target="pct", relation="part_of", label="p", evidence=[ev]),
        ],
    )

    scores = score(structure, key)

    # The ICB has a line; the CCG is named by a stated relation (e1): both are stated.
    assert (scores.nodes, scores.nodes_supported) == (3, 2)
    assert scores.nodes_against_not_stated == ["Primary Care Trust (PCT)"]
    assert (scores.key_nodes, scores.key_nodes_found) == (3, 1)
    assert (scores.levels_given, scores.levels_right) == (1, 0)  # "place", key says "system"
    assert (scores.edges, scores.edges_supported) == (3, 1)
    assert scores.edges_against_not_stated == [
        "Primary Care Trust (PCT) --replaced_by--> Integrated Care Board (ICB)"
    ]
    assert scores.edges_unjudged == [
        "Clinical Commissioning Group --part_of--> Primary Care Trust (PCT)"
    ]
    assert (scores.key_edges, scores.key_edges_found) == (2, 1)
    assert scores.key_edges_missed == ["Primary Care Network --part_of--> Integrated Care Board"]
    # Only the first edge's sentence names both its ends.
    assert (scores.citations, scores.citations_supporting) == (3, 1)
    figures = scores.figures()
    assert figures["node_precision"] == round(2 / 3, 3)
    assert figures["edge_recall"] == 0.5
    assert figures["level_accuracy"] == 0.0
    assert figures["not_stated_shown"] == 2


def test_score_of_an_empty_map_is_zero_not_an_error() -> None:
    figures = score(StructureMap(), load_key()).figures()

    assert figures["node_precision"] == figures["edge_recall"] == 0.0
    assert figures["nodes"] == figures["edges"] == 0
