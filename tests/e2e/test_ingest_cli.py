"""`nhsa ingest` as a user runs it: a subprocess on real files, its table, JSON and exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, VENV_BIN, summary_table
from docgen import pdf_bytes, short_doc, write_file


@pytest.mark.slow
def test_cli_exits_1_and_names_the_failed_file(docs: Path, tmp_path: Path, nhsa) -> None:
    write_file(docs, "broken.pdf", b"%PDF-1.7\nnot a pdf at all\n")
    result = nhsa("ingest", docs, "--data-dir", tmp_path / "cli-store")
    assert result.returncode == 1, result.stderr
    assert "broken.pdf" in result.stderr
    assert "not a readable PDF" in result.stderr
    assert summary_table(result.stdout)["failed"] == 1


@pytest.mark.slow
def test_cli_exits_0_and_prints_a_summary_table(docs: Path, tmp_path: Path, nhsa) -> None:
    write_file(docs, "a.txt", short_doc(1))
    write_file(docs, "b.md", f"# B\n\n{short_doc(2)}\n")
    result = nhsa("ingest", docs, "--data-dir", tmp_path / "cli-store")
    assert result.returncode == 0, result.stderr
    assert "Ingest of" in result.stdout
    summary = summary_table(result.stdout)
    assert (summary["added"], summary["failed"]) == (2, 0)
    assert summary["chunks"] > 0
    assert (tmp_path / "cli-store" / "chroma").is_dir()


@pytest.mark.slow
def test_cli_json_prints_the_summary_as_one_object(docs: Path, tmp_path: Path, nhsa) -> None:
    write_file(docs, "a.txt", short_doc(1))
    write_file(docs, "broken [draft].pdf", b"%PDF-1.7\nnot a pdf at all\n")
    store = tmp_path / "cli-store"

    first = nhsa("ingest", docs, "--data-dir", store, "--json")
    second = nhsa("ingest", docs, "--data-dir", store, "--json")

    assert first.returncode == 1, first.stderr  # a failed file still fails the run
    summary = json.loads(first.stdout)  # the whole of stdout is the one object
    assert (summary["added"], summary["updated"], summary["removed"]) == (1, 0, 0)
    assert [f["file"] for f in summary["failed"]] == ["broken [draft].pdf"]
    assert "not a readable PDF" in summary["failed"][0]["reason"]
    assert summary["chunks"] > 0
    assert summary["seconds"] >= 0
    again = json.loads(second.stdout)
    assert (again["added"], again["unchanged"], again["chunks"]) == (0, 1, summary["chunks"])


@pytest.mark.slow
def test_cli_data_dir_defaults_to_the_environment_setting(
    docs: Path, nhsa, _store_outside_the_checkout: Path
) -> None:
    result = nhsa("ingest", docs)  # an empty folder: nothing to embed
    assert result.returncode == 0, result.stderr
    assert (_store_outside_the_checkout / "chroma").is_dir()
    assert not str(_store_outside_the_checkout).startswith(str(ROOT))


@pytest.mark.slow
def test_cli_refuses_a_folder_that_does_not_exist(tmp_path: Path, nhsa) -> None:
    result = nhsa("ingest", tmp_path / "nowhere", "--data-dir", tmp_path / "s")
    assert result.returncode == 2
    assert "is not a folder" in result.stderr


@pytest.mark.slow
def test_python_m_assistant_help_works() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "assistant", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "ingest" in result.stdout


@pytest.mark.slow
def test_cli_names_the_file_pypdf_warns_about_and_prints_no_bare_warning(
    docs: Path, tmp_path: Path, nhsa
) -> None:
    raw = pdf_bytes(short_doc(1))
    write_file(docs, "cut in half.pdf", raw[: len(raw) // 2])
    result = nhsa("ingest", docs, "--data-dir", tmp_path / "cli-store")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert [line for line in lines if "EOF marker" in line] == [
        "failed cut in half.pdf: not a readable PDF (PdfStreamError: Stream has ended "
        "unexpectedly); pypdf warned: EOF marker not found"
    ]
