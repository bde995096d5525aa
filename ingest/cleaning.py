"""Clean web left-overs out of document text with general rules, counting what each removed.

Every rule works on the shape of the text (short lines of site chrome, repeated
headings, split words, footer blocks at the end), never on strings of a particular
source. Rules run in a fixed order; ``CleanResult.removed`` says how many characters
each one took out, so a surprising loss can be traced to its rule.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

# Site chrome: sign-up prompts, comment widgets, sharing, cookie banners, "back to top",
# listings of other pages, contact prompts, logos, copyright lines.
_CHROME = re.compile(
    r"""(
      \bsign\s?(up|in)|\blog\s?(in|out)\b|\blogin\b|\bregister\b|\bsubscribe|\bnewsletter
    | \bemail\s+(news\s+)?alerts?\b|\bfollow\s+us\b|\bshare\s+(this|on)\b
    | \bcookies?\b|\bprivacy\s+policy\b|\bterms\s+(and|&)\s+conditions\b|\ball\s+rights\s+reserved
    | (return|back|go)\s+to\s+(the\s+)?(top|news|articles?|home|list|blog)\b|\bskip\s+to\b
    | ^\d+\s+comments?$|\bleave\s+a\s+(comment|reply)\b|\bcomments?\s+(are\s+)?(closed|disabled)
    | ^(read|load|see|show|view)\s+(more|all)\b
    | ^(latest|related|popular|recommended|more)\s+
      (jobs|content|news|intelligence|articles|posts|stories|reading)\b
    | ^quick\s+links$|^you\s+may\s+also\s+like|\bfind\s+out\s+more\b|\bcontact\s+us\b
    | \bget\s+in\s+touch\b|\bclick\s+(on\s+)?(here|the\s+links?(\s+below)?|below)\b
    | \blogo$|©|\bcopyright\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_URL = re.compile(r"https?://|\bwww\.|\b[\w.-]+\.(com|org|net|co\.uk|org\.uk|nhs\.uk)\b|@\w+\.")
# Bullets as PDFs, Word and markdown write them: glyphs, ticks, the Symbol and Wingdings
# fonts' private-use characters, markdown's "+", and Word's second-level "o" (before a
# capital or a figure only: "o" opens no English sentence).
_BULLET_GLYPH = re.compile(
    r"^[ \t]*(?:[•●▪◦‣∙·■□➢►▸–—*+✓✔\uf0a7\uf0b7\uf0d8\uf076\uf0fc]|o(?=[ \t]+[A-Z0-9£]))[ \t]+"
)
_BREADCRUMB_SEP = re.compile(r"\s(?:•|\||›|»|>|/{1,2})\s")
# The lone letter must end the word: "goin g." joins, "needs e.g." (an abbreviation) does not.
_SPLIT_LETTER = re.compile(r"\b([A-Za-z]{2,}) ([b-hj-np-z])\b(?=[\s,;:!?)]|\.(?![A-Za-z])|$)")
_SPLIT_HYPHEN = re.compile(r"\b([A-Za-z]{2,})- (?!(?:and|or|nor|to|but|as)\b)([a-z]{2,})\b")
# A table of contents entry: a title, dot leaders, a page number ("2 Formulary Choice
# ......... 4"). It repeats a heading that the body has anyway, and reads as no sentence.
# The leaders are tried only where a run of dots begins, and taken whole (possessive): tried
# at every dot, a long line of dots took minutes (quadratic backtracking).
_CONTENTS_ENTRY = re.compile(
    r"^\S(?:.*?(?<!\.)(?<!\.\s))?(?:\s?\.){4,}+\s*\d{1,4}\s*$"
    r"|^\S(?:.*?(?<!…))?…{2,}+\s*\d{1,4}\s*$"
)
# The Latin ligatures of Unicode's presentation forms (U+FB00-U+FB06), spelt out.
_LIGATURE_CHARS = "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
_LIGATURES = str.maketrans(
    dict(zip(_LIGATURE_CHARS, ["ff", "fi", "fl", "ffi", "ffl", "st", "st"], strict=True))
)
_TERMINAL = re.compile(r"[.!?]['’”\")]*$")


@dataclass
class CleanResult:
    """Cleaned text and how many characters each rule removed."""

    text: str
    removed: Counter = field(default_factory=Counter)  # characters, per rule
    hits: Counter = field(default_factory=Counter)  # places changed, per rule
    original_chars: int = 0


def _leader_share(line: str) -> float:
    """Share of a line taken by dot leaders (a contents entry is mostly dots)."""
    line = line.replace("…", "...")
    dots = sum(len(m) for m in re.findall(r"(?:\.\s?){4,}", line))
    return dots / max(1, len(line))


def _words(line: str) -> int:
    return len(line.split())


def is_chrome(line: str, max_words: int = 12) -> bool:
    """A short line of site chrome (sign-up, comments, sharing, navigation, contact)."""
    stripped = line.strip().lstrip("-").strip()
    if not stripped or _words(stripped) > max_words:
        return False
    if _TERMINAL.search(stripped) and _words(stripped) >= 8:
        return False  # a full sentence that merely mentions one of these words
    return bool(_CHROME.search(stripped))


def _is_breadcrumb(line: str, web_page: bool = True) -> bool:
    # "September 2022 • Magazine • 12-13", "Home > News > NHS", "// NHS //"
    stripped = line.strip()
    if _words(stripped) > 12 or _TERMINAL.search(stripped):
        return False
    letters = sum(ch.isalpha() for ch in stripped)
    # A printed document's short line of figures is a table's row ("Crawley 79.7 83.7").
    if web_page and stripped and letters / len(stripped) < 0.5 and _words(stripped) <= 4:
        return True
    return len(_BREADCRUMB_SEP.findall(f" {stripped} ")) >= 2


def _undouble(line: str) -> str:
    # "Patient and public involvement Patient and public involvement" -> one copy
    words = line.split()
    half = len(words) // 2
    if len(words) >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]:
        return " ".join(words[:half])
    return line


