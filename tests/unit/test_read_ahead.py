"""ingest.job.read_ahead: files are read in a second thread, in order, a bounded way ahead."""

from __future__ import annotations

import threading
import time

from ingest.job import read_ahead


def test_results_come_in_order_from_another_thread() -> None:
    threads = set()

    def work(n: int) -> int:
        threads.add(threading.get_ident())
        time.sleep(0.001 * (n % 3))  # uneven work must not reorder the results
        return n * n

    assert list(read_ahead(work, range(20), depth=4)) == [n * n for n in range(20)]
    assert threads and threading.get_ident() not in threads


def test_the_reader_never_runs_more_than_depth_items_ahead() -> None:
    started: list[int] = []
    consumed = 0
    ahead = []

    def work(n: int) -> int:
        started.append(n)
        return n

    for _ in read_ahead(work, range(50), depth=3):
        time.sleep(0.002)  # a slow consumer, as embedding is
        consumed += 1
        ahead.append(len(started) - consumed)
    assert consumed == 50
    assert max(ahead) <= 3
