"""The synthetic library of the scale benchmark: seeded, varied, and a well-formed manifest."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from evals.tools.synthetic_library import (
    DISCLAIMERS,
    FAMILY_SIZE,
    MAX_WORDS,
    MIN_WORDS,
    document_blocks,
    render_document,
    revise_documents,
    write_library,
)
from ingest.manifest import KNOWN_COLUMNS, MANIFEST_NAME, read_manifest

# Every 50 documents hold every format; 50 show the kinds and lengths too (in seconds).
COUNT = 50


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("library")
    write_library(folder, COUNT)
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _words(index: int) -> int:
    return sum(len(text.split()) for _, text in document_blocks(index)[1])


def _sentences(index: int) -> set[str]:
    blocks = document_blocks(index)[1]
    return {s for kind, text in blocks if kind == "paragraph" for s in text.split(". ")}


def test_the_same_seed_writes_the_same_bytes_in_every_format(library: Path):
    one_of_each = {p.suffix: p for p in sorted(library.iterdir(), reverse=True)}
    assert set(one_of_each) == {".csv", ".md", ".txt", ".html", ".docx", ".pdf"}
    for path in one_of_each.values():
        if path.name != MANIFEST_NAME:
            document, blocks = document_blocks(int(path.name[:5]))
            assert render_document(document, blocks) == path.read_bytes(), path.name


def test_another_seed_writes_other_documents(library: Path, tmp_path: Path):
    write_library(tmp_path, 5, seed=7)
    assert set(_files(tmp_path)) & set(_files(library)) == {MANIFEST_NAME}


def test_a_document_is_the_same_whatever_the_size_of_the_library(library: Path, tmp_path: Path):
    write_library(tmp_path, 12)
    small, large = _files(tmp_path), _files(library)
    assert all(large[name] == content for name, content in small.items() if name != MANIFEST_NAME)


def test_the_manifest_has_the_known_columns_and_a_valid_row_for_every_file(library: Path):
    manifest = read_manifest(library / MANIFEST_NAME)
    header = (library / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(KNOWN_COLUMNS)
    assert manifest.errors == []
    documents = [p for p in library.iterdir() if p.name != MANIFEST_NAME]
    assert manifest.unmatched_rows(documents) == []
    assert set(manifest.entries) == {p.name for p in documents}
    assert all(
        m.title and m.publisher and m.published and m.kind for m in manifest.entries.values()
    )


def test_formats_kinds_publishers_and_years_vary(library: Path):
    entries = read_manifest(library / MANIFEST_NAME).entries
    formats = Counter(name.rsplit(".", 1)[1] for name in entries)
    assert set(formats) == {"md", "txt", "html", "docx", "pdf"}
    assert len({m.kind for m in entries.values()}) >= 5
    assert len({m.publisher for m in entries.values()}) >= 20
    years = {int((m.published or "")[:4]) for m in entries.values()}
    assert min(years) >= 2015 and max(years) <= 2025 and len(years) >= 6
    assert len({m.published_precision for m in entries.values()}) == 3


def test_lengths_run_from_a_few_hundred_words_to_several_thousand():
    words = [_words(i) for i in range(COUNT)]
    assert min(words) >= MIN_WORDS and min(words) < 600
    assert max(words) > 3000 and max(words) < MAX_WORDS + 600


def test_board_papers_of_one_family_differ_in_a_few_sentences():
    first, second = _sentences(0), _sentences(1)
    assert first != second
    assert len(first & second) / len(first | second) > 0.9
    assert len(_sentences(0) & _sentences(FAMILY_SIZE + 1)) < 10  # another family: unlike


def test_disclaimers_repeat_across_documents():
    texts = [" ".join(text for _, text in document_blocks(i)[1]) for i in range(COUNT)]
    opening = DISCLAIMERS[0][:60]
    assert sum(opening in text for text in texts) > COUNT / 5


def test_template_slots_are_all_filled():
    texts = [" ".join(text for _, text in document_blocks(i)[1]) for i in range(COUNT)]
    assert not any(re.search(r"\{[a-z_0-9]+\}", text) for text in texts)


def test_a_revision_changes_the_file_and_keeps_its_name_and_manifest_row(
    library: Path, tmp_path: Path
):
    write_library(tmp_path, 5)
    before = _files(tmp_path)
    (changed,) = revise_documents(tmp_path, [3])
    after = _files(tmp_path)
    assert set(after) == set(before)
    assert after[changed.name] != before[changed.name]
    assert {n for n in after if after[n] != before[n]} == {changed.name}
    assert document_blocks(3, revision=1)[0] == document_blocks(3)[0]
