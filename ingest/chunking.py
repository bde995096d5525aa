"""Structure-aware chunking sized in tokens.

The text is read as blocks (headings, list items, paragraphs: one per line); blocks
too big for a chunk are cut at sentences. Blocks are packed in order into chunks of
at most ``max_tokens``; a heading starts a new chunk once the current one holds
``min_tokens``, and a line that introduces a list (ends with ':') stays with the list.
Every chunk is an exact slice of the cleaned text, so its character span can be shown
and highlighted later.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.tokens import count_tokens

_SENTENCE_END = re.compile(r"(?<=[.!?])['’”\")]*\s+(?=[A-Z0-9‘“\"'(])")
_ABBREVIATION = re.compile(r"\b(e\.g|i\.e|etc|vs|Dr|Mr|Mrs|Ms|St|No|Prof|approx)\.$", re.I)
_TERMINAL = re.compile(r"[.!?;,]['’”\")]*$")


@dataclass
class Block:
    """A line of the text: heading, bullet or paragraph, with its span."""

    kind: str
    start: int
    end: int
    text: str


@dataclass
class ChunkSpan:
    """A chunk: its order, its span in the cleaned text, the heading it sits under."""

    index: int
    start: int
    end: int
    text: str
    section: str
    tokens: int
    # For a chunk that opens inside a list begun in an earlier chunk: the line that
    # introduced the list ("Patients with type 2 diabetes are eligible if they:"). Its
    # items mean little without it; it is searched with them, never quoted from here.
    lead_in: str = ""


_BULLET_MARK = re.compile(r"^(?:[-*]|\d+[.)])\s+")


def _list_lead_in(text: str, units: list[tuple[str, int, int, int]], first: int) -> str:
    """The intro line of the list that the unit at ``first`` continues, if it is an item
    and only items stand between it and that line."""
    if units[first][0] != "bullet":
        return ""
    k = first - 1
    # An item ending with ':' opens a list of its own ("- Type 2 diabetes, with any of
    # the following:"): the nearest such line is the one the items continue.
    while k >= 0 and units[k][0] == "bullet" and not _opens_list(text, units[k]):
        k -= 1
    if k < 0 or not _opens_list(text, units[k]):
        return ""
    return _BULLET_MARK.sub("", text[units[k][1] : units[k][2]].strip())


def _opens_list(text: str, unit: tuple[str, int, int, int]) -> bool:
    return unit[0] in ("intro", "bullet") and text[unit[1] : unit[2]].rstrip().endswith(":")


def split_blocks(text: str) -> list[Block]:
    """One block per non-empty line, classified as heading, bullet or paragraph."""
    blocks: list[Block] = []
    offset = 0
    lines = text.split("\n")
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped:
            start = offset + line.index(stripped)
            blocks.append(
                Block(
                    _kind(stripped, number == len(lines) - 1),
                    start,
                    start + len(stripped),
                    stripped,
                )
            )
        offset += len(line) + 1
    return _heading_runs(_labelled_runs(_table_runs(_lower_case_runs(_numbered_headings(blocks)))))


# A section's number ("4.1 Access", "2. About our network"): it heads a section even
# inside a run of short lines.
_SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*[.)]?\s")
# Set by hand: a title page's title, subtitle and first heading are three; a heading over
# three rows or more is a table.
_RUN_OF_HEADINGS = 4


def _heading_runs(blocks: list[Block]) -> list[Block]:
    """Four or more short unmarked lines in a row, with no blank line between, are not
    a heading each: they are a table a PDF wrote one row a line ("Member practices",
    "Practice Main site Branch sites", "Carrow Bridge Surgery Carrow Bridge None", ...)
    or a list whose bullets were lost. The first keeps its heading; the rest are rows. A
    numbered line ("4.1 Access") still heads its section."""
    out = list(blocks)
    i = 0
    while i < len(out):
        j = i + 1
        while (
            j < len(out)
            and out[j].kind == "heading"
            and out[i].kind == "heading"
            and not out[j].text.startswith("#")
            and not _SECTION_NUMBER.match(out[j].text)
            and out[j].start - out[j - 1].end <= 1
        ):
            j += 1
        if out[i].kind == "heading" and j - i >= _RUN_OF_HEADINGS:
            for k in range(i + 1, j):
                out[k] = Block("bullet", out[k].start, out[k].end, out[k].text)
        i = j
    return out


# "1. Purpose", "4 Medicines optimisation": a numbered section heading as a PDF prints it.
_NUMBERED = re.compile(r"^\d{1,2}[.)]?\s+(?=[A-Z])")
_HEADING_WORDS = 6  # set by hand: section titles run short; a list item says more


def _numbered_headings(blocks: list[Block]) -> list[Block]:
    """A numbered line of a few capitalised words with no sentence's end, between lines
    that are not a list's (no item or list intro before it, no item after it), is a
    section's heading ("1. Purpose" then "This paper asks the Board to ...")."""
    out = list(blocks)
    for i, block in enumerate(out):
        nxt = out[i + 1] if i + 1 < len(out) else None
        before = blocks[i - 1] if i > 0 else None
        # A blank line after a list ends it: "7. Stopping treatment" on the next page is
        # a section, not the list's next item.
        # A table's row is no list item a numbered line could continue ("... | Version 2.1
        # | Approved: 12 March 2024" then "1. Introduction").
        in_list = (
            before is not None
            and before.kind in ("bullet", "intro")
            and " | " not in before.text
            and block.start - before.end <= 1
        )
        if (
            block.kind == "bullet"
            and not in_list
            and _NUMBERED.match(block.text)
            and len(block.text.split()) <= _HEADING_WORDS + 1
            and not _TERMINAL.search(block.text)
            and nxt is not None
            and not _NUMBERED.match(nxt.text)
            and nxt.kind != "bullet"
        ):
            out[i] = Block("heading", block.start, block.end, block.text)
    return out


