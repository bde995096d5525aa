"""The structure finder run at ingest (ingest/structure.py) and its vocabulary
(ingest/structure_rules.py, read from prompts/structure.toml).

Every sentence here is invented for the test: the finder is checked on wording, not on
the sample corpus.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from ingest.structure import FINDER_VERSION, document_structure, finder_stamp
from ingest.structure_names import is_acronym, name_key, singular_word
from ingest.structure_rules import RULES_FILE, RulesError, load_rules
from vectorstore.records import (
    Chunk,
    ChunkMeta,
    DocumentRecord,
    DocumentStructure,
    FlaggedSpan,
    StructureStatement,
)


def _doc(source_id: str, *texts: str, flagged: list[FlaggedSpan] | None = None) -> list[Chunk]:
    """One chunk per text, laid end to end in the document (one newline between)."""
    chunks, start = [], 0
    for i, text in enumerate(texts):
        meta = ChunkMeta(
            source_id=source_id,
            chunk_index=i,
            start=start,
            end=start + len(text),
            flagged=list(flagged or []),
        )
        chunks.append(Chunk(f"{source_id}#v#{i}", text, meta))
        start += len(text) + 1
    return chunks


def _text(*texts: str) -> str:
    """The document text ``_doc`` lays its chunks out in."""
    return "\n".join(texts)


def _found(*texts: str) -> list[StructureStatement]:
    return document_structure(_doc("doc", *texts)).statements


def _relations(*texts: str) -> set[tuple[str, str, str]]:
    """(kind, subject, object) of every relation found."""
    return {(s.kind, s.subject, s.object) for s in _found(*texts) if s.kind.startswith("relation:")}


# -- relations stated by wording ----------------------------------------------------------


def test_a_replacement_with_a_stated_year_is_found_with_its_sentence() -> None:
    sentence = (
        "From July 2022, Clinical Commissioning Groups were replaced by "
        "Integrated Care Boards (ICBs)."
    )
    found = [s for s in _found(sentence) if s.kind == "relation:replaced_by"]

    assert len(found) == 1
    statement = found[0]
    assert (statement.subject, statement.object) == (
        "Clinical Commissioning Groups",
        "Integrated Care Boards",
    )
    assert statement.year == 2022
    assert statement.text == sentence
    assert _text(sentence)[statement.start : statement.end] == sentence
    assert statement.chunk_id == "doc#v#0"
    assert not statement.listed


def test_a_reverse_wording_states_the_same_direction() -> None:
    relations = _relations(
        "Integrated Care Boards replaced Clinical Commissioning Groups across the county."
    )

    assert relations == {
        ("relation:replaced_by", "Clinical Commissioning Groups", "Integrated Care Boards")
    }


def test_the_longer_wording_wins_replaced_by_is_not_read_as_replaced() -> None:
    # "replaced" alone is the reverse cue: read that way, the edge would point backwards.
    relations = _relations("The Hilltop Data Unit was replaced by the Hilltop Records Office.")

    assert relations == {("relation:replaced_by", "Hilltop Data Unit", "Hilltop Records Office")}


def test_formerly_in_brackets_names_the_old_body() -> None:
    relations = _relations(
        "The Riverside Records Service (formerly the Hilltop Data Unit) keeps registers."
    )

    assert relations == {("relation:replaced_by", "Hilltop Data Unit", "Riverside Records Service")}


def test_a_relation_is_found_both_ways() -> None:
    forward = _relations("The Riverside Medicines Forum reports to the Integrated Care Board.")
    reverse = _relations(
        "The Integrated Care Board will oversee the Riverside Medicines Forum and the "
        "Hilltop Formulary Panel."
    )

    assert forward == {
        ("relation:accountable_to", "Riverside Medicines Forum", "Integrated Care Board")
    }
    assert reverse == {
        ("relation:accountable_to", "Riverside Medicines Forum", "Integrated Care Board"),
        ("relation:accountable_to", "Hilltop Formulary Panel", "Integrated Care Board"),
    }


def test_names_listed_before_a_relation_each_hold_it() -> None:
    relations = _relations(
        "Integrated Care Boards and Primary Care Networks are part of the Integrated Care System."
    )

    assert relations == {
        ("relation:part_of", "Integrated Care Boards", "Integrated Care System"),
        ("relation:part_of", "Primary Care Networks", "Integrated Care System"),
    }


def test_names_listed_with_their_acronyms_before_a_relation_each_hold_it() -> None:
    relations = _relations(
        "Integrated Care Boards (ICBs) and Primary Care Networks (PCNs) are part of the "
        "Integrated Care System."
    )

    assert ("relation:part_of", "Integrated Care Boards", "Integrated Care System") in relations
    assert ("relation:part_of", "Primary Care Networks", "Integrated Care System") in relations


@pytest.mark.parametrize(
    "sentence",
    [
        "The Riverside Medicines Forum is not accountable to the Integrated Care Board.",
        "The Riverside Medicines Forum is never accountable to the Integrated Care Board.",
        "The Riverside Medicines Forum is no longer accountable to the Integrated Care Board.",
    ],
)
def test_a_negated_relation_states_nothing(sentence: str) -> None:
    affirmed = "The Riverside Medicines Forum is accountable to the Integrated Care Board."

    assert _relations(affirmed)  # the same sentence without the negation states one
    assert _relations(sentence) == set()


def test_a_commissioner_is_related_to_the_provider_after_from() -> None:
    relations = _relations(
        "NHS Hilltop commissions enhanced services from community pharmacies every year."
    )

    assert relations == {("relation:commissions", "NHS Hilltop", "community pharmacies")}


# -- names owned by another ---------------------------------------------------------------


def test_a_possessive_name_is_part_of_its_owner() -> None:
    relations = _relations("Funding requests are reviewed by NHS England's IFR Panel each month.")

    assert relations == {("relation:part_of", "IFR Panel", "NHS England")}


def test_and_its_makes_the_second_name_part_of_the_first() -> None:
    relations = _relations("Money flows from NHS England and its regional offices to systems.")

    assert ("relation:part_of", "regional offices", "NHS England") in relations


def test_a_capitalised_role_after_an_acronym_is_part_of_that_body() -> None:
    relations = _relations("Advice is given by the ICS Chief Pharmacist to each practice.")

    assert relations == {("relation:part_of", "Chief Pharmacist", "ICS")}


def test_a_lower_case_role_after_an_acronym_is_part_of_that_body() -> None:
    relations = _relations("Advice is given by the ICS chief pharmacist to each practice.")

    assert ("relation:part_of", "chief pharmacist", "ICS") in relations


# -- lists of members ---------------------------------------------------------------------

MEMBERS_INTRO = "The Example Partnership Board consists of organisations including:"
MEMBERS = ["Alpha Valley NHS Trust", "Beta Hill Community Council", "Gamma Health Alliance"]


def test_a_list_of_members_after_a_colon_makes_each_item_part_of_the_owner() -> None:
    passage = "\n".join([MEMBERS_INTRO, *(f"- {m}" for m in MEMBERS)])
    listed = [s for s in _found(passage) if s.kind == "relation:part_of"]

    assert [s.subject for s in listed] == MEMBERS
    assert {s.object for s in listed} == {"Example Partnership Board"}
    assert all(s.listed for s in listed)
    for s in listed:
        # The item alone does not say whose member it is: both are cited.
        assert s.text == f"{MEMBERS_INTRO} … {s.subject}"
        assert passage[s.start : s.end] == s.subject  # the span is the item's


def test_a_list_ends_at_the_first_line_that_is_not_an_item() -> None:
    passage = "\n".join(
        [MEMBERS_INTRO, "- Alpha Valley NHS Trust", "", "The Delta Care Forum meets monthly."]
    )
    listed = [s for s in _found(passage) if s.kind == "relation:part_of"]

    assert [s.subject for s in listed] == ["Alpha Valley NHS Trust"]


def test_membership_sentences_belong_to_the_body_the_passage_is_about() -> None:
    relations = _relations(
        "The Riverside Prescribing Committee sets the local formulary.",
        "Membership included representatives from the Alpha Valley NHS Trust, Beta Hill "
        "Community Council and Gamma Health Alliance.",
    )

    assert relations == {
        ("relation:part_of", member, "Riverside Prescribing Committee") for member in MEMBERS
    }


def test_a_heading_sets_the_body_a_members_sentence_is_about() -> None:
    relations = _relations(
        "## Riverside Prescribing Committee\n"
        "Its members include the Alpha Valley NHS Trust and Beta Hill Community Council."
    )

    assert relations == {
        ("relation:part_of", "Alpha Valley NHS Trust", "Riverside Prescribing Committee"),
        ("relation:part_of", "Beta Hill Community Council", "Riverside Prescribing Committee"),
    }


def test_the_sites_a_body_runs_are_part_of_it_when_it_is_named_before() -> None:
    opener = "Riverbank Community NHS Trust provides community health services."
    intro = "The Trust runs a number of services, notably the following sites:"
    passage = "\n".join([opener, intro, "- Alpha Community Hospital.", "- The Beta Centre."])
    listed = [s for s in _found(passage) if s.kind == "relation:part_of"]

    assert [(s.subject, s.object) for s in listed] == [
        ("Alpha Community Hospital", "Riverbank Community NHS Trust"),
        ("Beta Centre", "Riverbank Community NHS Trust"),
    ]
    # "The Trust" alone does not say which trust: the sentence that named it is cited too.
    assert all(s.text.startswith(f"{opener} … {intro} … ") for s in listed)


def test_a_listed_sites_place_in_brackets_stays_in_its_name() -> None:
    opener = "Riverbank Community NHS Trust provides community health services."
    intro = "The Trust runs a number of services, notably the following sites:"
    passage = "\n".join([opener, intro, "- Minor Injuries Unit (Eastbrook)", "- Gamma Hospital"])
    listed = {s.subject for s in _found(passage) if s.kind == "relation:part_of"}

    # A minor injuries unit is in many towns: the place tells this one apart.
    assert listed == {"Minor Injuries Unit (Eastbrook)", "Gamma Hospital"}


def test_a_list_of_the_parts_of_this_body_belongs_to_the_body_named_before() -> None:
    opener = "Northfield Hospitals NHS Foundation Trust."
    intro = "Hospitals of this Trust within the county are:"
    items = ["- Alpha Hospital - is based in Ashby.", "- Beta Hospital."]
    passage = "\n".join([opener, intro, *items])
    listed = [s for s in _found(passage) if s.kind == "relation:part_of"]

    assert [(s.subject, s.object) for s in listed] == [
        ("Alpha Hospital", "Northfield Hospitals NHS Foundation Trust"),
        ("Beta Hospital", "Northfield Hospitals NHS Foundation Trust"),
    ]
    assert all(s.text.startswith(f"{opener} … {intro} … ") for s in listed)


@pytest.mark.parametrize(
    "intro",
    [
        "Hospitals of this Council within the county are:",  # another kind's word
        "Hospitals of this Trust within the county are the following.",  # opens no list
    ],
)
def test_a_list_pointing_at_another_kind_or_not_a_list_is_not_the_bodys(intro: str) -> None:
    passage = "\n".join(["Northfield Hospitals NHS Foundation Trust.", intro, "- Alpha Hospital."])

    assert not [s for s in _found(passage) if s.kind == "relation:part_of"]


# -- levels, definitions, names -----------------------------------------------------------


def test_a_level_cue_places_the_nearest_name() -> None:
    found = _found("PCNs work at neighbourhood level with the practices in them.")

    levels = [(s.kind, s.subject) for s in found if s.kind.startswith("level:")]
    assert levels == [("level:neighbourhood", "PCNs")]


def test_a_bracketed_level_cue_places_the_name_before_it() -> None:
    found = _found("Integrated Care Partnerships (places) plan services for their towns.")

    levels = [(s.kind, s.subject) for s in found if s.kind.startswith("level:")]
    assert levels == [("level:place", "Integrated Care Partnerships")]


def test_a_sentence_without_a_level_cue_places_nothing() -> None:
    found = _found("PCNs work with the practices in them.")

    assert not [s for s in found if s.kind.startswith("level:")]


def test_what_a_body_is_and_what_it_does() -> None:
    found = _found(
        "The Riverside Medicines Forum is a group of clinicians and pharmacists.",
        "The Hilltop Formulary Panel publishes a list of approved medicines.",
    )

    kinds = {(s.kind, s.subject) for s in found if s.kind in ("definition", "about")}
    assert kinds == {
        ("definition", "Riverside Medicines Forum"),
        ("about", "Hilltop Formulary Panel"),
    }


def test_definitions_are_kept_two_per_body() -> None:
    found = _found(
        "The Riverside Forum is a group of pharmacists. The Riverside Forum is a forum for "
        "leads. The Riverside Forum is a body of clinicians. The Riverside Forum is an alliance."
    )

    definitions = [s for s in found if s.kind == "definition"]
    assert [s.text for s in definitions] == [
        "The Riverside Forum is a group of pharmacists.",
        "The Riverside Forum is a forum for leads.",
    ]


def test_a_name_statement_cites_the_first_sentence_and_counts_the_others() -> None:
    texts = (
        "The Riverside Medicines Forum meets monthly.",
        "Papers go to the Riverside Medicines Forum a week ahead.",
        "Minutes of the Riverside Medicines Forum are published.",
    )
    names = [s for s in _found(*texts) if s.kind == "name"]

    assert [(s.subject, s.count, s.text) for s in names] == [
        ("Riverside Medicines Forum", 3, texts[0])
    ]


def test_a_flagged_sentence_states_nothing() -> None:
    opening = "The Alpha Forum meets monthly. "
    injected = "The Riverside Medicines Forum reports to the Integrated Care Board."
    text = opening + injected
    span = FlaggedSpan(start=len(opening), end=len(text), rule="override")

    clean = document_structure(_doc("doc", text)).statements
    flagged = document_structure(_doc("doc", text, flagged=[span])).statements

    assert any(s.kind == "relation:accountable_to" for s in clean)
    assert not any(injected in s.text for s in flagged)
    assert not any(s.kind.startswith("relation:") for s in flagged)


def test_statements_carry_the_finder_version_and_the_rules_fingerprint() -> None:
    found = document_structure(_doc("doc", "PCNs work at neighbourhood level."))

    assert found.rules == f"{FINDER_VERSION}:{load_rules().fingerprint}"
    assert len(load_rules().fingerprint) == 12


def test_a_document_naming_no_body_states_nothing() -> None:
    assert _found("it was a quiet week; nothing much happened at all.") == []


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("the Integrated Care Boards", "integrated care board"),
        ("Integrated Care Board", "integrated care board"),
        ("ICBs", "ICB"),
        ("the ICBs", "ICB"),
        ("Local Authorities", "local authority"),
        ("Office for National Statistics", "office for national statistics"),
        ("community pharmacies", "community pharmacy"),
    ],
)
def test_name_key(written: str, key: str) -> None:
    assert name_key(written) == key


@pytest.mark.parametrize(
    ("word", "singular"),
    [("authorities", "authority"), ("boards", "board"), ("business", "business"), ("bus", "bus")],
)
def test_singular_word(word: str, singular: str) -> None:
    assert singular_word(word) == singular


@pytest.mark.parametrize(
    ("word", "expected"),
    [("ICB", True), ("ICBs", True), ("H&J", True), ("NHSEI", True), ("Board", False), ("A", False)],
)
def test_is_acronym(word: str, expected: bool) -> None:
    assert is_acronym(word) is expected


# -- the stored form ----------------------------------------------------------------------


def _list_document() -> tuple[str, DocumentStructure]:
    texts = (
        "From July 2022, Clinical Commissioning Groups were replaced by Integrated Care Boards.",
        "\n".join([MEMBERS_INTRO, *(f"- {m}" for m in MEMBERS)]),
    )
    return _text(*texts), document_structure(_doc("doc", *texts))


def test_structure_json_drops_texts_except_listed_members() -> None:
    _, found = _list_document()
    assert any(s.listed for s in found.statements)
    assert any(not s.listed for s in found.statements)

    stored = DocumentStructure.from_json(found.to_json())

    assert stored.rules == found.rules
    assert len(stored.statements) == len(found.statements)
    for before, after in zip(found.statements, stored.statements, strict=True):
        assert after.text == (before.text if before.listed else "")
        assert (after.kind, after.subject, after.object, after.start, after.end) == (
            before.kind,
            before.subject,
            before.object,
            before.start,
            before.end,
        )


def test_with_texts_reads_the_sentences_back_from_the_document() -> None:
    text, found = _list_document()

    restored = DocumentStructure.from_json(found.to_json()).with_texts(text)

    assert restored == found


def test_structure_json_states_the_chunk_id_prefix_once_and_reads_the_earlier_layout() -> None:
    text, found = _list_document()
    packed = found.to_json()

    assert packed.count('"doc#v#') == 1  # the statements' shared chunk id prefix
    # The earlier layout: each statement's fields in order, its chunk id written whole.
    rows = [list(asdict(s if s.listed else replace(s, text="")).values()) for s in found.statements]
    earlier = json.dumps([found.rules, rows])
    assert DocumentStructure.from_json(earlier).with_texts(text) == found
    assert len(packed) < len(earlier)


def test_structure_json_of_another_layout_is_empty() -> None:
    assert DocumentStructure.from_json(None) == DocumentStructure()
    assert DocumentStructure.from_json(json.dumps({"rules": "x"})) == DocumentStructure()
    assert DocumentStructure.from_json(json.dumps(["only one part"])) == DocumentStructure()


def test_a_document_record_keeps_its_structure_through_chroma_metadata() -> None:
    text, found = _list_document()
    record = DocumentRecord(
        source_id="doc",
        version="v1",
        file="doc.txt",
        root="/library",
        chunk_count=2,
        char_count=len(text),
        ingested_at="2025-01-01T00:00:00+00:00",
        published="2023",
        title="An invented document",
        structure=found,
    )

    flat = record.to_chroma()
    assert isinstance(flat["structure"], str)  # Chroma keeps scalars only
    back = DocumentRecord.from_chroma(flat)

    assert back.structure.with_texts(text) == found


# -- the rules file -----------------------------------------------------------------------


def test_the_shipped_rules_load() -> None:
    rules = load_rules()

    assert [level.key for level in rules.levels] == [
        "national",
        "regional",
        "system",
        "place",
        "neighbourhood",
        "provider",
    ]
    assert {k.key for k in rules.kinds} == {"body", "committee", "role"}
    assert {"replaced_by", "part_of", "accountable_to"} <= {r.key for r in rules.relations}
    assert rules.fingerprint == load_rules(RULES_FILE).fingerprint


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        (["integrated", "care", "board"], "body"),
        (["clinical", "commissioning", "group"], "body"),  # a two-word head beats "group"
        (["area", "prescribing", "committee"], "committee"),
        (["formulary", "steering", "group"], "committee"),
        (["chief", "pharmacist"], "role"),
        (["department", "of", "health"], "body"),  # a lead word
        (["weekly", "newsletter"], None),
        ([], None),
    ],
)
def test_kind_of(words: list[str], kind: str | None) -> None:
    assert load_rules().kind_of(words) == kind


def test_relation_cues_match_the_longest_wording() -> None:
    matches = list(load_rules().relation_cues.finditer("CCGs were replaced by ICBs"))

    assert [(m.group(0), tag) for m, tag in matches] == [("replaced by", "replaced_by:f")]


def test_relation_cues_match_whole_words_only() -> None:
    # "commissioning" holds "commission": a cue is never a piece of a word.
    matches = list(load_rules().relation_cues.finditer("Clinical Commissioning Groups"))

    assert matches == []


def test_level_cues_carry_their_level() -> None:
    cues = list(load_rules().level_cues.finditer("PCNs work at neighbourhood level"))

    assert [tag for _, tag in cues] == ["neighbourhood"]


def _write_rules(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


_MINIMAL = """
[[levels]]
key = "system"
label = "System"
cues = ["system level"]

