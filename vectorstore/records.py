"""The store's typed records: a chunk (its text and provenance, ``ChunkMeta``) and what
the store knows of a whole document (``DocumentRecord``).

Chroma keeps metadata as a flat dict of scalars; the conversion to and from it happens
here and only here (``to_chroma`` / ``from_chroma``), and LangChain's ``Document`` only at
the LangChain edge (``to_document`` / ``from_document``). Everything in between reads
typed fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # LangChain is imported only where a Document is made: it is slow to load
    from langchain_core.documents import Document

_YEAR = re.compile(r"^(\d{4})")


def year_of(published: str | None) -> int | None:
    """The year of a publication date kept at its precision ("2019", "2022-09", ...)."""
    match = _YEAR.match(published or "")
    return int(match.group(1)) if match else None


def chunk_id(source_id: str, version: str, index: int) -> str:
    """Stable id of a chunk: re-adding the same version overwrites, never duplicates."""
    return f"{source_id}#{version[:16]}#{index}"


@dataclass(frozen=True, kw_only=True)
class FlaggedSpan:
    """A span of a document's text that reads as instructions to an AI or to whoever
    answers (prompt injection): kept as data, never quoted, never given as evidence."""

    start: int  # span in the cleaned document's text
    end: int
    rule: str  # which pattern flagged it ("override", "chat-markup", ...)
    excerpt: str = ""  # the text, shortened, for listings

    @classmethod
    def from_dicts(cls, raw: str | list | None) -> list[FlaggedSpan]:
        """Spans from their JSON form (as ``to_chroma`` writes them); none from nothing."""
        items = json.loads(raw) if isinstance(raw, str) else raw or []
        return [cls(**item) for item in items]


def _flagged_json(spans: list[FlaggedSpan]) -> str:
    return json.dumps([asdict(s) for s in spans], ensure_ascii=False)


@dataclass(kw_only=True)
class Bibliography:
    """What a document is: the facts a citation shows, as precise as they are known."""

    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    published: str | None = None  # "2019", "2022-09" or "2019-01-22": kept at its precision
    published_precision: str | None = None  # "year", "month" or "day"
    kind: str | None = None  # "article", "policy", ...

    @property
    def year(self) -> int | None:
        """The year the document was published, if known."""
        return year_of(self.published)


@dataclass(kw_only=True)
class ChunkMeta(Bibliography):
    """A chunk's provenance (document, version, place) and its document's bibliography."""

    source_id: str
    doc_version: str = ""
    file: str = ""
    chunk_index: int = 0
    start: int = 0  # span in the cleaned document's text
    end: int = 0
    section: str = ""  # the heading the chunk sits under
    tokens: int = 0
    lead_in: str = ""  # the intro line of a list the chunk opens inside (ingest.chunking)
    # Instruction-like spans (document offsets) within the chunk: never quoted or embedded.
    flagged: list[FlaggedSpan] = field(default_factory=list)

    def is_flagged(self, start: int, end: int) -> bool:
        """Whether the document span ``start``..``end`` overlaps a flagged span."""
        return any(s.start < end and s.end > start for s in self.flagged)

    def embedded_text(self, text: str) -> str:
        """What is embedded for a chunk of ``text``: its heading (and the intro line of a
        list it continues) in front, since they give a passage context it may not repeat."""
        context = [p for p in (self.section, self.lead_in) if p and not text.startswith(p)]
        return "\n".join([*context, text])

    def indexed_text(self, text: str) -> str:
        """What is searched by words for a chunk of ``text``: the heading and the document's
        title, author and publisher too, which users name ("what does Maule say"), and the
        intro line of a list it continues."""
        parts = (self.title, self.author, self.publisher, self.section, self.lead_in, text)
        return "\n".join(p for p in parts if p)

    def to_chroma(self) -> dict[str, Any]:
        """Flat scalar metadata for Chroma (None values left out; flagged spans as JSON,
        and only when there are any)."""
        flat = {k: v for k, v in asdict(self).items() if v is not None}
        flat.pop("flagged")
        if self.flagged:
            flat["flagged"] = _flagged_json(self.flagged)
        return flat

    @classmethod
    def from_chroma(cls, flat: Mapping[str, Any]) -> ChunkMeta:
        """Inverse of :meth:`to_chroma`; keys this version does not know are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in flat.items() if k in known}
        values["flagged"] = FlaggedSpan.from_dicts(values.get("flagged"))
        return cls(**values)


