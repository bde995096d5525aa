"""Section 4, what changed when: dated statements, oldest first, superseded ones flagged.

A statement is dated by a date written in it ("from April 2023", "2018/19", "towards the
end of 2018") or, failing that, by its document's publication date. A later statement
that reports a body replaced ("the folding of clinical commissioning groups into ICSs")
flags every earlier statement about that body as superseded; the bodies are the
glossary's acronyms, so nothing here knows which bodies a corpus talks about.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from assistant.answering.evidence import Sentence
from assistant.briefing.context import BuildContext
from assistant.briefing.model import DatePoint, Section, TimelineEvent
from assistant.briefing.statements import (
    line_from,
    sentence_key,
    singular,
    stands_alone,
    usable,
)
from assistant.briefing.topics import retrieve_chunks
from assistant.retrieval.glossary import Glossary, GlossaryEntry

_LABEL_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_MONTHS = {m.lower(): i for i, m in enumerate(_LABEL_MONTHS, start=1)}
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
    r"Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_YEAR = r"(?P<year>(?:19[5-9]|20[0-4])\d)"
_DAY_MONTH_YEAR = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s+{_YEAR}\b")
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+{_YEAR}\b")
_FINANCIAL_YEAR = re.compile(rf"\b{_YEAR}[/-](?P<next>\d{{2}})\b")
_BARE_YEAR = re.compile(rf"(?<![\d/-]){_YEAR}(?![\d/]|-\d)")


def find_date(text: str, qualifiers: dict[str, int]) -> DatePoint | None:
    """The most precise date written in ``text`` (the first, at equal precision)."""
    if m := _DAY_MONTH_YEAR.search(text):
        month = _MONTHS[m["month"][:3].lower()]
        return DatePoint(
            int(m["year"]),
            month,
            int(m["day"]),
            f"{int(m['day'])} {_LABEL_MONTHS[month - 1]} {m['year']}",
        )
    if m := _MONTH_YEAR.search(text):
        month = _MONTHS[m["month"][:3].lower()]
        return DatePoint(int(m["year"]), month, None, f"{_LABEL_MONTHS[month - 1]} {m['year']}")
    if (m := _FINANCIAL_YEAR.search(text)) and int(m["next"]) == (int(m["year"]) + 1) % 100:
        return DatePoint(int(m["year"]), 4, None, f"{m['year']}/{m['next']}")
    if m := _BARE_YEAR.search(text):
        year = int(m["year"])
        before = text[max(0, m.start() - 30) : m.start()].lower()
        for word, month in qualifiers.items():
            # "the end of 2018", "the autumn Budget 2018"
            found = re.search(rf"\b{word}\b(\s+of)?(?:\s+the)?(?:\s+[A-Za-z]+)?\s*$", before)
            if found:
                return DatePoint(year, month, None, f"{word}{found[1] or ''} {year}")
        return DatePoint(year, None, None, str(year))
    return None


def document_date(published: str | None) -> DatePoint | None:
    """A document's publication date (2019, 2022-09 or 2019-01-22) as a DatePoint."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", published or "")
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None
    label = str(year) if not month else f"{_LABEL_MONTHS[month - 1]} {year}"
    return DatePoint(year, month, day, f"{day} {label}" if day else label)


def _text_dated(ctx: BuildContext) -> list[TimelineEvent]:
    qualifiers = ctx.plans.timeline.qualifiers
    events = []
    for sentence in ctx.all_sentences():
        if usable(sentence) and (date := find_date(sentence.text, qualifiers)):
            events.append(TimelineEvent(date, line_from(sentence), "text"))
    return events


