"""`nhsa eval` as a user runs it: JSON, HTML and a comparison from a real run; clear errors."""

from __future__ import annotations

import json

from conftest import ROOT, run_nhsa

from evals.report import get

SMOKE = ROOT / "evals" / "datasets" / "smoke.jsonl"
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
        assert get(result, key) is not None, f"{key} missing from the result"
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
