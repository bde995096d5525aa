"""An OpenAI-compatible chat endpoint behind LangChain's chat-model interface."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.grounded.options import LLMOptions
from assistant.retrieval.followups import key_terms, standalone_question
from prompts import load_prompt


class LLMClient:
    """The one way the product talks to a chat model: system and user text in, text out."""

    def __init__(self, chat: BaseChatModel) -> None:
        self.chat = chat

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
        return cls(chat)

    def ask(self, system: str, user: str) -> str:
        """The model's reply to one system and one user message, stripped."""
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
