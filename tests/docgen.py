"""Small documents generated with the real libraries (no binary fixtures in the repo)."""

from __future__ import annotations

import io
import random
from pathlib import Path

_SUBJECTS = (
    "The integrated care board",
    "Each primary care network",
    "The medicines optimisation team",
    "A community pharmacy",
    "The place-based partnership",
    "The provider collaborative",
    "The neighbourhood team",
    "The area prescribing committee",
)
_VERBS = ("reviews", "commissions", "plans", "monitors", "supports", "funds", "audits", "redesigns")
_OBJECTS = (
    "respiratory services for older patients",
    "the local formulary and its exceptions",
    "repeat prescribing across member practices",
    "hospital discharge for people with frailty",
    "shared care arrangements with specialists",
    "urgent care capacity over the winter months",
    "diabetes clinics run by practice pharmacists",
    "the budget for high cost drugs",
)
_TAILS = (
    "with the local authority",
    "every quarter",
    "before the next financial year",
    "using data from its members",
    "in line with national guidance",
    "with patients and carers",
)


def prose(seed: int, paragraphs: int = 3, sentences: int = 4) -> str:
    """Paragraphs of plausible, distinct sentences (deterministic for a seed)."""
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        out.append(
            " ".join(
                f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} "
                f"{rng.choice(_TAILS)}."
                for _ in range(sentences)
            )
        )
    return "\n\n".join(out)


def pdf_bytes(
    text: str, title: str | None = None, author: str | None = None, pages: int = 1
) -> bytes:
    """A PDF with a real text layer (fpdf2)."""
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.set_font("helvetica", size=11)
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def pdf_without_text_bytes() -> bytes:
    """A PDF whose only page holds a drawn rectangle: no text layer at all."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(30, 90, 160)
    pdf.rect(20, 20, 120, 80, style="F")
    return bytes(pdf.output())


def docx_bytes(
    blocks: list[tuple[str, str]], title: str | None = None, author: str | None = None
) -> bytes:
    """A DOCX from (style, text) pairs; style "Heading 1", "Normal", "List Bullet", ..."""
    import docx

    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    if author is not None:
        document.core_properties.author = author
    for style, text in blocks:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def short_doc(seed: int) -> str:
    """A two-paragraph document: several small chunks, embedded in a moment."""
    return prose(seed, paragraphs=2, sentences=2)


def write_file(folder: Path, name: str, content: str | bytes) -> Path:
    """Write ``content`` to ``folder/name`` (parents made), text as UTF-8."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