_CELL_SEP = " | "


def table_rows(lines: list[str]) -> set[int]:
    """Indexes of the lines that are rows of a table: a run of two or more lines with
    the same number of " | " cell separators (the loaders write a table's cells so). A
    site's breadcrumb ("Home | News | Board papers") is one such line on its own; a
    table's row ("Adalimumab biosimilar uptake | 91% | 95%") has its header and
    neighbours."""
    rows: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, ""]):
        cells = line.count(_CELL_SEP)
        if cells and run and lines[run[-1]].count(_CELL_SEP) == cells:
            run.append(i)
            continue
        if len(run) >= 2:
            rows.update(run)
        run = [i] if cells else []
    return rows


def _footer_start(lines: list[str], window: int = 15) -> int | None:
    """Index where a trailing contact/footer block begins, if the document ends with one.

    The block is the end of the document, made mostly (60%+) of chrome, links and
    short label lines, with at most two short lines of prose (a teaser, a repeated
    title) and at least one line of chrome or a link.
    """
    indexed = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    tail = indexed[-window:]
    rows = table_rows(lines)

    def kind(i: int, text: str) -> str:
        if i in rows:
            return "prose"  # a table that ends the document is content
        if (is_chrome(text, max_words=25)) or _is_breadcrumb(text):
            return "chrome"
        if _URL.search(text) and _words(text) <= 30:
            return "link"
        if _words(text.lstrip("- ")) <= 6 and not _TERMINAL.search(text):
            return "label"
        return "prose"

    kinds = [kind(i, text) for i, text in tail]
    best = None
    for start in range(len(tail) - 1, -1, -1):
        region = kinds[start:]
        if region[0] == "prose":
            continue
        prose = [tail[start + j][1] for j, k in enumerate(region) if k == "prose"]
        dense = (len(region) - len(prose)) / len(region) >= 0.6
        if (
            dense
            and len(prose) <= 2
            and all(len(p) <= 200 for p in prose)
            and any(k in ("chrome", "link") for k in region)
        ):
            best = tail[start][0]
    return best


