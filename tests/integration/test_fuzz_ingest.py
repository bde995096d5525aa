"""The ingest fuzzer, small: 60 broken files of every format and mutation, read with a time
limit in worker processes and then ingested into a real Chroma store, crash and hang free.

A hashing embedder stands in for the model here (the full run, ``make fuzz``, uses the
real one): what is fuzzed is the reading of files, and the model would only add minutes.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import pytest

from evals.tools.fuzz_documents import FORMATS, MUTATIONS, seed_document
from evals.tools.fuzz_ingest import (
    CRASH,
    FAILURE,
    HANG,
    OK,
    FileResult,
    FuzzReport,
    fuzz,
    read_all,
)
from ingest.job import Status
from ingest.options import ChunkingOptions

FILES = 60  # every format with every mutation once, and some twice
SEED = 7
pytestmark = pytest.mark.timeout(120)


class HashingEmbedder:
    """Unit vectors of dimension 384 drawn from a hash of each text."""

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
            row = np.random.default_rng(seed).standard_normal(384)
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), 384)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> FuzzReport:
    out: Path = tmp_path_factory.mktemp("fuzz")
    # A file takes a second or two (up to 5 s for a 200 kB line of dots); a quadratic step
    # in it, minutes.
    return fuzz(out, FILES, SEED, embedder=HashingEmbedder, timeout=45.0, workers=2)


def test_fuzzed_files_cover_every_format_and_mutation(report: FuzzReport) -> None:
    assert len(report.results) == FILES
    made = {(r.fmt, r.mutation) for r in report.results}
    assert made == {(f, m) for f in FORMATS for m in MUTATIONS}


def test_the_small_run_takes_under_a_minute(report: FuzzReport) -> None:
    assert report.seconds < 60, report.seconds


def test_no_fuzzed_file_crashes_or_hangs(report: FuzzReport) -> None:
    assert report.with_outcome(CRASH) == []
    assert report.with_outcome(HANG) == []
    # Both ends of the range are exercised: valid seeds load, broken files fail cleanly.
    assert {r.outcome for r in report.results if r.mutation == "valid"} == {OK}
    assert {r.outcome for r in report.results if r.mutation == "nul_bytes"} == {FAILURE}


def test_every_failure_names_its_file_and_says_why(report: FuzzReport) -> None:
    assert report.ingest is not None
    given = {r.file for r in report.results} - {r.file for r in report.held_back}
    failed = report.ingest.failed
    assert failed, "the broken files should fail in run_ingest too"
    for outcome in failed:
        assert outcome.file in given, outcome
        assert outcome.message.strip(), outcome
    for result in report.with_outcome(FAILURE):
        assert result.message.strip(), result


def test_run_ingest_agrees_with_reading_each_file_alone(report: FuzzReport) -> None:
    assert report.problems == []
    assert report.ingest is not None
    added = {o.file for o in report.ingest.outcomes if o.status == Status.ADDED}
    assert added == {
        r.file for r in report.results if r.outcome == OK and r.chunks and r not in report.held_back
    }


def test_a_file_past_the_time_limit_hangs_and_the_next_file_is_still_read(
    tmp_path: Path,
) -> None:
    # Seconds of chunking (a 200 kB line of dots) against a limit of a fraction of one.
    (tmp_path / "slow.txt").write_bytes(
        seed_document("txt", random.Random(1), long_run=". " * 100_000)
    )
    (tmp_path / "fine.txt").write_bytes(seed_document("txt", random.Random(2)))
    results = [FileResult("slow.txt", "txt", "long_run"), FileResult("fine.txt", "txt", "valid")]
    read_all(tmp_path, results, ChunkingOptions(), timeout=0.3, workers=1)
    assert [(r.file, r.outcome) for r in results] == [("slow.txt", HANG), ("fine.txt", OK)]
    assert results[0].message == "not done after 0.3 s"
