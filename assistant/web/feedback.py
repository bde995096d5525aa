"""Thumbs up or down on answers, kept in SQLite in the data directory, exportable as evals.

Each record holds what is needed to replay the question: the question and its
conversation, the answer with its citations, and the settings that produced it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE_NAME = "feedback.sqlite3"
MAX_COMMENT_CHARS = 4000


def _m001_create_feedback(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
            comment TEXT NOT NULL DEFAULT '',
            question TEXT NOT NULL,
            history TEXT NOT NULL,
            answer_text TEXT NOT NULL,
            abstained INTEGER NOT NULL,
            mode TEXT NOT NULL,
            citations TEXT NOT NULL,
            answer TEXT NOT NULL,
            settings TEXT NOT NULL
        )"""
    )


# Numbered migrations: the store's user_version says how many have run, so an old
# feedback file always opens.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_create_feedback]


@dataclass(frozen=True)
class FeedbackRecord:
    """One stored judgement of one answer."""

    id: int
    created_at: str
    rating: int
    comment: str
    question: str
    history: list[str]
    answer_text: str
    abstained: bool
    mode: str
    citations: list[dict[str, Any]]

    def cited_sources(self) -> list[str]:
        """Source ids of the cited passages, first-cited first, each once."""
        return list(dict.fromkeys(c["source_id"] for c in self.citations if c.get("source_id")))


class FeedbackStore:
    """The feedback table in ``data_dir/feedback.sqlite3``; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            migrate(db)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FeedbackStore:
        """The feedback store that lives beside the chunk store."""
        return cls(Path(data_dir) / FILE_NAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and is always closed."""
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def record(
        self,
        *,
        liked: bool,
        question: str,
        history: list[str],
        answer: dict[str, Any],
        settings: dict[str, Any],
    ) -> int:
        """Store a thumbs up (``liked``) or down on ``answer`` (an Answer as JSON); its id."""
        citations = [
            {k: c.get(k) for k in ("n", "source_id", "title", "chunk_id", "passage")}
            for c in answer.get("citations", [])
        ]
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            1 if liked else -1,
            question,
            json.dumps(history, ensure_ascii=False),
            answer.get("text", ""),
            int(bool(answer.get("abstained"))),
            answer.get("mode", ""),
            json.dumps(citations, ensure_ascii=False),
            json.dumps(answer, ensure_ascii=False),
            json.dumps(settings, ensure_ascii=False, default=str),
        )
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, rating, question, history, answer_text,"
                " abstained, mode, citations, answer, settings)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            assert cursor.lastrowid is not None  # set by every successful INSERT
            return cursor.lastrowid

    def add_comment(self, feedback_id: int, comment: str) -> bool:
        """Attach a comment to a stored judgement; False when there is no such record."""
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "UPDATE feedback SET comment = ? WHERE id = ?",
                (comment.strip()[:MAX_COMMENT_CHARS], feedback_id),
            )
            return cursor.rowcount == 1

    def records(self) -> list[FeedbackRecord]:
        """Every judgement, oldest first."""
        return list(self._iter())

    def _iter(self) -> Iterator[FeedbackRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, created_at, rating, comment, question, history, answer_text,"
                " abstained, mode, citations FROM feedback ORDER BY id"
            ).fetchall()
        for r in rows:
            yield FeedbackRecord(
                id=r[0],
                created_at=r[1],
                rating=r[2],
                comment=r[3],
                question=r[4],
                history=json.loads(r[5]),
                answer_text=r[6],
                abstained=bool(r[7]),
                mode=r[8],
                citations=json.loads(r[9]),
            )


def migrate(db: sqlite3.Connection) -> None:
    """Run the migrations this file has not seen yet."""
    done = db.execute("PRAGMA user_version").fetchone()[0]
    for number, step in enumerate(MIGRATIONS[done:], start=done + 1):
        step(db)
        db.execute(f"PRAGMA user_version = {number}")
    db.commit()


def eval_rows(records: list[FeedbackRecord], rating: str = "all") -> list[dict[str, Any]]:
    """Feedback as eval questions in the shared format, for a person to complete.

    ``expected_sources`` are the cited sources; ``key_facts`` stay empty. An answered
    question is marked answerable, an abstention not (the person corrects either).
    """
    wanted = {"all": {1, -1}, "up": {1}, "down": {-1}}[rating]
    rows = []
    for r in records:
        if r.rating not in wanted:
            continue
        sources = [] if r.abstained else r.cited_sources()
        if not r.abstained and not sources:
            continue  # nothing to point a person at; the shared format needs sources here
        rows.append(
            {
                "id": f"feedback-{r.id}-{'up' if r.rating > 0 else 'down'}",
                "question": r.question,
                "history": r.history,
                "expected_sources": sources,
                "key_facts": [],
                "answerable": not r.abstained,
            }
        )
    return rows


def write_eval_file(rows: list[dict[str, Any]], out: Path) -> None:
    """Write eval questions as JSON Lines."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