[[kinds]]
key = "body"
label = "Body"
heads = ["board"]

[[relations]]
key = "part_of"
label = "part of"
forward = ["part of"]
"""


def test_a_minimal_rules_file_loads_with_its_own_fingerprint(tmp_path: Path) -> None:
    rules = load_rules(_write_rules(tmp_path / "rules.toml", _MINIMAL))
    other = load_rules(_write_rules(tmp_path / "other.toml", _MINIMAL + "\n# changed\n"))

    assert [level.key for level in rules.levels] == ["system"]
    assert rules.fingerprint and other.fingerprint
    assert rules.fingerprint != other.fingerprint != load_rules().fingerprint


def test_findings_use_the_rules_given(tmp_path: Path) -> None:
    rules = load_rules(_write_rules(tmp_path / "rules.toml", _MINIMAL))

    found = document_structure(
        _doc("doc", "The Riverside Care Board is part of the Hilltop Care Board."), rules
    )

    assert found.rules == finder_stamp(rules) != finder_stamp(load_rules())
    assert [(s.kind, s.subject, s.object) for s in found.statements if s.object] == [
        ("relation:part_of", "Riverside Care Board", "Hilltop Care Board")
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (_MINIMAL + "\nsurprise = true\n", "surprise"),  # an unknown field
        (_MINIMAL.replace('cues = ["system level"]', ""), "cues"),  # a missing one
        (_MINIMAL.replace('key = "system"', 'key = "System Level"'), "key"),  # a bad key
        (_MINIMAL + '\n[[kinds]]\nkey = "body"\nlabel = "Again"\n', "twice"),  # a repeated key
        ("[[levels]\nkey = ", "cannot read"),  # not TOML
    ],
)
def test_a_wrong_rules_file_is_an_error_naming_it(tmp_path: Path, text: str, says: str) -> None:
    path = _write_rules(tmp_path / "broken.toml", text)

    with pytest.raises(RulesError) as raised:
        load_rules(path)

    assert str(path) in str(raised.value)
    assert says in str(raised.value)


def test_a_missing_rules_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"

    with pytest.raises(RulesError) as raised:
        load_rules(path)

    assert str(path) in str(raised.value)
