"""Section 2, who's who: a card per role, each line a sentence about that role.

A sentence goes to the card's facet it is closest to (embedding similarity to the
facet's prototype in the plan, plus a bonus for the facet's cue words). Sentences that
name the role only in passing fill free places; sentences about the role's unit
("clinical networks" for a Clinical Network Lead) only a facet nothing else filled.
Cards are ordered by closeness to the audience and focus.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.answering.evidence import Sentence
from assistant.briefing.context import BuildContext
from assistant.briefing.model import Card, Section
from assistant.briefing.roles import Role, attribute_sentences, discover_roles
from assistant.briefing.statements import line_from, usable
from assistant.briefing.writer import write_lines


def build_people(ctx: BuildContext) -> Section:
    """The who's-who section: roles discovered in the documents, a card each."""
    plan = ctx.plans.people
    sentences = ctx.all_sentences()
    glossary = ctx.snapshot().glossary
    roles = discover_roles(sentences, glossary, plan.role_heads)
    attribute_sentences(roles, sentences, plan.anaphors, plan.anaphor_window)
    carded = [
        r for r in roles if r.first_named and any(usable(s) for s in [*r.sentences, *r.incidental])
    ]
    carded.sort(key=lambda r: -len(r.sentences))
    carded = carded[: plan.max_cards]
    prototypes = ctx.parts.embedder.encode([f.prototype for f in plan.facets])
    made = [_card(ctx, role, np.asarray(prototypes)) for role in carded]
    made.sort(key=lambda pair: -pair[1])
    cards = [card for card, _ in made if card.lines()]
    return Section("people", plan.title, plan.intro, cards=cards)


def _card(ctx: BuildContext, role: Role, prototypes: np.ndarray) -> tuple[Card, float]:
    """The role's card, and how close what it says is to the audience and focus."""
    plan = ctx.plans.people
    facets: dict[str, list[tuple[float, Sentence]]] = {f.key: [] for f in plan.facets}
    direct = [s for s in role.sentences if usable(s)]
    for sentence in direct:
        key, score = _facet_of(ctx, sentence, prototypes)
        facets[key].append((score, sentence))
    # Sentences naming the role in passing fill free places; those about its unit, only
    # facets nothing else filled.
    for sentence in (s for s in role.incidental if usable(s)):
        key, score = _facet_of(ctx, sentence, prototypes)
        if len(facets[key]) < plan.max_per_facet:
            facets[key].append((score - 1.0, sentence))
    for sentence in (s for s in role.context if usable(s)):
        key, score = _facet_of(ctx, sentence, prototypes)
        if not facets[key]:
            facets[key].append((score - 2.0, sentence))
    chosen = {}
    for key, scored in facets.items():
        best = sorted(scored, key=lambda p: -p[0])[: plan.max_per_facet]
        chosen[key] = [line_from(s) for _, s in sorted(best, key=lambda p: p[1].start)]
    card = Card(role.name, role.kind, chosen, mentions=len(role.sentences))
    vectors = [s.vector for _, s in (p for scored in facets.values() for p in scored)]
    closeness = float(np.mean([ctx.bonus(v) for v in vectors])) if vectors else 0.0
    if ctx.mode == "llm" and ctx.parts.writer is not None:
        _write_card(ctx, card, prototypes)
    return card, closeness


def _facet_of(ctx: BuildContext, sentence: Sentence, prototypes: np.ndarray) -> tuple[str, float]:
    plan = ctx.plans.people
    scores = []
    for facet, prototype in zip(plan.facets, prototypes, strict=True):
        score = float(np.dot(sentence.vector, prototype))
        if any(re.search(cue, sentence.text, re.IGNORECASE) for cue in facet.cues):
            score += plan.cue_bonus
        scores.append(score)
    best = int(np.argmax(scores))
    return plan.facets[best].key, scores[best]


def _write_card(ctx: BuildContext, card: Card, prototypes: np.ndarray) -> None:
    """LLM mode: the model words the card from its passages; verified lines replace it."""
    plan = ctx.plans.people
    chunks = list({line.chunks[0].id: line.chunks[0] for line in card.lines()}.values())
    facets = ", ".join(f.label.lower() for f in plan.facets)
    instructions = plan.llm_instructions.format(role=card.role, facets=facets)
    lines = write_lines(ctx, card.role, instructions, chunks, len(card.lines()), [])
    if not lines:
        return  # the extractive card stands
    vectors = ctx.parts.embedder.encode([line.text for line in lines])
    regrouped: dict[str, list] = {f.key: [] for f in plan.facets}
    for line, vector in zip(lines, vectors, strict=True):
        best = int(np.argmax([float(np.dot(vector, p)) for p in prototypes]))
        regrouped[plan.facets[best].key].append(line)
    card.facets = regrouped
