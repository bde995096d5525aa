"""Several ``nhsa serve`` processes and ``nhsa ingest`` runs sharing one Chroma server.

All real processes on loopback: a ``chroma run`` server, two chat apps started by the
``serve`` fixture of test_web_app (each with a data folder of its own), and ingests run
through the CLI. Questions go to the apps over HTTP with gradio_client. docs/deploy.md
describes this deployment and quotes the figures these tests print.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
import test_web_app
from conftest import run_nhsa
from docgen import prose
from test_chroma_server import BEDS, HOST, PHARMACY, _chroma_server
from test_web_app import Server, _ask

from ingest.job import run_ingest
from vectorstore.chroma_store import ChunkStore

pytestmark = pytest.mark.slow

serve = test_web_app.serve  # the fixture starting `nhsa serve` processes, shared

QUESTION = "Who runs the overnight pharmacy at Harwick Bay Hospital?"
TITLE = "Harwick Bay overnight pharmacy"
OLD_LEAD, NEW_LEAD = "Ottoline Grange", "Barnaby Quill"
# How long after an ingest has finished every app must answer from it.
PROPAGATION_BOUND_S = 20.0
# File names found in both folders of the concurrent ingest, as in real libraries.
SHARED_NAMES = ("minutes", "contacts", "referrals")


@dataclass
class ChromaServer:
    """A running ``chroma run`` on loopback, named in the environment of every child."""

    port: int
    process: subprocess.Popen

    def store(self, data_dir: Path) -> ChunkStore:
        """The default store (collection) on this server, opened in this process."""
        return ChunkStore.open(data_dir, host=HOST, port=self.port)


@pytest.fixture
def chroma(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ChromaServer]:
    """A fresh Chroma server; ``nhsa`` processes started by the test use it."""
    with _chroma_server(tmp_path_factory.mktemp("chroma-server")) as (port, process):
        monkeypatch.setenv("NHSA_STORE__CHROMA_HOST", HOST)
        monkeypatch.setenv("NHSA_STORE__CHROMA_PORT", str(port))
        yield ChromaServer(port, process)


@pytest.fixture
def offline_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """gradio_client without its look-ups of huggingface.co."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


