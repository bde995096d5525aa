"""Acronyms found at ingest (ingest/acronyms.py) and the glossary assembled from them."""

from __future__ import annotations

import json
from dataclasses import asdict

from assistant.retrieval.glossary import Glossary
from ingest.acronyms import document_acronyms
from vectorstore.records import (
    Chunk,
    ChunkMeta,
    DocumentAcronyms,
    DocumentRecord,
    GlossaryEntry,
    PhraseUse,
)


def _doc(source_id: str, *texts: str) -> list[Chunk]:
    chunks, start = [], 0
    for i, text in enumerate(texts):
        meta = ChunkMeta(source_id=source_id, chunk_index=i, start=start, end=start + len(text))
        chunks.append(Chunk(f"{source_id}#v#{i}", text, meta))
        start += len(text) + 1
    return chunks


def test_a_document_never_spelling_out_an_acronym_lends_it_its_most_used_phrase() -> None:
    found = document_acronyms(
        _doc(
            "plan",
            "Each PCN employs pharmacists.",
            "A Primary Care Network covers 30,000 to 50,000 people.",
            "Primary Care Networks share staff; a Practice Care Note is filed.",
        )
    )
    assert found.defined == []
    entry = Glossary.from_documents([found]).lookup("PCNs")
    assert entry is not None and entry.inferred
    assert entry.long == "Primary Care Network"
    assert entry.chunk_id == "plan#v#1"  # where the winning phrase is first used
    # The second chunk starts at 30 in the document; "A " comes before the phrase.
    assert (entry.start, entry.end) == (32, 32 + len("Primary Care Network"))


def test_a_definition_in_any_document_wins_over_an_inferred_phrase() -> None:
    inferred = document_acronyms(_doc("a", "The PCN met. The Practice Care Network met."))
    defined = document_acronyms(_doc("b", "Primary Care Networks (PCNs) began in 2019."))
    glossary = Glossary.from_documents([inferred, defined])
    entry = glossary.lookup("PCN")
    assert entry is not None and not entry.inferred
    assert (entry.long, entry.source_id) == ("Primary Care Networks", "b")


def test_two_letter_acronyms_need_their_phrase_twice() -> None:
    once = document_acronyms(_doc("a", "The AP met. The Area Panel met."))
    twice = document_acronyms(_doc("b", "The AP met. The Area Panel met. Area Panels vote."))
    assert Glossary.from_documents([once]).lookup("AP") is None
    entry = Glossary.from_documents([twice]).lookup("AP")
    assert entry is not None and entry.long == "Area Panel"


def test_a_name_beats_a_chance_run_of_words_and_grammar_words_spell_nothing() -> None:
    uses = document_acronyms(
        _doc(
            "a",
            "The RPS wrote. The resident population stated it; the resident population "
            "stated more. They must act. They must wait. The TM met.",
        )
    )
    named = document_acronyms(_doc("b", "The Royal Pharmaceutical Society met the RPS."))
    glossary = Glossary.from_documents([uses, named])
    entry = glossary.lookup("RPS")
    assert entry is not None and entry.long == "Royal Pharmaceutical Society"
    assert glossary.lookup("TM") is None  # "They must" is grammar, not a name


def test_phrases_are_counted_across_documents() -> None:
    first = document_acronyms(_doc("a", "The ICB met. The Integrated Care Board met."))
    second = document_acronyms(
        _doc("b", "The ICB chair. The Interim Care Board. The Interim Care Board again.")
    )
    third = document_acronyms(_doc("c", "ICB: the Integrated Care Board; Integrated Care Boards."))
    entry = Glossary.from_documents([first, second, third]).lookup("ICB")
    assert entry is not None and entry.long == "Integrated Care Board"  # 3 uses against 2


def test_the_glossary_from_chunks_equals_the_one_from_ingest_findings() -> None:
    a = _doc("a", "Integrated Care Boards (ICBs) replaced CCGs.", "The CCG lead, a GP.")
    b = _doc("b", "Clinical Commissioning Groups ran until 2022; each CCG had a board.")
    from_chunks = Glossary(a + b)
    from_ingest = Glossary.from_documents([document_acronyms(a), document_acronyms(b)])
    assert from_chunks.entries == from_ingest.entries
    assert from_chunks.expand("What did a CCG do?") == (
        "What did a CCG do? (Clinical Commissioning Group)"
    )


def test_mentioned_finds_long_forms_in_any_case_and_short_forms_in_plural() -> None:
    glossary = Glossary(
        _doc("a", "Integrated Care Boards (ICBs) and Primary Care Networks (PCNs).")
    )
    asked = glossary.mentioned("How do integrated care boards fund PCNs?")
    assert [e.short for e in asked] == ["ICB", "PCN"]
    assert glossary.mentioned("What is a formulary?") == []


