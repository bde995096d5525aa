"""Sections made of retrieved topics: the NHS's levels, medicines optimisation, the focus.

Each topic retrieves with its plan's queries (and the focus, when there is one), keeps
the sentences that mention what the topic is about, scores them as answers are scored,
plus the audience's and focus's emphasis, and quotes the best few. No sentence is
quoted twice across these sections.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.answering.evidence import Sentence
from assistant.answering.extractive import ScoredSentence, score_sentences, select_sentences
from assistant.briefing.context import BuildContext
from assistant.briefing.map_figure import core, map_lines
from assistant.briefing.model import Line, Section, Topic
from assistant.briefing.plans import TopicPlan, TopicSectionPlan
from assistant.briefing.statements import line_from, mention_pattern, sentence_key, usable
from assistant.briefing.writer import write_lines
from vectorstore.records import Chunk


def retrieve_chunks(ctx: BuildContext, queries: list[str], k: int) -> tuple[list[Chunk], list]:
    """Passages for every query (first seen first), and each query's retrieval."""
    chunks: dict[str, Chunk] = {}
    retrievals = []
    for query in queries:
        retrieval = ctx.retrieve(query, k)
        retrievals.append(retrieval)
        for hit in retrieval.hits:
            chunks.setdefault(hit.chunk.id or "", hit.chunk)
    return list(chunks.values()), retrievals


@dataclass
class _Ranked:
    """A topic's candidate sentences, best first, with what they were drawn from."""

    topic: TopicPlan
    scored: list[ScoredSentence]
    sentences: list[Sentence]
    chunks: list[Chunk]


def _rank(ctx: BuildContext, topic: TopicPlan) -> _Ranked:
    queries = list(topic.queries)
    if ctx.focus:
        queries.append(f"{topic.queries[0]} {ctx.focus}")
    chunks, retrievals = retrieve_chunks(ctx, queries, topic.k)
    sentences = ctx.parts.sentences.sentences(chunks)
    wanted = mention_pattern(topic.mention_any)
    candidates = [
        s
        for s in sentences
        if usable(s)
        and not s.text.rstrip().endswith(":")  # "... as follows:" says nothing
        and sentence_key(s) not in ctx.used
        and (wanted is None or wanted.search(s.text))
    ]
    snap = ctx.snapshot()
    best: dict[tuple[str, int], ScoredSentence] = {}
    for retrieval in retrievals:
        scored = score_sentences(
            retrieval.query,
            np.asarray(retrieval.query_vector),
            candidates,
            snap.lexical,
            ctx.parts.compose,
            snap.glossary,
        )
        for item in scored:
            key = sentence_key(item.sentence)
            if key not in best or item.score > best[key].score:
                best[key] = item
    for item in best.values():
        item.score += ctx.bonus(item.sentence.vector)
    return _Ranked(topic, sorted(best.values(), key=lambda s: -s.score), sentences, chunks)


def _choose(ctx: BuildContext, ranked: _Ranked) -> list[Line]:
    # A section takes more lines than an answer, with a slightly lower bar for each.
    params = ctx.parts.compose.model_copy(
        update={"max_sentences": ranked.topic.max_lines, "min_relative_score": 0.5}
    )
    picked = select_sentences(ranked.scored, ranked.sentences, params)
    place = {(s.chunk.id, s.position): s for s in picked}
    kept = []
    for s in picked:
        before = place.get((s.chunk.id, s.position - 1))
        # When the sentence a leaning one needs ("They ...") is quoted elsewhere already,
        # the leaning one goes too: on its own it would not make sense.
        if (
            sentence_key(s) in ctx.used
            or s.is_heading
            or (before is not None and sentence_key(before) in ctx.used)
        ):
            continue
        kept.append(s)
    ctx.used.update(sentence_key(s) for s in kept)
    return [line_from(s) for s in kept]


def build_topic(ctx: BuildContext, ranked: _Ranked) -> Topic:
    """One topic: quoted sentences, or in LLM mode the model's verified wording."""
    lines = _choose(ctx, ranked)
    topic = ranked.topic
    if ctx.mode == "llm" and ctx.parts.writer is not None and lines:
        cited = list({line.chunks[0].id: line.chunks[0] for line in lines}.values())
        others = [c for c in ranked.chunks if c.id not in {x.id for x in cited}]
        lines = write_lines(
            ctx, topic.heading, topic.heading, [*cited, *others][:6], topic.max_lines, lines
        )
    return Topic(topic.heading, lines)


def build_topic_section(ctx: BuildContext, key: str, plan: TopicSectionPlan) -> Section:
    """A section of topics from the plan plus the audience's extra topics for it.

    A sentence several topics could use goes to the one it fits best, so "regional
    offices" lands under Regional even when National retrieved it too.
    """
    ranked = [_rank(ctx, t) for t in [*plan.topics, *ctx.audience.extra_topics.get(key, [])]]
    home: dict[tuple[str, int], tuple[float, int]] = {}
    for i, r in enumerate(ranked):
        for item in r.scored:
            k = sentence_key(item.sentence)
            home[k] = max(home.get(k, (float("-inf"), -1)), (item.score, i))
    for i, r in enumerate(ranked):
        r.scored = [item for item in r.scored if home[sentence_key(item.sentence)][1] == i]
    built = [build_topic(ctx, r) for r in ranked]
    section = Section(key, plan.title, plan.intro, topics=[t for t in built if t.lines])
    if plan.map_heading and ctx.parts.structure is not None:
        drawn = core(ctx.parts.structure())
        if drawn.nodes:
            section.figure = drawn
            lines = map_lines(drawn, ctx.snapshot().fetch)
            lines.heading = plan.map_heading
            section.topics.append(lines)
    return section


def build_focus(ctx: BuildContext) -> Section:
    """The section in front of the pack on the user's focus."""
    plan = ctx.plans.focus
    focus = ctx.focus or ""
    topic = TopicPlan(
        heading=focus,
        queries=[q.format(focus=focus) for q in plan.queries],
        max_lines=plan.max_lines,
        k=8,
    )
    built = build_topic(ctx, _rank(ctx, topic))
    built.heading = ""  # the section's title already names the focus
    return Section(
        "focus",
        plan.title.format(focus=focus),
        plan.intro,
        topics=[built] if built.lines else [],
        note="" if built.lines else plan.empty_note,
    )
