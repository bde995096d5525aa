"""A document's identity: the absolute path of its file.

Two files may share a name (``a/notes.txt`` and ``b/notes.txt``), and two folders may be
ingested into one store: neither may replace or remove the other's document. Each file
gets a short ``source_id`` for citations and eval sets: its file name without extension
when no other file holds that name, else the name with a short hash of its path. A file
the store already knows keeps the id it was given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath

from vectorstore.records import DocumentRecord


def _path_hash(path: PurePath, length: int) -> str:
    return hashlib.sha1(path.as_posix().encode()).hexdigest()[:length]


def assign_source_ids(
    paths: Iterable[Path], stored: Mapping[str, DocumentRecord]
) -> dict[Path, str]:
    """A source id for each absolute path: kept from the store, else the stem if free,
    else the stem with a hash of the path (lengthened in the unlikely case it is taken)."""
    known = {record.location: source_id for source_id, record in stored.items()}
    taken = set(stored)
    ids: dict[Path, str] = {}
    for path in sorted(paths):
        source_id = known.get(path)
        if source_id is None:
            source_id, length = path.stem, 6
            while source_id in taken:
                source_id = f"{path.stem}-{_path_hash(path, length)}"
                length += 2
            taken.add(source_id)
        ids[path] = source_id
    return ids