@dataclass(frozen=True)
class Chunk:
    """A stored passage: its id, its text and its provenance."""

    id: str
    text: str
    meta: ChunkMeta

    @property
    def source_id(self) -> str:
        """The document the chunk belongs to."""
        return self.meta.source_id

    @property
    def quotable_text(self) -> str:
        """The chunk's text without its flagged spans: what answers, the search indexes
        and the LLM read (the stored text keeps them, as the document has them)."""
        if not self.meta.flagged:
            return self.text
        kept, position = [], 0
        for span in sorted(self.meta.flagged, key=lambda s: s.start):
            start = min(max(span.start - self.meta.start, 0), len(self.text))
            if start > position:
                kept.append(self.text[position:start])
            position = max(position, min(span.end - self.meta.start, len(self.text)))
        kept.append(self.text[position:])
        lines = (" ".join(line.split()) for line in "".join(kept).split("\n"))
        return "\n".join(line for line in lines if line)

    @property
    def flagged_texts(self) -> list[str]:
        """The chunk's flagged spans as text (what an answer must never repeat)."""
        base = self.meta.start
        return [
            text
            for s in self.meta.flagged
            if (text := self.text[max(s.start - base, 0) : max(s.end - base, 0)].strip())
        ]

    @property
    def embedded_text(self) -> str:
        """What is embedded for the chunk (see :meth:`ChunkMeta.embedded_text`)."""
        return self.meta.embedded_text(self.quotable_text)

    @property
    def indexed_text(self) -> str:
        """What BM25 and the coverage check read (see :meth:`ChunkMeta.indexed_text`)."""
        return self.meta.indexed_text(self.quotable_text)

    def to_document(self) -> Document:
        """The chunk as a LangChain ``Document`` (for LangChain callers)."""
        from langchain_core.documents import Document

        return Document(page_content=self.text, metadata=self.meta.to_chroma(), id=self.id)

    @classmethod
    def from_document(cls, doc: Document) -> Chunk:
        """A chunk from a LangChain ``Document`` with this project's metadata."""
        return cls(doc.id or "", doc.page_content, ChunkMeta.from_chroma(doc.metadata))


def _id_prefix(chunk_id: str) -> str:
    """What a document's chunk ids share ("<source>#<version>#"): written once in its
    findings' JSON instead of in every entry."""
    return chunk_id.rpartition("#")[0] + "#" if chunk_id else ""


def _shortened(chunk_id: str, prefix: str) -> str:
    """``chunk_id`` without ``prefix`` (what remains holds no "#"), or whole."""
    if prefix and chunk_id.startswith(prefix) and chunk_id != prefix:
        return chunk_id[len(prefix) :]
    return chunk_id


def _whole(chunk_id: str, prefix: str) -> str:
    """Inverse of :func:`_shortened` (an id written whole has a "#"; an empty one stays)."""
    return prefix + chunk_id if chunk_id and "#" not in chunk_id else chunk_id


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


@dataclass(frozen=True)
class PhraseUse:
    """A phrase whose words' initials spell an acronym the same document uses without
    spelling it out: "Primary Care Network" for "PCN", seen ``count`` times."""

    short: str
    phrase: str  # lower case, singular: the key phrases are counted under
    written: str  # as first written, for the glossary entry
    count: int
    source_id: str
    chunk_id: str
    start: int
    end: int


