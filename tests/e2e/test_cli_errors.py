"""The command line under hostile input: markup in file names, emoji codes in text, bytes
that are not UTF-8, empty questions and stores that cannot be opened. Each ends in its
output or in one clear line, never in a traceback. Real ``nhsa`` processes throughout."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from conftest import NHSA, summary_table
from docgen import short_doc, write_file


def _one_clear_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) <= 3, result.stderr  # one message, wrapped at most twice
    return " ".join(result.stderr.split())


def test_file_names_with_markup_and_emoji_codes_are_printed_as_they_are(
    docs: Path, tmp_path: Path, nhsa
) -> None:
    write_file(docs, "notes [draft].txt", short_doc(1))
    write_file(docs, "empty [/b] :x:.txt", "")  # fails: its name is shown in the failure
    write_file(docs, "figures [red].xlsx", b"PK\x03\x04")  # skipped: its name is listed
    result = nhsa("ingest", docs, "--data-dir", tmp_path / "data")
    assert result.returncode == 1  # one file failed; the others went in
    assert "MarkupError" not in result.stderr
    assert "failed empty [/b] :x:.txt:" in result.stderr
    assert "❌" not in result.stderr + result.stdout
    assert "figures [red].xlsx" in result.stdout
    assert summary_table(result.stdout)["added"] == 1  # the summary survived the names


def test_answer_text_with_emoji_codes_and_markup_is_printed_as_text(
    docs: Path, tmp_path: Path, nhsa
) -> None:
    write_file(
        docs,
        "flags.txt",
        "Formulary status flags. A red flag :x: [bold]marks[/bold] a medicine that is not "
        "recommended for prescribing in primary care.\n",
    )
    data = tmp_path / "data"
    assert nhsa("ingest", docs, "--data-dir", data).returncode == 0
    result = nhsa("ask", "What does a red formulary flag mark?", "--data-dir", data)
    assert result.returncode == 0, result.stderr
    assert ":x: [bold]marks[/bold]" in result.stdout
    assert "❌" not in result.stdout


def test_a_question_with_bytes_that_are_not_utf8_is_answered(
    corpus_data_dir: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [str(NHSA), "ask", b"What is a primary care network\xff?", "--data-dir", corpus_data_dir],
        env={**os.environ, "COLUMNS": "200"},
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert b"TypeError" not in result.stderr
    assert b"[1]" in result.stdout  # a cited answer


def test_an_empty_question_is_refused_before_anything_loads(tmp_path: Path, nhsa) -> None:
    # The store folder does not exist: a refusal that opened it first would say so instead.
    result = nhsa("ask", "   ", "--data-dir", tmp_path / "nowhere")
    assert "the question is empty" in _one_clear_line(result)
    assert not (tmp_path / "nowhere").exists()


def test_a_data_dir_under_a_file_is_one_clear_line(tmp_path: Path, nhsa, docs: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    write_file(docs, "a.txt", short_doc(1))
    for command in (("ingest", docs), ("ask", "What is an ICB?")):
        result = nhsa(*command, "--data-dir", blocker / "store")
        message = _one_clear_line(result)
        assert f"cannot keep a store in {blocker / 'store'}" in message
        assert "is a file" in message and "--data-dir" in message


def test_a_model_folder_that_does_not_exist_is_named(docs: Path, nhsa) -> None:
    write_file(docs, "a.txt", short_doc(1))
    result = nhsa("ingest", docs, env={"NHSA_EMBEDDING__MODEL_DIR": "/nonexistent"})
    message = _one_clear_line(result)
    assert "/nonexistent is not a folder" in message
    assert "Repo id" not in message


def test_a_chroma_server_that_is_not_running_is_named_with_its_port(docs: Path, nhsa) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    write_file(docs, "a.txt", short_doc(1))
    env = {"NHSA_STORE__CHROMA_HOST": "127.0.0.1", "NHSA_STORE__CHROMA_PORT": str(port)}
    for command in (("ingest", docs), ("ask", "What is an ICB?")):
        message = _one_clear_line(nhsa(*command, env=env))
        assert f"cannot reach the Chroma server at 127.0.0.1:{port}" in message
        assert "chroma run" in message


def test_no_empty_cleaning_line_is_printed(docs: Path, tmp_path: Path, nhsa) -> None:
    write_file(docs, "plain.txt", short_doc(4))  # nothing for the cleaning rules to remove
    result = nhsa("ingest", docs, "--data-dir", tmp_path / "data")
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "cleaning removed:" not in lines
    assert all(line != "cleaning removed:" for line in lines)
