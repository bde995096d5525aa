"""Answers, sources and documents as HTML for the chat.

Every piece of document or user text passes through ``html.escape`` here and nowhere
else builds markup, so a document holding ``<script>`` shows those characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

from assistant.answer import Answer, AnswerSentence, Citation

_REF = re.compile(r"^cite-(\d+)-(\d+)(?:-(\d+))?$")


def cite_ref(turn: int, n: int, sentence: int | None = None) -> str:
    """The reference a citation link carries: which answer (turn), which citation and,
    for a marker after a sentence, which sentence (so the panel marks that sentence)."""
    return f"cite-{turn}-{n}" + ("" if sentence is None else f"-{sentence}")


def parse_ref(ref: str | None) -> tuple[int, int, int | None] | None:
    """``(turn, n, sentence)`` from a link's reference, or None when it is not one of ours."""
    match = _REF.match((ref or "").strip().lstrip("#"))
    if not match:
        return None
    return int(match[1]), int(match[2]), int(match[3]) if match[3] is not None else None


def question_html(question: str, limit: int = 600) -> str:
    """The user's turn as shown in the chat (very long input shown shortened)."""
    shown = question if len(question) <= limit else question[:limit] + "…"
    return f'<div class="user-q">{escape(shown)}</div>'


def pending_html() -> str:
    """What the chat shows while the documents are searched."""
    return '<div class="pending" aria-live="polite">Searching the documents…</div>'


def notice_html(message: str) -> str:
    """A message from the app itself (not an answer), e.g. input too long."""
    return f'<div class="notice" role="status">{escape(message)}</div>'


def too_long_message(length: int, limit: int) -> str:
    """Why an over-long question is not answered, and what to do instead."""
    return (
        f"That message is {length:,} characters long; questions are limited to {limit:,} "
        "characters. Please ask the question itself, in a sentence or two."
    )


def answer_html(answer: Answer, turn: int, shown: int | None = None) -> str:
    """The answer of chat turn ``turn``, its first ``shown`` sentences (all when None).

    Only the complete answer carries the list of sources (and the ``answer-done`` class).
    """
    if answer.abstained:
        return abstention_html(answer)
    sentences = answer.sentences if shown is None else answer.sentences[:shown]
    complete = shown is None or shown >= len(answer.sentences)
    titles = {c.n: c.title or c.source_id for c in answer.citations}
    if answer.sentences:
        body = " ".join(sentence_html(s, turn, i, titles) for i, s in enumerate(sentences))
    else:  # an answer without sentence structure: show its text, still escaped
        body = f'<span class="sent">{escape(answer.text)}</span>'
    state = "answer-done" if complete else "answer-streaming"
    parts = [f'<div class="answer {state}"><p class="answer-text">{body}</p>']
    if complete:
        parts.append(sources_html(answer.citations, turn))
        if answer.fallback:
            parts.append(
                '<p class="answer-note">The language model’s answer was not supported by the '
                "passages, so the sentences are quoted from the documents instead.</p>"
            )
    parts.append("</div>")
    return "".join(parts)


def sentence_html(sentence: AnswerSentence, turn: int, index: int, titles: dict[int, str]) -> str:
    """Answer sentence ``index`` followed by its citation markers."""
    dated = f'<span class="dated">({escape(sentence.dated)})</span> ' if sentence.dated else ""
    marks = "".join(marker_html(turn, n, index, titles.get(n, "")) for n in sentence.citations)
    return f'<span class="sent">{dated}{escape(sentence.text)}</span>{marks}'


def marker_html(turn: int, n: int, sentence: int, title: str) -> str:
    """A clickable ``[n]`` that opens citation ``n`` of this turn on this sentence."""
    label = escape(f"Open source {n}: {title}", quote=True)
    return f'<a class="cite" href="#{cite_ref(turn, n, sentence)}" title="{label}">[{n}]</a>'


