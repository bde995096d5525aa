"""The quality guard: the smoke set must meet the floors in evals/thresholds.toml, and the
eval CLI must produce its JSON, HTML and comparison from a real run."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, run_nhsa, settings_for

SMOKE = ROOT / "evals" / "datasets" / "smoke.jsonl"
THRESHOLDS = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))
REQUIRED_KEYS = (
    "retrieval.recall_at_k",
    "retrieval.mrr",
    "retrieval.fact_context_recall",
    "retrieval.context_chars",
    "answer.fact_recall",
    "answer.fully_answered",
    "grounding.supported_sentences",
    "citations.precision",
    "citations.recall",
    "abstention.refused_unanswerable",
    "abstention.refused_answerable",
    "latency.p50_ms",
    "latency.p95_ms",
)


@pytest.fixture(scope="module")
def smoke_result(corpus_data_dir: Path, embedder) -> dict:
    from assistant.api import Assistant
    from evals.runner import run_eval

    settings = settings_for(corpus_data_dir)
    assistant = Assistant(settings, embedder=embedder)
    [result] = run_eval(
        SMOKE, systems=["assistant"], modes=["extractive"], settings=settings, assistant=assistant
    )
    return result


def metric(result: dict, dotted: str) -> float:
    from evals.report import get

    value = get(result, dotted)
    assert value is not None, f"{dotted} missing from the result"
    return value


@pytest.mark.parametrize("key", sorted(THRESHOLDS["floor"]))
def test_smoke_set_stays_above_its_floor(smoke_result, key):
    assert metric(smoke_result, key) >= THRESHOLDS["floor"][key], (
        f"{key} fell to {metric(smoke_result, key):.3f}, below the floor "
        f"{THRESHOLDS['floor'][key]} in evals/thresholds.toml"
    )


@pytest.mark.parametrize("key", sorted(THRESHOLDS["ceiling"]))
def test_smoke_set_stays_below_its_ceiling(smoke_result, key):
    assert metric(smoke_result, key) <= THRESHOLDS["ceiling"][key]


def test_eval_cli_writes_json_and_html_and_compares_two_runs(corpus_data_dir, tmp_path):
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    done = run_nhsa(
        "eval",
        "--questions",
        SMOKE,
        "--system",
        "both",
        "--mode",
        "extractive",
        "--json",
        out_json,
        "--html",
        out_html,
        "--data-dir",
        corpus_data_dir,
    )
    assert done.returncode == 0, done.stderr
    assert "key-fact context recall" in done.stdout and "textbook" in done.stdout
    result = json.loads(out_json.read_text(encoding="utf-8"))
    for key in REQUIRED_KEYS:
        assert metric(result, key) is not None
    assert result["system"] == "assistant-extractive"
    assert set(result["others"]) == {"textbook"}
    assert len(result["per_question"]) == 16 and "config" in result
    page = out_html.read_text(encoding="utf-8")
    assert page.count("<img") >= 2 and "Per question: textbook" in page
    assert "<script" not in page  # a self-contained page with no code to run

    compared = run_nhsa("eval", "--compare", out_json, out_json)
    assert compared.returncode == 0, compared.stderr
    assert "key-fact context recall" in compared.stdout and "+0.000" in compared.stdout


def test_eval_cli_names_the_line_and_field_of_a_malformed_file(corpus_data_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "x", "question": "Q?", "expected_sources": [], "key_facts": [], '
        '"answerable": "maybe"}\n',
        encoding="utf-8",
    )
    done = run_nhsa("eval", "--questions", bad, "--data-dir", corpus_data_dir)
    assert done.returncode == 2
    assert "line 1" in done.stderr and "answerable" in done.stderr
