"""manifest.csv: good rows parsed at their date precision; bad rows reported, others kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.manifest import read_manifest

HEADER = "file,title,author,publisher,published,kind\n"


def _manifest(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "manifest.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_good_rows_are_parsed_with_their_date_precision(tmp_path: Path) -> None:
    manifest = read_manifest(
        _manifest(
            tmp_path,
            'a.txt,"Plans, places and people",Ann,Trust,2019,article\n'
            "b.txt,B,,,2022-09,policy\n"
            "c.txt,C,Cy,,2019-01-22,\n",
        )
    )
    assert manifest.errors == []
    a, b, c = (manifest.entries[n] for n in ("a.txt", "b.txt", "c.txt"))
    assert (a.title, a.author, a.publisher, a.kind) == (
        "Plans, places and people",
        "Ann",
        "Trust",
        "article",
    )
    assert [m.published for m in (a, b, c)] == ["2019", "2022-09", "2019-01-22"]
    assert [m.published_precision for m in (a, b, c)] == ["year", "month", "day"]
    assert b.author is None and c.kind is None


@pytest.mark.parametrize(
    ("bad_row", "field", "problem"),
    [
        ("bad.txt,Bad,,,2019-13,article", "published", "2019-13"),
        ("bad.txt,Bad,,,2019,pamphlet", "kind", "pamphlet"),
        (",Bad,,,2019,article", "file", "empty"),
        ("good.txt,Again,,,2020,article", "file", "listed twice"),
    ],
    ids=["bad-date", "unknown-kind", "empty-file", "duplicate-file"],
)
def test_bad_row_is_reported_by_row_and_field_and_other_rows_apply(
    tmp_path: Path, bad_row: str, field: str, problem: str
) -> None:
    manifest = read_manifest(
        _manifest(
            tmp_path,
            f"good.txt,Good,Gina,,2021-05,article\n{bad_row}\nlater.txt,Later,,,2018,policy\n",
        )
    )
    assert len(manifest.errors) == 1
    error = manifest.errors[0]
    assert "row 3" in error
    assert f"field '{field}'" in error
    assert problem in error
    assert manifest.entries["good.txt"].title == "Good"
    assert manifest.entries["good.txt"].published == "2021-05"
    assert manifest.entries["later.txt"].kind == "policy"


def test_bad_field_keeps_the_rest_of_its_row(tmp_path: Path) -> None:
    manifest = read_manifest(_manifest(tmp_path, "bad.txt,Still titled,Al,,2019-13,article\n"))
    entry = manifest.entries["bad.txt"]
    assert entry.published is None
    assert (entry.title, entry.author, entry.kind) == ("Still titled", "Al", "article")


def test_row_number_is_the_line_in_the_file_despite_blank_lines(tmp_path: Path) -> None:
    manifest = read_manifest(_manifest(tmp_path, "a.txt,A,,,2019,article\n\n\nb.txt,B,,,20x9,\n"))
    assert len(manifest.errors) == 1
    assert "row 5, field 'published'" in manifest.errors[0]


def test_missing_file_column_is_reported(tmp_path: Path) -> None:
    manifest = read_manifest(_manifest(tmp_path, "a.txt,A\n", header="name,title\n"))
    assert manifest.entries == {}
    assert len(manifest.errors) == 1
    assert "lacks the column(s) file" in manifest.errors[0]


def test_unknown_column_is_reported_and_ignored(tmp_path: Path) -> None:
    manifest = read_manifest(_manifest(tmp_path, "a.txt,A,x\n", header="file,title,colour\n"))
    assert manifest.entries["a.txt"].title == "A"
    assert manifest.errors == [f"{tmp_path / 'manifest.csv'}: unknown column(s) ignored: colour"]


def test_sample_corpus_manifest_reads_without_errors(corpus_dir: Path) -> None:
    manifest = read_manifest(corpus_dir / "manifest.csv")
    assert manifest.errors == []
    assert len(manifest.entries) == 5
    row = manifest.entries["pharmafile-2019-regional-footprints.txt"]
    assert row.author == "Steve How, Paul Midgley, Oli Hudson"
    assert (row.published, row.published_precision) == ("2019-01-22", "day")


def test_unclosed_quote_is_reported_and_swallows_no_rows(tmp_path: Path) -> None:
    manifest = read_manifest(
        _manifest(
            tmp_path,
            "a.txt,A,,,2019,article\n"
            'b.txt,"Unclosed title,Bo,,2020,policy\n'
            "c.txt,C,,,2021,report\n"
            'd.txt,"D, quoted",,,2022,news\n',
        )
    )
    assert manifest.errors == [
        f"{tmp_path / 'manifest.csv'} row 3, field 'title': "
        "unclosed quote swallows rows 4..5; row skipped"
    ]
    assert {name: m.title for name, m in manifest.entries.items()} == {
        "a.txt": "A",
        "c.txt": "C",
        "d.txt": "D, quoted",
    }
    assert manifest.entries["c.txt"].kind == "report"


def test_unclosed_quote_on_the_last_row_is_reported(tmp_path: Path) -> None:
    manifest = read_manifest(_manifest(tmp_path, 'a.txt,A,,,2019,article\nb.txt,"B,,,2020\n'))
    assert list(manifest.entries) == ["a.txt"]
    assert len(manifest.errors) == 1
    assert "row 3, field 'title': unclosed quote; row skipped" in manifest.errors[0]


def test_rows_naming_no_document_of_the_folder_are_reported_by_row(tmp_path: Path) -> None:
    path = _manifest(
        tmp_path,
        "a.txt,A,,,,\n"  # by name: the file sits in a subfolder
        "sub/b.txt,B,,,,\n"  # by its path from the manifest's folder
        "gone.pdf,Gone,,,,\n"
        "other/a.txt,Not there,,,,\n",
    )
    manifest = read_manifest(path)
    documents = [tmp_path / "sub" / "a.txt", tmp_path / "sub" / "b.txt", tmp_path / "c.txt"]
    assert manifest.rows == {"a.txt": 2, "sub/b.txt": 3, "gone.pdf": 4, "other/a.txt": 5}
    assert manifest.unmatched_rows(documents) == [
        f"{path} row 4, field 'file': names 'gone.pdf', which is not in the folder",
        f"{path} row 5, field 'file': names 'other/a.txt', which is not in the folder",
    ]
