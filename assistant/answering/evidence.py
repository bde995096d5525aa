"""Retrieved passages cut into sentences, each with its span and vector (cached per chunk)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ingest.sentences import passage_sentences
from vectorstore.lexical import terms
from vectorstore.records import Chunk


@dataclass
class Sentence:
    """A sentence (or list item, or heading) of a retrieved passage."""

    text: str
    chunk: Chunk
    start: int  # span in the cleaned document
    end: int
    position: int  # order within its passage
    is_heading: bool
    vector: np.ndarray
    is_item: bool = False  # a list item (bullet or numbered line)

    @property
    def terms(self) -> frozenset[str]:
        """Stemmed content terms (computed once)."""
        cached = self.__dict__.get("_terms")
        if cached is None:
            cached = self.__dict__["_terms"] = frozenset(terms(self.text))
        return cached


# A document's apparatus: its reference list, links and file names. It points elsewhere and
# answers nothing, however well its words match a question.
_APPARATUS_SECTION = re.compile(
    r"^\W*(\d+[.)]?\s*)?(references?|bibliography|sources?|further\s+reading|useful\s+links|"
    r"links|resources|acknowledge?ments?|citations|notes|endnotes|footnotes)\b\W*$",
    re.IGNORECASE,
)
_LINK = re.compile(
    r"https?://\S+|\bwww\.\S+|\b[\w.-]+\.(?:pdf|docx?|xlsx?|pptx?)\b|"
    r"\((?:[\w-]+\.)+(?:uk|org|com|net|gov|int)\)"
)
# A sentence that only points elsewhere ("Further details can be found in the framework").
_POINTER = re.compile(
    r"^(further|more|full)\s+(details?|information|guidance)\b.{0,80}\b(can\s+be\s+found|"
    r"(is|are)\s+(available|set\s+out|given)|see)\b",
    re.IGNORECASE,
)
_CITATION = re.compile(
    r"\bet al\b|\bdoi\s*[:.]|\bISBN\b|\b(?:19|20)\d\d\s*;\s*\d+|\bvol\.\s*\d|\bpp\.\s*\d|"
    # "(viewed on 26 June 2025)", "accessed 3 May 2024": a web reference.
    r"\b(?:viewed|accessed|retrieved)\s+(?:on\s+)?\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\s+(?:19|20)\d\d|"
    # "‘National Child Measurement Programme, England’ 2024.": a quoted title and its year.
    r"[‘“](?:[^’”\s]+\s+){2,}[^’”]*[’”]\s*,?\s*\(?(?:19|20)\d\d\)?[.:]?\s*$|"
    # "8 NHS England.": an endnote's number and its source (capitalised words only).
    r"^\s*\d{1,3}\s+(?-i:(?:[A-Z][\w&’'-]*\s*)+)\.?\s*$",
    re.IGNORECASE,
)
# A web address whose spaces were lost, or its path: a long run of letters, digits and
# slashes no sentence has ("healthstatelifeexpectanciesbyindex.../2018to2020").
_URL_PIECE = re.compile(r"[A-Za-z0-9/_.%-]{40,}")
# "Table 40 Pharmacy First activity (2024)", "Figure 3: ...": a caption names what a table
# or chart shows; the figures are in the table, not in it.
_CAPTION = re.compile(r"^\s*(?:table|figure|fig\.|chart|map|box|graph)\s+\d+[a-z]?\b", re.I)
_QUOTED_TITLE = re.compile(r"[‘“][^’”]{5,}[’”]")


def is_apparatus(text: str, section: str = "") -> bool:
    """Whether a sentence is a reference, a link or a file name rather than something the
    document says: it sits in a references section, cites a paper, or is mostly a link
    ("Pen-needles-guidance-v1.pdf (icb.nhs.uk)", "Safety needles | HCPA")."""
    if _APPARATUS_SECTION.match(section) or _CITATION.search(text) or _POINTER.search(text):
        return True
    if _URL_PIECE.search(text) or _CAPTION.match(text):
        return True
    if _LINK.search(text) and _QUOTED_TITLE.search(text):  # "‘A report’ 2022. https://..."
        return True
    words = len(_LINK.sub(" ", text).split())
    if _LINK.search(text) and words < 10:
        return True
    return " | " in text and words < 8 and not text.rstrip().endswith((".", ":"))


_LABEL = re.compile(r"^[A-Z][A-Za-z ]{0,30}:\s*")
# Fewer words than this may all be a title's by chance ("Pharmacy First"). Set by hand.
_TITLE_WORDS = 4


def repeats_title(text: str, title: str) -> bool:
    """Whether ``text`` only repeats (part of) ``title``, perhaps after a label
    ("Article: <the title>"): a title names a topic, it states nothing."""
    said = " ".join(_LABEL.sub("", text.strip()).lower().rstrip(".!").split())
    if not said:
        return False
    if said in " ".join(title.lower().rstrip(".").split()):
        return True
    # The title as the first page prints it, worded a little differently from the file's
    # title ("... North Vale ICB and NHS South Vale ICB"): no word of its own, and no full
    # stop ("Tirzepatide is for adults with type 2 diabetes." says something).
    # "KINGSREACH AREA PRESCRIBING COMMITTEE (APC)": the acronym adds no word of its own.
    words = set(terms(re.sub(r"\s*\([A-Z][A-Za-z]*[A-Z]s?\)", "", text)))
    return (
        len(words) >= _TITLE_WORDS
        and words <= set(terms(title))
        and not text.rstrip().endswith((".", "!", "?"))
    )


def restates_title(sentence: Sentence) -> bool:
    """Whether a line only repeats its document's title: a plain text file's first
    line, which a chunker cannot tell from a sentence."""
    return repeats_title(sentence.text, sentence.chunk.meta.title or "")


def is_broken_piece(sentence: Sentence) -> bool:
    """Whether a sentence is a broken piece of one: it opens in lower case and stops
    without a sentence's end (a two-column page read across its columns: "new
    neighbourhood health approach, a new"). Items and headings are read as they are."""
    text = sentence.text.strip()
    return (
        not sentence.is_item
        and not sentence.is_heading
        and text[:1].islower()
        and not text.endswith((".", "!", "?", ":", ";", ")"))
    )


