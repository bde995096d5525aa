"""A glossary of acronyms built from the documents themselves, used to expand queries.

Each document's definitions and candidate long forms are found at ingest
(ingest.acronyms) and kept with its registry record; the glossary assembles them for the
live documents: the first definition met wins, and an acronym no document spells out
takes the phrase the documents use most whose initials spell it. Each entry cites the
passage it comes from.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ingest.acronyms import document_acronyms, glossary_entries, singular
from vectorstore.lexical import STOPWORDS, terms
from vectorstore.records import Chunk, DocumentAcronyms, GlossaryEntry

__all__ = ["Glossary", "GlossaryEntry"]

_TOKEN = re.compile(r"[A-Za-z/&]+")


def _acronym_keys(words: Iterable[str]) -> set[str]:
    """The glossary keys ``words`` may stand for. A common word stands for an acronym only
    in capitals: "Who decides..." is not the WHO, "... or ..." not OR; "pcns" is PCN."""
    keys = set()
    for w in words:
        if w.isupper():
            keys.add(singular(w).upper())
        elif w.lower() not in STOPWORDS:
            keys.add(w.upper())
            if len(w) > 2 and w.endswith("s"):  # a plural typed in lower case
                keys.add(w[:-1].upper())
    return keys


class Glossary:
    """Acronym <-> long form pairs of the live documents; expands queries both ways."""

    def __init__(self, chunks: Iterable[Chunk]) -> None:
        """The glossary of these chunks (grouped by document, in the order given)."""
        by_document: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            by_document.setdefault(chunk.meta.source_id, []).append(chunk)
        found: list[DocumentAcronyms] = []
        used: set[str] = set()
        for group in by_document.values():  # as ingest meets them: one after another
            found.append(document_acronyms(group, used))
            used.update(found[-1].used)
        self._assemble(found)

    @classmethod
    def from_documents(cls, documents: Sequence[DocumentAcronyms]) -> Glossary:
        """The glossary of documents whose acronyms were found at ingest (in a stable
        order: the first definition met wins)."""
        return cls.from_entries(glossary_entries(documents))

    @classmethod
    def from_entries(cls, entries: Sequence[GlossaryEntry]) -> Glossary:
        """The glossary of entries assembled before (saved by ingest beside the store)."""
        glossary = cls.__new__(cls)
        glossary._index(entries)
        return glossary

    def _assemble(self, documents: Sequence[DocumentAcronyms]) -> None:
        self._index(glossary_entries(documents))

    def _index(self, entries: Sequence[GlossaryEntry]) -> None:
        self.entries: dict[str, GlossaryEntry] = {e.short.upper(): e for e in entries}
        self._terms_cache: dict[str, frozenset[str]] = {}
        self._long_patterns = {
            key: re.compile(r"\b" + re.escape(e.long).replace(r"\ ", r"\s+") + r"s?\b", re.I)
            for key, e in self.entries.items()
        }
        # Long forms by their first word, so a question is matched against the few
        # entries whose long form could start in it, not against every entry.
        self._order = {key: i for i, key in enumerate(self.entries)}
        self._by_first_word: dict[str, list[str]] = defaultdict(list)
        for key, entry in self.entries.items():
            words = _TOKEN.findall(entry.long)
            if words:
                self._by_first_word[words[0].lower()].append(key)

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
        return self.entries.get(singular(short).upper()) or self.entries.get(short.upper())

    def mentioned(self, text: str) -> list[GlossaryEntry]:
        """Entries whose short or long form occurs in ``text``."""
        words = _TOKEN.findall(text)
        found = {k for k in _acronym_keys(words) if k in self.entries}
        found.update(
            key
            for w in words
            for key in self._by_first_word.get(w.lower(), ())
            if key not in found and self._long_patterns[key].search(text)
        )
        return [self.entries[key] for key in sorted(found, key=self._order.__getitem__)]

    def spelled_out(self, text: str) -> tuple[str, list[GlossaryEntry]]:
        """``text`` with each acronym written as its long form in place ("the West Sussex
        PNA" -> "the West Sussex Pharmaceutical Needs Assessment"), and the entries used."""
        used: dict[str, GlossaryEntry] = {}

        def replace(match: re.Match[str]) -> str:
            keys = _acronym_keys([match.group(0)]) & self.entries.keys()
            if not keys or not match.group(0)[:1].isupper():
                return match.group(0)
            entry = self.entries[min(keys, key=len)]
            used[entry.short] = entry
            return entry.long

        return _TOKEN.sub(replace, text), list(used.values())

    def expand(self, text: str) -> str:
        """``text`` followed by the other form of every term it mentions."""
        extra = []
        tokens = _acronym_keys(_TOKEN.findall(text))
        for entry in self.mentioned(text):
            key = entry.short.upper()
            if key in tokens and not self._long_patterns[key].search(text):
                extra.append(entry.long)
            elif key not in tokens:
                extra.append(entry.short)
        return f"{text} ({'; '.join(extra)})" if extra else text
