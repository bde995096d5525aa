"""Build a briefing pack: each section from the documents, in the audience's order."""

from __future__ import annotations

import time
from datetime import date

from assistant.briefing.cards import build_people
from assistant.briefing.citations import number_citations
from assistant.briefing.context import BriefingInputs, BuildContext, ProgressCallback
from assistant.briefing.gaps import build_gaps
from assistant.briefing.model import Briefing, Section
from assistant.briefing.plans import BriefingPlans, load_plans
from assistant.briefing.sources import build_sources
from assistant.briefing.terms import build_glossary
from assistant.briefing.timeline import build_timeline
from assistant.briefing.topics import build_focus, build_topic_section

_BUILDERS = {
    "focus": build_focus,
    "people": build_people,
    "organisation": lambda ctx: build_topic_section(ctx, "organisation", ctx.plans.organisation),
    "medicines": lambda ctx: build_topic_section(ctx, "medicines", ctx.plans.medicines),
    "timeline": build_timeline,
    "glossary": build_glossary,
    "gaps": build_gaps,
}
# The order sections are built in, whatever order they are shown in: topic sections
# share one pool of sentences (none quoted twice), and the fixed order keeps which
# section gets a sentence independent of the audience's layout.
_BUILD_ORDER = ("focus", "organisation", "medicines", "people", "timeline", "glossary", "gaps")


def section_plan(plans: BriefingPlans, audience: str, focus: str | None) -> list[str]:
    """Section keys in the order the pack shows them (the focus leads when given)."""
    order = list(plans.audience(audience).order)
    return ["focus", *order] if focus else order


def build_briefing(
    parts: BriefingInputs,
    audience: str = "kam",
    focus: str | None = None,
    mode: str | None = None,
    on_progress: ProgressCallback | None = None,
    plans: BriefingPlans | None = None,
) -> Briefing:
    """A briefing pack for ``audience`` (kam, market-access, msl), optionally on ``focus``.

    ``parts`` come from ``Assistant.briefing_inputs()``. ``mode`` is extractive or llm
    (default: the assistant's). ``on_progress(step, done, total)`` is called before each
    section is built and once at the end.
    """
    started = time.perf_counter()
    plans = plans or load_plans()
    focus = (focus or "").strip() or None
    mode = mode or parts.default_mode
    if mode == "llm" and parts.writer is None:
        raise ValueError("mode 'llm' needs an endpoint: set NHSA_LLM__BASE_URL")
    shown = section_plan(plans, audience, focus)
    ctx = BuildContext.create(parts, plans, audience, focus, mode)
    ctx.all_sentences()  # embeds every sentence in one batch, not passage by passage
    steps = [k for k in _BUILD_ORDER if k in shown]
    total = len(steps) + 1  # and the sources, once citations are numbered
    built: dict[str, Section] = {}
    titles = _titles(plans, focus)
    for done, key in enumerate(steps):
        if on_progress:
            on_progress(titles[key], done, total)
        built[key] = _BUILDERS[key](ctx)
    briefing = Briefing(
        title=plans.pack.title.format(audience=ctx.audience.label),
        intro=plans.pack.intro,
        audience=audience,
        audience_label=ctx.audience.label,
        focus=focus,
        mode=mode,
        created=date.today().isoformat(),
        sections=[built[k] for k in shown if k in built],
        labels={
            **{f.key: f.label for f in plans.people.facets},
            "documents": plans.sources.documents_heading,
            "passages": plans.sources.passages_heading,
        },
    )
    number_citations(briefing)
    if on_progress:
        on_progress(titles["sources"], total - 1, total)
    briefing.sections.append(build_sources(ctx, briefing))
    briefing.removed_sentences = ctx.removed_sentences
    briefing.fallbacks = ctx.fallbacks
    briefing.build_seconds = time.perf_counter() - started
    if on_progress:
        on_progress("done", total, total)
    return briefing


def _titles(plans: BriefingPlans, focus: str | None) -> dict[str, str]:
    return {
        "focus": plans.focus.title.format(focus=focus or ""),
        "organisation": plans.organisation.title,
        "people": plans.people.title,
        "medicines": plans.medicines.title,
        "timeline": plans.timeline.title,
        "glossary": plans.glossary.title,
        "gaps": plans.gaps.title,
        "sources": plans.sources.title,
    }
