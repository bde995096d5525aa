"""``manifest.csv``: per-file metadata that a file cannot carry itself."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ingest.documents import DocumentMetadata, parse_published

MANIFEST_NAME = "manifest.csv"
REQUIRED_COLUMNS = ("file",)
KNOWN_COLUMNS = ("file", "title", "author", "publisher", "published", "kind")
KINDS = ("article", "policy", "guidance", "report", "news", "other")


@dataclass
class Manifest:
    """Metadata by file name, plus one message per row or field that could not be used."""

    entries: dict[str, DocumentMetadata] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def read_manifest(path: Path) -> Manifest:
    """Read a manifest; a bad row or field is reported and the other rows still apply."""
    manifest = Manifest()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        manifest.errors.append(f"{path}: cannot be read ({exc})")
        return manifest
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        manifest.errors.append(f"{path}: header lacks the column(s) {', '.join(missing)}")
        return manifest
    unknown = [c for c in columns if c not in KNOWN_COLUMNS]
    if unknown:
        manifest.errors.append(f"{path}: unknown column(s) ignored: {', '.join(unknown)}")
    for raw in reader:
        row_number = reader.line_num  # the file's own line: blank lines are skipped
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if None in raw:
            manifest.errors.append(f"{path} row {row_number}: more fields than columns")
            continue
        where = f"{path} row {row_number}"
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
    return manifest
