"""A glossary of acronyms built from the documents themselves, used to expand queries.

Definitions are found where a document spells a term out next to its short form,
"Primary Care Networks (PCNs)" or "NHSE (NHS England)", and matched with the
Schwartz-Hearst rule: every letter of the short form appears, in order, in the long
form, the first letter starting a word. Each entry cites the passage that defines it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from vectorstore.lexical import terms
from vectorstore.records import Chunk

_PAREN = re.compile(r"\(([^()]{1,80})\)")
_SHORT = re.compile(r"^[A-Z][A-Za-z/&]*[A-Z][A-Za-z/&]*$|^[A-Z]{2,}s?$")
_WORD = re.compile(r"[\w&/'’-]+")


@dataclass(frozen=True)
class GlossaryEntry:
    """An acronym, its long form, and where a document defines it."""

    short: str
    long: str
    source_id: str
    chunk_id: str
    start: int  # character span of the definition (or, if inferred, of the long form)
    end: int
    inferred: bool = False  # True: never spelled out; matched to a phrase the documents use


def _singular(short: str) -> str:
    return short[:-1] if len(short) > 2 and short.endswith("s") and short[:-1].isupper() else short


def _is_short_form(text: str) -> bool:
    return 2 <= len(text) <= 10 and bool(_SHORT.match(text)) and " " not in text


def match_long_form(short: str, words: list[str]) -> list[str] | None:
    """Schwartz-Hearst: the shortest tail of ``words`` that spells ``short``."""
    letters = [c.lower() for c in _singular(short) if c.isalnum()]
    if not letters:
        return None
    text = " ".join(words)
    s, t = len(letters) - 1, len(text) - 1
    while s >= 0:
        c = letters[s]
        while t >= 0 and (text[t].lower() != c or (s == 0 and t > 0 and text[t - 1].isalnum())):
            t -= 1
        if t < 0:
            return None
        s -= 1
        t -= 1
    long_text = text[t + 1 :]
    start = len(text[: t + 1].split())
    # Start at a word boundary and keep the long form plausibly short.
    long_words = words[start:] if not text[t : t + 1].isalnum() else None
    if long_words is None:
        long_words = long_text.split()
    if not long_words or len(long_words) > min(len(letters) + 5, len(letters) * 2):
        return None
    if long_words[0][:1].lower() != letters[0]:
        return None
    return long_words


def extract_definitions(chunk: Chunk) -> list[GlossaryEntry]:
    """Acronym definitions in one chunk."""
    text = chunk.text
    base = chunk.meta.start
    source_id = chunk.meta.source_id
    found: list[GlossaryEntry] = []
    for match in _PAREN.finditer(text):
        inside = match.group(1).strip()
        before = text[max(0, match.start() - 200) : match.start()]
        before_words = _WORD.findall(before.split("\n")[-1])
        if _is_short_form(inside):
            long_words = match_long_form(inside, before_words[-12:])
            if long_words:
                long = " ".join(long_words).strip(" ,;:")
                span_start = (
                    match.start()
                    - len(before.split("\n")[-1])
                    + before.split("\n")[-1].rfind(long_words[0])
                )
                found.append(
                    GlossaryEntry(
                        _singular(inside),
                        long,
                        source_id,
                        chunk.id or "",
                        base + max(span_start, 0),
                        base + match.end(),
                    )
                )
        else:
            # The other order: "NHSE (NHS England)".
            short = before_words[-1] if before_words else ""
            if _is_short_form(short) and match_long_form(short, _WORD.findall(inside)):
                found.append(
                    GlossaryEntry(
                        _singular(short),
                        inside,
                        source_id,
                        chunk.id or "",
                        base + match.start() - len(short),
                        base + match.end(),
                    )
                )
    # A definition inside instruction-like text (ingest.injection) is the injection's.
    return [e for e in found if not chunk.meta.is_flagged(e.start, e.end)]


_ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")
_PHRASE_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
_FUNCTION_WORDS = frozenset(
    (
        "a an and are as at be by for from has have in is it of on or that the their "
        "this to was were which will with more most"
    ).split()
)


def infer_undefined(chunks: list[Chunk], known: set[str]) -> list[GlossaryEntry]:
    """Acronyms the documents use but never spell out, matched to a phrase they do use.

    "PCN" is read as "Primary Care Network" when the documents use that phrase: one
    content word per letter, in order. Two-letter forms need the phrase twice, since
    two initials match by chance more often.
    """
    used = {_singular(m) for c in chunks for m in _ACRONYM.findall(c.text)}
    wanted = {a for a in used if a.upper() not in known}
    counts: dict[tuple[str, str], int] = {}
    first_seen: dict[tuple[str, str], tuple[Chunk, int, int]] = {}
    for chunk in chunks:
        words = list(_PHRASE_WORD.finditer(chunk.text))
        for short in wanted:
            n = len(short)
            for i in range(len(words) - n + 1):
                window = words[i : i + n]
                texts = [w.group(0) for w in window]
                if any(t.lower() in _FUNCTION_WORDS or t.isupper() for t in texts):
                    continue
                if [t[0].upper() for t in texts] != list(short):
                    continue
                if chunk.meta.is_flagged(
                    chunk.meta.start + window[0].start(), chunk.meta.start + window[-1].end()
                ):
                    continue
                phrase = " ".join(texts).lower().removesuffix("s")
                key = (short, phrase)
                counts[key] = counts.get(key, 0) + 1
                first_seen.setdefault(key, (chunk, window[0].start(), window[-1].end()))
    entries = []
    for short in sorted(wanted):
        options = [(c, p) for (s, p), c in counts.items() if s == short]
        if not options:
            continue
        count, phrase = max(options)
        if len(short) == 2 and count < 2:
            continue
        chunk, start, end = first_seen[(short, phrase)]
        base = chunk.meta.start
        entries.append(
            GlossaryEntry(
                short,
                _singular_phrase(chunk.text[start:end]),
                chunk.meta.source_id,
                chunk.id or "",
                base + start,
                base + end,
                inferred=True,
            )
        )
    return entries


def _singular_phrase(phrase: str) -> str:
    # "Primary Care Networks" -> "Primary Care Network"; "Gadget Loan Process" stays.
    return phrase[:-1] if phrase.endswith("s") and not phrase.endswith("ss") else phrase


class Glossary:
    """Acronym <-> long form pairs from the live chunks; expands queries both ways."""

    def __init__(self, chunks: Iterable[Chunk]) -> None:
        chunks = list(chunks)
        self.entries: dict[str, GlossaryEntry] = {}
        for chunk in chunks:
            for entry in extract_definitions(chunk):
                # The first definition met wins; documents come in a stable order.
                self.entries.setdefault(entry.short.upper(), entry)
        for entry in infer_undefined(chunks, set(self.entries)):
            self.entries[entry.short.upper()] = entry
        self._terms_cache: dict[str, frozenset[str]] = {}
        self._long_patterns = {
            key: re.compile(r"\b" + re.escape(e.long).replace(r"\ ", r"\s+") + r"s?\b", re.I)
            for key, e in self.entries.items()
        }

    def __len__(self) -> int:
        return len(self.entries)

    def expanded_terms(self, text: str) -> frozenset[str]:
        """Stemmed terms of ``text`` and of the other form of each acronym it uses (cached)."""
        cached = self._terms_cache.get(text)
        if cached is None:
            cached = frozenset(terms(self.expand(text)))
            if len(self._terms_cache) < 50_000:
                self._terms_cache[text] = cached
        return cached

    def lookup(self, short: str) -> GlossaryEntry | None:
        """The entry for an acronym (plural or singular, any case)."""
        return self.entries.get(_singular(short).upper()) or self.entries.get(short.upper())

    def mentioned(self, text: str) -> list[GlossaryEntry]:
        """Entries whose short or long form occurs in ``text``."""
        hits = []
        tokens = {_singular(t).upper() for t in re.findall(r"[A-Za-z/&]+", text)}
        for key, entry in self.entries.items():
            if key in tokens or self._long_patterns[key].search(text):
                hits.append(entry)
        return hits

    def expand(self, text: str) -> str:
        """``text`` followed by the other form of every term it mentions."""
        extra = []
        tokens = {_singular(t).upper() for t in re.findall(r"[A-Za-z/&]+", text)}
        for entry in self.mentioned(text):
            key = entry.short.upper()
            if key in tokens and not self._long_patterns[key].search(text):
                extra.append(entry.long)
            elif key not in tokens:
                extra.append(entry.short)
        return f"{text} ({'; '.join(extra)})" if extra else text
