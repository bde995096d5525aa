"""Text hidden from readers (HTML, raw HTML in markdown, DOCX runs) is not a document's text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from evals.tools.docx_spec import docx_from_spec
from ingest.loaders import load

VISIBLE = "The maternity unit supports around 4,200 births a year."


def _html(hidden: str) -> bytes:
    return (
        f"<html><head><title>T</title></head><body><main><p>{VISIBLE}</p>{hidden}"
        "<p>Women can refer themselves online.</p></main></body></html>"
    ).encode()


@pytest.mark.parametrize(
    "hidden",
    [
        "<p hidden>SECRET closed in 2022.</p>",
        '<span aria-hidden="true">SECRET closed in 2022.</span>',
        '<p style="display:none">SECRET closed in 2022.</p>',
        '<div style="color:#333; visibility: hidden;">SECRET closed in 2022.</div>',
        '<p style="font-size:0">SECRET closed in 2022.</p>',
        '<p style="font-size: 0px !important">SECRET closed in 2022.</p>',
        '<p style="opacity:0">SECRET closed in 2022.</p>',
        "<template><p>SECRET closed in 2022.</p></template>",
        "<noscript>SECRET closed in 2022.</noscript>",
        '<div style="display: none"><div><p>SECRET</p></div> SECRET tail</div>',
    ],
)
def test_html_text_hidden_from_readers_is_dropped(hidden: str) -> None:
    text = load(Path("page.html"), _html(hidden)).text

    assert "SECRET" not in text
    assert VISIBLE in text
    assert "Women can refer themselves online." in text


@pytest.mark.parametrize(
    "shown",
    [
        '<p style="font-size:0.8em">SHOWN small print.</p>',
        '<p style="opacity:0.5">SHOWN faded text.</p>',
        '<p class="visually-hidden">SHOWN to screen readers.</p>',
        '<p aria-hidden="false">SHOWN text.</p>',
    ],
)
def test_html_text_readers_can_see_is_kept(shown: str) -> None:
    assert "SHOWN" in load(Path("page.html"), _html(shown)).text


def test_markdown_raw_html_hidden_from_readers_is_dropped() -> None:
    raw = (
        b"# Clinic\n\nOpen on Saturdays from 10am to 2pm."
        b'<span style="display:none"> SECRET deposit.</span>\n\n'
        b"<div hidden>\n<div>SECRET nested</div>\nSECRET after nesting\n</div>\n\n"
        b"<span>Kept</span> text.\n"
    )
    text = load(Path("clinic.md"), raw).text

    assert "SECRET" not in text
    assert "Open on Saturdays from 10am to 2pm." in text
    assert "Kept text." in text


def test_markdown_hidden_element_left_open_ends_at_a_blank_line() -> None:
    raw = b"Before.\n\n<div hidden>\nSECRET\n\nAfter the block.\n"
    text = load(Path("a.md"), raw).text

    assert "SECRET" not in text
    assert "After the block." in text


def _docx(*runs: dict) -> bytes:
    return docx_from_spec(
        {
            "title": "T",
            "paragraphs": [
                {"style": "Normal", "runs": [{"text": "Assessors decide within 28 days."}, *runs]},
                {"style": "Normal", "runs": [{"text": "Families can ask for a review."}]},
            ],
        }
    )


@pytest.mark.parametrize(
    "run",
    [
        {"text": " SECRET refuses all.", "hidden": True},
        {"text": " SECRET refuses all.", "color": "FFFFFF"},
        {"text": " SECRET refuses all.", "size_pt": 1},
    ],
    ids=["vanish", "white", "tiny"],
)
def test_docx_runs_hidden_from_readers_are_dropped(run: dict) -> None:
    text = load(Path("doc.docx"), _docx(run)).text

    assert "SECRET" not in text
    assert "Assessors decide within 28 days." in text
    assert "Families can ask for a review." in text


def test_docx_coloured_and_normal_sized_runs_are_kept() -> None:
    text = load(Path("doc.docx"), _docx({"text": " SHOWN in red.", "color": "C00000"})).text

    assert "SHOWN in red." in text


def test_docx_white_text_in_a_table_is_kept() -> None:
    # Table headers are often white on a dark fill that a table style gives.
    import docx
    from docx.shared import RGBColor

    document = docx.Document()
    document.add_paragraph("Body text.")
    cell = document.add_table(rows=1, cols=1).rows[0].cells[0]
    cell.paragraphs[0].add_run("HEADER white").font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    buffer = io.BytesIO()
    document.save(buffer)

    assert "HEADER white" in load(Path("t.docx"), buffer.getvalue()).text
