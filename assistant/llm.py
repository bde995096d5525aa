"""LLM mode: an OpenAI-compatible chat model writes the answer; the verifier keeps only
what the cited passages support, and the extractive answer stands in when too little
survives. The model is a convenience for wording, never the source of trust.
"""

from __future__ import annotations

import html
import re

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from assistant.answer import Answer, AnswerSentence, citation_from_chunk
from assistant.conversation import key_terms, standalone_question
from assistant.extractive import render_text
from assistant.retrieval import Retrieval
from assistant.settings import Settings
from assistant.verify import verify_sentences
from ingest.chunking import split_sentences
from ingest.tokens import count_tokens
from prompts import load_prompt

NOT_IN_DOCUMENTS = "NOT IN DOCUMENTS"
# Room kept for the chat template's own tokens and tokenizer differences.
_TEMPLATE_MARGIN = 96


class LLMClient:
    """An OpenAI-compatible endpoint behind LangChain's chat-model interface."""

    def __init__(self, chat: ChatOpenAI, settings: Settings) -> None:
        self.chat = chat
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMClient:
        """A client for ``settings.llm``."""
        s = settings.llm
        chat = ChatOpenAI(
            base_url=s.base_url,
            api_key=s.api_key,
            model=s.model,
            temperature=s.temperature,
            timeout=s.timeout_s,
            max_retries=1,
            # llama.cpp's server ignores max_completion_tokens (what max_tokens= sends).
            extra_body={"max_tokens": s.max_answer_tokens},
        )
        return cls(chat, settings)

    def _ask(self, system: str, user: str) -> str:
        reply = self.chat.invoke([SystemMessage(system), HumanMessage(user)])
        return str(reply.content).strip()

    def rewrite_question(self, question: str, history: list[str] | None) -> str:
        """The model's stand-alone version of a follow-up (the offline rule if it fails)."""
        if not history:
            return question
        prompt = load_prompt("rewrite_question").format(
            history="\n".join(f"- {turn}" for turn in history), question=question
        )
        try:
            rewritten = self._ask("You rewrite questions. Reply with one line.", prompt)
        except Exception:  # the endpoint is optional: never let it break a question
            return standalone_question(question, history)
        line = rewritten.splitlines()[0].strip().strip('"') if rewritten else ""
        # A usable rewrite keeps the question's own words ("liaise") and is a question,
        # not the model talking about the conversation.
        own = {w.lower() for w in key_terms(question)}
        kept = {w.lower() for w in key_terms(line)}
        if not (3 <= len(line) <= 500) or not own <= kept:
            return standalone_question(question, history)
        return line

    def build_prompt(self, question: str, retrieval: Retrieval) -> tuple[str, str, int]:
        """System and user prompts, with as many passages as fit the context window."""
        s = self.settings
        system = load_prompt("answer_system").format(max_sentences=s.answer.max_sentences)
        budget = s.llm.context_window - s.llm.max_answer_tokens - _TEMPLATE_MARGIN
        used = len(retrieval.hits)
        while True:
            # Escaped, so a passage can never close its own tag and speak outside it.
            passages = "\n\n".join(
                f'<passage n="{n}" source="{html.escape(str(h.chunk.metadata.get("title", "")))}">'
                f"\n{html.escape(h.chunk.page_content, quote=False)}\n</passage>"
                for n, h in enumerate(retrieval.hits[:used], start=1)
            )
            user = load_prompt("answer_user").format(
                passages=passages, question=question, max_sentences=s.answer.max_sentences
            )
            if count_tokens(system) + count_tokens(user) <= budget or used <= 1:
                return system, user, used
            used -= 1

    def answer(
        self, question: str, standalone: str, retrieval: Retrieval, extractive: Answer, assistant
    ) -> Answer:
        """The model's answer, verified sentence by sentence; extractive when it fails."""
        s = self.settings.answer
        system, user, used = self.build_prompt(standalone, retrieval)
        try:
            raw = self._ask(system, user)
        except Exception as exc:
            return _fallback(extractive, [], f"the LLM endpoint failed ({type(exc).__name__})")
        if not raw or NOT_IN_DOCUMENTS in raw.upper():
            return _fallback(extractive, [raw] if raw else [], "the LLM found no answer")
        hits = retrieval.hits[:used]
        passage_sentences = {
            n: assistant.sentences.sentences([h.chunk]) for n, h in enumerate(hits, start=1)
        }
        sentences = split_answer(raw)
        verdicts = verify_sentences(
            sentences,
            passage_sentences,
            assistant.embedder,
            s.verify_min_similarity,
            s.verify_min_support,
        )
        kept = [v for v in verdicts if v.supported]
        removed = [v.text for v in verdicts if not v.supported]
        if not kept or len(kept) / len(verdicts) < s.verify_min_kept:
            return _fallback(extractive, removed, "too little of the LLM answer was supported")
        numbers: dict[int, int] = {}
        citations = []
        out = []
        for verdict in kept:
            renumbered = []
            for n in verdict.cited:
                if n not in passage_sentences:
                    continue
                if n not in numbers:
                    numbers[n] = len(numbers) + 1
                    citations.append(citation_from_chunk(numbers[n], hits[n - 1].chunk))
                renumbered.append(numbers[n])
            out.append(AnswerSentence(text=verdict.text, citations=renumbered))
        return Answer(
            question=question,
            standalone_question=standalone,
            text=render_text(out),
            sentences=out,
            citations=citations,
            mode="llm",
            removed_sentences=removed,
            timings_ms=extractive.timings_ms,
            signals=extractive.signals,
        )


_MARKERS_AFTER_STOP = re.compile(r"([.!?])\s*((?:\[\d+\]\s*)+)")


def split_answer(raw: str) -> list[str]:
    """The model's answer as sentences, each keeping the [n] markers that follow it."""
    text = " ".join(raw.split())
    # "... the board. [2] Next ..." -> "... the board [2]. Next ...": the splitter then cuts
    # after the full stop and the marker stays with its own sentence.
    text = _MARKERS_AFTER_STOP.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", text)
    text = " ".join(text.split())
    return [text[a:b] for a, b in split_sentences(text)]


def _fallback(extractive: Answer, removed: list[str], why: str) -> Answer:
    """The extractive answer, marked as standing in for the LLM's."""
    return extractive.model_copy(
        deep=True,
        update={
            "mode": "llm",
            "fallback": True,
            "fallback_reason": why,
            "removed_sentences": removed,
        },
    )
