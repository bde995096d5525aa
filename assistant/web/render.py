"""Answers, sources and documents as HTML for the chat.

The markup is in ``templates/chat.html.j2`` (one macro per piece), rendered with
autoescaping: document and user text is always data, so a document holding
``<script>`` shows those characters. This module prepares the values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader

from assistant.answer import Answer, AnswerProgress, AnswerSentence, Citation, markers_shown
from vectorstore.records import DocumentRecord

_REF = re.compile(r"^cite-(\d+)-(\d+)(?:-(\d+))?$")


@cache
def _macros() -> Any:
    """The chat template's macros, each returning escaped markup."""
    env = Environment(loader=PackageLoader("assistant.web", "templates"), autoescape=True)
    env.globals["when"] = _date
    return env.get_template("chat.html.j2").module


def _render(macro: str, *args: Any) -> str:
    return str(getattr(_macros(), macro)(*args))


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
    return _render("question", shown)


def pending_html() -> str:
    """What the chat shows while the documents are searched."""
    return _render("pending")


def notice_html(message: str) -> str:
    """A message from the app itself (not an answer), e.g. input too long."""
    return _render("notice", message)


def too_long_message(length: int, limit: int) -> str:
    """Why an over-long question is not answered, and what to do instead."""
    return (
        f"That message is {length:,} characters long; questions are limited to {limit:,} "
        "characters. Please ask the question itself, in a sentence or two."
    )


def progress_html(progress: AnswerProgress) -> str:
    """An LLM answer being written: verified sentences marked, the draft of the next one
    shown as unchecked (the sources come with the final answer)."""
    return _render("progress", progress.verified, progress.removed, progress.draft)


def answer_html(answer: Answer, turn: int, shown: int | None = None) -> str:
    """The answer of chat turn ``turn``, its first ``shown`` sentences (all when None).

    Only the complete answer carries the list of sources (and the ``answer-done`` class).
    """
    if answer.abstained:
        return abstention_html(answer)
    sentences = answer.sentences if shown is None else answer.sentences[:shown]
    complete = shown is None or shown >= len(answer.sentences)
    titles = {c.n: c.title or c.source_id for c in answer.citations}
    state = "answer-done" if complete else "answer-streaming"
    shown_sentences = [
        {"sentence": s, "markers": _markers(s, turn, i, titles) if marked else []}
        for i, (s, marked) in enumerate(zip(sentences, markers_shown(sentences), strict=True))
    ]
    return _render(
        "answer",
        state,
        shown_sentences,
        answer.text,  # an answer without sentence structure: its text, still escaped
        _source_items(answer.citations, turn),
        complete,
        answer.fallback,
    )


def _markers(
    sentence: AnswerSentence, turn: int, index: int, titles: dict[int, str]
) -> list[dict[str, Any]]:
    """The clickable ``[n]`` after sentence ``index``: each opens citation n on it."""
    return [
        {"ref": cite_ref(turn, n, index), "n": n, "title": titles.get(n, "")}
        for n in sentence.citations
    ]


def sentence_html(sentence: AnswerSentence, turn: int, index: int, titles: dict[int, str]) -> str:
    """Answer sentence ``index`` followed by its citation markers."""
    return _render("sentence", sentence, _markers(sentence, turn, index, titles))


def _source_items(citations: Iterable[Citation], turn: int) -> list[dict[str, Any]]:
    return [
        {
            "ref": cite_ref(turn, c.n),
            "n": c.n,
            "title": c.title or c.source_id,
            "details": [p for p in (c.publisher or c.author, c.published, c.kind) if p],
        }
        for c in citations
    ]


def sources_html(citations: Iterable[Citation], turn: int) -> str:
    """The cited sources as a numbered list: title, publisher or author, date, kind."""
    return _render("sources", _source_items(citations, turn))


def abstention_html(answer: Answer) -> str:
    """An abstention: plainly not an answer, and pointing at what the documents do cover."""
    return _render("abstention", answer.nearest, answer.abstain_reason)


def empty_panel_html() -> str:
    """The source panel before any citation is opened."""
    return _render("empty_panel")


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
    pieces = {
        "cut_before": lo > 0,
        "before": text[lo:start],
        "lead": text[start:quote_start],
        "quote": text[quote_start:quote_end],
        "tail": text[quote_end:end],
        "after": text[end:hi],
        "cut_after": hi < len(text),
    }
    if document_text is None:
        toggle = None
    elif whole:
        toggle = {"view": "passage", "label": "Back to the cited passage"}
    else:
        toggle = {"view": "whole", "label": "Read the whole document"}
    view = "whole document" if whole else "cited passage in context"
    return _render("source_panel", citation, ref, view, pieces, toggle)


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


def library_html(documents: Iterable[DocumentRecord], mode_line: str) -> str:
    """The library: every ingested document with its metadata, chunk count and ingest date."""
    records = sorted(documents, key=lambda r: (r.title or r.source_id).lower())
    return _render("library", mode_line, records, sum(r.chunk_count for r in records))


def _date(timestamp: str) -> str:
    """An ISO timestamp shown to the minute."""
    if not timestamp:
        return "—"
    zone = " UTC" if timestamp.endswith(("+00:00", "Z")) else ""
    return timestamp.replace("T", " ")[:16] + zone


def header_html(document_count: int, mode_label: str) -> str:
    """The page header: what this is, and what it answers from."""
    return _render("header", document_count, mode_label)
