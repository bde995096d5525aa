"""The pack as HTML: a self-contained printable page, or a fragment for a UI tab.

Every piece of text goes through ``html.escape``; the only markup is the writer's own.
No scripts, no external resources: the page prints and opens offline.
"""

from __future__ import annotations

from html import escape

from assistant.briefing.layout import Block, Cite, Run, layout, ref_anchor
from assistant.briefing.model import Briefing

_STYLE = """
.nhsa-briefing { font: 11pt/1.45 Georgia, 'Times New Roman', serif; color: #1b1b1b;
  max-width: 48rem; margin: 0 auto; padding: 1.5rem; }
.nhsa-briefing h1 { font-size: 1.7em; margin-bottom: .2em; }
.nhsa-briefing h2 { font-size: 1.35em; border-bottom: 2px solid #005eb8; padding-bottom: .15em;
  margin-top: 1.6em; break-after: avoid; }
.nhsa-briefing h3 { font-size: 1.08em; margin: 1.1em 0 .3em; color: #003087; break-after: avoid; }
.nhsa-briefing ul { padding-left: 1.2em; margin: .3em 0; }
.nhsa-briefing li { margin: .18em 0; break-inside: avoid; }
.nhsa-briefing .note { color: #4c6272; font-style: italic; }
.nhsa-briefing .flag { color: #8a1538; font-weight: bold; }
.nhsa-briefing a.cite { text-decoration: none; color: #005eb8; font-size: .85em;
  vertical-align: super; }
.nhsa-briefing .refs li { font-size: .9em; }
.nhsa-briefing .refs li:target { background: #fff4c2; }
@media print { .nhsa-briefing { max-width: none; padding: 0; }
  .nhsa-briefing a.cite { color: inherit; } }
"""


def _inline(part: Run | Cite) -> str:
    if isinstance(part, Cite):
        anchor = ref_anchor(part.n)
        return f'<a class="cite" href="#{anchor}">[{part.n}]</a>'
    text = escape(part.text)
    if part.style == "bold":
        return f"<strong>{text}</strong>"
    if part.style == "italic":
        return f"<em>{text}</em>"
    if part.style == "flag":
        return f'<span class="flag">⚠{text}</span>'
    return text


def _body(blocks: list[Block]) -> str:
    out: list[str] = []
    open_list = ""
    for block in blocks:
        wanted = {"item": "ul", "ref": 'ol class="refs"'}.get(block.kind, "")
        if wanted != open_list:
            if open_list:
                out.append(f"</{open_list.split()[0]}>")
            if wanted:
                out.append(f"<{wanted}>")
            open_list = wanted
        inner = "".join(_inline(p) for p in block.parts)
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        if block.kind == "heading":
            out.append(f"<h{block.level}{anchor}>{inner}</h{block.level}>")
        elif block.kind in ("item", "ref"):
            out.append(f"<li{anchor}>{inner}</li>")
        elif block.kind == "note":
            out.append(f'<p class="note">{inner}</p>')
        else:
            out.append(f"<p>{inner}</p>")
    if open_list:
        out.append(f"</{open_list.split()[0]}>")
    return "\n".join(out)


def render_html_fragment(briefing: Briefing) -> str:
    """The pack as a safe HTML fragment (styles scoped to it), e.g. for a chat-UI tab."""
    return (
        f'<style>{_STYLE}</style>\n<article class="nhsa-briefing">\n'
        f"{_body(layout(briefing))}\n</article>"
    )


def render_html(briefing: Briefing) -> str:
    """The pack as a self-contained, printable HTML page."""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Belt and braces: even a markup slip could not load or run anything.
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{escape(briefing.title)}</title>\n</head>\n<body>\n"
        f"{render_html_fragment(briefing)}\n</body>\n</html>\n"
    )
