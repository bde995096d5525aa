"""The quality guard on real documents: the library eval set's questions about a fast
subset of the default library (every document but the 109-page needs assessment, which
takes most of the library's ingest time) must meet the floors in evals/thresholds.toml."""

from __future__ import annotations

import csv
import json
import shutil
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, assert_within_guard, guarded_eval, ingest_into

LIBRARY = ROOT.parent / "shared" / "library"
LIBRARY_SET = ROOT / "evals" / "datasets" / "library.jsonl"
THRESHOLDS = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))
LEFT_OUT = {"west-sussex-hwb-2025-pharmaceutical-needs-assessment.pdf"}


def _subset(folder: Path) -> set[str]:
    """Copy the library minus LEFT_OUT into ``folder`` with its manifest; the source ids."""
    with (LIBRARY / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["file"] not in LEFT_OUT]
    for row in rows:
        shutil.copy(LIBRARY / row["file"], folder / row["file"])
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return {Path(r["file"]).stem for r in rows}


@pytest.fixture(scope="module")
def library_result(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, embedder) -> dict:
    folder = tmp_path_factory.mktemp("library")
    kept = _subset(folder)
    data_dir = tmp_path_factory.mktemp("library-data")
    ingest_into(corpus_dir, data_dir, embedder)
    ingest_into(folder, data_dir, embedder)
    questions = [json.loads(line) for line in LIBRARY_SET.read_text().splitlines() if line]
    # Answerable questions about the documents ingested, and every unanswerable one.
    asked = [q for q in questions if not q["answerable"] or set(q["expected_sources"]) <= kept]
    subset = folder.parent / "library-subset.jsonl"
    subset.write_text("".join(json.dumps(q) + "\n" for q in asked), encoding="utf-8")
    shown = [*THRESHOLDS["library"]["floor"], *THRESHOLDS["library"]["ceiling"]]
    return guarded_eval(subset, data_dir, embedder, shown, "library subset")


@pytest.mark.parametrize("key", sorted(THRESHOLDS["library"]["floor"]))
def test_library_set_stays_above_its_floor(library_result, key):
    assert_within_guard(library_result, THRESHOLDS, "library", key)


@pytest.mark.parametrize("key", sorted(THRESHOLDS["library"]["ceiling"]))
def test_library_set_stays_below_its_ceiling(library_result, key):
    assert_within_guard(library_result, THRESHOLDS, "library", key)