# "CCG data packs: The original data packs show ...": a line that opens with a short
# capitalised label and a colon, as a definition list's entries are written.
_LABELLED = re.compile(r"^[A-Z][\w’'&/()-]*(?:\s+[\w’'&/()-]+){0,5}:\s+\S")


def _labelled_runs(blocks: list[Block]) -> list[Block]:
    """Lines that each open with a short label and a colon ("Focus packs: ...") are a
    list's entries when two or more follow one another, or when they follow a line that
    introduces a list: an HTML definition list or a Word list whose bullets were lost."""
    out = list(blocks)
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and out[j].kind == "paragraph" and _LABELLED.match(out[j].text):
            j += 1
        after_intro = i > 0 and out[i - 1].kind == "intro"
        if j - i >= 2 or (j - i == 1 and after_intro):
            for k in range(i, j):
                out[k] = Block("bullet", out[k].start, out[k].end, out[k].text)
        i = max(j, i + 1)
    return out


def _table_runs(blocks: list[Block]) -> list[Block]:
    """Short lines that follow a line introducing a list (it ends with ':'), with no blank
    line between them, are that list: a PDF's table comes out as one cell a line ("1st
    Insupen", "£2.49 Yes Yes Yes") and must not be taken for headings. A marked heading
    ('#'), a blank line or a line of another kind ends the run."""
    out = list(blocks)
    in_run = False
    for i, block in enumerate(out):
        adjacent = i > 0 and block.start - out[i - 1].end <= 1  # no blank line between
        plain_heading = block.kind == "heading" and not block.text.startswith("#")
        if in_run and adjacent and plain_heading:
            out[i] = Block("bullet", block.start, block.end, block.text)
            continue
        in_run = block.kind == "intro"
    return out


def _lower_case_runs(blocks: list[Block]) -> list[Block]:
    """Short lines that start in lower case are not headings: two or more in a row are a
    list whose bullets were lost ("access to services", "patient safety", ...), and one
    alone is a fragment of a sentence."""
    out = list(blocks)
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and out[j].kind == "heading" and out[j].text[:1].islower():
            j += 1
        # The text's last line is never read as a heading (a passage may end mid-
        # sentence), so a list that ends the text ends in a "paragraph": it is the list's
        # last item when it is as short and as lower-case as the lines before it.
        last = out[j] if j == len(out) - 1 and j > i else None
        if (
            last is not None
            and last.text[:1].islower()
            and len(last.text.split()) <= 12
            and not _TERMINAL.search(last.text)
        ):
            j += 1
        if j - i >= 2:
            for k in range(i, j):
                out[k] = Block("bullet", out[k].start, out[k].end, out[k].text)
        elif j - i == 1:
            out[i] = Block("paragraph", out[i].start, out[i].end, out[i].text)
        i = max(j, i + 1)
    return out


def _kind(line: str, is_last: bool) -> str:
    if line.startswith("#"):
        return "heading"
    # A table's row ("Chair: Chief Medical Officer | NHS Example ICB", as the loaders write
    # rows) is one of a list of rows: short and unpunctuated, it is no heading, and the
    # line that introduces the table keeps its rows, as a list's intro keeps its items.
    if " | " in line or line.startswith("|"):
        return "bullet"
    if line.startswith(("- ", "* ")) or re.match(r"^\d+[.)]\s", line):
        return "bullet"
    if not is_last and len(line.split()) <= 12 and not _TERMINAL.search(line):
        return "heading" if not line.endswith(":") else "intro"
    return "intro" if line.endswith(":") else "paragraph"


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans in ``text`` (shifted by ``offset``), not cutting after abbreviations."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text[start : match.start() + 1].rstrip()):
            continue
        # The sentence keeps its closing quotes and brackets ('... for good.)').
        spans.append((offset + start, offset + match.start() + len(match.group().rstrip())))
        start = match.end()
    if start < len(text):
        spans.append((offset + start, offset + len(text.rstrip())))
    return [(a, b) for a, b in spans if b > a]


