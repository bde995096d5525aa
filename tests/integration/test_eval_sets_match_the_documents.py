"""The eval sets can be met: every key fact is in the cleaned text of an expected source."""

from __future__ import annotations

import pytest
from conftest import CORPUS, ROOT

from evals.tools.check_facts import problems

LIBRARY = CORPUS.parent / "library"


@pytest.mark.parametrize(
    ("name", "folders"),
    [("dev.jsonl", [CORPUS]), ("smoke.jsonl", [CORPUS]), ("library.jsonl", [CORPUS, LIBRARY])],
)
def test_every_key_fact_is_in_an_expected_source(name: str, folders) -> None:
    assert problems(ROOT / "evals" / "datasets" / name, folders) == []
