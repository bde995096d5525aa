"""Briefing packs for new field staff: structured, cited, ready to hand out.

    from assistant.api import Assistant
    from assistant.briefing import build_briefing, render_markdown, render_html, write_docx

    bot = Assistant.from_settings()
    pack = build_briefing(bot.briefing_inputs(), audience="kam", focus="primary care networks")
    Path("pack.md").write_text(render_markdown(pack))

Retrieval plans per section, the audiences and the newcomer questions live in
``prompts/briefing/``; this package holds no knowledge of any particular corpus.
"""

from assistant.briefing.build import build_briefing, section_plan
from assistant.briefing.model import Briefing, Card, Line, Section, TimelineEvent
from assistant.briefing.plans import PlanError, load_plans
from assistant.briefing.render_docx import write_docx
from assistant.briefing.render_html import render_html, render_html_fragment
from assistant.briefing.render_md import render_markdown

__all__ = [
    "Briefing",
    "Card",
    "Line",
    "PlanError",
    "Section",
    "TimelineEvent",
    "build_briefing",
    "load_plans",
    "render_html",
    "render_html_fragment",
    "render_markdown",
    "section_plan",
    "write_docx",
]
