"""LLM mode: the model words a section from numbered passages; each sentence is verified.

The check is the answers' own (``assistant.verify``): a sentence stays only when the
passages it cites support it. When too little survives, or the endpoint fails, the
extractive lines given as ``fallback`` stand, and the pack records why.
"""

from __future__ import annotations

import re

from langchain_core.documents import Document
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.briefing.context import BuildContext
from assistant.briefing.model import Line
from assistant.verify import split_cited, verify_sentences
from ingest.chunking import split_sentences
from ingest.tokens import count_tokens
from prompts import load_prompt

NOT_IN_DOCUMENTS = "NOT IN DOCUMENTS"
_TEMPLATE_MARGIN = 96  # room for the chat template's own tokens


def _prompts(
    ctx: BuildContext, heading: str, instructions: str, chunks: list[Document], max_sentences: int
) -> tuple[str, str, int]:
    settings = ctx.assistant.settings
    system = load_prompt("briefing/section_system").format(
        audience=ctx.audience.label, max_sentences=max_sentences
    )
    budget = settings.llm.context_window - settings.llm.max_answer_tokens - _TEMPLATE_MARGIN
    used = len(chunks)
    while True:
        passages = "\n\n".join(
            f'<passage n="{n}">\n{c.page_content}\n</passage>'
            for n, c in enumerate(chunks[:used], start=1)
        )
        user = load_prompt("briefing/section_user").format(
            heading=heading,
            instructions=instructions,
            passages=passages,
            max_sentences=max_sentences,
        )
        if count_tokens(system) + count_tokens(user) <= budget or used <= 1:
            return system, user, used
        used -= 1


def _sentences(raw: str) -> list[str]:
    # "... the board. [2] Next ..." would not split after "board." (a marker is no capital
    # letter): markers move before the full stop, "... the board [2]. Next ...".
    text = re.sub(r"([.!?])\s*((?:\[\d+\]\s*)+)", r" \2\1 ", " ".join(raw.split()))
    text = " ".join(text.split())
    out: list[str] = []
    for start, end in split_sentences(text):
        piece = text[start:end].strip()
        text_only, cited = split_cited(piece)
        if not text_only and cited and out:
            out[-1] = f"{out[-1]} {piece}"  # "... the board. [2]": give the marker back
        elif piece:
            out.append(piece)
    return out


def write_lines(
    ctx: BuildContext,
    heading: str,
    instructions: str,
    chunks: list[Document],
    max_sentences: int,
    fallback: list[Line],
) -> list[Line]:
    """The model's verified lines for a section, or ``fallback`` when they do not hold."""
    assistant = ctx.assistant
    if not chunks:
        return fallback
    answer = assistant.settings.answer
    system, user, used = _prompts(ctx, heading, instructions, chunks, max(max_sentences, 1))
    try:
        reply = assistant.llm.chat.invoke([SystemMessage(system), HumanMessage(user)])
        raw = str(reply.content).strip()
    except Exception as exc:  # the endpoint is optional: never let it break the pack
        ctx.fallbacks.append(f"{heading}: the LLM endpoint failed ({type(exc).__name__})")
        return fallback
    if not raw or NOT_IN_DOCUMENTS in raw.upper():
        ctx.fallbacks.append(f"{heading}: the LLM found nothing to say")
        return fallback
    passages = {n: assistant.sentences.sentences([c]) for n, c in enumerate(chunks[:used], 1)}
    verdicts = verify_sentences(
        _sentences(raw),
        passages,
        assistant.embedder,
        answer.verify_min_similarity,
        answer.verify_min_support,
    )
    kept = [v for v in verdicts if v.supported]
    ctx.removed_sentences.extend(v.text for v in verdicts if not v.supported)
    if not kept or len(kept) / len(verdicts) < answer.verify_min_kept:
        ctx.fallbacks.append(f"{heading}: too little of the LLM text was supported")
        return fallback
    return [
        Line(
            text=v.text, chunks=[chunks[n - 1] for n in v.cited if 1 <= n <= used], written_by="llm"
        )
        for v in kept
    ]
