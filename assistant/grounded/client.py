"""An OpenAI-compatible chat endpoint behind LangChain's chat-model interface."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.grounded.options import LLMOptions
from assistant.retrieval.followups import key_terms, standalone_question
from prompts import load_prompt


def response_formats(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The ways OpenAI-compatible servers are asked to follow a JSON schema, in the order
    tried: OpenAI's own (also llama.cpp's ``llama-server`` and vLLM), then
    llama-cpp-python's server, which takes the schema inside a ``json_object`` format."""
    return [
        {
            "type": "json_schema",
            "json_schema": {"name": "cited_answer", "strict": True, "schema": schema},
        },
        {"type": "json_object", "schema": schema},
    ]


class LLMClient:
    """The one way the product talks to a chat model: system and user text in, text out."""

    def __init__(self, chat: BaseChatModel, max_tokens: int | None = None) -> None:
        self.chat = chat
        self.max_tokens = max_tokens
        # Which of ``response_formats`` this endpoint accepts, once known (None: none do).
        self._format_index: int | None = 0

    @classmethod
    def from_options(cls, llm: LLMOptions) -> LLMClient:
        """A client for the endpoint the LLM options name."""
        from langchain_openai import ChatOpenAI

        chat = ChatOpenAI(
            base_url=llm.base_url,
            api_key=llm.api_key,
            model=llm.model,
            temperature=llm.temperature,
            timeout=llm.timeout_s,
            max_retries=1,
            # llama.cpp's server ignores max_completion_tokens (what max_tokens= sends).
            extra_body={"max_tokens": llm.max_answer_tokens},
        )
        return cls(chat, llm.max_answer_tokens)

    def ask(self, system: str, user: str) -> str:
        """The model's reply to one system and one user message, stripped."""
        reply = self.chat.invoke([SystemMessage(system), HumanMessage(user)])
        return str(reply.content).strip()

    def stream_text(self, system: str, user: str) -> Iterator[str]:
        """The model's reply in pieces, as it writes it."""
        body = {} if self.max_tokens is None else {"max_tokens": self.max_tokens}
        for chunk in self.chat.stream([SystemMessage(system), HumanMessage(user)], extra_body=body):
            yield str(chunk.content)

    def stream_json(self, system: str, user: str, schema: dict[str, Any]) -> Iterator[str] | None:
        """The model's reply in pieces, constrained to ``schema`` (the server enforces it as
        a grammar), or None when the endpoint takes no schema in any known form. A server
        that rejects one form is asked in the next, and the form that worked is kept."""
        formats = response_formats(schema)
        while self._format_index is not None:
            body: dict[str, Any] = {"response_format": formats[self._format_index]}
            if self.max_tokens is not None:
                body["max_tokens"] = self.max_tokens
            try:
                stream = self.chat.stream(
                    [SystemMessage(system), HumanMessage(user)], extra_body=body
                )
                first = next(stream, None)  # a rejected format fails here, before any text
            except Exception as exc:
                if not _rejected_request(exc):
                    raise
                nxt = self._format_index + 1
                self._format_index = nxt if nxt < len(formats) else None
                continue
            head = [] if first is None else [first]
            return (str(chunk.content) for chunk in itertools.chain(head, stream))
        return None

    def rewrite_question(self, question: str, history: list[str] | None) -> str:
        """The model's stand-alone version of a follow-up (the offline rule if it fails)."""
        if not history:
            return question
        prompt = load_prompt("rewrite_question").format(
            history="\n".join(f"- {turn}" for turn in history), question=question
        )
        try:
            rewritten = self.ask("You rewrite questions. Reply with one line.", prompt)
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


def _rejected_request(exc: Exception) -> bool:
    """Whether the server refused the request's format itself (HTTP 400/422, or a 500 that
    names ``response_format``: llama-cpp-python reports its validation errors so), as
    opposed to failing while serving it."""
    status = getattr(exc, "status_code", None) or getattr(
        getattr(exc, "response", None), "status_code", None
    )
    return status in (400, 404, 415, 422, 501) or "response_format" in str(exc)