def _word_pieces(
    text: str, start: int, end: int, max_tokens: int, count: Callable[[str], int]
) -> list[tuple[int, int]]:
    # A single "sentence" longer than a chunk (a table row, a run-on list): cut at words.
    pieces, piece_start, last_end = [], start, start
    for match in re.finditer(r"\S+", text[start:end]):
        word = (start + match.start(), start + match.end())
        for word_start, word_end in _character_pieces(text, *word, max_tokens, count):
            if count(text[piece_start:word_end]) > max_tokens and last_end > piece_start:
                pieces.append((piece_start, last_end))
                piece_start = word_start
            last_end = word_end
    pieces.append((piece_start, end))
    return pieces


def _character_pieces(
    text: str, start: int, end: int, max_tokens: int, count: Callable[[str], int]
) -> list[tuple[int, int]]:
    # A "word" longer than a chunk (text written without spaces, as Chinese is; a table's
    # rule "|---|---|..."): cut into runs of max_tokens // 4 characters, sure to fit (a
    # character is at most 4 bytes, so at most 4 tokens of a byte-level BPE like
    # cl100k_base); the caller packs the runs back into pieces of up to max_tokens.
    if count(text[start:end]) <= max_tokens:
        return [(start, end)]
    width = max(1, max_tokens // 4)
    return [(cut, min(cut + width, end)) for cut in range(start, end, width)]


def chunk_text(
    text: str,
    max_tokens: int,
    min_tokens: int,
    count: Callable[[str], int] = count_tokens,
) -> list[ChunkSpan]:
    """Cut ``text`` into chunks of at most ``max_tokens`` that follow its structure."""
    units: list[tuple[str, int, int, int]] = []  # (kind, start, end, tokens)
    for block in split_blocks(text):
        tokens = count(block.text)
        if tokens <= max_tokens:
            units.append((block.kind, block.start, block.end, tokens))
            continue
        for s_start, s_end in split_sentences(block.text, block.start):
            for p_start, p_end in _word_pieces(text, s_start, s_end, max_tokens, count):
                units.append(("sentence", p_start, p_end, count(text[p_start:p_end])))

    def tokens_between(start: int, end: int) -> int:
        # Measured on the slice itself: the line breaks between blocks are tokens too.
        return count(text[start:end])

    groups: list[list[tuple[str, int, int, int]]] = []
    current: list[tuple[str, int, int, int]] = []
    size = 0
    for unit in units:
        kind, _, end, tokens = unit
        glued = bool(current) and current[-1][0] in ("heading", "intro")
        starts_section = kind == "heading" and size >= min_tokens and not glued
        joined = tokens_between(current[0][1], end) if current else tokens
        if current and (starts_section or joined > max_tokens):
            # A heading or a list's intro line does not end a chunk: it moves on with what
            # it introduces, when the two fit together.
            keep = len(current)
            while keep > 1 and current[keep - 1][0] in ("heading", "intro"):
                keep -= 1
            if keep < len(current) and tokens_between(current[keep][1], end) > max_tokens:
                keep = len(current)
            groups.append(current[:keep])
            current = current[keep:]
            joined = tokens_between(current[0][1], end) if current else tokens
        current.append(unit)
        size = joined
    if current:
        groups.append(current)
    # A last scrap joins the chunk before it when both fit together.
    if len(groups) > 1:
        tail = tokens_between(groups[-1][0][1], groups[-1][-1][2])
        both = tokens_between(groups[-2][0][1], groups[-1][-1][2])
        if tail < min_tokens // 2 and both <= max_tokens:
            groups[-2].extend(groups.pop())

    chunks: list[ChunkSpan] = []
    section = ""
    headings = {(u[1], u[2]) for u in units if u[0] == "heading"}
    position = {id(u): i for i, u in enumerate(units)}
    for index, group in enumerate(groups):
        start, end = group[0][1], group[-1][2]
        first_heading = next((u for u in group if (u[1], u[2]) in headings), None)
        if first_heading is not None and first_heading is group[0]:
            section = text[first_heading[1] : first_heading[2]].lstrip("# ").strip()
        chunks.append(
            ChunkSpan(
                index,
                start,
                end,
                text[start:end],
                section,
                tokens_between(start, end),
                _list_lead_in(text, units, position[id(group[0])]),
            )
        )
        last_heading = [u for u in group if (u[1], u[2]) in headings]
        if last_heading:
            section = text[last_heading[-1][1] : last_heading[-1][2]].lstrip("# ").strip()
    return chunks
