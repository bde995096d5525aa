"""The quality guard on documents in every format: the probe sets (evals/probes/), fictional
NHS documents in docx, pdf, html, md and txt with questions written apart from the code,
ingested into one store, must meet the floors in evals/thresholds.toml [probes]. It guards
what the library cannot: Word and web tables, running headers, profile cards, asides."""

from __future__ import annotations

import tomllib

import pytest
from conftest import ROOT, ingest_into, settings_for

PROBES = ROOT / "evals" / "probes"
SETS = ("set1", "set2", "set3")
THRESHOLDS = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def probes_result(tmp_path_factory: pytest.TempPathFactory, embedder) -> dict:
    from assistant.api import Assistant
    from evals.runner import run_eval

    data_dir = tmp_path_factory.mktemp("probes-data")
    for name in SETS:
        ingest_into(PROBES / name, data_dir, embedder)
    merged = tmp_path_factory.mktemp("probes") / "probes.jsonl"
    merged.write_text(
        "".join((PROBES / f"{name}.jsonl").read_text(encoding="utf-8") for name in SETS),
        encoding="utf-8",
    )
    settings = settings_for(data_dir)
    [result] = run_eval(
        merged,
        systems=["assistant"],
        modes=["extractive"],
        settings=settings,
        assistant=Assistant(settings, embedder=embedder),
    )
    # The figures behind the floors, shown with `pytest -s` (to re-set them).
    for key in sorted({*THRESHOLDS["probes"]["floor"], *THRESHOLDS["probes"]["ceiling"]}):
        print(f"probes {key} = {_metric(result, key):.3f}")
    return result


def _metric(result: dict, dotted: str) -> float:
    from evals.report import get

    value = get(result, dotted)
    assert value is not None, f"{dotted} missing from the result"
    return value


@pytest.mark.parametrize("key", sorted(THRESHOLDS["probes"]["floor"]))
def test_probe_sets_stay_above_their_floor(probes_result, key):
    floor = THRESHOLDS["probes"]["floor"][key]
    assert _metric(probes_result, key) >= floor, (
        f"{key} fell to {_metric(probes_result, key):.3f}, below the floor {floor} "
        "in evals/thresholds.toml [probes.floor]"
    )


@pytest.mark.parametrize("key", sorted(THRESHOLDS["probes"]["ceiling"]))
def test_probe_sets_stay_below_their_ceiling(probes_result, key):
    ceiling = THRESHOLDS["probes"]["ceiling"][key]
    assert _metric(probes_result, key) <= ceiling, (
        f"{key} rose to {_metric(probes_result, key):.3f}, above the ceiling {ceiling} "
        "in evals/thresholds.toml [probes.ceiling]"
    )


def test_every_probe_key_fact_is_in_its_documents() -> None:
    from evals.tools.check_facts import problems

    for name in SETS:
        assert problems(PROBES / f"{name}.jsonl", [PROBES / name]) == []