def _ingest(folder: Path, cwd: Path) -> dict:
    """``nhsa ingest FOLDER --json`` on the server in the environment; its summary."""
    result = run_nhsa("ingest", folder, "--json", cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _two_apps(serve, tmp_path: Path) -> list[Server]:
    """Two ``nhsa serve`` processes on the server, started side by side."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(serve, [tmp_path / "app-1", tmp_path / "app-2"]))


def _pharmacy_note(lead: str) -> str:
    return (
        f"# {TITLE}\n\n"
        f"The overnight pharmacy at Harwick Bay Hospital is run by {lead}, a senior "
        "hospital pharmacist, and stays open from eight in the evening until eight in the "
        "morning.\n"
    )


def _cites(reply: str) -> bool:
    """Whether a chat reply is a finished answer listing the note among its sources."""
    return "answer-done" in reply and TITLE in reply.partition('<div class="sources">')[2]


def _refused(reply: str) -> bool:
    return 'class="abstain' in reply


def _lead(reply: str) -> str:
    """Which lead a reply names: the old, the new, or what it is instead."""
    found = re.findall(rf"{OLD_LEAD}|{NEW_LEAD}", reply)
    if found:
        return "+".join(sorted(set(found)))
    return "refusal" if _refused(reply) else "other"


def _until_cited(app: Server, started: float) -> float:
    """Ask ``app`` until it cites the note; the seconds since ``started`` when it did."""
    while True:
        reply = _ask(app.url, QUESTION)
        elapsed = time.monotonic() - started
        if _cites(reply):
            return elapsed
        assert elapsed < PROPAGATION_BOUND_S, f"{app.url} after {elapsed:.1f} s:\n{reply}"
        time.sleep(0.2)


def _rss_mib(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def test_an_ingest_into_the_server_is_answered_by_every_app_without_a_restart(
    chroma: ChromaServer, serve, offline_client, tmp_path: Path, embedder, capsys
):
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "pharmacy.txt").write_text(PHARMACY)
    (seed / "beds.txt").write_text(BEDS)
    assert run_ingest(seed, chroma.store(tmp_path), lambda: embedder).count("added") == 2
    apps = _two_apps(serve, tmp_path)
    pids = [app.process.pid for app in apps]
    for app in apps:
        reply = _ask(app.url, QUESTION)
        assert _refused(reply), reply

    news = tmp_path / "news"
    news.mkdir()
    note = news / "harwick-pharmacy.md"
    note.write_text(_pharmacy_note(OLD_LEAD))
    assert _ingest(news, tmp_path)["added"] == 1
    finished = time.monotonic()
    seen_after = [_until_cited(app, finished) for app in apps]
    assert all(_lead(_ask(app.url, QUESTION)) == OLD_LEAD for app in apps)

    # The change, asked about all the while: once an app names the new lead, it never
    # names the old one again.
    note.write_text(_pharmacy_note(NEW_LEAD))
    leads: dict[str, list[str]] = {app.url: [] for app in apps}
    odd: list[str] = []  # replies naming neither lead, kept as evidence

    def ask_lead(app: Server) -> str:
        reply = _ask(app.url, QUESTION)
        found = _lead(reply)
        if found not in (OLD_LEAD, NEW_LEAD):
            odd.append(re.sub(r"<[^>]+>", " ", reply)[:300])
        return found

    with ThreadPoolExecutor(max_workers=1) as pool:
        reingest = pool.submit(_ingest, news, tmp_path)
        while not reingest.done():
            for app in apps:
                leads[app.url].append(ask_lead(app))
            time.sleep(0.3)  # leave the ingest some of the CPU
        assert reingest.result()["updated"] == 1
    finished = time.monotonic()
    switched_after = [_until_cited(app, finished) for app in apps]
    for app in apps:
        leads[app.url] += [ask_lead(app) for _ in range(3)]
    for url, seen in leads.items():
        switch = next((i for i, named in enumerate(seen) if NEW_LEAD in named), None)
        assert switch is not None, (url, seen, odd)
        assert set(seen[switch:]) == {NEW_LEAD}, (url, seen, odd)
    assert [app.process.pid for app in apps] == pids
    assert all(app.process.poll() is None for app in apps)

    with capsys.disabled():
        print(
            f"\nshared Chroma server, {time.strftime('%Y-%m-%d')}: a new document answered "
            f"by both apps {max(seen_after):.2f} s after its ingest, a change "
            f"{max(switched_after):.2f} s after; answers during the re-ingest "
            f"{[dict(Counter(s)) for s in leads.values()]} {odd}; RSS of each serve "
            f"{', '.join(f'{_rss_mib(pid):.0f}' for pid in pids)} MiB, of the Chroma "
            f"server {_rss_mib(chroma.process.pid):.0f} MiB"
        )


def _generated_folder(parent: Path, name: str, count: int) -> Path:
    """``count`` documents of a few passages each, each stating a fact no other states;
    the first few files have names the other folder uses too."""
    folder = parent / name
    folder.mkdir()
    stems = [*SHARED_NAMES, *(f"{name}-{n:02d}" for n in range(count - len(SHARED_NAMES)))]
    for n, stem in enumerate(stems):
        fact = f"The {name.title()} clinic number {n} keeps {100 + n} wheelchairs on site."
        seed = sum(map(ord, name)) * 100 + n
        (folder / f"{stem}.txt").write_text(f"# {fact}\n\n{prose(seed, paragraphs=6)}\n")
    return folder


def test_two_ingests_of_different_folders_at_once_lose_nothing(
    chroma: ChromaServer, tmp_path: Path
) -> None:
    folders = [_generated_folder(tmp_path, name, 15) for name in ("ashby", "brent")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        summaries = list(pool.map(lambda f: _ingest(f, tmp_path), folders))
    assert [s["added"] for s in summaries] == [15, 15]

    store = chroma.store(tmp_path)
    records = store.documents()
    expected = {path.resolve() for folder in folders for path in folder.iterdir()}
    lost = sorted(map(str, expected - {Path(r.location) for r in records.values()}))
    live = store.live_chunks()
    per_document = Counter(c.meta.source_id for c in live)
    short = {
        str(r.location): f"{per_document[source_id]} of {r.chunk_count} chunks"
        for source_id, r in records.items()
        if per_document[source_id] != r.chunk_count
    }
    assert not lost and not short, f"lost: {lost}; live without all their chunks: {short}"
    assert all(c.meta.doc_version == records[c.meta.source_id].version for c in live)
    assert store.count() == len(live)  # no chunk of a version that is not live
    assert len(live) > len(records)  # documents of several chunks: "all" means something

    with ThreadPoolExecutor(max_workers=2) as pool:
        again = list(pool.map(lambda f: _ingest(f, tmp_path), folders))
    changed = [{k: s[k] for k in ("added", "updated", "removed")} for s in again]
    assert changed == [{"added": 0, "updated": 0, "removed": 0}] * 2
    assert [s["unchanged"] for s in again] == [15, 15]
