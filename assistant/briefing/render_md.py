"""The pack as Markdown. Text is backslash-escaped, so a document's ``<script>``, ``*`` or
``[link](...)`` shows as written instead of turning into markup; [n] links to Sources."""

from __future__ import annotations

import re

from assistant.briefing.layout import Block, BlockKind, Cite, Run, layout, ref_anchor
from assistant.briefing.model import Briefing

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape_md(text: str) -> str:
    """``text`` on one line with every character Markdown (or inline HTML) reads escaped."""
    return _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))


def _wrap(text: str, mark: str) -> str:
    # Emphasis markers must touch the words: keep the run's outer spaces outside them.
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return f"{lead}{mark}{escape_md(core)}{mark}{trail}"


def _inline(part: Run | Cite) -> str:
    if isinstance(part, Cite):
        return f"[\\[{part.n}\\]](#{ref_anchor(part.n)})"
    if part.style == "bold":
        return _wrap(part.text, "**")
    if part.style == "flag":
        lead = " " if part.text.startswith(" ") else ""
        return lead + _wrap(f"⚠ {part.text.strip()}", "**")
    if part.style == "italic":
        return _wrap(part.text, "_")
    return escape_md(part.text)


def _block(block: Block) -> list[str]:
    text = "".join(_inline(p) for p in block.parts)
    if block.kind == BlockKind.HEADING:
        return ["", f"{'#' * block.level} {text}", ""]
    if block.kind == BlockKind.ITEM:
        return [f"- {text}"]
    if block.kind == BlockKind.REF:
        return [f'- <a id="{block.anchor}"></a>{text}']
    if block.kind == BlockKind.NOTE:
        return ["", f"_{text}_", ""]
    if block.kind == BlockKind.FIGURE:  # a picture needs a file: the HTML and DOCX packs
        note = "The map is drawn in the HTML and Word packs; its boxes and lines are listed"
        return ["", f"_{note} below, each cited._", ""]
    return ["", text, ""]


def render_markdown(briefing: Briefing) -> str:
    """The whole pack as one Markdown document."""
    lines = [line for block in layout(briefing) for line in _block(block)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
