"""The quality guard on documents in every format: the probe sets (evals/probes/), fictional
NHS documents in docx, pdf, html, md and txt with questions written apart from the code,
ingested into one store, must meet the floors in evals/thresholds.toml [probes]. It guards
what the library cannot: Word and web tables, running headers, profile cards, asides."""

from __future__ import annotations

import tomllib

import pytest
from conftest import ROOT, assert_within_guard, guarded_eval, ingest_into

PROBES = ROOT / "evals" / "probes"
SETS = ("set1", "set2", "set3")
THRESHOLDS = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def probes_result(tmp_path_factory: pytest.TempPathFactory, embedder) -> dict:
    data_dir = tmp_path_factory.mktemp("probes-data")
    for name in SETS:
        ingest_into(PROBES / name, data_dir, embedder)
    merged = tmp_path_factory.mktemp("probes") / "probes.jsonl"
    merged.write_text(
        "".join((PROBES / f"{name}.jsonl").read_text(encoding="utf-8") for name in SETS),
        encoding="utf-8",
    )
    shown = [*THRESHOLDS["probes"]["floor"], *THRESHOLDS["probes"]["ceiling"]]
    return guarded_eval(merged, data_dir, embedder, shown, "probes")


@pytest.mark.parametrize("key", sorted(THRESHOLDS["probes"]["floor"]))
def test_probe_sets_stay_above_their_floor(probes_result, key):
    assert_within_guard(probes_result, THRESHOLDS, "probes", key)


@pytest.mark.parametrize("key", sorted(THRESHOLDS["probes"]["ceiling"]))
def test_probe_sets_stay_below_their_ceiling(probes_result, key):
    assert_within_guard(probes_result, THRESHOLDS, "probes", key)


def test_every_probe_key_fact_is_in_its_documents() -> None:
    from evals.tools.check_facts import problems

    for name in SETS:
        assert problems(PROBES / f"{name}.jsonl", [PROBES / name]) == []
