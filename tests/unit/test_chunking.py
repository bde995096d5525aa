"""Chunking: exact slices, token limits, structure kept; tiktoken loaded offline."""

from __future__ import annotations

import itertools
import socket
from pathlib import Path

import pytest
from tiktoken_ext import openai_public

from ingest import tokens
from ingest.chunking import chunk_text, split_blocks, split_sentences
from ingest.cleaning import clean_text
from ingest.tokens import count_tokens
from vectorstore.records import ChunkMeta

PARA = (
    "Practices in the network share a clinical pharmacist, a social prescriber and a care "
    "coordinator, and they agree together how the extra staff will be used across the whole "
    "population."
)
SIZES = [(40, 10), (64, 16), (160, 48)]


@pytest.fixture(scope="module")
def corpus_texts(corpus_dir: Path) -> dict[str, str]:
    return {
        p.name: clean_text(p.read_text(encoding="utf-8")).text
        for p in sorted(corpus_dir.glob("*.txt"))
    }


def _sentences(n: int) -> str:
    subjects = ("The board", "Each network", "The council", "The trust", "Our team", "The ICB")
    return " ".join(
        f"{subjects[i % len(subjects)]} reviews plan number {i + 1} for the local "
        f"population and reports back to its partners."
        for i in range(n)
    )


@pytest.mark.parametrize(("max_tokens", "min_tokens"), SIZES)
def test_chunks_are_exact_slices_of_the_text(
    corpus_texts: dict[str, str], max_tokens: int, min_tokens: int
) -> None:
    for name, text in corpus_texts.items():
        chunks = chunk_text(text, max_tokens, min_tokens)
        assert chunks, name
        for chunk in chunks:
            assert text[chunk.start : chunk.end] == chunk.text, (name, chunk.index)
        assert [c.index for c in chunks] == list(range(len(chunks)))
        assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))


@pytest.mark.parametrize(("max_tokens", "min_tokens"), SIZES)
def test_chunks_never_exceed_max_tokens(
    corpus_texts: dict[str, str], max_tokens: int, min_tokens: int
) -> None:
    for name, text in corpus_texts.items():
        for chunk in chunk_text(text, max_tokens, min_tokens):
            assert count_tokens(chunk.text) <= max_tokens, (name, chunk.index, chunk.text)


def test_chunk_token_count_is_the_count_of_its_text(corpus_texts: dict[str, str]) -> None:
    for text in corpus_texts.values():
        for chunk in chunk_text(text, 64, 16):
            assert chunk.tokens == count_tokens(chunk.text)


