"""Section 7, sources: a full reference for every document, from the store's metadata."""

from __future__ import annotations

from assistant.briefing.context import BuildContext
from assistant.briefing.model import Briefing, Section, Source
from vectorstore.records import DocumentRecord


def reference(record: DocumentRecord) -> str:
    """Author. (Date). Title. Publisher. Kind. File: name."""
    parts = [
        record.author,
        f"({record.published})" if record.published else "(undated)",
        record.title or record.source_id,
        record.publisher,
        record.kind,
        f"File: {record.file}" if record.file else None,
    ]
    return ". ".join(p.rstrip(".") for p in parts if p) + "."


def build_sources(ctx: BuildContext, briefing: Briefing) -> Section:
    """Every document in the store, oldest first, with the passage numbers cited from it."""
    plan = ctx.plans.sources
    records = ctx.parts.library()
    cited: dict[str, list[int]] = {}
    for citation in briefing.citations:
        cited.setdefault(citation.source_id, []).append(citation.n)
    ordered = sorted(records.values(), key=lambda r: (r.published or "", r.source_id))
    sources = [Source(r.source_id, reference(r), cited.get(r.source_id, [])) for r in ordered]
    return Section("sources", plan.title, plan.intro, sources=sources)
