"""Sections made of retrieved topics: the NHS's levels, medicines optimisation, the focus.

Each topic retrieves with its plan's queries (and the focus, when there is one), keeps
the sentences that mention what the topic is about, scores them as answers are scored,
plus the audience's and focus's emphasis, and quotes the best few. No sentence is
quoted twice across these sections.
"""

from __future__ import annotations

import numpy as np
from langchain_core.documents import Document

from assistant.briefing.context import BuildContext
from assistant.briefing.model import Line, Section, Topic
from assistant.briefing.plans import TopicPlan, TopicSectionPlan
from assistant.briefing.statements import line_from, mention_pattern, sentence_key, usable
from assistant.briefing.writer import write_lines
from assistant.extractive import ComposeParams, ScoredSentence, score_sentences, select_sentences


def retrieve_chunks(ctx: BuildContext, queries: list[str], k: int) -> tuple[list[Document], list]:
    """Passages for every query (first seen first), and each query's retrieval."""
    chunks: dict[str, Document] = {}
    retrievals = []
    for query in queries:
        retrieval = ctx.retrieve(query, k)
        retrievals.append(retrieval)
        for hit in retrieval.hits:
            chunks.setdefault(hit.chunk.id or "", hit.chunk)
    return list(chunks.values()), retrievals


def pick_lines(ctx: BuildContext, topic: TopicPlan) -> tuple[list[Line], list[Document]]:
    """The best sentences for a topic, quoted, and the passages they were chosen from."""
    queries = list(topic.queries)
    if ctx.focus:
        queries.append(f"{topic.queries[0]} {ctx.focus}")
    chunks, retrievals = retrieve_chunks(ctx, queries, topic.k)
    sentences = ctx.assistant.sentences.sentences(chunks)
    wanted = mention_pattern(topic.mention_any)
    candidates = [
        s for s in sentences
        if usable(s) and sentence_key(s) not in ctx.used
        and (wanted is None or wanted.search(s.text))
    ]
    snap = ctx.snapshot()
    params = ComposeParams(max_sentences=topic.max_lines, min_relative_score=0.5)
    best: dict[tuple[str, int], ScoredSentence] = {}
    for retrieval in retrievals:
        scored = score_sentences(retrieval.query, np.asarray(retrieval.query_vector),
                                 candidates, snap.lexical, params, snap.glossary)
        for item in scored:
            key = sentence_key(item.sentence)
            if key not in best or item.score > best[key].score:
                best[key] = item
    for item in best.values():
        item.score += ctx.bonus(item.sentence.vector)
    ranked = sorted(best.values(), key=lambda s: -s.score)
    chosen = [s for s in select_sentences(ranked, sentences, params)
              if sentence_key(s) not in ctx.used and not s.is_heading]
    ctx.used.update(sentence_key(s) for s in chosen)
    return [line_from(s) for s in chosen], chunks


def build_topic(ctx: BuildContext, topic: TopicPlan) -> Topic:
    """One topic: quoted sentences, or in LLM mode the model's verified wording."""
    lines, chunks = pick_lines(ctx, topic)
    if ctx.mode == "llm" and ctx.assistant.llm is not None and lines:
        cited = list({line.chunks[0].id: line.chunks[0] for line in lines}.values())
        others = [c for c in chunks if c.id not in {x.id for x in cited}]
        lines = write_lines(ctx, topic.heading, topic.heading, [*cited, *others][:6],
                            topic.max_lines, lines)
    return Topic(topic.heading, lines)


def build_topic_section(ctx: BuildContext, key: str, plan: TopicSectionPlan) -> Section:
    """A section of topics from the plan plus the audience's extra topics for it."""
    topics = [*plan.topics, *ctx.audience.extra_topics.get(key, [])]
    built = [build_topic(ctx, t) for t in topics]
    return Section(key, plan.title, plan.intro, topics=[t for t in built if t.lines])


def build_focus(ctx: BuildContext) -> Section:
    """The section in front of the pack on the user's focus."""
    plan = ctx.plans.focus
    focus = ctx.focus or ""
    topic = TopicPlan(heading=focus, queries=[q.format(focus=focus) for q in plan.queries],
                      max_lines=plan.max_lines, k=8)
    built = build_topic(ctx, topic)
    return Section("focus", plan.title.format(focus=focus), plan.intro,
                   topics=[built] if built.lines else [],
                   note="" if built.lines else "The documents say nothing about this focus.")
