"""One writer at a time per store: a lease kept in the store itself.

Two ingests into one store at once would race: both read the registry before either
writes (two files named ``minutes.txt`` in two folders both take the id ``minutes``), and
one run's clean-up deletes the chunks the other has written but not yet made live. The
lease serialises them. It lives in the store's state collection, so it holds across
processes and across machines that share a Chroma server, which a file lock would not.

Chroma has no compare-and-set, so a lease is taken by writing it and reading it back
after a pause: of two processes that both found the lease free, the later write wins and
the earlier one sees that it lost. A lease names its holder and expires unless renewed;
a holder that died (a process gone on the same host, or an expired lease) is overridden.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_LEASE_ID = "writer"
_VECTOR = [1.0]  # Chroma wants a vector on every record; this one is never searched


@dataclass(frozen=True)
class Holder:
    """Who holds a store's writer lease, and until when unless renewed."""

    owner: str
    host: str
    pid: int
    since: float
    expires: float

    def is_stale(self, now: float) -> bool:
        """Expired, or held by a process that no longer runs on this host."""
        if now > self.expires:
            return True
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # it runs, as another user
            return False
        return False


class LeaseTimeout(RuntimeError):
    """Another writer held the store for longer than we were willing to wait."""


class WriterLease:
    """The writer lease of one store (its state collection)."""

    def __init__(
        self, state: Any, ttl: float = 60.0, settle: float = 0.5, poll: float = 1.0
    ) -> None:
        self._state = state
        self._ttl = ttl
        self._settle = settle
        self._poll = poll
        self._owner = uuid.uuid4().hex
        self._renewer: threading.Thread | None = None
        self._stop = threading.Event()

    def holder(self) -> Holder | None:
        """The current holder, if any."""
        got = self._state.get(ids=[_LEASE_ID], include=["metadatas"])
        metadatas = got["metadatas"] or []
        if not got["ids"] or not metadatas[0]:
            return None
        m = metadatas[0]
        return Holder(
            str(m["owner"]), str(m["host"]), int(m["pid"]), float(m["since"]), float(m["expires"])
        )

    def _write(self, since: float) -> None:
        now = time.time()
        self._state.upsert(
            ids=[_LEASE_ID],
            embeddings=[_VECTOR],
            metadatas=[
                {
                    "owner": self._owner,
                    "host": socket.gethostname(),
                    "pid": os.getpid(),
                    "since": since,
                    "expires": now + self._ttl,
                }
            ],
        )

    def acquire(
        self, timeout: float = 3600.0, on_wait: Callable[[Holder], None] | None = None
    ) -> None:
        """Take the lease, waiting while another live writer holds it; ``on_wait`` is
        told who, once."""
        deadline = time.monotonic() + timeout
        told = False
        while True:
            current = self.holder()
            if current is None or current.owner == self._owner or current.is_stale(time.time()):
                self._write(time.time())
                time.sleep(self._settle)  # let a racing writer's claim land, then look
                current = self.holder()
                if current is not None and current.owner == self._owner:
                    self._start_renewing(current.since)
                    return
            if current is not None and not told and on_wait is not None:
                on_wait(current)
                told = True
            if time.monotonic() > deadline:
                raise LeaseTimeout(
                    f"another writer (pid {current.pid if current else '?'} on "
                    f"{current.host if current else '?'}) held the store for over "
                    f"{timeout:.0f} s"
                )
            time.sleep(self._poll)

    def _start_renewing(self, since: float) -> None:
        self._stop.clear()

        def renew() -> None:
            while not self._stop.wait(self._ttl / 4):
                try:
                    current = self.holder()
                    if current is None or current.owner != self._owner:
                        return  # taken over after we stalled past expiry: never steal it back
                    self._write(since)
                except Exception:  # the store went away: the run reports that itself
                    return

        self._renewer = threading.Thread(target=renew, name="nhsa-lease", daemon=True)
        self._renewer.start()

    def release(self) -> None:
        """Give the lease up (a no-op when another writer took it over)."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
            self._renewer = None
        try:
            current = self.holder()
            if current is not None and current.owner == self._owner:
                self._state.delete(ids=[_LEASE_ID])
        except Exception:  # a store that went away frees its lease by expiry
            pass
