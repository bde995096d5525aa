"""The one grounded writer: numbered passages in, verified and cited sentences out.

Answers (``assistant.grounded.answer``) and briefing sections (``assistant.briefing``) both
write through it, so both get the same prompt budget, the same escaping of passages (a
passage can never close its own ``<passage>`` tag and speak outside it), the same sentence
split and the same verify -> share kept -> fallback rule.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from assistant.answering.evidence import SentenceCache
from assistant.grounded.client import LLMClient
from assistant.grounded.options import LLMOptions, VerifyOptions
from assistant.grounded.verify import split_cited, verify_sentences
from ingest.chunking import split_sentences
from ingest.tokens import count_tokens
from prompts import load_prompt
from vectorstore.records import Chunk

NOT_IN_DOCUMENTS = "NOT IN DOCUMENTS"
# Room kept for the chat template's own tokens and tokenizer differences.
TEMPLATE_MARGIN = 96
_MARKERS_AFTER_STOP = re.compile(r"([.!?])\s*((?:\[\d+\]\s*)+)")


@dataclass(frozen=True)
class Prompt:
    """The two messages sent, and how many of the passages fitted the context window."""

    system: str
    user: str
    used: int


@dataclass
class Written:
    """What survived verification; when ``failure`` is set the caller's fallback stands."""

    sentences: list[tuple[str, list[int]]] = field(default_factory=list)  # text, passage nos.
    removed: list[str] = field(default_factory=list)
    used: int = 0
    failure: str | None = None


def render_passages(chunks: list[Chunk]) -> str:
    """Numbered passages, escaped so that their text is data inside its own tag."""
    return "\n\n".join(
        f'<passage n="{n}" source="{html.escape(c.meta.title or "")}">'
        f"\n{html.escape(c.text, quote=False)}\n</passage>"
        for n, c in enumerate(chunks, start=1)
    )


def split_written(raw: str) -> list[str]:
    """The model's text as sentences, each keeping the [n] markers that follow it."""
    # "... the board. [2] Next ..." -> "... the board [2]. Next ...": the splitter then cuts
    # after the full stop and the marker stays with its own sentence.
    text = _MARKERS_AFTER_STOP.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", raw)
    text = " ".join(text.split())
    out: list[str] = []
    for start, end in split_sentences(text):
        piece = text[start:end].strip()
        text_only, cited = split_cited(piece)
        if not text_only and cited and out:
            out[-1] = f"{out[-1]} {piece}"  # a marker left on its own: give it back
        elif piece:
            out.append(piece)
    return out


class GroundedWriter:
    """Asks the model to write from passages and keeps only the sentences they support."""

    def __init__(
        self,
        client: LLMClient,
        embedder,
        sentences: SentenceCache,
        llm: LLMOptions,
        verify: VerifyOptions,
    ) -> None:
        self.client = client
        self.embedder = embedder
        self.sentences = sentences
        self.llm = llm
        self.verify = verify

    def prompt(self, system: str, user_template: str, fields: dict, chunks: list[Chunk]) -> Prompt:
        """The messages, with as many leading passages as fit the context window."""
        budget = self.llm.context_window - self.llm.max_answer_tokens - TEMPLATE_MARGIN
        template = load_prompt(user_template)
        used = len(chunks)
        while True:
            user = template.format(passages=render_passages(chunks[:used]), **fields)
            if count_tokens(system) + count_tokens(user) <= budget or used <= 1:
                return Prompt(system, user, used)
            used -= 1

    def write(self, system: str, user_template: str, fields: dict, chunks: list[Chunk]) -> Written:
        """The model's verified sentences for the passages ``chunks``, or why there are none."""
        prompt = self.prompt(system, user_template, fields, chunks)
        try:
            raw = self.client.ask(prompt.system, prompt.user)
        except Exception as exc:  # the endpoint is optional: never let it break the caller
            return Written(
                used=prompt.used, failure=f"the LLM endpoint failed ({type(exc).__name__})"
            )
        if not raw or NOT_IN_DOCUMENTS in raw.upper():
            return Written(
                removed=[raw] if raw else [], used=prompt.used, failure="the LLM found no answer"
            )
        passages = {
            n: self.sentences.sentences([c]) for n, c in enumerate(chunks[: prompt.used], start=1)
        }
        verdicts = verify_sentences(
            split_written(raw),
            passages,
            self.embedder,
            self.verify.verify_min_similarity,
            self.verify.verify_min_support,
        )
        kept = [v for v in verdicts if v.supported]
        removed = [v.text for v in verdicts if not v.supported]
        if not kept or len(kept) / len(verdicts) < self.verify.verify_min_kept:
            return Written(
                removed=removed,
                used=prompt.used,
                failure="too little of the LLM text was supported",
            )
        return Written(
            sentences=[(v.text, [n for n in v.cited if n in passages]) for v in kept],
            removed=removed,
            used=prompt.used,
        )
