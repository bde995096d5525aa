"""Numbering: every cited passage gets one number, in the order the pack is read."""

from __future__ import annotations

from assistant.answer import Citation, citation_from_chunk
from assistant.briefing.model import Briefing


def number_citations(briefing: Briefing) -> None:
    """Give each cited passage a number [n] and each line the numbers it cites."""
    numbers: dict[str, int] = {}
    briefing.citation_sections = {}
    citations: list[Citation] = []
    for line in briefing.lines():
        line.citations = []
        for i, chunk in enumerate(line.chunks):
            key = chunk.id or f"{chunk.meta.source_id}:{chunk.meta.start}"
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                quote = line.quote if i == 0 and line.written_by == "extractive" else None
                citations.append(citation_from_chunk(numbers[key], chunk, quote))
                briefing.citation_sections[numbers[key]] = str(chunk.meta.section or "")
            if numbers[key] not in line.citations:
                line.citations.append(numbers[key])
    briefing.citations = citations
