"""Lines of a PDF page joined back into the paragraphs and list items they were wrapped from.

A PDF's text layer has one line per printed line, so a paragraph arrives cut into short
lines that look like headings to the chunker (a short line with no full stop), and a
sentence is split across them. A line is joined to the one before it when that one ran to
(nearly) the full width of the page's text, or when it continues a sentence in lower case;
a line that starts a list item, or follows a short line that ended, starts a new block.
"""

from __future__ import annotations

import re
from collections import Counter

# Bullets as PDF writers print them: •, ▪, -, *, "o " (Word's second level), "1." / "(a)".
_ITEM = re.compile(r"^(?:[•▪◦●■\-–*]\s|o\s+\S|\(?[0-9a-z]{1,2}[.)]\s)")
_ENDS_SENTENCE = re.compile(r"[.!?:;]['\"’”)]*$")
# A line at least this share of the page's usual full line length was wrapped by the
# page edge, not ended by the writer.
FULL_LINE_SHARE = 0.7


def full_width(lines: list[str]) -> int:
    """The length of a full line on this page: its 80th-percentile line length."""
    lengths = sorted(len(line) for line in lines if line)
    if not lengths:
        return 0
    return lengths[min(len(lengths) - 1, int(len(lengths) * 0.8))]


def _continues(previous: str, line: str, width: int) -> bool:
    if _ITEM.match(line):
        return False
    if line[:1].islower() and not _ENDS_SENTENCE.search(previous):
        return True  # "... the competing demands on NHS" / "england's budget."
    return len(previous) >= FULL_LINE_SHARE * width and not _ENDS_SENTENCE.search(previous)


def reflow_page(text: str) -> str:
    """The page's lines joined into blocks, one block per line; blank lines kept."""
    lines = [line.strip() for line in text.split("\n")]
    width = full_width(lines)
    blocks: list[str] = []
    previous = ""  # the last printed line, not the block it was joined to
    for line in lines:
        if not line:
            blocks.append("")
            previous = ""
        elif blocks and blocks[-1] and previous and _continues(previous, line, width):
            if blocks[-1].endswith("-") and line[:1].islower():
                blocks[-1] = blocks[-1][:-1] + line  # "develop-" + "ment"
            else:
                blocks[-1] = f"{blocks[-1]} {line}"
            previous = line
        else:
            blocks.append(line)
            previous = line
    return "\n".join(blocks)


def join_pages(pages: list[str]) -> str:
    """Reflowed pages as one text, a blank line between pages, except where a sentence
    runs over the page break ("... we employed 27" / "people in ARRS roles"): a page
    whose last line ends no sentence, followed by one whose first line opens in lower
    case, is one paragraph."""
    text = ""
    for page in (p.strip() for p in pages):
        if not page:
            continue
        last = text.rsplit("\n", 1)[-1]
        if (
            last
            and page[:1].islower()
            and not _ITEM.match(page)
            and not _ENDS_SENTENCE.search(last)
        ):
            # "develop-" + "ment" is one word.
            text = text[:-1] + page if last.endswith("-") else f"{text} {page}"
        else:
            text = f"{text}\n\n{page}" if text else page
    return text


# Lines at a page's top or bottom examined as possible running headers and footers.
_EDGE_LINES = 2
# Long enough for a document's full name and date in a running header ("NHS Kingsreach
# Integrated Care Board Area Prescribing Committee - Minutes, 13 March 2025") or a footer
# with its status ("Approved by the APC on 8 May 2025. OFFICIAL. Page 1 of 4"); a line of
# text repeated at the edge of page after page is furniture at any length. Set by hand.
_FURNITURE_MAX_WORDS = 25
# A header glued to the page's first heading is recognised by its words in front; a bare
# page number or "Page 3" is too short to be told from text that starts with a number.
_PREFIX_WORDS = 4


def _furniture_pattern(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def _edges(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def strip_page_furniture(pages: list[str], min_share: float = 0.3) -> list[str]:
    """Pages without their running headers and footers: a short line at the top or bottom
    of a page whose shape, numbers aside, recurs at the edge of at least ``min_share`` of
    the pages (and 3), such as "14 | individual funding requests" or "Page 3 of 7".

    Removed before lines are joined into paragraphs: otherwise a header is glued to the
    sentence that runs on from the page before ("14 | individual funding requests likely
    to gain ..."), where no later rule can tell it from the text. A header the PDF wrote
    on one line with the page's first heading ("... Denosumab 60 mg 14. Summary of
    responsibilities") still counts, and only the heading is kept.
    """
    split = [page.split("\n") for page in pages]
    edge_patterns = [
        {
            _furniture_pattern(lines[i])
            for i in _edges(lines)
            if len(lines[i].split()) <= _FURNITURE_MAX_WORDS
        }
        for lines in split
    ]
    seen: Counter[str] = Counter(p for patterns in edge_patterns for p in patterns)
    for pattern in list(seen):
        if len(pattern.split()) >= _PREFIX_WORDS:
            seen[pattern] += sum(
                any(other.startswith(pattern + " ") for other in patterns)
                for patterns in edge_patterns
            )
    needed = max(3, int(min_share * len(pages) + 0.999))
    furniture = {p for p, n in seen.items() if n >= needed and p}
    if not furniture:
        return pages
    prefixes = [p for p in furniture if len(p.split()) >= _PREFIX_WORDS]
    out = []
    for lines in split:
        kept = list(lines)
        drop = set()
        for i in _edges(lines):
            if len(lines[i].split()) > _FURNITURE_MAX_WORDS:
                continue
            pattern = _furniture_pattern(lines[i])
            if pattern in furniture:
                drop.add(i)
                continue
            prefix = next((p for p in prefixes if pattern.startswith(p + " ")), None)
            if prefix is not None:
                kept[i] = " ".join(lines[i].split()[len(prefix.split()) :])
        if len(drop) == sum(1 for line in lines if line.strip()):
            drop, kept = set(), list(lines)  # a page that is all "furniture" is the page itself
        out.append("\n".join(line for i, line in enumerate(kept) if i not in drop))
    return out
