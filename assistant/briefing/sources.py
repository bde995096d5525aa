"""Section 7, sources: a full reference for every document, from the store's metadata."""

from __future__ import annotations

from assistant.briefing.context import BuildContext
from assistant.briefing.model import Briefing, Section, Source


def reference(metadata: dict, source_id: str, file: str) -> str:
    """Author. (Date). Title. Publisher. Kind. File: name."""
    parts = [
        metadata.get("author"),
        f"({metadata['published']})" if metadata.get("published") else "(undated)",
        metadata.get("title") or source_id,
        metadata.get("publisher"),
        metadata.get("kind"),
        f"File: {file}" if file else None,
    ]
    return ". ".join(p.rstrip(".") for p in parts if p) + "."


def build_sources(ctx: BuildContext, briefing: Briefing) -> Section:
    """Every document in the store, oldest first, with the passage numbers cited from it."""
    plan = ctx.plans.sources
    records = ctx.assistant.store.documents()
    cited: dict[str, list[int]] = {}
    for citation in briefing.citations:
        cited.setdefault(citation.source_id, []).append(citation.n)
    ordered = sorted(
        records.values(), key=lambda r: (r.metadata.get("published") or "", r.source_id)
    )
    sources = [
        Source(r.source_id, reference(r.metadata, r.source_id, r.file), cited.get(r.source_id, []))
        for r in ordered
    ]
    return Section("sources", plan.title, plan.intro, sources=sources)
