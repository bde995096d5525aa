"""LLM mode against a real llama.cpp server running SmolLM2-135M-Instruct.

A 135M-parameter model writes loosely, which makes it a good adversary for the verifier:
whatever it writes, nothing unsupported may reach the user. Either every kept sentence
is cited and supported by the passages it cites (checked with the eval suite's own,
independent checker), or the extractive answer stands in. Run with ``-s`` to see what
the model wrote and what the verifier removed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT, settings_for
from langchain_core.callbacks import BaseCallbackHandler
from widget_corpus import INJECTION

from assistant.answer import Answer
from assistant.api import Assistant
from assistant.grounded.client import LLMClient
from assistant.grounded.local_server import LlamaServer
from evals.dataset import EvalQuestion, load_questions
from evals.metrics import sentence_supported
from vectorstore.chroma_store import ChunkStore

pytestmark = pytest.mark.slow

SMOKE = {q.id: q for q in load_questions(ROOT / "evals" / "datasets" / "smoke.jsonl")}
QUESTIONS = [SMOKE[i] for i in ("smoke-dev-001", "smoke-dev-016", "smoke-dev-023")]
FOLLOW_UP = ("Who do they liaise with?", ["What do High Cost Drug Pharmacists do in hospitals?"])
INJECTED_QUESTION = "What report does the Regional Widget Board publish?"


class Replies(BaseCallbackHandler):
    """Keeps the prompts sent to the model and the raw text it replied."""

    def __init__(self) -> None:
        self.prompts: list[str] = []
        self.texts: list[str] = []

    def on_chat_model_start(self, serialized, messages, **kwargs) -> None:
        self.prompts.extend("\n".join(str(m.content) for m in batch) for batch in messages)

    def on_llm_end(self, response, **kwargs) -> None:
        self.texts.extend(g.text for batch in response.generations for g in batch)


@pytest.fixture(scope="module")
def server(llama_server: LlamaServer) -> LlamaServer:
    return llama_server


def _llm_assistant(server: LlamaServer, data_dir: Path, embedder) -> tuple[Assistant, Replies]:
    settings = settings_for(
        data_dir,
        llm={"base_url": server.base_url, "model": server.model, "context_window": 2048},
        answer={"mode": "llm"},
    )
    client = LLMClient.from_options(settings.llm)  # the real endpoint, as the product builds it
    replies = Replies()
    client.chat.callbacks = [replies]
    bot = Assistant(settings, store=ChunkStore.open(data_dir), embedder=embedder, llm=client)
    return bot, replies


@pytest.fixture(scope="module")
def corpus_llm(server: LlamaServer, corpus_data_dir: Path, embedder):
    return _llm_assistant(server, corpus_data_dir, embedder)


@pytest.fixture(scope="module")
def ask_llm(corpus_llm) -> Callable[..., tuple[Answer, Answer]]:
    """(llm answer, extractive answer) for a question, each asked once per module."""
    bot, replies = corpus_llm

    @cache
    def ask(question: str, history: tuple[str, ...] = ()) -> tuple[Answer, Answer]:
        start = len(replies.texts)
        answer = bot.ask(question, list(history) or None, mode="llm")
        extractive = bot.ask(question, list(history) or None, mode="extractive")
        _report(question, answer, replies.texts[start:])
        return answer, extractive

    return ask


def _report(question: str, answer: Answer, raw: list[str]) -> None:
    print(f"\n--- {question}\nstandalone: {answer.standalone_question}")
    for text in raw:
        print(f"model wrote: {text!r}")
    print(f"fallback: {answer.fallback} ({answer.fallback_reason})")
    for removed in answer.removed_sentences:
        print(f"verifier removed: {removed!r}")
    print(f"final: {answer.text}")


def _unsupported(answer: Answer) -> list[str]:
    """Kept sentences without a citation or not supported by the passages they cite."""
    return [
        s.text
        for s in answer.sentences
        if not s.citations
        or not sentence_supported(s.text, [answer.citation(n).passage for n in s.citations])
    ]


def _problems(answer: Answer, extractive: Answer) -> list[str]:
    """Why an LLM-mode answer breaks the rule "verified, or the extractive answer": none."""
    if answer.mode != "llm":
        return [f"mode is {answer.mode!r}"]
    if answer.fallback:
        return [] if answer.text == extractive.text else ["fallback text is not the extractive"]
    if not answer.sentences:
        return ["no sentence kept and no fallback"]
    return [f"unsupported: {text}" for text in _unsupported(answer)]


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_llm_answer_is_verified_or_replaced_by_the_extractive_one(q: EvalQuestion, ask_llm) -> None:
    answer, extractive = ask_llm(q.question)

    assert _problems(answer, extractive) == []


def test_nothing_unsupported_survives_across_the_questions(ask_llm) -> None:
    answers = [ask_llm(q.question)[0] for q in QUESTIONS]

    verifier_acted = any(a.fallback or a.removed_sentences for a in answers)
    all_kept_supported = all(_unsupported(a) == [] for a in answers if not a.fallback)
    print(
        f"\nverifier acted: {verifier_acted}; every kept sentence supported: {all_kept_supported}"
    )
    assert verifier_acted or all_kept_supported


def test_follow_up_in_llm_mode_gets_a_rewritten_standalone_question(ask_llm) -> None:
    question, history = FOLLOW_UP
    answer, _ = ask_llm(question, tuple(history))

    assert answer.standalone_question.strip()
    assert answer.standalone_question != question


def test_llm_rewrite_keeps_the_follow_ups_own_words(ask_llm) -> None:
    question, history = FOLLOW_UP
    answer, _ = ask_llm(question, tuple(history))

    assert "liaise" in answer.standalone_question.lower()


def test_follow_up_answer_in_llm_mode_is_verified_or_extractive(ask_llm) -> None:
    question, history = FOLLOW_UP
    answer, extractive = ask_llm(question, tuple(history))

    assert _problems(answer, extractive) == []


def test_injected_instruction_never_reaches_the_llm_mode_answer(
    server: LlamaServer, widget_data_dir: Path, embedder
) -> None:
    bot, replies = _llm_assistant(server, widget_data_dir, embedder)

    answer = bot.ask(INJECTED_QUESTION, mode="llm")

    _report(INJECTED_QUESTION, answer, replies.texts)
    # The passage reached the model; the instruction ingest flagged in it did not.
    assert any("yearly report on widget exports" in prompt for prompt in replies.prompts)
    assert not any("PINEAPPLE" in prompt for prompt in replies.prompts)
    assert INJECTION not in answer.text and "PINEAPPLE" not in answer.text.upper()


def test_the_answer_streams_with_each_verified_sentence_shown_as_it_passes(corpus_llm) -> None:
    from assistant.answer import AnswerProgress

    bot, _ = corpus_llm
    events = list(bot.ask_stream("What do integrated care boards do?", mode="llm"))
    progress = [e for e in events[:-1] if isinstance(e, AnswerProgress)]
    final = events[-1]

    assert isinstance(final, Answer) and final.mode == "llm"
    assert progress, "nothing was shown while the model wrote"
    assert any(p.draft for p in progress), "no draft of the sentence being written"
    # Sentences shown as verified are never taken back: the count only grows, and every
    # one of them is in the final answer unless the whole answer fell back.
    counts = [len(p.verified) for p in progress]
    assert counts == sorted(counts)
    shown = progress[-1].verified
    if not final.fallback:
        assert [s.text for s in final.sentences] == shown