def test_a_common_word_stands_for_an_acronym_only_in_capitals() -> None:
    glossary = Glossary(_doc("a", "A worse health outcome (WHO) and primary care networks (PCNs)."))
    assert glossary.expand("Who decides which medicines are used?") == (
        "Who decides which medicines are used?"
    )
    assert [e.short for e in glossary.mentioned("What does the WHO say about pcns?")] == [
        "WHO",
        "PCN",
    ]


def test_a_long_form_is_the_name_whose_initials_spell_the_acronym() -> None:
    glossary = Glossary(
        _doc(
            "a",
            "It set up a Public Private Partnership (PPP) with the Office of Data Analytics "
            "(ODA) and the Forum for Injection Technique (FIT).",
        )
    )
    longs = {short: glossary.lookup(short).long for short in ("PPP", "ODA", "FIT")}  # type: ignore[union-attr]
    assert longs == {
        "PPP": "Public Private Partnership",
        "ODA": "Office of Data Analytics",
        "FIT": "Forum for Injection Technique",
    }


def test_an_old_finding_that_opens_with_a_function_word_is_left_out() -> None:
    stale = GlossaryEntry("ODA", "of Data Analytics", "a", "a#v#0", 0, 20)
    fine = GlossaryEntry("PCN", "Primary Care Network", "a", "a#v#0", 30, 60)
    glossary = Glossary.from_documents([DocumentAcronyms([stale, fine], [], [], [])])
    assert glossary.lookup("ODA") is None
    assert glossary.lookup("PCN") is not None


def _record(found: DocumentAcronyms) -> DocumentRecord:
    """Document "a"'s registry record, holding these findings."""
    return DocumentRecord(
        source_id="a",
        version="v",
        file="a.md",
        root="/docs",
        chunk_count=1,
        char_count=10,
        ingested_at="2026-12-06T00:00:00+00:00",
        acronyms=found,
    )


def test_a_documents_acronyms_survive_the_registry_round_trip() -> None:
    found = document_acronyms(
        _doc("a", "Integrated Care Boards (ICBs) lead. Each PCN and each Primary Care Network.")
    )
    assert found.defined and found.phrases
    assert DocumentAcronyms.from_json(found.to_json()) == found
    assert DocumentRecord.from_chroma(_record(found).to_chroma()).acronyms == found
    assert DocumentAcronyms.from_json(None) == DocumentAcronyms()


def test_a_lower_case_phrase_counts_for_an_acronym_another_document_used_before() -> None:
    chunks = _doc("a", "The ICB decides.") + _doc("b", "Each integrated care board decides.")
    entry = Glossary(chunks).lookup("ICB")
    assert entry is not None and entry.long == "integrated care board"
    assert entry.source_id == "b"
    # Met before the document using the acronym, a phrase counts only as a capitalised name.
    later = _doc("a", "Each integrated care board decides.") + _doc("b", "The ICB decides.")
    assert Glossary(later).lookup("ICB") is None
    named = _doc("a", "Each Integrated Care Board decides.") + _doc("b", "The ICB decides.")
    entry = Glossary(named).lookup("ICB")
    assert entry is not None and entry.long == "Integrated Care Board"


def test_a_record_read_without_findings_keeps_what_a_re_run_compares() -> None:
    found = document_acronyms(_doc("a", "Integrated Care Boards (ICBs) lead."))
    record = _record(found)

    light = DocumentRecord.from_chroma(record.to_chroma(), findings=False)

    # Whether a file changed, where it is and what it held: all there; the findings
    # (most of a registry's weight) are not parsed.
    assert (light.version, light.location, light.chunk_count) == ("v", record.location, 1)
    assert light.acronyms == DocumentAcronyms() and found != DocumentAcronyms()


def test_findings_json_states_the_source_and_chunk_prefix_once_and_reads_old_records() -> None:
    chunks = _doc(
        "policy", "Integrated Care Boards (ICBs) lead. Each PCN and each Primary Care Network."
    )
    found = document_acronyms(chunks)
    # An entry from elsewhere (another source, a chunk id of another shape) keeps its ids.
    other = PhraseUse("ICB", "integrated care board", "Integrated Care Board", 1, "b", "", 0, 5)
    found.names.append(other)
    packed = found.to_json()

    assert DocumentAcronyms.from_json(packed) == found
    assert packed.count('"policy"') == 1 and packed.count('"policy#v#') == 1
    old_layout = json.dumps(
        [
            [list(asdict(e).values()) for e in found.defined],
            found.used,
            [list(asdict(p).values()) for p in found.phrases],
            [list(asdict(p).values()) for p in found.names],
        ]
    )
    assert DocumentAcronyms.from_json(old_layout) == found
    assert len(packed) < len(old_layout)