def _document_dated(ctx: BuildContext, taken: set[tuple[str, int]]) -> list[TimelineEvent]:
    """Statements on the plan's themes, dated by their documents; a few per document."""
    plan = ctx.plans.timeline
    chunks, retrievals = retrieve_chunks(ctx, plan.queries, 6)
    sentences = [
        s
        for s in ctx.parts.sentences.sentences(chunks)
        if usable(s) and stands_alone(s.text) and sentence_key(s) not in taken
    ]
    best: dict[tuple[str, int], tuple[float, Sentence]] = {}
    for retrieval in retrievals:
        vector = np.asarray(retrieval.query_vector)
        for s in sentences:
            score = float(np.dot(vector, s.vector)) + ctx.bonus(s.vector)
            if sentence_key(s) not in best or score > best[sentence_key(s)][0]:
                best[sentence_key(s)] = (score, s)
    per_doc: dict[str, int] = {}
    events = []
    for _, s in sorted(best.values(), key=lambda p: -p[0]):
        source = s.chunk.meta.source_id
        date = document_date(s.chunk.meta.published)
        if date is None or per_doc.get(source, 0) >= plan.per_document:
            continue
        per_doc[source] = per_doc.get(source, 0) + 1
        events.append(TimelineEvent(date, line_from(s), "document"))
        if len(events) >= plan.max_document_dated:
            break
    return events


def _forms(entry: GlossaryEntry) -> str:
    names = [entry.short, singular(entry.long)]
    return "(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") + "(?:s|es)?" for n in names) + ")"


@lru_cache(maxsize=4096)
def _replaced_pattern(pattern: str, short: str, long: str) -> re.Pattern[str]:
    # Compiled once per body and wording: re's own cache (512) is smaller than a real
    # library's glossary times the wordings, and recompiling took minutes per pack.
    forms = _forms(GlossaryEntry(short, long, "", "", 0, 0))
    return re.compile(pattern.replace("{old}", forms), re.IGNORECASE)


def replaced_bodies(text: str, glossary: Glossary, patterns: list[str]) -> list[GlossaryEntry]:
    """The bodies ``text`` reports replaced, folded in or abolished (only a body the
    text names can be one)."""
    return [
        entry
        for entry in glossary.mentioned(text)
        if any(_replaced_pattern(p, entry.short, entry.long).search(text) for p in patterns)
    ]


def flag_superseded(events: list[TimelineEvent], glossary: Glossary, patterns: list[str]) -> None:
    """Mark statements about a body that a later statement reports replaced."""
    for event in events:
        event.terms = [e.short for e in glossary.mentioned(event.line.text)]
    for later in events:
        for entry in replaced_bodies(later.line.text, glossary, patterns):
            for earlier in events:
                if (
                    earlier is not later
                    and entry.short in earlier.terms
                    and earlier.date.sort_key < later.date.sort_key
                    and earlier.superseded_by is None
                ):
                    earlier.superseded_by = (
                        f"a later statement ({later.date.label}) reports a change to "
                        f"{entry.short} ({entry.long})"
                    )


def _change_statements(ctx: BuildContext, taken: set, glossary: Glossary) -> list[TimelineEvent]:
    """Statements reporting a body replaced: the changes the timeline is about."""
    patterns = ctx.plans.timeline.supersession.patterns
    events = []
    for sentence in ctx.all_sentences():
        if not usable(sentence) or sentence_key(sentence) in taken:
            continue
        if replaced_bodies(sentence.text, glossary, patterns):
            date = document_date(sentence.chunk.meta.published)
            if date is not None:
                events.append(TimelineEvent(date, line_from(sentence), "document"))
    return events


def _taken(events: list[TimelineEvent]) -> set[tuple[str, int]]:
    """The sentences the events already quote."""
    return {key for e in events if (key := e.line.key) is not None}


def build_timeline(ctx: BuildContext) -> Section:
    """Dated statements from the text and the documents' own dates, oldest first."""
    plan = ctx.plans.timeline
    glossary = ctx.snapshot().glossary
    events = _text_dated(ctx)
    events += _change_statements(ctx, _taken(events), glossary)
    events += _document_dated(ctx, _taken(events))
    published = {sid: rec.published or "" for sid, rec in ctx.parts.library().items()}

    def order(e: TimelineEvent) -> tuple:
        key = e.line.key or ("", -1)
        return (e.date.sort_key, published.get(key[0], ""), key)

    events.sort(key=order)
    flag_superseded(events, glossary, plan.supersession.patterns)
    return Section("timeline", plan.title, plan.intro, events=events)
