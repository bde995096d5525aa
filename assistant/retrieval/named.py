"""Documents a question names by their title ("in the 10 Year Health Plan, ...").

Field staff scope questions by naming a document. Its own passages rarely repeat its title,
while other documents cite it by name on every page, so neither the words nor the vectors
of a passage find it. The titles are known at ingest; a question names a document when it
contains a run of consecutive words of the document's title that names it as a document.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from vectorstore.lexical import terms
from vectorstore.records import Chunk, DocumentRecord, chunk_id

# A run of title words names the document when it says what kind of document it is:
# "the 10 Year Health Plan", "the Oversight Framework", "the prescribing support document".
# Without such a word the run names the document's topic ("Primary Care Networks",
# "type 2 diabetes"), which many documents share and the ordinary search already finds.
DOCUMENT_KINDS = frozenset(
    terms(
        "plan framework strategy policy assessment manual guidance guide report update "
        "document summary review act blueprint methodology handbook bulletin paper "
        "protocol specification standards charter constitution agreement contract"
    )
)
MIN_NAME_RUN = 2

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*|[^\sA-Za-z0-9]")


@dataclass(frozen=True)
class AskedWord:
    """A content word of the question, stemmed as the titles are, and the capitalised
    name it is part of (its index among the question's names; None in lower case)."""

    term: str
    name: int | None


def asked_words(question: str) -> list[AskedWord]:
    """The question's content words. Capitalised words next to each other form one name
    ("the NHS Long Term Plan"); a lower-case content word or punctuation ends it."""
    words: list[AskedWord] = []
    names, in_name = 0, False
    for match in _WORD.finditer(question):
        token = match.group()
        stemmed = terms(token) if token[0].isalnum() else []
        if not stemmed:
            in_name = in_name and token[0].isalnum()  # a stop word inside a name is part of it
            continue
        capitalised = token[0].isupper() or token[0].isdigit()
        if capitalised and not in_name:
            names += 1
        in_name = capitalised
        words.extend(AskedWord(t, names if capitalised else None) for t in stemmed)
    return words


def shared_runs(asked: Sequence[str], field: Sequence[str]) -> list[tuple[int, int]]:
    """Each run of consecutive words of ``asked`` also consecutive in ``field``, as (index
    of its last word in ``asked``, length), at its longest for that end and place in
    ``field``; its shorter tails are runs too."""
    runs: list[tuple[int, int]] = []
    previous = [0] * (len(field) + 1)
    for i, word in enumerate(asked):
        current = [0] * (len(field) + 1)
        for j, other in enumerate(field, start=1):
            if word == other:
                current[j] = previous[j - 1] + 1
                runs.append((i, current[j]))
        previous = current
    return runs


def longest_name_run(asked: list[AskedWord], title: list[str]) -> int:
    """The length of the longest run of consecutive words shared by the question and
    ``title`` that names a document: two words or more, one of them a kind of document
    (:data:`DOCUMENT_KINDS`), and every capitalised name it touches whole ("Long Term
    Plan" is not the "Medium Term Planning Framework"). 0 if there is none."""
    name_sizes = Counter(w.name for w in asked if w.name is not None)

    def names_document(run: list[AskedWord]) -> bool:
        names = Counter(w.name for w in run if w.name is not None)
        whole = all(n == name_sizes[name] for name, n in names.items())
        return whole and any(w.term in DOCUMENT_KINDS for w in run)

    best = 0
    for end, length in shared_runs([w.term for w in asked], title):
        for start in range(end - length + 1, end - MIN_NAME_RUN + 2):
            if end + 1 - start > best and names_document(asked[start : end + 1]):
                best = end + 1 - start
    return best


@dataclass(frozen=True)
class TitleIndex:
    """The live documents' titles as content words, by document version, with each word's
    titles: a question is compared only with the titles that share two of its words."""

    titles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    by_word: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)
    # Each version's chunk ids, derived from its document and chunk count.
    extents: dict[str, tuple[str, int]] = field(default_factory=dict, compare=False)

    @classmethod
    def from_documents(cls, records: Iterable[DocumentRecord]) -> TitleIndex:
        """The index of these documents' titles (documents without one are left out)."""
        ordered = sorted((r for r in records if r.title), key=lambda r: r.source_id)
        titles = tuple((r.version, tuple(terms(r.title or ""))) for r in ordered)
        by_word: dict[str, list[int]] = defaultdict(list)
        for n, (_, words) in enumerate(titles):
            for word in set(words):
                by_word[word].append(n)
        extents = {r.version: (r.source_id, r.chunk_count) for r in ordered}
        return cls(titles, {w: tuple(ns) for w, ns in by_word.items()}, extents)

    def chunk_ids(self, versions: Iterable[str]) -> list[str]:
        """The ids of every chunk of these document versions."""
        return [
            chunk_id(source_id, version, i)
            for version in versions
            if version in self.extents
            for source_id, count in [self.extents[version]]
            for i in range(count)
        ]

    def named(self, question: str, max_documents: int) -> dict[str, frozenset[str]]:
        """The documents ``question`` names most fully, by version, each with the
        question's words its title holds: those sharing the longest name run with it
        (:func:`longest_name_run`), if no more than ``max_documents`` titles share it
        (else the words name a kind, not a document)."""
        asked = asked_words(question)
        if len(asked) < MIN_NAME_RUN or max_documents <= 0:
            return {}
        words = {w.term for w in asked}
        shared = Counter(n for word in words for n in self.by_word.get(word, ()))
        runs = {
            n: longest_name_run(asked, list(self.titles[n][1]))
            for n, count in shared.items()
            if count >= MIN_NAME_RUN
        }
        longest = max(runs.values(), default=0)
        named = [n for n, run in runs.items() if run == longest]
        if longest == 0 or len(named) > max_documents:
            return {}
        return {self.titles[n][0]: frozenset(words & set(self.titles[n][1])) for n in named}


def words_in_runs(asked: list[str], field: list[str], min_run: int = MIN_NAME_RUN) -> set[str]:
    """The words of ``asked`` that sit in a run of at least ``min_run`` consecutive words
    also consecutive in ``field`` ("Cambridgeshire and Peterborough" in a publisher's name;
    not a lone "NHS", which names too much)."""
    return {
        word
        for end, length in shared_runs(asked, field)
        if length >= min_run
        for word in asked[end - length + 1 : end + 1]
    }


def bibliography_words(
    question: str, chunks: Iterable[Chunk], named: Mapping[str, frozenset[str]]
) -> dict[str, frozenset[str]]:
    """``named`` with, by document version, the question's words that the passage's
    title, publisher or author holds as a run of two or more ("in Cambridgeshire and
    Peterborough" of that ICB's guidance): where a sentence is, not what it says, so they
    count as in each of its sentences."""
    asked = terms(question)
    words = dict(named)
    for chunk in chunks:
        meta = chunk.meta
        for field_text in (meta.title, meta.publisher, meta.author):
            found = words_in_runs(asked, terms(field_text)) if field_text else set()
            if found:
                words[meta.doc_version] = words.get(meta.doc_version, frozenset()) | found
    return words
