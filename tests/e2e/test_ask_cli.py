"""`nhsa ask` as a user runs it: the answer with numbered citations, JSON, an empty store."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import run_nhsa

from assistant.answer import Answer

CLI_QUESTION = "Who buys services from integrated care providers?"


@pytest.fixture(scope="module")
def cli(corpus_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``nhsa ask`` runs, started together (each loads the model: seconds apiece)."""
    empty = tmp_path_factory.mktemp("empty-store")
    runs = {
        "text": ["ask", CLI_QUESTION, "--data-dir", corpus_data_dir],
        "json": ["ask", CLI_QUESTION, "--json", "--data-dir", corpus_data_dir],
        "empty": ["ask", CLI_QUESTION, "--data-dir", empty / "data"],
    }
    with ThreadPoolExecutor(len(runs)) as pool:
        futures = {
            name: pool.submit(run_nhsa, *args, cwd=tmp_path_factory.mktemp("cwd"))
            for name, args in runs.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.slow
def test_cli_ask_prints_the_answer_with_numbered_citations(cli: dict) -> None:
    result = cli["text"]

    assert result.returncode == 0, result.stderr
    markers = set(re.findall(r"\[(\d+)\]", result.stdout))
    listed = set(re.findall(r"^\[(\d+)\] \S", result.stdout, re.M))
    assert listed
    assert markers == listed


@pytest.mark.slow
def test_cli_ask_json_prints_the_whole_answer(cli: dict) -> None:
    result = cli["json"]

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["citations"]
    assert Answer.model_validate(data).citations[0].source_id == data["citations"][0]["source_id"]


@pytest.mark.slow
def test_cli_ask_on_an_empty_store_exits_2_with_a_message(cli: dict) -> None:
    result = cli["empty"]

    assert result.returncode == 2
    assert "empty" in result.stderr
    assert "nhsa ingest" in result.stderr
