"""Two-column PDF pages written a line at a time are read column by column."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from pypdf import PdfReader

from ingest.loaders import load
from ingest.pdf_columns import page_text

LEFT = (
    "Integrated care boards plan and buy health services for their population. They took "
    "over from clinical commissioning groups in July 2022. Each board has a chief pharmacist "
    "who leads medicines optimisation across the system."
)
RIGHT = (
    "Area prescribing committees decide which medicines go on the local formulary. They "
    "bring together clinicians from hospitals and primary care. Their decisions are "
    "published on the board's website for prescribers."
)


def _pdf(left: list[str], right: list[str], line_by_line: bool) -> bytes:
    """A page with ``left`` and ``right`` as two columns, written into the file a printed
    line at a time (left, right, next line) or a column at a time."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    rows = range(max(len(left), len(right)))
    if line_by_line:
        for i in rows:
            if i < len(left):
                pdf.text(10, 20 + 5 * i, left[i])
            if i < len(right):
                pdf.text(110, 20 + 5 * i, right[i])
    else:
        for column, x in ((left, 10), (right, 110)):
            for i, line in enumerate(column):
                pdf.text(x, 20 + 5 * i, line)
    return bytes(pdf.output())


def _text(raw: bytes) -> str:
    return page_text(PdfReader(io.BytesIO(raw)).pages[0])


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, 45)


def test_columns_written_line_by_line_are_read_one_after_the_other() -> None:
    raw = _pdf(_wrapped(LEFT * 2), _wrapped(RIGHT * 2), line_by_line=True)
    doc = load(Path("two.pdf"), raw)
    assert "Integrated care boards plan and buy health services for their population." in doc.text
    assert "They bring together clinicians from hospitals and primary care." in doc.text
    assert doc.text.index("across the system.") < doc.text.index("Area prescribing")


def test_columns_written_one_at_a_time_keep_pypdfs_reading() -> None:
    raw = _pdf(_wrapped(LEFT * 2), _wrapped(RIGHT * 2), line_by_line=False)
    assert _text(raw) == (PdfReader(io.BytesIO(raw)).pages[0].extract_text() or "")


def test_a_table_written_row_by_row_keeps_its_rows() -> None:
    names = [f"Arun FR{i:03d} FITTLEWORTH MEDICAL LIMITED" for i in range(12)]
    kinds = [f"BN17 {i}GA Community Pharmacy Contractor" for i in range(12)]
    raw = _pdf(names, kinds, line_by_line=True)
    text = _text(raw)
    assert text == (PdfReader(io.BytesIO(raw)).pages[0].extract_text() or "")
    assert "LIMITED BN17 0GA" in " ".join(text.split())
