"""Section 6, what the documents do not tell you: standard questions the assistant refuses.

Each newcomer question in the plan (and the audience's extras) is asked of the
assistant exactly as a user would ask it, offline; the ones it abstains on are listed
with why and what the documents come nearest to, so the reader knows to look elsewhere.
"""

from __future__ import annotations

from assistant.briefing.context import BuildContext
from assistant.briefing.model import Gap, Section


def build_gaps(ctx: BuildContext) -> Section:
    """The standard questions the documents do not answer."""
    plan = ctx.plans.gaps
    questions = [*plan.questions, *ctx.audience.extra_questions]
    gaps = []
    for question in questions:
        answer = ctx.parts.ask(question, mode="extractive")
        if answer.abstained:
            gaps.append(Gap(question, answer.abstain_reason or "", list(answer.nearest)))
    note = plan.answered_note.format(answered=len(questions) - len(gaps), asked=len(questions))
    return Section("gaps", plan.title, plan.intro, gaps=gaps, note=note)