def sources_html(citations: Iterable[Citation], turn: int) -> str:
    """The cited sources as a numbered list: title, publisher or author, date, kind."""
    items = []
    for c in citations:
        who = c.publisher or c.author
        details = " · ".join(escape(p) for p in (who, c.published, c.kind) if p)
        items.append(
            f'<li><a class="cite src-link" href="#{cite_ref(turn, c.n)}">'
            f'<span class="src-n">[{c.n}]</span> {escape(c.title or c.source_id)}</a>'
            + (f'<span class="src-details"> — {details}</span>' if details else "")
            + "</li>"
        )
    if not items:
        return ""
    return (
        '<div class="sources"><div class="sources-label">Sources</div>'
        f"<ol>{''.join(items)}</ol></div>"
    )


def abstention_html(answer: Answer) -> str:
    """An abstention: plainly not an answer, and pointing at what the documents do cover."""
    if answer.nearest:
        nearest = "".join(f"<li>{escape(topic)}</li>" for topic in answer.nearest)
        cover = f"<p>The nearest the documents come:</p><ul>{nearest}</ul>"
    else:
        cover = "<p>Nothing in the library comes close; the Library tab lists what it holds.</p>"
    why = (
        f"<details><summary>Why no answer</summary>{escape(answer.abstain_reason)}</details>"
        if answer.abstain_reason
        else ""
    )
    return (
        '<div class="abstain answer-done" role="note">'
        '<div class="abstain-title">Not in the documents</div>'
        "<p>The documents in the library do not answer this question, so the assistant "
        "will not guess.</p>"
        f"{cover}{why}</div>"
    )


def empty_panel_html() -> str:
    """The source panel before any citation is opened."""
    return (
        '<div class="src-panel src-empty">'
        '<div class="src-empty-title">Sources</div>'
        '<p>Click a citation number such as <span class="src-n">[1]</span> in an answer to '
        "see the passage it comes from, highlighted in its document.</p></div>"
    )


def source_panel_html(
    citation: Citation,
    document_text: str | None,
    ref: str,
    whole: bool = False,
    context_chars: int = 900,
    sentence: str | None = None,
) -> str:
    """Citation ``ref``'s document details and the cited passage highlighted in its text.

    Inside the cited passage, ``sentence`` (the answer sentence the clicked marker
    follows) is ``<mark>``-ed where the passage holds it word for word, else the
    citation's quoted span. The passage is shown within ``context_chars`` of
    surrounding text, or within the whole document when ``whole``.
    """
    text, start, end = _located(citation, document_text)
    quote_start, quote_end = _sentence_span(text, start, end, sentence) or _quote_span(
        citation, start, end
    )
    if whole:
        lo, hi = 0, len(text)
    else:
        lo, hi = _context_window(text, start, end, context_chars)
    body = (
        ("… " if lo > 0 else "")
        + escape(text[lo:start])
        + '<span class="passage">'
        + escape(text[start:quote_start])
        + f"<mark>{escape(text[quote_start:quote_end])}</mark>"
        + escape(text[quote_end:end])
        + "</span>"
        + escape(text[end:hi])
        + (" …" if hi < len(text) else "")
    )
    if document_text is None:
        toggle = ""
    elif whole:
        toggle = _toggle(ref, "passage", "Back to the cited passage")
    else:
        toggle = _toggle(ref, "whole", "Read the whole document")
    view = "whole document" if whole else "cited passage in context"
    return (
        f'<div class="src-panel" data-ref="{escape(ref, quote=True)}">'
        f"{_source_header(citation)}"
        f'<div class="src-view-label">{view}</div>'
        f'<div class="src-text">{body}</div>'
        f'<div class="src-actions">{toggle}</div></div>'
    )


def _source_header(c: Citation) -> str:
    rows = [
        ("Author", c.author),
        ("Publisher", c.publisher),
        ("Published", c.published),
        ("Kind", c.kind),
        ("Source", c.source_id),
    ]
    facts = "".join(f"<dt>{name}</dt><dd>{escape(value)}</dd>" for name, value in rows if value)
    return (
        f'<div class="src-head"><span class="src-n">[{c.n}]</span>'
        f'<div class="src-title">{escape(c.title or c.source_id)}</div></div>'
        f'<dl class="src-facts">{facts}</dl>'
    )


def _toggle(ref: str, view: str, label: str) -> str:
    return (
        f'<button type="button" class="src-toggle" data-ref="{escape(ref, quote=True)}" '
        f'data-view="{view}">{label}</button>'
    )


