"""LLM mode for answers: the grounded writer words the answer; the extractive one stands in
when too little of it survives the verifier. The model is a convenience for wording, never
the source of trust.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answer import Answer, AnswerMode, AnswerProgress, AnswerSentence, citation_from_chunk
from assistant.answering.extractive import render_text
from assistant.grounded.verify import Verdict
from assistant.grounded.writer import Draft, GroundedWriter, Prompt, Written
from assistant.retrieval.hybrid import Retrieval
from prompts import load_prompt
from vectorstore.records import Chunk

USER_TEMPLATE = "answer_user"


def _request(
    question: str, retrieval: Retrieval, max_sentences: int
) -> tuple[str, dict, list[Chunk]]:
    """System prompt, template fields and passages for a question."""
    system = load_prompt("answer_system").format(max_sentences=max_sentences)
    fields = {"question": question, "max_sentences": max_sentences}
    return system, fields, [h.chunk for h in retrieval.hits]


def answer_prompt(
    writer: GroundedWriter, question: str, retrieval: Retrieval, max_sentences: int
) -> Prompt:
    """The messages the model gets for a question and its retrieved passages."""
    system, fields, chunks = _request(question, retrieval, max_sentences)
    return writer.prompt(system, USER_TEMPLATE, fields, chunks)


def llm_answer_stream(
    writer: GroundedWriter,
    question: str,
    standalone: str,
    retrieval: Retrieval,
    extractive: Answer,
    max_sentences: int,
) -> Iterator[AnswerProgress | Answer]:
    """The model's answer as it writes: progress (sentences the verifier has passed so far
    and the draft of the next), then the final answer, verified sentence by sentence, or
    the extractive one when too little survives."""
    system, fields, chunks = _request(standalone, retrieval, max_sentences)
    progress = AnswerProgress()
    written = Written(failure="the LLM wrote nothing")
    for event in writer.write_stream(system, USER_TEMPLATE, fields, chunks, max_sentences):
        if isinstance(event, Written):
            written = event
            continue
        if isinstance(event, Draft):
            progress = progress.model_copy(update={"draft": event.text})
        elif isinstance(event, Verdict):
            progress = AnswerProgress(
                verified=progress.verified + ([event.text] if event.supported else []),
                removed=progress.removed + (0 if event.supported else 1),
            )
        yield progress
    yield _final(written, question, standalone, chunks, extractive)


def _final(
    written: Written, question: str, standalone: str, chunks: list[Chunk], extractive: Answer
) -> Answer:
    if written.failure:
        return extractive.model_copy(
            deep=True,
            update={
                "mode": AnswerMode.LLM,
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
        mode=AnswerMode.LLM,
        removed_sentences=written.removed,
        timings_ms=extractive.timings_ms,
        signals=extractive.signals,
    )
