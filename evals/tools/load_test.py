"""Load test of the chat app: concurrent sessions asking through the Gradio API on loopback.

Starts ``nhsa serve`` on a free port over a store, waits until it prints its URL, then runs
N sessions at once (each a ``gradio_client.Client``, so each has its own conversation), each
asking a few questions of the library eval set through ``api_name="ask"``. The number of
questions and the wall time are bounded. Prints errors (the target is 0), p50 and p95
latency per question, and the server's memory; exits 1 on any error.

    python -m evals.tools.load_test --data-dir DIR --sessions 50
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import numpy as np
import psutil
import typer

from evals.dataset import load_questions

HOST = "127.0.0.1"
NHSA = Path(sys.executable).parent / "nhsa"
QUESTIONS = Path(__file__).resolve().parents[1] / "datasets" / "library.jsonl"
# A store of 10,000 documents loads its indexes (minutes) before the URL shows.
READY_TIMEOUT_S = 3600


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def running(
    args: Sequence[str], log: Path, ready: Callable[[], str | None], timeout_s: float
) -> Iterator[tuple[subprocess.Popen, str, float]]:
    """Run ``args`` (output to ``log``) until ``ready()`` gives a value; yield the process,
    that value and the seconds it took. The process is stopped on exit."""
    env = {**os.environ, "NO_PROXY": f"{HOST},localhost", "COLUMNS": "200"}
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        while (value := ready()) is None:
            if process.poll() is not None:
                raise RuntimeError(f"{args[0]} exited ({process.returncode}); see {log}")
            if time.perf_counter() - started > timeout_s:
                raise RuntimeError(f"{args[0]} not ready in {timeout_s:.0f} s; see {log}")
            time.sleep(0.1)
        yield process, value, time.perf_counter() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@dataclass
class Served:
    """A running ``nhsa serve``: its URL, process and how long it took to be ready."""

    url: str
    process: subprocess.Popen
    ready_seconds: float


@contextmanager
def serving(data_dir: Path, log: Path) -> Iterator[Served]:
    """``nhsa serve`` on ``data_dir`` and a free loopback port, stopped on exit. Ready
    means the URL is printed: the model, the store and every index are loaded by then."""

    def url() -> str | None:
        found = re.search(r"running at (http://\S+)", log.read_text())
        return found[1] if found else None

    args = [str(NHSA), "serve", "--host", HOST, "--port", str(free_port())]
    with running([*args, "--data-dir", str(data_dir)], log, url, READY_TIMEOUT_S) as started:
        process, address, seconds = started
        yield Served(address, process, seconds)


class PeakRss:
    """Samples a process's resident memory in a thread; ``peak_mb`` is the largest seen."""

    def __init__(self, pid: int, every_s: float = 0.2) -> None:
        self._process = psutil.Process(pid)
        self._every = every_s
        self._stop = threading.Event()
        self.start_mb = self._sample()
        self.peak_mb = self.start_mb
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> float:
        return self._process.memory_info().rss / 2**20

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self.peak_mb = max(self.peak_mb, self._sample())
            except psutil.NoSuchProcess:
                return

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class LoadResult:
    """What the sessions saw: latency per answered question, errors, the server's memory."""

    sessions: int
    planned: int
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    not_asked: int = 0  # left when the time limit came
    wall_s: float = 0.0
    rss_start_mb: float = 0.0
    rss_peak_mb: float = 0.0

    def percentile(self, q: float) -> float:
        """The q-th percentile of the per-question latency, in seconds."""
        return float(np.percentile(self.seconds, q)) if self.seconds else float("nan")

    def line(self) -> str:
        """The result in one line, for a table or a log."""
        return (
            f"{self.sessions} sessions, {len(self.seconds)}/{self.planned} questions answered, "
            f"errors {len(self.errors)}, p50 {self.percentile(50):.2f} s, p95 "
            f"{self.percentile(95):.2f} s, wall {self.wall_s:.0f} s, serve RSS "
            f"{self.rss_start_mb:.0f} MB idle, {self.rss_peak_mb:.0f} MB peak"
            + (f", {self.not_asked} not asked (time limit)" if self.not_asked else "")
        )


