"""What a hostile folder does to the ingest job: same-named files in two folders, folders
that cannot be read, FIFOs, devices and links out of the folder. Real files, a real
embedder and a real Chroma store; the unreadable folder is made unreadable for real, by
running the job as an unprivileged user when the tests run as root."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import NHSA
from docgen import short_doc, write_file

from ingest.discovery import read_regular_file
from ingest.documents import DocumentError
from ingest.job import IngestReport, run_ingest
from ingest.options import IngestLimits
from vectorstore.chroma_store import ChunkStore


def _ingest(folder: Path, store: ChunkStore, factory, **limits) -> IngestReport:
    return run_ingest(folder, store, factory, limits=IngestLimits(**limits))


def _reasons(report: IngestReport) -> dict[str, str]:
    return {s.file: s.reason for s in report.skipped}


# -- item 2: identity is the file's path ----------------------------------------------------


def test_the_same_file_name_in_two_folders_is_two_documents(
    tmp_path: Path, store, embedder_factory
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_file(first, "notes.txt", short_doc(1))
    write_file(second, "notes.txt", short_doc(2))
    assert _ingest(first, store, embedder_factory).count("added") == 1
    report = _ingest(second, store, embedder_factory)
    assert (report.count("added"), report.count("updated")) == (1, 0)
    by_location = {r.location: sid for sid, r in store.documents().items()}
    assert set(by_location) == {first / "notes.txt", second / "notes.txt"}
    a_id = by_location[first / "notes.txt"]
    assert store.document_text(a_id) == short_doc(1).strip()

    # B's file goes: only B's document leaves; A's is untouched.
    (second / "notes.txt").unlink()
    report = _ingest(second, store, embedder_factory)
    assert [(o.status, o.file) for o in report.outcomes] == [("removed", "notes.txt")]
    assert [r.location for r in store.documents().values()] == [first / "notes.txt"]
    # Re-ingesting A finds its document as it was.
    again = _ingest(first, store, embedder_factory)
    assert [(o.source_id, o.status) for o in again.outcomes] == [(a_id, "unchanged")]


def test_a_parent_folder_ingest_knows_its_sub_folders_documents(
    tmp_path: Path, store, embedder_factory
) -> None:
    parent = tmp_path / "docs"
    write_file(parent / "corpus", "pcn.txt", short_doc(3))
    _ingest(parent / "corpus", store, embedder_factory)
    report = _ingest(parent, store, embedder_factory)
    assert [(o.source_id, o.status) for o in report.outcomes] == [("pcn", "unchanged")]


# -- item 4: only regular files -------------------------------------------------------------


@pytest.mark.timeout(120)  # a FIFO read, or /dev/zero, would hang or eat memory instead
def test_fifos_and_devices_are_skipped_with_their_reason(
    docs: Path, store, embedder_factory
) -> None:
    os.mkfifo(docs / "pipe.txt")
    (docs / "to-pipe.md").symlink_to(docs / "pipe.txt")
    (docs / "zero.txt").symlink_to("/dev/zero")
    write_file(docs, "a.txt", short_doc(1))

    # Even with links out of the folder allowed, a device is not a document.
    report = _ingest(docs, store, embedder_factory, follow_links_outside=True)
    reasons = _reasons(report)
    assert "FIFO" in reasons["pipe.txt"] and "FIFO" in reasons["to-pipe.md"]
    assert "character device" in reasons["zero.txt"]
    assert [(o.source_id, o.status) for o in report.outcomes] == [("a", "added")]


@pytest.mark.timeout(60)
def test_a_fifo_swapped_in_after_the_walk_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "late.txt")
    with pytest.raises(DocumentError, match="FIFO"):
        read_regular_file(tmp_path / "late.txt", IngestLimits())


def test_the_size_limit_reads_as_it_was_set(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (2 * 2**20))
    with pytest.raises(DocumentError) as caught:
        read_regular_file(big, IngestLimits(max_file_mb=1))
    assert str(caught.value) == (
        "too large: 2.0 MB, the limit is 1 MB (setting ingest.max_file_mb)"
    )


# -- item 5: links out of the folder ----------------------------------------------------


def test_links_out_of_the_folder_are_not_followed_unless_the_setting_says(
    tmp_path: Path, docs: Path, store, embedder_factory
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("The board's private password is swordfish, written down here.")
    (docs / "passwd.txt").symlink_to(secret)
    write_file(docs, "real.txt", short_doc(1))
    (docs / "alias.txt").symlink_to(docs / "real.txt")  # inside: followed

    report = _ingest(docs, store, embedder_factory)
    assert "outside the folder" in _reasons(report)["passwd.txt"]
    assert "ingest.follow_links_outside" in _reasons(report)["passwd.txt"]
    assert {o.source_id for o in report.outcomes} == {"real", "alias"}
    assert not any("swordfish" in (store.document_text(s) or "") for s in store.documents())

    allowed = _ingest(docs, store, embedder_factory, follow_links_outside=True)
    assert [o.source_id for o in allowed.outcomes if o.status == "added"] == ["passwd"]


# -- item 3: a folder that cannot be read -------------------------------------------------


@pytest.fixture
def unprivileged() -> Iterator[tuple[Path, Callable[..., subprocess.CompletedProcess]]]:
    """A world-readable scratch folder, and a runner of ``nhsa`` as a user whom file
    permissions bind (root reads any folder, so as root the job runs as ``nobody``)."""
    scratch = Path(tempfile.mkdtemp(prefix="nhsa-unprivileged-", dir="/tmp"))
    scratch.chmod(0o755)
    home = scratch / "home"
    home.mkdir()
    as_root = os.geteuid() == 0
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if as_root else []
    if as_root:
        shutil.chown(home, 65534, 65534)

    def run(*args: str | os.PathLike) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*prefix, str(NHSA), *map(str, args)],
            env={**os.environ, "HOME": str(home), "COLUMNS": "200"},
            cwd=home,
            capture_output=True,
            text=True,
            timeout=300,
        )

    probe = subprocess.run([*prefix, str(NHSA), "--help"], capture_output=True, timeout=120)
    if probe.returncode != 0:
        pytest.skip(f"the checkout cannot be run as an unprivileged user: {probe.stderr[-300:]!r}")
    try:
        yield scratch, run
    finally:
        for path in scratch.rglob("*"):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(scratch, ignore_errors=True)


def test_an_unreadable_folder_is_an_error_and_its_documents_stay(unprivileged) -> None:
    scratch, run = unprivileged
    docs = scratch / "docs"
    write_file(docs, "top.txt", short_doc(1))
    write_file(docs / "locked", "inner.txt", short_doc(2))
    data = scratch / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, 65534, 65534)
    first = run("ingest", docs, "--data-dir", data, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"] == 2

    (docs / "locked").chmod(0o000)
    second = run("ingest", docs, "--data-dir", data, "--json")
    summary = json.loads(second.stdout)
    assert second.returncode == 1  # an error, not an absence
    assert summary["removed"] == 0 and summary["unchanged"] == 1
    assert summary["unreadable_folders"] == ["locked: Permission denied"]

    shown = run("ingest", docs, "--data-dir", data)
    assert "cannot read folder locked: Permission denied" in shown.stderr
    assert "stored documents are kept" in shown.stderr

    (docs / "locked").chmod(0o755)
    third = run("ingest", docs, "--data-dir", data, "--json")
    assert json.loads(third.stdout)["unchanged"] == 2  # "inner" was never lost


def test_a_read_only_store_is_one_clear_line(unprivileged, tmp_path: Path) -> None:
    scratch, run = unprivileged
    docs = scratch / "docs"
    write_file(docs, "top.txt", short_doc(1))
    data = scratch / "data"
    built = subprocess.run(
        [str(NHSA), "ingest", docs, "--data-dir", data], capture_output=True, timeout=300
    )
    assert built.returncode == 0, built.stderr
    for path in [*data.rglob("*"), data]:
        path.chmod(0o555 if path.is_dir() else 0o444)  # readable by all, writable by none

    result = run("ask", "What is a primary care network?", "--data-dir", data)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"the store in {data / 'chroma'} is read-only" in " ".join(result.stderr.split())
