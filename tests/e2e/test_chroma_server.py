"""The same ingest path against a real Chroma server instead of the embedded store."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from conftest import VENV_BIN, summary_table

from ingest.job import run_ingest
from vectorstore.chroma_store import ChunkStore

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
PHARMACY = (
    "Community pharmacies run the hypertension case-finding service, checking blood pressure "
    "for adults over forty and referring high readings to their practice."
)
BEDS = (
    "Acute trusts report the number of general and acute beds open each night, and winter "
    "plans add escalation beds when occupancy passes ninety-two per cent."
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_for_heartbeat(port: int, server: subprocess.Popen, timeout: float = 30.0) -> None:
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    deadline = time.monotonic() + timeout
    while True:
        assert server.poll() is None, "the Chroma server exited during start-up"
        try:
            chromadb.HttpClient(host=HOST, port=port, settings=settings).heartbeat()
            return
        except Exception:
            assert time.monotonic() < deadline, f"no Chroma heartbeat on port {port}"
            time.sleep(0.3)


@contextmanager
def _chroma_server(folder: Path) -> Iterator[tuple[int, subprocess.Popen]]:
    """A real ``chroma run`` server on a free loopback port, stopped on exit."""
    port = _free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [
            str(VENV_BIN / "chroma"),
            "run",
            "--host",
            HOST,
            "--port",
            str(port),
            "--path",
            str(folder / "data"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_heartbeat(port, server)
        yield port, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real Chroma server shared by the module's tests."""
    with _chroma_server(tmp_path_factory.mktemp("chroma-server")) as (port, _):
        yield port


@pytest.fixture
def two_docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "pharmacy.txt").write_text(PHARMACY)
    (folder / "beds.txt").write_text(BEDS)
    return folder


def test_ingested_documents_are_queryable_on_a_chroma_server(
    chroma_port: int, two_docs: Path, tmp_path: Path, embedder
) -> None:
    store = ChunkStore.open(tmp_path / "unused", "server_query", host=HOST, port=chroma_port)
    report = run_ingest(two_docs, store, lambda: embedder)
    assert report.count("added") == 2
    # The chunks are on the server; only the word index's cache is kept locally.
    assert not (tmp_path / "unused" / "chroma").exists()
    assert [p.name for p in (tmp_path / "unused").iterdir()] == ["lexical"]

    vector = embedder.encode(["who checks blood pressure in community pharmacies?"])[0]
    hits = store.query(vector, 2)
    assert [c.source_id for c, _ in hits] == ["pharmacy", "beds"]
    assert hits[0][0].text == PHARMACY
    assert hits[0][1] > hits[1][1]


def test_rerun_against_the_server_is_incremental(
    chroma_port: int, two_docs: Path, tmp_path: Path, embedder, embedder_factory
) -> None:
    store = ChunkStore.open(tmp_path, "server_rerun", host=HOST, port=chroma_port)
    run_ingest(two_docs, store, lambda: embedder)
    (two_docs / "beds.txt").unlink()
    again = ChunkStore.open(tmp_path, "server_rerun", host=HOST, port=chroma_port)
    report = run_ingest(two_docs, again, embedder_factory)
    assert sorted((o.source_id, o.status) for o in report.outcomes) == [
        ("beds", "removed"),
        ("pharmacy", "unchanged"),
    ]
    assert embedder_factory.calls == 0
    assert set(again.documents()) == {"pharmacy"}


def test_cli_uses_the_chroma_server_named_in_the_environment(
    chroma_port: int, two_docs: Path, tmp_path: Path, embedder, nhsa
) -> None:
    collection = "server_cli"
    store = ChunkStore.open(tmp_path, collection, host=HOST, port=chroma_port)
    run_ingest(two_docs, store, lambda: embedder)
    local = tmp_path / "local-store"

    result = nhsa(
        "ingest",
        two_docs,
        "--data-dir",
        local,
        env={
            "NHSA_STORE__CHROMA_HOST": HOST,
            "NHSA_STORE__CHROMA_PORT": str(chroma_port),
            "NHSA_STORE__COLLECTION": collection,
        },
    )
    assert result.returncode == 0, result.stderr
    # Only the server already holds these two documents: finding them unchanged proves it.
    assert "unchanged" in result.stdout
    summary = summary_table(result.stdout)
    assert [summary[k] for k in ("added", "updated", "unchanged", "removed", "failed")] == [
        0,
        0,
        2,
        0,
        0,
    ]
    assert not (local / "chroma").exists()
    # --data-dir does not choose a store on a server: the user is told what does.
    assert "stores are told apart by name (--store)" in " ".join(result.stderr.split())


def test_server_stores_are_told_apart_by_name(
    chroma_port: int, two_docs: Path, tmp_path: Path, nhsa
) -> None:
    env = {"NHSA_STORE__CHROMA_HOST": HOST, "NHSA_STORE__CHROMA_PORT": str(chroma_port)}
    result = nhsa("ingest", two_docs, "--store", "team-alpha", env=env)
    assert result.returncode == 0, result.stderr
    alpha = ChunkStore.open(tmp_path, "team-alpha", host=HOST, port=chroma_port)
    beta = ChunkStore.open(tmp_path, "team-beta", host=HOST, port=chroma_port)
    assert set(alpha.documents()) == {"pharmacy", "beds"}
    assert beta.documents() == {}
    asked = nhsa("ask", "Who checks blood pressure?", "--store", "team-beta", env=env)
    assert asked.returncode == 2
    assert f"'team-beta' on the Chroma server at {HOST}:{chroma_port} is empty" in " ".join(
        asked.stderr.split()
    )


def test_a_server_killed_mid_ingest_leaves_a_full_report(
    tmp_path: Path, embedder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n, text in enumerate((PHARMACY, BEDS, PHARMACY + " " + BEDS)):
        (docs / f"doc{n}.txt").write_text(text)
    with _chroma_server(tmp_path_factory.mktemp("doomed-server")) as (port, server):
        store = ChunkStore.open(tmp_path, "doomed", host=HOST, port=port)

        def kill_after_the_first_document(done: int, total: int) -> None:
            if done and server.poll() is None:
                server.kill()
                server.wait(timeout=15)

        report = run_ingest(
            docs, store, lambda: embedder, on_progress=kill_after_the_first_document
        )
    assert report.count("added") == 1
    assert sorted(o.file for o in report.failed) == ["doc1.txt", "doc2.txt"]
    assert all("could not be stored" in o.message for o in report.failed)
    assert any("could not collect" in e for e in report.store_errors)
    assert report.has_errors