def _located(citation: Citation, document_text: str | None) -> tuple[str, int, int]:
    """The text to show and the passage's span in it (the passage alone if it cannot be found)."""
    if document_text is not None:
        if document_text[citation.start : citation.end] == citation.passage:
            return document_text, citation.start, citation.end
        found = document_text.find(citation.passage)
        if found >= 0:
            return document_text, found, found + len(citation.passage)
    return citation.passage, 0, len(citation.passage)


def _sentence_span(text: str, start: int, end: int, sentence: str | None):
    """Where ``sentence`` lies inside the passage ``text[start:end]``, if it does verbatim."""
    if not sentence or not sentence.strip():
        return None
    found = text.find(sentence.strip(), start, end)
    return (found, found + len(sentence.strip())) if found >= 0 else None


def _quote_span(citation: Citation, start: int, end: int) -> tuple[int, int]:
    """The quoted sentence's span, clipped to the passage; the whole passage when unknown."""
    if citation.quote_start is None or citation.quote_end is None:
        return start, end
    shift = start - citation.start  # the passage may have been found elsewhere in the text
    q0 = min(max(citation.quote_start + shift, start), end)
    q1 = min(max(citation.quote_end + shift, q0), end)
    return (q0, q1) if q1 > q0 else (start, end)


def _context_window(text: str, start: int, end: int, chars: int) -> tuple[int, int]:
    """About ``chars`` either side of the passage, widened to whole lines."""
    lo = max(0, start - chars)
    hi = min(len(text), end + chars)
    if lo > 0:
        newline = text.find("\n", lo, start)
        lo = newline + 1 if newline >= 0 else lo
    if hi < len(text):
        newline = text.rfind("\n", end, hi)
        hi = newline if newline >= 0 else hi
    return lo, hi


def library_html(documents: Iterable, mode_line: str) -> str:
    """The library: every ingested document with its metadata, chunk count and ingest date."""
    records = sorted(documents, key=lambda r: (r.metadata.get("title") or r.source_id).lower())
    rows = []
    for r in records:
        meta = r.metadata
        who = " · ".join(escape(p) for p in (meta.get("author"), meta.get("publisher")) if p)
        rows.append(
            "<tr>"
            f'<td><div class="lib-title">{escape(meta.get("title") or r.source_id)}</div>'
            f'<div class="lib-id">{escape(r.source_id)}</div></td>'
            f"<td>{who or '—'}</td>"
            f"<td>{escape(meta.get('published') or '—')}</td>"
            f"<td>{escape(meta.get('kind') or '—')}</td>"
            f'<td class="num">{r.chunk_count}</td>'
            f'<td class="when">{escape(_date(r.ingested_at))}</td>'
            "</tr>"
        )
    chunks = sum(r.chunk_count for r in records)
    summary = f"{len(records)} documents, {chunks} passages."
    if not rows:
        table = '<p class="lib-empty">No documents yet: run <code>nhsa ingest FOLDER</code>.</p>'
    else:
        table = (
            '<table class="lib-table"><thead><tr><th>Document</th><th>Author / publisher</th>'
            '<th>Published</th><th>Kind</th><th class="num">Passages</th><th>Ingested</th>'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    return (
        f'<div class="library"><p class="lib-mode">{escape(mode_line)}</p>'
        f'<p class="lib-summary">{summary}</p>{table}</div>'
    )


def _date(timestamp: str) -> str:
    """An ISO timestamp shown to the minute."""
    if not timestamp:
        return "—"
    zone = " UTC" if timestamp.endswith(("+00:00", "Z")) else ""
    return timestamp.replace("T", " ")[:16] + zone


def header_html(document_count: int, mode_label: str) -> str:
    """The page header: what this is, and what it answers from."""
    return (
        '<div class="app-header"><div>'
        '<div class="app-title">NHS field assistant</div>'
        '<div class="app-tagline">How the NHS in England is organised: roles, structures and '
        "how to engage. Every sentence is cited to the document it comes from.</div></div>"
        f'<div class="app-badge">{document_count} documents · {escape(mode_label)}</div></div>'
    )
