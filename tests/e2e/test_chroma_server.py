"""The same ingest path against a real Chroma server instead of the embedded store."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real ``chroma run`` server on a free port, stopped after the module."""
    folder = tmp_path_factory.mktemp("chroma-server")
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
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()


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
    assert not (tmp_path / "unused").exists()  # nothing written locally

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