@dataclass
class DocumentAcronyms:
    """What one document says about acronyms, found at ingest: the definitions it spells
    out, the acronyms it uses without spelling them out, the phrases in it that may stand
    behind those, and its capitalised names ("Primary Care Networks"), which may stand
    behind an acronym another document uses."""

    defined: list[GlossaryEntry] = field(default_factory=list)
    used: list[str] = field(default_factory=list)
    phrases: list[PhraseUse] = field(default_factory=list)
    names: list[PhraseUse] = field(default_factory=list)

    def to_json(self) -> str:
        """Compact JSON: lists of field values, in field order, after the document's
        source id and its chunks' id prefix, which every entry would otherwise repeat
        (they were most of a registry's weight: 10,000 documents' findings are read
        whole when an app starts)."""
        entries: list[GlossaryEntry | PhraseUse] = [*self.defined, *self.phrases, *self.names]
        source_id = entries[0].source_id if entries else ""
        prefix = _id_prefix(entries[0].chunk_id) if entries else ""

        def pack(entry: GlossaryEntry | PhraseUse) -> list:
            values = asdict(entry)
            if values["source_id"] == source_id:
                values["source_id"] = ""
            values["chunk_id"] = _shortened(values["chunk_id"], prefix)
            return list(values.values())

        return json.dumps(
            [
                source_id,
                prefix,
                [pack(e) for e in self.defined],
                self.used,
                [pack(p) for p in self.phrases],
                [pack(p) for p in self.names],
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | None) -> DocumentAcronyms:
        """Inverse of :meth:`to_json` (empty for a record written without acronyms); also
        reads the earlier layout, whose entries were written out whole."""
        parts = json.loads(text) if text else None
        if isinstance(parts, list) and len(parts) == 4:
            source_id, prefix, parts = "", "", ["", "", *parts]
        elif isinstance(parts, list) and len(parts) == 6:
            source_id, prefix = parts[0], parts[1]
        else:
            return cls()  # another version's layout: found again when re-ingested
        _, _, defined, used, phrases, names = parts

        def unpack(values: list, at: int) -> list:
            values = list(values)
            values[at] = values[at] or source_id
            values[at + 1] = _whole(values[at + 1], prefix)
            return values

        return cls(
            [GlossaryEntry(*unpack(e, 2)) for e in defined],
            list(used),
            [PhraseUse(*unpack(p, 4)) for p in phrases],
            [PhraseUse(*unpack(p, 4)) for p in names],
        )


@dataclass(frozen=True)
class StructureStatement:
    """A sentence of a document about the bodies and roles it names, found at ingest.

    ``kind`` is "name" (the first sentence naming ``subject``; ``count`` sentences do),
    "definition" (the sentence says what ``subject`` is), "about" (``subject`` opens
    the sentence), "level:<key>" (a level cue sits next to ``subject``) or
    "relation:<key>" (the sentence states ``subject`` -> ``object``). Names are kept as
    written; the map resolves them to nodes across the library.
    """

    kind: str
    subject: str
    object: str
    chunk_id: str
    start: int  # the sentence's span in the cleaned document
    end: int
    text: str
    year: int | None = None  # the year the sentence itself states, if any
    count: int = 1
    listed: bool = False  # the subject is an item of a list of members ("relation:part_of")


# Where a statement's chunk id sits among its fields (the JSON rows are field values).
_STATEMENT_CHUNK_ID = [f.name for f in fields(StructureStatement)].index("chunk_id")


@dataclass
class DocumentStructure:
    """What one document says about how the NHS is organised (the map's raw material),
    with the fingerprint of the rules (prompts/structure.toml) it was found with."""

    rules: str = ""
    statements: list[StructureStatement] = field(default_factory=list)

    def to_json(self) -> str:
        """Compact JSON: the fingerprint, then lists of field values, in field order. A
        sentence's text is left out (its span finds it in the document's text, which the
        store keeps) unless it is not one slice of the document: a listed member's."""
        prefix = _id_prefix(self.statements[0].chunk_id) if self.statements else ""

        def row(statement: StructureStatement) -> list:
            values = asdict(statement if statement.listed else replace(statement, text=""))
            values["chunk_id"] = _shortened(values["chunk_id"], prefix)
            return list(values.values())

        rows = [row(s) for s in self.statements]
        return json.dumps([self.rules, prefix, rows], ensure_ascii=False, separators=(",", ":"))

    def with_texts(self, document: str) -> DocumentStructure:
        """The statements with each sentence's text read back from the document's text."""
        return DocumentStructure(
            self.rules,
            [s if s.text else replace(s, text=document[s.start : s.end]) for s in self.statements],
        )

    @classmethod
    def from_json(cls, text: str | None) -> DocumentStructure:
        """Inverse of :meth:`to_json` (empty, with no fingerprint, for another layout)."""
        parts = json.loads(text) if text else None
        if isinstance(parts, list) and len(parts) == 2:  # the earlier layout: ids whole
            parts = [parts[0], "", parts[1]]
        if not isinstance(parts, list) or len(parts) != 3:
            return cls()
        rules, prefix, statements = parts
        at = _STATEMENT_CHUNK_ID

        def statement(values: list) -> StructureStatement:
            values = list(values)
            values[at] = _whole(values[at], prefix)
            return StructureStatement(*values)

        return cls(str(rules), [statement(s) for s in statements])


@dataclass(kw_only=True)
class DocumentRecord(Bibliography):
    """What the store knows of one ingested document."""

    source_id: str
    version: str
    file: str
    root: str
    chunk_count: int
    char_count: int
    ingested_at: str
    notes: list[str] = field(default_factory=list)  # what the loader had to work around
    cleaning_removed: dict[str, int] = field(default_factory=dict)  # chars, by cleaning rule
    # Instruction-like sentences found at ingest (ingest.injection): kept out of answers.
    flagged: list[FlaggedSpan] = field(default_factory=list)
    # Its acronym definitions and candidate long forms (the glossary's raw material).
    acronyms: DocumentAcronyms = field(default_factory=DocumentAcronyms)
    # Its sentences about bodies, roles and their relations (the structure map's).
    structure: DocumentStructure = field(default_factory=DocumentStructure)
    # The whole cleaned text, kept so a citation can be shown in its context. Stored as
    # the registry record's document, and only read when asked for.
    text: str = field(default="", repr=False)

    @property
    def location(self) -> PurePath:
        """The file's absolute path: the document's identity (``root`` is the folder that
        was ingested, ``file`` the path within it)."""
        return PurePath(self.root) / self.file

    def to_chroma(self) -> dict[str, Any]:
        """Flat metadata for Chroma: scalars only, the lists and counts as JSON."""
        flat = {k: v for k, v in asdict(self).items() if v is not None}
        flat.pop("text")
        flat["notes"] = json.dumps(self.notes, ensure_ascii=False)
        flat["cleaning_removed"] = json.dumps(self.cleaning_removed)
        flat["flagged"] = _flagged_json(self.flagged)
        flat["acronyms"] = self.acronyms.to_json()
        flat["structure"] = self.structure.to_json()
        return flat

    @classmethod
    def from_chroma(cls, flat: dict[str, Any], findings: bool = True) -> DocumentRecord:
        """Inverse of :meth:`to_chroma`; also reads records written before the fields were
        typed, when they sat in one JSON ``metadata`` value. Without ``findings`` the
        acronyms and structure statements are left empty: parsing them is most of the
        cost of reading a registry, and whether a file changed needs neither."""
        values = dict(flat)
        if not findings:
            values.pop("acronyms", None)
            values.pop("structure", None)
        values.update(json.loads(values.pop("metadata", None) or "{}"))
        for key in ("notes", "cleaning_removed"):
            if isinstance(values.get(key), str):
                values[key] = json.loads(values[key])
        values["flagged"] = FlaggedSpan.from_dicts(values.get("flagged"))
        values["acronyms"] = DocumentAcronyms.from_json(values.get("acronyms"))
        values["structure"] = DocumentStructure.from_json(values.get("structure"))
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
