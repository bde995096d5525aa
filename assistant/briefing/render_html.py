"""The pack as HTML: a self-contained printable page, or a fragment for a UI tab.

Jinja2 templates (``templates/``) with autoescaping: every piece of text is escaped; the
only markup is the templates' own. No scripts, no external resources: the page prints
and opens offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from assistant.briefing.layout import Block, BlockKind, layout, ref_anchor
from assistant.briefing.map_figure import figure
from assistant.briefing.model import Briefing

_LIST_TAGS = {BlockKind.ITEM: "ul", BlockKind.REF: "ol"}


@dataclass
class _Group:
    """Consecutive blocks that share a list (``ul``, ``ol``) or none (``""``)."""

    tag: str
    blocks: list[Block] = field(default_factory=list)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("assistant.briefing", "templates"),
        autoescape=True,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["anchor"] = ref_anchor
    return env


@cache
def _style() -> Markup:
    # The pack's own stylesheet, trusted: it is a file of this package, not document text.
    css = files("assistant.briefing").joinpath("templates/pack.css").read_text(encoding="utf-8")
    return Markup(css)


def _groups(blocks: list[Block]) -> list[_Group]:
    groups: list[_Group] = []
    for block in blocks:
        tag = _LIST_TAGS.get(block.kind, "")
        if not groups or groups[-1].tag != tag or not tag:
            groups.append(_Group(tag))
        groups[-1].blocks.append(block)
    return groups


def _picture(block: Block) -> Markup:
    """A figure block's map as inline SVG: our own drawing, whose text matplotlib escapes
    (document text in it is data, never markup)."""
    if block.figure is None:
        return Markup("")
    svg = figure(block.figure, block.numbers, "svg").decode("utf-8")
    return Markup(svg[svg.index("<svg") :])


def render_html_fragment(briefing: Briefing) -> str:
    """The pack as a safe HTML fragment (styles scoped to it), e.g. for a chat-UI tab."""
    template = _environment().get_template("fragment.html.j2")
    return template.render(
        style=_style(), groups=_groups(layout(briefing)), picture=_picture
    ).strip()


def render_html(briefing: Briefing) -> str:
    """The pack as a self-contained, printable HTML page."""
    fragment = Markup(render_html_fragment(briefing))  # already escaped by its template
    return (
        _environment().get_template("page.html.j2").render(title=briefing.title, fragment=fragment)
    )
