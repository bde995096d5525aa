"""One writer at a time per store (vectorstore/writer_lease.py), on a real Chroma store."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vectorstore.chroma_store import ChunkStore
from vectorstore.writer_lease import LeaseTimeout, WriterLease


def _lease(path: Path, **kw) -> WriterLease:
    return WriterLease(ChunkStore.open(path).state, settle=0.05, poll=0.05, **kw)


def test_a_second_writer_waits_until_the_first_releases(tmp_path: Path) -> None:
    first, second = _lease(tmp_path), _lease(tmp_path)
    first.acquire()
    told = []
    with pytest.raises(LeaseTimeout, match="another writer"):
        second.acquire(timeout=0.5, on_wait=told.append)
    assert len(told) == 1 and told[0].pid > 0
    first.release()
    second.acquire(timeout=1)
    assert second.holder() is not None
    second.release()
    assert second.holder() is None


def test_a_lease_of_a_process_that_died_is_taken_over_at_once(tmp_path: Path) -> None:
    dead = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, '.');"
            "from vectorstore.chroma_store import ChunkStore;"
            "from vectorstore.writer_lease import WriterLease;"
            f"WriterLease(ChunkStore.open({str(tmp_path)!r}).state, settle=0.05).acquire()",
        ],
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert dead.returncode == 0
    left = _lease(tmp_path)
    assert left.holder() is not None  # the dead process never released it
    t0 = time.monotonic()
    left.acquire(timeout=5)
    assert time.monotonic() - t0 < 2


def test_an_expired_lease_is_taken_over(tmp_path: Path) -> None:
    stalled = _lease(tmp_path, ttl=0.3)
    stalled.acquire()
    stalled._stop.set()  # as if the holder stalled: no renewal
    later = _lease(tmp_path)
    later.acquire(timeout=3)
    holder = later.holder()
    assert holder is not None and holder.owner == later._owner


def test_writers_racing_for_the_lease_hold_it_one_at_a_time(tmp_path: Path) -> None:
    ChunkStore.open(tmp_path)  # create the store before the threads open it
    inside, most, errors = [0], [0], []
    lock = threading.Lock()

    def write() -> None:
        try:
            lease = _lease(tmp_path)
            for _ in range(3):
                lease.acquire(timeout=30)
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.05)
                with lock:
                    inside[0] -= 1
                lease.release()
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert most[0] == 1
