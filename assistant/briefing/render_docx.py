"""The pack as a Word document (python-docx), with working citations.

Each cited passage under Sources carries a bookmark (``ref_n``), and each [n] in the
text is an internal hyperlink to it, so a click in Word jumps to the reference.
python-docx has no API for either, so both are written as WordprocessingML elements.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document as new_document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
from docx.text.paragraph import Paragraph

from assistant.briefing.layout import Block, BlockKind, Cite, Run, layout, ref_anchor
from assistant.briefing.map_figure import figure
from assistant.briefing.model import Briefing

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML
_LINK_COLOUR = "005EB8"
_FLAG_COLOUR = RGBColor(0x8A, 0x15, 0x38)


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


def _add_bookmark(paragraph: Paragraph, name: str, bookmark_id: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    p = paragraph._p
    if p.pPr is not None:
        p.pPr.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


def _add_internal_link(paragraph: Paragraph, text: str, anchor: str) -> None:
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), _LINK_COLOUR)
    props.append(colour)
    align = OxmlElement("w:vertAlign")
    align.set(qn("w:val"), "superscript")
    props.append(align)
    run.append(props)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _fill(paragraph: Paragraph, parts: list[Run | Cite]) -> None:
    for part in parts:
        if isinstance(part, Cite):
            _add_internal_link(paragraph, f"[{part.n}]", ref_anchor(part.n))
            continue
        run = paragraph.add_run(_clean(part.text))
        run.bold = part.style in ("bold", "flag")
        run.italic = part.style == "italic"
        if part.style == "flag":
            run.font.color.rgb = _FLAG_COLOUR


def _write(document, block: Block, bookmark_id: int) -> None:
    if block.kind == BlockKind.FIGURE and block.figure is not None:
        png = figure(block.figure, block.numbers, "png")
        document.add_picture(io.BytesIO(png), width=Inches(6.5))
    if block.kind == BlockKind.HEADING:
        paragraph = document.add_heading(level=0 if block.level == 1 else block.level - 1)
    elif block.kind in (BlockKind.ITEM, BlockKind.REF):
        paragraph = document.add_paragraph(style="List Bullet")
    else:
        paragraph = document.add_paragraph()
    _fill(paragraph, block.parts)
    if block.kind == BlockKind.NOTE:
        for run in paragraph.runs:
            run.italic = True
    if block.kind == BlockKind.REF and block.anchor:
        _add_bookmark(paragraph, block.anchor, bookmark_id)


def write_docx(briefing: Briefing, path: Path) -> Path:
    """Write the pack to ``path`` as .docx; return the path."""
    document = new_document()
    document.core_properties.title = _clean(briefing.title)
    document.styles["Normal"].font.size = Pt(10.5)
    for bookmark_id, block in enumerate(layout(briefing), start=1):
        _write(document, block, bookmark_id)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
