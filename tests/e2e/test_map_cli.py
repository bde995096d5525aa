"""`nhsa map` as a user runs it on a real store: JSON whose every sentence is the stored
document's own, SVG and PNG drawings, a map as of a year, and the errors a user can hit."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import run_nhsa

from assistant.structure.model import Evidence, StructureMap

LISTED = " … "  # a listed member's evidence: "<the sentence opening the list> … <item>"


@pytest.fixture(scope="module")
def full_run(corpus_data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    return run_nhsa(
        "map", "--format", "json", "--data-dir", corpus_data_dir, cwd=tmp_path_factory.mktemp("cwd")
    )


@pytest.fixture(scope="module")
def full_map(full_run) -> StructureMap:
    assert full_run.returncode == 0, full_run.stderr
    return StructureMap.model_validate_json(full_run.stdout)


@pytest.fixture(scope="module")
def early_year(full_map: StructureMap) -> int:
    """The year of the earliest document naming a body on the map."""
    return min(y for n in full_map.nodes for y in n.years)


@pytest.fixture(scope="module")
def runs(corpus_data_dir: Path, early_year: int, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The other ``nhsa map`` runs, started together (each reads the store: seconds)."""
    out = tmp_path_factory.mktemp("map-out")
    empty = tmp_path_factory.mktemp("empty-store")
    store = ("--data-dir", corpus_data_dir)
    commands = {
        "svg": ["map", "--format", "svg", "--out", out / "map.svg", *store],
        "png": ["map", "--format", "png", "--out", out / "nested" / "map.png", *store],
        "json-out": ["map", "--out", out / "map.json", *store],
        "early": ["map", "--format", "json", "--as-of", str(early_year), *store],
        "svg-no-out": ["map", "--format", "svg", *store],
        "empty": ["map", "--data-dir", empty / "data"],
    }
    with ThreadPoolExecutor(len(commands)) as pool:
        futures = {
            name: pool.submit(run_nhsa, *args, cwd=tmp_path_factory.mktemp("cwd"))
            for name, args in commands.items()
        }
        results = {name: future.result() for name, future in futures.items()}
    return {"out": out, **results}


@pytest.fixture(scope="module")
def document_text(corpus_data_dir: Path):
    from vectorstore.chroma_store import ChunkStore

    store = ChunkStore.open(corpus_data_dir)
    texts: dict[str, str] = {}

    def text_of(source_id: str) -> str:
        if source_id not in texts:
            texts[source_id] = store.document_text(source_id) or ""
        return texts[source_id]

    return text_of


def _assert_stated_by_its_document(evidence: Evidence, document_text) -> None:
    stored = document_text(evidence.source_id)
    assert stored, f"no stored text for {evidence.source_id}"
    sentence = stored[evidence.start : evidence.end]
    if sentence == evidence.text:
        return
    # A listed member's evidence cites the list's opening sentence and the item: the
    # span is the item's.
    assert LISTED in evidence.text, (evidence.text, sentence)
    intro, item = evidence.text.rsplit(LISTED, 1)
    assert item == sentence, (evidence.text, sentence)
    assert intro in stored, intro


@pytest.mark.slow
def test_map_json_is_a_structure_map_of_the_library(full_map: StructureMap) -> None:
    assert full_map.as_of is None
    assert full_map.nodes, "the sample corpus names bodies: the map is not empty"
    assert full_map.edges
    ids = {n.id for n in full_map.nodes}
    assert len(ids) == len(full_map.nodes)
    for edge in full_map.edges:
        assert {edge.source, edge.target} <= ids
        assert edge.evidence
    for node in full_map.nodes:
        assert node.superseded_by is None or node.superseded_by in ids
        if node.level is not None:
            assert node.level in {lv.key for lv in full_map.levels}
            assert node.level_evidence is not None


@pytest.mark.slow
def test_every_sentence_on_the_map_is_the_stored_documents_own(
    full_map: StructureMap, document_text
) -> None:
    checked = 0
    for node in full_map.nodes:
        assert node.attested_by is not None, node.id  # what it is or does, else where named
        for evidence in (node.attested_by, *node.citations(), *node.named_in):
            _assert_stated_by_its_document(evidence, document_text)
            checked += 1
    for edge in full_map.edges:
        for evidence in edge.evidence:
            _assert_stated_by_its_document(evidence, document_text)
            checked += 1
    assert checked >= len(full_map.nodes) + len(full_map.edges)


@pytest.mark.slow
def test_map_json_out_writes_the_same_map_to_the_file(runs: dict, full_map: StructureMap) -> None:
    result = runs["json-out"]

    assert result.returncode == 0, result.stderr
    written = StructureMap.model_validate_json((runs["out"] / "map.json").read_text())
    assert written == full_map
    assert f"{len(full_map.nodes)} nodes, {len(full_map.edges)} relations" in result.stdout


@pytest.mark.slow
def test_map_svg_is_written_with_a_group_per_node(runs: dict, full_map: StructureMap) -> None:
    result = runs["svg"]

    assert result.returncode == 0, result.stderr
    svg = (runs["out"] / "map.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") or svg.startswith("<svg")
    assert 'id="node-' in svg
    for node in full_map.nodes:
        assert f'id="node-{node.id}"' in svg
    assert "map.svg" in result.stdout


@pytest.mark.slow
def test_map_png_is_written_where_asked(runs: dict) -> None:
    result = runs["png"]

    assert result.returncode == 0, result.stderr
    png = (runs["out"] / "nested" / "map.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.slow
def test_map_as_of_an_early_year_shows_only_what_was_said_by_then(
    runs: dict, full_map: StructureMap, early_year: int
) -> None:
    result = runs["early"]

    assert result.returncode == 0, result.stderr
    early = StructureMap.model_validate_json(result.stdout)
    assert early.as_of == early_year
    assert early.nodes  # the bodies of the earliest document
    assert len(early.nodes) <= len(full_map.nodes)
    assert len(early.edges) <= len(full_map.edges)
    assert {n.id for n in early.nodes} <= {n.id for n in full_map.nodes}
    for node in early.nodes:
        assert node.years and min(node.years) <= early_year, node.id
        assert all(y <= early_year for y in node.years), node.id
        assert all((e.year or 0) <= early_year for e in node.definitions + node.about)
    for edge in early.edges:
        assert edge.since is None or edge.since <= early_year
        assert all((e.year or 0) <= early_year for e in edge.evidence)


@pytest.mark.slow
def test_map_on_an_empty_store_exits_2_naming_nhsa_ingest(runs: dict) -> None:
    result = runs["empty"]

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "empty" in result.stderr
    assert "nhsa ingest" in result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.slow
def test_map_svg_without_out_exits_2(runs: dict) -> None:
    result = runs["svg-no-out"]

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--out" in result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.slow
def test_map_json_is_valid_json_on_stdout(full_run) -> None:
    data = json.loads(full_run.stdout)

    assert set(data) >= {"as_of", "levels", "nodes", "edges"}
