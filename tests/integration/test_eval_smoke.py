"""The quality guard: the smoke set must meet the floors in evals/thresholds.toml, and the
eval CLI must produce its JSON, HTML and comparison from a real run."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, settings_for

SMOKE = ROOT / "evals" / "datasets" / "smoke.jsonl"
THRESHOLDS = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))


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
