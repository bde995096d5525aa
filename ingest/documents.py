"""The types that travel through ingestion: document metadata and loaded documents."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

_DATE_FORMS = (
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
)


def parse_published(value: str) -> tuple[str, str]:
    """Validate a year, year-month or full date; return it unchanged and its precision."""
    text = value.strip()
    for pattern, precision in _DATE_FORMS:
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()] + [1] * (3 - len(match.groups()))
            try:
                date(*parts)  # raises ValueError on month 13, day 31 of April, ...
            except ValueError as exc:
                raise ValueError(f"{value!r} is not a valid date ({exc})") from None
            return text, precision
    raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")


@dataclass
class DocumentMetadata:
    """Bibliographic facts about a document, as precise as they are known."""

    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    published: str | None = None  # "2019", "2022-09" or "2019-01-22": kept at its precision
    kind: str | None = None  # "article", "policy", ...

    @property
    def published_precision(self) -> str | None:
        """ "year", "month" or "day"."""
        return parse_published(self.published)[1] if self.published else None

    def merged_over(self, fallback: DocumentMetadata) -> DocumentMetadata:
        """These values, with gaps filled from ``fallback``."""
        mine = asdict(self)
        return DocumentMetadata(
            **{k: mine[k] if mine[k] else v for k, v in asdict(fallback).items()}
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain values, precision included."""
        values = asdict(self)
        values["published_precision"] = self.published_precision
        return values


@dataclass
class LoadedDocument:
    """A file's text as its loader read it, with what the file says about itself."""

    text: str
    metadata: DocumentMetadata = field(default_factory=DocumentMetadata)
    notes: list[str] = field(default_factory=list)  # e.g. "decoded as cp1252"


class DocumentError(Exception):
    """A file that cannot be ingested; the message says what is wrong with it."""
