"""Section 5, glossary: the acronyms the documents spell out, and terms they define.

Acronyms come from the assistant's own glossary (each entry knows the passage that
defines it). A term from the plan's list gets the first sentence that defines it by one
of the plan's definition patterns ("Regional footprints are ...", "primary care, which
encompasses ..."). A definition whose term is an acronym's long form joins that entry.
"""

from __future__ import annotations

import re

from assistant.answering.evidence import Sentence
from assistant.briefing.context import BuildContext
from assistant.briefing.model import Line, Section, Term
from assistant.briefing.statements import line_from, singular, usable
from assistant.retrieval.glossary import GlossaryEntry
from vectorstore.records import Chunk


def _acronym_line(
    entry: GlossaryEntry, chunks: dict[str, Chunk], all_chunks: list[Chunk]
) -> Line | None:
    """The definition as the document writes it ("Primary Care Networks (PCNs)"), cited."""
    defining = chunks.get(entry.chunk_id)
    if defining is None:
        return None
    base = defining.meta.start
    text = " ".join(defining.text[entry.start - base : entry.end - base].split())
    cited = [defining]
    if entry.inferred:
        # Never spelled out: cite where the acronym itself is used, and show it as used.
        used = re.compile(rf"\b{re.escape(entry.short)}s?\b")
        found = next(((c, m) for c in all_chunks if (m := used.search(c.text))), None)
        if found is not None:
            where, match = found
            text = f"{text} ({match.group(0)})"
            if where.id != defining.id:
                cited.append(where)
    return Line(text=text, chunks=cited, quote=(entry.start, entry.end))


def find_definition(
    term: str, sentences: list[Sentence], patterns: list[str]
) -> tuple[Sentence, str] | None:
    """The first sentence that defines ``term`` by one of ``patterns``, and the term as
    that sentence writes it ("Regional footprints" for "regional footprint")."""
    name = re.escape(singular(term)).replace(r"\ ", r"\s+")
    compiled = [re.compile(p.replace("{term}", name), re.IGNORECASE) for p in patterns]
    written = re.compile(rf"\b{name}", re.IGNORECASE)
    for sentence in sentences:
        if usable(sentence) and any(p.search(sentence.text) for p in compiled):
            as_written = written.search(sentence.text)
            return sentence, as_written.group(0) if as_written else term
    return None


def build_glossary(ctx: BuildContext) -> Section:
    """Acronyms (with their defining sentences where found) and defined terms."""
    plan = ctx.plans.glossary
    snap = ctx.snapshot()
    chunks = {c.id or "": c for c in snap.chunks}
    sentences = ctx.all_sentences()
    terms: dict[str, Term] = {}
    for entry in sorted(snap.glossary.entries.values(), key=lambda e: e.short.lower()):
        line = _acronym_line(entry, chunks, snap.chunks)
        if line is not None:
            terms[singular(entry.long).lower()] = Term(
                entry.short, entry.long, [line], entry.inferred
            )
    for term in plan.terms:
        found = find_definition(term, sentences, plan.definition_patterns)
        if found is None:
            continue
        sentence, written = found
        key = singular(term).lower()
        if key in terms:
            terms[key].lines.append(line_from(sentence))
        else:
            terms[key] = Term(written[:1].upper() + written[1:], None, [line_from(sentence)])
    ordered = sorted(terms.values(), key=lambda t: t.term.lower())
    return Section("glossary", plan.title, plan.intro, terms=ordered)
