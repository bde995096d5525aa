"""``manifest.csv``: per-file metadata that a file cannot carry itself."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from ingest.documents import DocumentMetadata, parse_published

MANIFEST_NAME = "manifest.csv"
REQUIRED_COLUMNS = ("file",)
KNOWN_COLUMNS = ("file", "title", "author", "publisher", "published", "kind")
KINDS = ("article", "policy", "guidance", "report", "news", "other")


@dataclass
class Manifest:
    """Metadata by file name, plus one message per row or field that could not be used."""

    path: Path
    entries: dict[str, DocumentMetadata] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # file name -> its row (line) number

    def unmatched_rows(self, documents: Iterable[Path]) -> list[str]:
        """One message per row naming no file of ``documents`` (the documents found): a row
        names a file by its path from the manifest's folder, or by its name alone."""
        folder = self.path.parent
        present: set[str] = set()
        for document in documents:
            if document.is_relative_to(folder):
                present.update((document.name, document.relative_to(folder).as_posix()))
        return [
            f"{self.path} row {row}, field 'file': names {name!r}, which is not in the folder"
            for name, row in self.rows.items()
            if name not in present
        ]


def read_manifest(path: Path) -> Manifest:
    """Read a manifest; a bad row or field is reported and the other rows still apply."""
    manifest = Manifest(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        manifest.errors.append(f"{path}: cannot be read ({exc})")
        return manifest
    # Each line is parsed on its own: a row is one line, so an unclosed quote costs only
    # its own row, where a csv reader would read the rows below it into that one field.
    lines = text.splitlines()
    header = _fields(lines[0]) if lines else []
    if any("\n" in name for name in header):
        manifest.errors.append(f"{path} row 1 (the header): {_unclosed_quote(lines, 1)}")
        return manifest
    columns = [c.strip().lower() for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        manifest.errors.append(f"{path}: header lacks the column(s) {', '.join(missing)}")
        return manifest
    unknown = [c for c in columns if c not in KNOWN_COLUMNS]
    if unknown:
        manifest.errors.append(f"{path}: unknown column(s) ignored: {', '.join(unknown)}")
    for row_number, line in enumerate(lines[1:], start=2):  # the file's own line
        values = _fields(line)
        if not values:
            continue  # a blank line
        where = f"{path} row {row_number}"
        unclosed = next((i for i, value in enumerate(values) if "\n" in value), None)
        if unclosed is not None:
            column = columns[unclosed] if unclosed < len(columns) else f"#{unclosed + 1}"
            problem = _unclosed_quote(lines, row_number)
            manifest.errors.append(f"{where}, field {column!r}: {problem}; row skipped")
            continue
        if len(values) > len(columns):
            manifest.errors.append(f"{where}: more fields than columns")
            continue
        row = {c: v.strip() for c, v in zip(columns, values, strict=False)}
        name = row.get("file", "")
        if not name:
            manifest.errors.append(f"{where}, field 'file': empty")
            continue
        if name in manifest.entries:
            manifest.errors.append(f"{where}, field 'file': {name!r} is listed twice")
            continue
        published = row.get("published") or None
        if published:
            try:
                parse_published(published)
            except ValueError as exc:
                manifest.errors.append(f"{where}, field 'published': {exc}")
                published = None  # the row's other fields still apply
        kind = (row.get("kind") or "").lower() or None
        if kind and kind not in KINDS:
            manifest.errors.append(
                f"{where}, field 'kind': {kind!r} is not one of {', '.join(KINDS)}"
            )
            kind = None
        manifest.entries[name] = DocumentMetadata(
            title=row.get("title") or None,
            author=row.get("author") or None,
            publisher=row.get("publisher") or None,
            published=published,
            kind=kind,
        )
        manifest.rows[name] = row_number
    return manifest


def _fields(line: str) -> list[str]:
    """The fields of one line; a field whose quote is left open ends in a newline."""
    return next(csv.reader([line + "\n"]), [])


def _unclosed_quote(lines: list[str], row_number: int) -> str:
    """The problem with an unclosed quote on ``row_number``: the rows below it that a csv
    reader would take into the quoted field (here they are still read as rows)."""
    reader = csv.reader(islice(lines, row_number - 1, None))
    next(reader)
    last = row_number + reader.line_num - 1
    if last == row_number:  # the last row: nothing below it to swallow
        return "unclosed quote"
    return f"unclosed quote swallows rows {row_number + 1}..{last}"
