"""Cleaning and chunking hold their contracts on any text (hypothesis-generated documents).

The documents are built like the ones we ingest: markdown headings, bullets, tables with
pipes, numbers, unicode, blank lines, very long lines and runs of odd whitespace.
"""

from __future__ import annotations

import itertools
import random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ingest.chunking import ChunkSpan, chunk_text, split_blocks
from ingest.cleaning import clean_text
from ingest.tokens import count_tokens

# A few seconds in all; no deadline, as the first tiktoken call in a process takes a moment.
FAST = settings(max_examples=50, deadline=None)

_VOCABULARY = (
    "the board integrated care system pharmacy network patients services funding plan "
    "NHS ICB PCN GP A&E 2023/24 £2.49 10% 1,200 3.5mg café naïve Zoë São über co-ordinate "
    "(PCN) “quoted” ‘single’ µg x² ≥5 – — 日本語 中文 Ελληνικά русский 💊 ™ e.g. i.e. Dr. St."
).split()
# A shuffled stream of the words: a sentence is a slice of it (two draws; drawing each word
# would make generation the slow part of these tests).
WORDS = random.Random(13).sample(_VOCABULARY * 8, len(_VOCABULARY) * 8)
# Words that no cleaning rule touches: no lone letters, abbreviations, dashes or site chrome.
PROSE_WORDS = [w for w in WORDS if not w.endswith(".") and w not in "–—"]
CLOSERS = (".", "!", "?", '."', ".)", ".”", "?’")
SPACES = " \t\u00a0\u2003"
LINE_BREAKS = ("\n", "\r\n", "\r", "\n\n", "\n \n", "\n\t\n\n")
SIZES = st.sampled_from([(32, 8), (40, 10), (64, 16), (192, 48)])


