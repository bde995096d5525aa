"""The lexical index kept on disk beside the store, brought up to date document by document.

Each chunk's terms are computed once, when its document version first appears, and kept
in a small SQLite table; the BM25 index over the live versions is saved under a key of
those versions. Ingest brings it up to date before it returns, so ``nhsa serve`` starts
by loading it; the glossary assembled from every live document's acronyms is saved under
the same key, so that a start need not read every document's findings; a process reading
a Chroma server that another process wrote to fetches only the chunks of the versions it
has not seen.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import astuple
from pathlib import Path

from vectorstore.lexical import LexicalIndex, chunk_terms
from vectorstore.records import Chunk, GlossaryEntry

# Saved indexes kept besides the newest: a process may still be loading one.
_KEEP = 2
# Versions fetched from the store per request.
_FETCH = 200


class LexicalCache:
    """Chunk terms and saved BM25 indexes in one folder (one per store and collection)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS chunk_terms (chunk_id TEXT PRIMARY KEY, "
                "version TEXT NOT NULL, source_id TEXT NOT NULL, position INTEGER NOT NULL, "
                "indexed TEXT NOT NULL, quotable TEXT NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS by_version ON chunk_terms(version)")

    def _connect(self) -> sqlite3.Connection:
        # Ingest and serve may share the folder: wait for the other's write to finish.
        return sqlite3.connect(self.folder / "terms.sqlite3", timeout=300)

    def index(
        self,
        documents: Iterable[tuple[str, str]],
        fetch: Callable[[Sequence[str]], list[Chunk]],
    ) -> LexicalIndex:
        """The index over ``documents`` ((source id, version) pairs): loaded when saved,
        else brought up to date with ``fetch`` (every chunk of some versions) for the
        documents not seen before."""
        wanted = frozenset(documents)
        index = self.saved(wanted)
        if index is None:
            self._update_terms(wanted, fetch)
            index = self._build(wanted)
            self._save(index, self._folder_of(wanted))
        return index

    def saved(self, documents: Iterable[tuple[str, str]]) -> LexicalIndex | None:
        """The saved index over ``documents``, or None when there is none yet."""
        folder = self._folder_of(frozenset(documents))
        if not (folder / "index.json").exists():
            return None
        try:
            return LexicalIndex.load(folder)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(folder, ignore_errors=True)  # damaged: build it again
            return None

    def saved_glossary(
        self, documents: Iterable[tuple[str, str]], stamp: str
    ) -> list[GlossaryEntry] | None:
        """The glossary saved for ``documents`` by the assembly ``stamp`` names, or None."""
        path = self._glossary_of(frozenset(documents), stamp)
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
            return [GlossaryEntry(*row) for row in rows]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError):
            path.unlink(missing_ok=True)  # damaged: assembled again
            return None

    def save_glossary(
        self, documents: Iterable[tuple[str, str]], stamp: str, entries: Sequence[GlossaryEntry]
    ) -> None:
        """Save the glossary of ``documents`` (written beside, then renamed)."""
        path = self._glossary_of(frozenset(documents), stamp)
        partial = self.folder / f".partial-{uuid.uuid4().hex}.json"
        rows = [list(astuple(e)) for e in entries]
        partial.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
        others = sorted(
            (p for p in self.folder.glob("glossary-*.json") if p != path),
            key=_age_key,
            reverse=True,
        )
        for old in others[_KEEP:]:
            old.unlink(missing_ok=True)

    def _glossary_of(self, wanted: frozenset[tuple[str, str]], stamp: str) -> Path:
        key = self._folder_of(wanted).name.removeprefix("index-")
        return self.folder / f"glossary-{key}-{stamp}.json"

    def _folder_of(self, wanted: frozenset[tuple[str, str]]) -> Path:
        key = hashlib.sha256("\n".join(f"{s}\t{v}" for s, v in sorted(wanted)).encode())
        return self.folder / f"index-{key.hexdigest()[:24]}"

    def _update_terms(
        self, wanted: frozenset[tuple[str, str]], fetch: Callable[[Sequence[str]], list[Chunk]]
    ) -> None:
        with closing(self._connect()) as db:
            have = set(db.execute("SELECT DISTINCT source_id, version FROM chunk_terms"))
            with db:
                db.executemany(
                    "DELETE FROM chunk_terms WHERE source_id = ? AND version = ?",
                    sorted(have - wanted),
                )
            new = wanted - have
            # Two files with the same text share a version: fetch by version, keep by pair.
            versions = sorted({version for _, version in new})
            for start in range(0, len(versions), _FETCH):
                rows = []
                for chunk in fetch(versions[start : start + _FETCH]):
                    if (chunk.meta.source_id, chunk.meta.doc_version) not in new:
                        continue
                    indexed, quotable = chunk_terms(chunk)
                    rows.append(
                        (
                            chunk.id,
                            chunk.meta.doc_version,
                            chunk.meta.source_id,
                            chunk.meta.chunk_index,
                            " ".join(indexed),
                            " ".join(quotable),
                        )
                    )
                with db:
                    db.executemany("INSERT OR REPLACE INTO chunk_terms VALUES (?,?,?,?,?,?)", rows)

    def _build(self, wanted: frozenset[tuple[str, str]]) -> LexicalIndex:
        with closing(self._connect()) as db:
            rows = [
                row
                for row in db.execute(
                    "SELECT chunk_id, source_id, version, indexed, quotable FROM chunk_terms "
                    "ORDER BY source_id, position"
                )
                if (row[1], row[2]) in wanted  # another process may have added more
            ]
        return LexicalIndex.from_terms(
            [r[0] for r in rows], [r[3].split() for r in rows], [r[4].split() for r in rows]
        )

    def _save(self, index: LexicalIndex, saved: Path) -> None:
        """Write beside, then rename: a reader never loads a half-written index."""
        partial = self.folder / f".partial-{uuid.uuid4().hex}"
        index.save(partial)
        try:
            partial.rename(saved)
        except OSError:  # another process saved the same index first
            shutil.rmtree(partial, ignore_errors=True)
        others = sorted(
            (p for p in self.folder.glob("index-*") if p != saved), key=_age_key, reverse=True
        )
        for old in others[_KEEP:]:
            shutil.rmtree(old, ignore_errors=True)


def _age_key(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed by another process meanwhile
        return 0.0
