"""LLM mode for answers: the grounded writer words the answer; the extractive one stands in
when too little of it survives the verifier. The model is a convenience for wording, never
the source of trust.
"""

from __future__ import annotations

from langchain_core.documents import Document

from assistant.answer import Answer, AnswerSentence, citation_from_chunk
from assistant.extractive import render_text
from assistant.grounded.writer import GroundedWriter, Prompt
from assistant.retrieval import Retrieval
from prompts import load_prompt

USER_TEMPLATE = "answer_user"


def _request(
    writer: GroundedWriter, question: str, retrieval: Retrieval
) -> tuple[str, dict, list[Document]]:
    """System prompt, template fields and passages for a question."""
    max_sentences = writer.answer.max_sentences
    system = load_prompt("answer_system").format(max_sentences=max_sentences)
    fields = {"question": question, "max_sentences": max_sentences}
    return system, fields, [h.chunk for h in retrieval.hits]


def answer_prompt(writer: GroundedWriter, question: str, retrieval: Retrieval) -> Prompt:
    """The messages the model gets for a question and its retrieved passages."""
    system, fields, chunks = _request(writer, question, retrieval)
    return writer.prompt(system, USER_TEMPLATE, fields, chunks)


def llm_answer(
    writer: GroundedWriter, question: str, standalone: str, retrieval: Retrieval, extractive: Answer
) -> Answer:
    """The model's answer, verified sentence by sentence; the extractive one when it fails."""
    system, fields, chunks = _request(writer, standalone, retrieval)
    written = writer.write(system, USER_TEMPLATE, fields, chunks)
    if written.failure:
        return extractive.model_copy(
            deep=True,
            update={
                "mode": "llm",
                "fallback": True,
                "fallback_reason": written.failure,
                "removed_sentences": written.removed,
            },
        )
    numbers: dict[int, int] = {}  # passage number -> citation number, in order of first use
    citations = []
    out = []
    for text, cited in written.sentences:
        for n in cited:
            if n not in numbers:
                numbers[n] = len(numbers) + 1
                citations.append(citation_from_chunk(numbers[n], chunks[n - 1]))
        out.append(AnswerSentence(text=text, citations=[numbers[n] for n in cited]))
    return Answer(
        question=question,
        standalone_question=standalone,
        text=render_text(out),
        sentences=out,
        citations=citations,
        mode="llm",
        removed_sentences=written.removed,
        timings_ms=extractive.timings_ms,
        signals=extractive.signals,
    )