def _reply_problem(chat: list[dict]) -> str | None:
    """Why a reply is not a finished answer (or abstention), or None when it is one."""
    content = chat[-1]["content"] if chat else ""
    text = content[0]["text"] if isinstance(content, list) else str(content)
    if 'class="notice"' in text:
        return "the app showed an error notice"
    if "answer-done" not in text:
        return "no finished answer"
    return None


def _session(url: str, questions: Sequence[str], deadline: float) -> LoadResult:
    """One conversation: the questions in turn, each on the session's earlier turns."""
    from gradio_client import Client

    mine = LoadResult(1, len(questions))
    client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    for n, question in enumerate(questions):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            mine.not_asked = len(questions) - n
            break
        started = time.perf_counter()
        try:
            _, chat = client.submit(question, api_name="/ask").result(timeout=remaining)
        except Exception as exc:  # a timeout, a dropped connection, a server error
            mine.errors.append(f"{question[:60]!r}: {type(exc).__name__}: {exc}")
            continue
        if problem := _reply_problem(chat):
            mine.errors.append(f"{question[:60]!r}: {problem}")
        else:
            mine.seconds.append(time.perf_counter() - started)
    return mine


def run_load(
    url: str,
    pid: int,
    questions: Sequence[str],
    sessions: int = 50,
    per_session: int = 3,
    max_questions: int = 150,
    time_limit_s: float = 600.0,
) -> LoadResult:
    """``sessions`` concurrent conversations of ``per_session`` questions (at most
    ``max_questions`` in all) against ``url``, served by process ``pid``."""
    import huggingface_hub.constants

    # The client's request headers would otherwise look up huggingface.co.
    huggingface_hub.constants.HF_HUB_OFFLINE = True
    os.environ["NO_PROXY"] = f"{HOST},localhost"
    plans: list[list[str]] = [[] for _ in range(sessions)]
    for n in range(min(sessions * per_session, max_questions)):
        plans[n % sessions].append(questions[n % len(questions)])
    result = LoadResult(sessions, sum(map(len, plans)))
    deadline = time.monotonic() + time_limit_s
    started = time.perf_counter()
    with PeakRss(pid) as rss, ThreadPoolExecutor(max_workers=sessions) as pool:
        futures = [pool.submit(_session, url, plan, deadline) for plan in plans if plan]
        done, _ = wait(futures, timeout=time_limit_s + 60)
        for future in done:
            if (exc := future.exception()) is not None:  # the client could not connect
                result.errors.append(f"session: {type(exc).__name__}: {exc}")
                continue
            mine = future.result()
            result.seconds += mine.seconds
            result.errors += mine.errors
            result.not_asked += mine.not_asked
        result.errors += ["session still running at the time limit"] * (len(futures) - len(done))
    result.wall_s = time.perf_counter() - started
    result.rss_start_mb, result.rss_peak_mb = rss.start_mb, rss.peak_mb
    return result


def first_turn_questions(path: Path = QUESTIONS) -> list[str]:
    """The questions of an eval set that open a conversation (no history)."""
    return [q.question for q in load_questions(path) if not q.history]


def main(
    data_dir: Annotated[Path, typer.Option(help="Store folder to serve.")],
    sessions: Annotated[int, typer.Option(min=1, help="Concurrent chat sessions.")] = 50,
    per_session: Annotated[int, typer.Option(min=1, help="Questions per session.")] = 3,
    max_questions: Annotated[int, typer.Option(min=1, help="Questions in all, at most.")] = 150,
    time_limit: Annotated[float, typer.Option(help="Seconds before asking stops.")] = 600.0,
    questions: Annotated[Path, typer.Option(help="Eval set the questions come from.")] = QUESTIONS,
) -> None:
    """Serve DATA_DIR and load it with concurrent sessions; exit 1 on any error."""
    log = Path(tempfile.mkdtemp(prefix="nhsa-load-")) / "serve.log"
    with serving(data_dir, log) as served:
        typer.echo(f"serve ready in {served.ready_seconds:.1f} s at {served.url} (log: {log})")
        result = run_load(
            served.url,
            served.process.pid,
            first_turn_questions(questions),
            sessions,
            per_session,
            max_questions,
            time_limit,
        )
    typer.echo(result.line())
    for error in result.errors[:20]:
        typer.echo(f"error: {error}", err=True)
    raise typer.Exit(1 if result.errors else 0)


if __name__ == "__main__":
    typer.run(main)