_NONE = np.zeros((0, 0), dtype=np.float32)


class SentenceCache:
    """Sentences per chunk with their vectors: read from the store, where ingest put them,
    and embedded here only for a chunk stored without them (an older store)."""

    def __init__(
        self,
        embedder,
        capacity: int = 4096,
        stored: Callable[[list[str]], dict[str, np.ndarray]] | None = None,
    ) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self.stored = stored
        self.embedded_here = 0  # sentences embedded at question time (0 on a fresh store)
        self._cache: OrderedDict[str, list[Sentence]] = OrderedDict()
        self._lock = threading.Lock()

    def sentences(self, chunks: list[Chunk]) -> list[Sentence]:
        """Sentences of ``chunks``, in chunk order."""
        missing = [c for c in chunks if self._key(c) not in self._cache]
        if missing:
            built = self._build(missing)
            with self._lock:
                for chunk in missing:
                    self._cache[self._key(chunk)] = built[chunk.id or ""]
                while len(self._cache) > self.capacity:
                    self._cache.popitem(last=False)
        with self._lock:
            return [s for c in chunks for s in self._cache.get(self._key(c), [])]

    def _build(self, chunks: list[Chunk]) -> dict[str, list[Sentence]]:
        parts = {c.id or "": passage_sentences(c) for c in chunks}
        found = self.stored([c.id or "" for c in chunks]) if self.stored else {}
        # Stored vectors count only when they line up with today's cut of the passage.
        vectors = {
            cid: rows
            for cid, rows in found.items()
            if cid in parts and len(rows) == len(parts[cid])
        }
        to_embed = [c for c in chunks if (c.id or "") not in vectors]
        texts = [t for c in to_embed for t, *_ in parts[c.id or ""]]
        if texts:
            encoded = self.embedder.encode(texts)
            self.embedded_here += len(texts)
            offset = 0
            for c in to_embed:
                n = len(parts[c.id or ""])
                vectors[c.id or ""] = encoded[offset : offset + n]
                offset += n
        return {
            c.id or "": [
                Sentence(text, c, start, end, i, heading, vectors.get(c.id or "", _NONE)[i], item)
                for i, (text, start, end, heading, item) in enumerate(parts[c.id or ""])
            ]
            for c in chunks
        }

    @staticmethod
    def _key(chunk: Chunk) -> str:
        return f"{chunk.id}:{chunk.meta.doc_version}"