def _words(stream: list[str], min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Between ``min_size`` and ``max_size`` consecutive words of ``stream``."""
    return st.tuples(st.integers(0, len(stream) - 1), st.integers(min_size, max_size)).map(
        lambda at: " ".join(itertools.islice(itertools.cycle(stream), at[0], at[0] + at[1]))
    )


@st.composite
def sentences(draw, stream: list[str] = WORDS, min_words: int = 3) -> str:
    """A sentence: capitalised words ending in a full stop, maybe inside quotes or brackets."""
    words = draw(_words(stream, min_words, 14))
    return words[:1].upper() + words[1:] + draw(st.sampled_from(CLOSERS))


def _paragraph(min_sentences: int, max_sentences: int) -> st.SearchStrategy[str]:
    return st.lists(sentences(), min_size=min_sentences, max_size=max_sentences).map(" ".join)


def _table_row() -> st.SearchStrategy[str]:
    cell = st.one_of(_words(WORDS, 1, 3), st.integers(0, 10**6).map(str), st.just("---"))
    return st.lists(cell, min_size=2, max_size=12).map(
        lambda cells: "| " + " | ".join(cells) + " |"
    )


LINES = st.one_of(
    st.tuples(st.integers(1, 6), _words(WORDS, 1, 6)).map(lambda h: "#" * h[0] + " " + h[1]),
    _words(WORDS, 1, 6),  # a heading without '#'
    st.tuples(st.sampled_from(["- ", "* ", "• ", "● ", "1. ", "12) "]), sentences()).map("".join),
    _table_row(),
    st.integers(1, 40).map(lambda n: "|" + "---|" * n),  # a table's rule, one long "word"
    _paragraph(1, 6),
    # a very long line
    st.tuples(_paragraph(2, 5), st.integers(5, 25)).map(lambda p: " ".join([p[0]] * p[1])),
    st.text(alphabet="日本語の医療サービス", min_size=50, max_size=400),  # no spaces at all
    _words(WORDS, 2, 6).map(lambda w: w + ":"),  # a list's intro line
    st.sampled_from(["Sign up to our newsletter", "Home > News > NHS", "Contents ....... 4"]),
    st.lists(st.integers(0, 99999).map(str), min_size=1, max_size=8).map(" ".join),
    st.just(""),
    st.text(alphabet=SPACES, max_size=6),
)


@st.composite
def documents(draw) -> str:
    """Lines joined by assorted line breaks, each padded with runs of assorted whitespace."""
    parts = []
    for line in draw(st.lists(LINES, min_size=1, max_size=25)):
        pad = draw(st.text(alphabet=SPACES, max_size=4))
        parts.append(pad + line + draw(st.text(alphabet=SPACES, max_size=4)))
        parts.append(draw(st.sampled_from(LINE_BREAKS)))
    return "".join(parts)


def _chunk_problems(text: str, chunks: list[ChunkSpan], max_tokens: int) -> list[str]:
    """What is wrong with ``chunks`` of ``text`` (empty when nothing is)."""
    problems = []
    if [c.index for c in chunks] != list(range(len(chunks))):
        problems.append(f"indexes {[c.index for c in chunks]}")
    for chunk in chunks:
        if text[chunk.start : chunk.end] != chunk.text:
            problems.append(f"span does not match its text: {chunk}")
        if not chunk.text or chunk.text != chunk.text.strip():
            problems.append(f"empty or unstripped: {chunk}")
        if not chunk.tokens == count_tokens(chunk.text) <= max_tokens:
            problems.append(f"tokens miscounted or over {max_tokens}: {chunk}")
    # In order, no overlap, and only whitespace left between them: nothing lost or repeated.
    edges = [0, *(x for c in chunks for x in (c.start, c.end)), len(text)]
    if not all(a <= b for a, b in itertools.pairwise(edges)):
        problems.append(f"out of order or overlapping: {edges}")
    else:
        gaps = [text[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]
        problems += [f"text lost between chunks: {gap!r}" for gap in gaps if gap.strip()]
    if bool(chunks) != bool(text.strip()):
        problems.append(
            f"{len(chunks)} chunks of a text that is {'' if text.strip() else 'not '}blank"
        )
    return problems


# -- cleaning -----------------------------------------------------------------------------


@FAST
@given(documents())
def test_cleaned_text_has_normal_whitespace(text: str) -> None:
    cleaned = clean_text(text).text
    assert cleaned == cleaned.strip()
    assert "\r" not in cleaned and "\t" not in cleaned and "\u00a0" not in cleaned
    assert "  " not in cleaned and "\n\n\n" not in cleaned
    assert all(line == line.strip() for line in cleaned.split("\n"))


@FAST
@given(documents(), st.booleans())
def test_cleaning_accounts_for_every_character_it_removes_but_line_breaks(
    text: str, web_page: bool
) -> None:
    result = clean_text(text, web_page=web_page)
    assert result.original_chars == len(text)
    assert all(n >= 0 for n in result.removed.values()), result.removed
    unaccounted = len(text) - len(result.text) - sum(result.removed.values())
    # Lines dropped by a rule and blank lines collapsed take their line breaks with them.
    assert 0 <= unaccounted <= text.count("\n") + text.count("\r"), result.removed


@FAST
@given(
    st.lists(
        st.lists(sentences(PROSE_WORDS, min_words=8), min_size=1, max_size=4, unique=True).map(
            " ".join
        ),
        min_size=1,
        max_size=12,
        unique=True,
    ),
    st.lists(st.sampled_from(LINE_BREAKS), min_size=12, max_size=12),
    st.booleans(),
)
def test_prose_loses_nothing_but_whitespace_in_cleaning(
    paragraphs: list[str], breaks: list[str], web_page: bool
) -> None:
    text = "".join(f"\t{p}  {b}" for p, b in zip(paragraphs, breaks, strict=False))
    assert clean_text(text, web_page=web_page).text.split() == text.split()


# -- chunking -----------------------------------------------------------------------------


@FAST
@given(documents(), SIZES)
# Found by these tests: a sentence cut lost its closing quote or bracket; a "word" longer
# than a chunk (no spaces, as in Japanese) made a chunk over max_tokens.
@example('The the the. The the the the the the ICB 2023/24." The the the the 2023/24.\n', (32, 8))
@example("の" * 50 + "\n", (32, 8))
def test_chunks_of_any_text_are_exact_slices_that_cover_it(text: str, sizes) -> None:
    max_tokens, min_tokens = sizes
    assert _chunk_problems(text, chunk_text(text, max_tokens, min_tokens), max_tokens) == []


@FAST
@given(documents(), SIZES, st.booleans())
def test_chunks_of_cleaned_text_are_exact_slices_that_cover_it(
    text: str, sizes, web_page: bool
) -> None:
    max_tokens, min_tokens = sizes
    cleaned = clean_text(text, web_page=web_page).text
    assert _chunk_problems(cleaned, chunk_text(cleaned, max_tokens, min_tokens), max_tokens) == []


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300), SIZES)
def test_chunks_of_arbitrary_unicode_are_exact_slices_that_cover_it(text: str, sizes) -> None:
    max_tokens, min_tokens = sizes
    assert _chunk_problems(text, chunk_text(text, max_tokens, min_tokens), max_tokens) == []


@FAST
@given(documents(), SIZES)
def test_chunk_sections_are_headings_of_the_text(text: str, sizes) -> None:
    headings = {b.text.lstrip("# ").strip() for b in split_blocks(text) if b.kind == "heading"}
    for chunk in chunk_text(text, *sizes):
        assert chunk.section == "" or chunk.section in headings, chunk
