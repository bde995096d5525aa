"""LLM mode for briefing sections: the grounded writer words a section from numbered
passages. When too little survives the verifier, or the endpoint fails, the extractive
lines given as ``fallback`` stand, and the pack records why.
"""

from __future__ import annotations

from assistant.briefing.context import BuildContext
from assistant.briefing.model import Line
from prompts import load_prompt
from vectorstore.records import Chunk


def write_lines(
    ctx: BuildContext,
    heading: str,
    instructions: str,
    chunks: list[Chunk],
    max_sentences: int,
    fallback: list[Line],
) -> list[Line]:
    """The model's verified lines for a section, or ``fallback`` when they do not hold."""
    writer = ctx.parts.writer
    if not chunks or writer is None:
        return fallback
    max_sentences = max(max_sentences, 1)
    system = load_prompt("briefing/section_system").format(
        audience=ctx.audience.label, max_sentences=max_sentences
    )
    fields = {"heading": heading, "instructions": instructions, "max_sentences": max_sentences}
    written = writer.write(system, "briefing/section_user", fields, chunks)
    ctx.removed_sentences.extend(written.removed)
    if written.failure:
        ctx.fallbacks.append(f"{heading}: {written.failure}")
        return fallback
    return [
        Line(text=text, chunks=[chunks[n - 1] for n in cited], written_by="llm")
        for text, cited in written.sentences
    ]