def _page_pattern(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _running_lines(lines: list[str], min_repeats: int = 3) -> set[str]:
    """Patterns (digits as '#') of page furniture: short lines, not sentences, with one
    number that rises from one occurrence to the next (a page number), ``min_repeats``+
    times. A table's rows ("£2.49 per 100", "£3.99 per 100") repeat a pattern too, but
    their numbers are not a page count."""
    numbers: dict[str, list[int]] = {}
    for x in lines:
        found = re.findall(r"\d+", x)
        if len(found) == 1 and _words(x) <= 12 and not _TERMINAL.search(x):
            numbers.setdefault(_page_pattern(x), []).append(int(found[0]))
    return {
        p
        for p, seen in numbers.items()
        if len(seen) >= min_repeats
        and any(c.isalpha() for c in p)
        and all(a < b for a, b in itertools.pairwise(seen))
    }


def clean_text(text: str, web_page: bool = True) -> CleanResult:
    """Apply every cleaning rule to ``text``.

    ``web_page=False`` (PDF, DOCX) keeps the end of the document: a printed document does
    not close with site chrome, and what it closes with (who ratified it, when it is
    reviewed) is content.
    """
    result = CleanResult(text="", original_chars=len(text))
    removed = result.removed

    # Whitespace: non-breaking spaces, runs of spaces, trailing blanks, Windows newlines.
    normal = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    # A PDF's typeset ligatures ("ﬁ", "ﬀ") become their letters: "Tariﬀ" is "Tariff" to a
    # reader, and must be to the search and to a quote.
    spelt = normal.translate(_LIGATURES)
    result.hits["ligatures"] += sum(normal.count(c) for c in _LIGATURE_CHARS)
    normal = spelt
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in normal.split("\n")]
    removed["whitespace"] += len(text) - sum(len(x) + 1 for x in lines) + 1

    # Bullet glyphs become a plain "- " so lists keep their shape.
    out = []
    for line in lines:
        match = _BULLET_GLYPH.match(line)
        if match and not line.startswith("- "):
            removed["bullet_glyphs"] += len(match.group(0)) - 2
            result.hits["bullet_glyphs"] += 1
            line = "- " + line[match.end() :]
        out.append(line)
    lines = out

    # A trailing footer block (author card, contact prompt, comment widget) goes whole.
    start = _footer_start(lines) if web_page else None
    if start is not None:
        cut = sum(len(x) for x in lines[start:])
        if cut <= 0.3 * max(1, sum(len(x) for x in lines)):
            removed["footer_block"] += cut
            result.hits["footer_block"] += len([x for x in lines[start:] if x])
            lines = lines[:start]

    # A printed document's running header or footer ("7 | Individual funding requests",
    # "Page 3 of 20") is page furniture: the same short line on page after page, only its
    # page number changing. Left in, it would read as a heading in the middle of a sentence.
    if not web_page:
        furniture = _running_lines(lines)
        kept = [x for x in lines if _page_pattern(x) not in furniture]
        removed["running_headers"] += sum(len(x) for x in lines) - sum(len(x) for x in kept)
        result.hits["running_headers"] += len(lines) - len(kept)
        lines = kept

    out = []
    rows = table_rows(lines)
    for index, line in enumerate(lines):
        if _CONTENTS_ENTRY.match(line) and _leader_share(line) >= 0.2:
            removed["contents_entries"] += len(line)
            result.hits["contents_entries"] += 1
            continue
        # A table's rows are content, whatever their cells say ("Contact | Ann Lee").
        if line and index not in rows and (is_chrome(line) or _is_breadcrumb(line, web_page)):
            removed["chrome_lines"] += len(line)
            result.hits["chrome_lines"] += 1
            continue
        single = _undouble(line)
        removed["doubled_headings"] += len(line) - len(single)
        result.hits["doubled_headings"] += single != line
        line = single
        if out and line and line == out[-1] and _words(line) <= 12:
            removed["doubled_headings"] += len(line)
            result.hits["doubled_headings"] += 1
            continue
        joined, letters = _SPLIT_LETTER.subn(r"\1\2", line)
        joined, hyphens = _SPLIT_HYPHEN.subn(r"\1-\2", joined)
        removed["broken_words"] += len(line) - len(joined)
        result.hits["broken_words"] += letters + hyphens
        out.append(joined)

    # At most one blank line between blocks.
    text_out = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    result.text = text_out
    return result