def test_only_whitespace_falls_between_chunks(corpus_texts: dict[str, str]) -> None:
    for name, text in corpus_texts.items():
        chunks = chunk_text(text, 64, 16)
        edges = [0, *(x for c in chunks for x in (c.start, c.end)), len(text)]
        gaps = [text[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]
        assert all(not gap.strip() for gap in gaps), name


def test_headings_start_chunks_and_set_their_section() -> None:
    text = f"# Alpha\n\n{PARA}\n\n# Beta\n\n{PARA}\n\n# Gamma\n\n{PARA}"
    chunks = chunk_text(text, max_tokens=160, min_tokens=20)
    assert [c.text.split("\n")[0] for c in chunks] == ["# Alpha", "# Beta", "# Gamma"]
    assert [c.section for c in chunks] == ["Alpha", "Beta", "Gamma"]


def test_chunk_continuing_a_section_carries_its_heading() -> None:
    text = "# Workforce\n\n" + "\n\n".join([PARA] * 4)
    chunks = chunk_text(text, max_tokens=60, min_tokens=10)
    assert len(chunks) > 1
    assert not chunks[1].text.startswith("#")
    assert {c.section for c in chunks} == {"Workforce"}


def test_intro_line_stays_with_its_bullet_list() -> None:
    intro = "The network has three priorities:"
    first = "- Reduce avoidable admissions for people living with frailty and long-term conditions."
    text = "\n\n".join(
        [
            PARA,
            intro,
            first,
            "- Offer structured medication reviews to patients on many medicines.",
            "- Improve access to appointments in the evenings and at weekends.",
        ]
    )
    # The paragraph and the intro fit in one chunk; adding the first bullet would not.
    chunks = chunk_text(text, max_tokens=50, min_tokens=10)
    holding_intro = [c for c in chunks if intro in c.text]
    assert len(holding_intro) == 1
    assert first in holding_intro[0].text
    assert not any(c.text.endswith(intro) for c in chunks)


def test_heading_is_not_left_at_the_end_of_a_chunk() -> None:
    text = "\n\n".join(
        [
            PARA,
            "Next steps",
            "The board will publish its joint forward plan in the spring after talking to "
            "partners.",
        ]
    )
    chunks = chunk_text(text, max_tokens=45, min_tokens=44)
    assert len(chunks) == 2
    assert chunks[1].text.startswith("Next steps\n")
    assert chunks[1].section == "Next steps"


def test_long_paragraph_is_split_at_sentence_boundaries() -> None:
    text = _sentences(12)
    chunks = chunk_text(text, max_tokens=60, min_tokens=10)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert count_tokens(chunk.text) <= 60
        assert chunk.text.endswith("partners.")
        assert chunk.text.startswith(
            ("The board", "Each network", "The council", "The trust", "Our team", "The ICB")
        )
    assert " ".join(c.text for c in chunks) == text


def test_sentences_are_not_cut_after_abbreviations() -> None:
    text = "Dr. Patel leads the work, e.g. On Mondays. The board agrees."
    spans = [text[a:b] for a, b in split_sentences(text)]
    assert spans == ["Dr. Patel leads the work, e.g. On Mondays.", "The board agrees."]


def test_sentence_longer_than_a_chunk_is_cut_at_words() -> None:
    text = " ".join(f"word{i}" for i in range(300))
    chunks = chunk_text(text, max_tokens=50, min_tokens=10)
    assert len(chunks) > 1
    assert all(count_tokens(c.text) <= 50 for c in chunks)
    assert " ".join(c.text for c in chunks) == text


# -- tiktoken, offline -------------------------------------------------------------------


def test_encoding_is_built_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(tokens, "_encodings", {})  # force a fresh build
    enc = tokens.encoding("cl100k_base")
    assert enc.name == "cl100k_base"
    assert enc.decode(enc.encode("Integrated care boards")) == "Integrated care boards"
    assert count_tokens("hello world") == 2


def test_offline_loader_refuses_other_blob_paths() -> None:
    with (
        tokens._offline_loader("cl100k_base"),
        pytest.raises(RuntimeError, match="refusing to fetch"),
    ):
        openai_public.load_tiktoken_bpe("https://example.com/encodings/other.tiktoken", "0" * 64)


def test_offline_loader_refuses_to_load_without_a_hash() -> None:
    blob = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    with tokens._offline_loader("cl100k_base"), pytest.raises(RuntimeError, match="sha256"):
        openai_public.load_tiktoken_bpe(blob, None)


def test_offline_loader_restores_tiktoken_loader_afterwards() -> None:
    real = openai_public.load_tiktoken_bpe
    with tokens._offline_loader("cl100k_base"):
        assert openai_public.load_tiktoken_bpe is not real
    assert openai_public.load_tiktoken_bpe is real


def test_short_lower_case_lines_are_a_list_or_a_fragment_not_headings() -> None:
    text = (
        "We will provide domain scores.\n\naccess to services\n\npatient safety\n\n"
        "people and workforce\n\nDomain scores cannot be added up.\n\n"
        "reduce admission rates to mental health\n\nHow to use a domain score\n\nText."
    )
    kinds = [(b.kind, b.text) for b in split_blocks(text)]
    assert kinds[1:4] == [
        ("bullet", "access to services"),
        ("bullet", "patient safety"),
        ("bullet", "people and workforce"),
    ]
    assert ("paragraph", "reduce admission rates to mental health") in kinds
    assert ("heading", "How to use a domain score") in kinds


def test_a_tables_cells_after_a_list_intro_are_items_not_headings() -> None:
    text = (
        "Formulary Choice of Insulin Needles\n"
        "Practices may prescribe any of the following needles costing under £3.00:\n"
        "Formulary choice\n"
        "1st Insupen\n"
        "£2.49 Yes Yes Yes\n"
        "\n"
        "Insulin pen needles fit all major brands of pen.\n"
        "The plan includes:\n"
        "- one\n"
        "Next Section\n"
        "Safety needles are available."
    )
    kinds = {b.text: b.kind for b in split_blocks(text)}
    assert kinds["Formulary Choice of Insulin Needles"] == "heading"
    assert [kinds[c] for c in ("Formulary choice", "1st Insupen", "£2.49 Yes Yes Yes")] == [
        "bullet"
    ] * 3
    # A genuine bullet ends the run: the line after it is a heading again.
    assert kinds["Next Section"] == "heading"


def test_a_lower_case_list_that_ends_the_text_keeps_its_last_item() -> None:
    text = (
        "Use it first for:\no patients with a high HbA1c\no patients with obesity\n"
        "o patients near surgery"
    )
    kinds = [b.kind for b in split_blocks(text)]
    assert kinds[1:] == ["bullet", "bullet", "bullet"]
    # A lone lower-case last line is still a fragment, not an item.
    assert split_blocks("A sentence.\nand a fragment")[-1].kind == "paragraph"


def test_labelled_lines_after_an_intro_or_in_a_run_are_a_list() -> None:
    text = (
        "The unit produces several products. Some of the key products include:\n"
        "Data packs: The packs show where to look.\n"
        "Some closing remarks follow here without a label at all.\n"
        "Focus packs: These cover the areas of highest spend.\n"
        "Explorer tool: It compares two indicators.\n"
    )
    kinds = [b.kind for b in split_blocks(text)]
    assert kinds == ["intro", "bullet", "paragraph", "bullet", "bullet"]
    # One labelled line alone, after no intro, is a paragraph.
    assert split_blocks("Text here.\nNote: this is a paragraph.\nMore.")[1].kind == "paragraph"


def test_a_chunk_opening_inside_a_list_carries_the_line_that_introduced_it() -> None:
    items = "\n".join(
        f"- condition {i} described in a dozen or so plain words here" for i in range(12)
    )
    text = f"Eligibility\n\nPatients are eligible if they:\n{items}\n\nA closing paragraph."
    chunks = chunk_text(text, 60, 10)
    assert len(chunks) > 2
    assert chunks[0].lead_in == ""  # the intro is in the chunk itself
    continuing = [c for c in chunks[1:] if c.text.startswith("- condition")]
    assert continuing and all(c.lead_in == "Patients are eligible if they:" for c in continuing)
    # Searched with its items, never part of the quotable text.
    meta = ChunkMeta(source_id="d", section="Eligibility", lead_in=continuing[0].lead_in)
    assert meta.embedded_text(continuing[0].text).startswith(
        "Eligibility\nPatients are eligible if they:\n- condition"
    )
    assert "Patients are eligible" not in continuing[0].text


def test_an_item_that_opens_a_list_of_its_own_is_the_lead_in_of_its_items() -> None:
    items = "\n".join(f"- case {i} told in a dozen or so plain words of its own" for i in range(12))
    text = f"Patients are eligible if:\n- Type 1: all of them.\n- Type 2, with any of:\n{items}"
    continuing = [c for c in chunk_text(text, 60, 10)[1:] if c.text.startswith("- case")]
    assert continuing and {c.lead_in for c in continuing} == {"Type 2, with any of:"}


def test_a_tables_rows_are_not_headings_and_the_next_heading_starts_a_chunk() -> None:
    rows = "\n".join(f"Chief Officer {i} | NHS Example ICB" for i in range(8))
    text = f"# Membership\nThe members are listed below.\n{rows}\n# Quorum\n{PARA}"
    kinds = {b.text: b.kind for b in split_blocks(text)}
    assert kinds["Chief Officer 0 | NHS Example ICB"] == "bullet"
    chunks = chunk_text(text, max_tokens=400, min_tokens=20)
    assert [c.section for c in chunks] == ["Membership", "Quorum"]


def test_a_numbered_line_of_a_few_words_before_a_paragraph_is_a_section_heading() -> None:
    text = (
        "1. Purpose\n"
        "This paper asks the Board to approve the merger of the two boards.\n"
        "The APC will:\n"
        "1. Maintain the formulary\n"
        "2. Agree shared care protocols\n"
        "The list ends here with a sentence."
    )
    kinds = {b.text: b.kind for b in split_blocks(text)}
    assert kinds["1. Purpose"] == "heading"
    # A list's numbered items stay items, its last one too.
    assert kinds["1. Maintain the formulary"] == "bullet"
    assert kinds["2. Agree shared care protocols"] == "bullet"


def test_a_pdf_tables_rows_under_a_heading_are_rows_not_headings() -> None:
    text = "\n".join(
        [
            "Member practices",
            "Practice Main site Branch sites",
            "Carrow Bridge Surgery Carrow Bridge None",
            "Millbeck Medical Centre Millbeck Hollins Green",
            "4.1 Access",
            "The hub opened in October 2023 and offers evening appointments.",
            "Tirzepatide for Type 2 Diabetes in Adults",
            "Prescribing Support Document",
            "Cambridgeshire and Peterborough",
            "Tirzepatide is a long-acting dual receptor agonist given weekly.",
        ]
    )
    kinds = [b.kind for b in split_blocks(text)]
    assert kinds == [
        "heading", "bullet", "bullet", "bullet",  # a heading over its table's rows
        "heading", "paragraph",  # a numbered line still heads its section
        "heading", "heading", "heading", "paragraph",  # a title page's lines stay headings
    ]  # fmt: skip


def test_a_numbered_line_after_a_blank_line_closing_a_list_heads_a_section() -> None:
    text = (
        "6. Cautions\nAvoid in:\n- hypocalcaemia;\n- pregnancy.\n\n"
        "7. Stopping treatment\nDenosumab must not be stopped without a plan."
    )
    kinds = {b.text: b.kind for b in split_blocks(text)}
    assert kinds["7. Stopping treatment"] == "heading"
    # With no blank line, the list goes on: a numbered line is its next item.
    listed = "Steps:\n1. Refer the patient\n2. Check calcium levels\nThen review."
    assert {b.text: b.kind for b in split_blocks(listed)}["2. Check calcium levels"] == "bullet"


def test_a_numbered_line_after_a_tables_row_heads_a_section() -> None:
    text = (
        "NHS Westmoor ICB | RAG status: AMBER | Version 2.1\n"
        "1. Introduction\nThis protocol sets out how care is shared."
    )
    assert {b.text: b.kind for b in split_blocks(text)}["1. Introduction"] == "heading"
