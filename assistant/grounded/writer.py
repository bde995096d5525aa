"""The one grounded writer: numbered passages in, verified and cited sentences out.

Answers (``assistant.grounded.answer``) and briefing sections (``assistant.briefing``) both
write through it, so both get the same prompt budget, the same escaping of passages (a
passage can never close its own ``<passage>`` tag and speak outside it), the same sentence
split and the same verify -> share kept -> fallback rule.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.answering.evidence import SentenceCache
from assistant.grounded.client import LLMClient
from assistant.grounded.options import LLMOptions, VerifyOptions
from assistant.grounded.verify import Verdict, split_cited, verify_sentences
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


@dataclass(frozen=True)
class Draft:
    """The sentence the model is writing now, as far as it has come (not yet checked)."""

    text: str


# What ``GroundedWriter.write_stream`` yields: drafts, a verdict per finished sentence,
# and last the ``Written`` outcome.
WriterEvent = Draft | Verdict | Written


def render_passages(chunks: list[Chunk]) -> str:
    """Numbered passages, escaped so that their text is data inside its own tag, without
    the spans ingest flagged as instructions (the model never reads them)."""
    return "\n\n".join(
        f'<passage n="{n}" source="{html.escape(c.meta.title or "")}">'
        f"\n{html.escape(c.quotable_text, quote=False)}\n</passage>"
        for n, c in enumerate(chunks, start=1)
    )


def cited_answer_schema(max_sentences: int, passages: int) -> dict[str, Any]:
    """The JSON schema of a structured answer: sentences, each citing passage numbers
    that exist (a grammar-constrained model cannot cite passage 9 of 6)."""
    return {
        "type": "object",
        "properties": {
            "sentences": {
                "type": "array",
                "maxItems": max_sentences,
                "items": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string", "minLength": 1, "maxLength": 300},
                        "passages": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 3,
                            "items": {"type": "integer", "minimum": 1, "maximum": passages},
                        },
                    },
                    "required": ["text", "passages"],
                    "additionalProperties": False,
                },
            },
            # After the sentences: a small model asked first whether it can answer says no.
            "answerable": {"type": "boolean"},
        },
        "required": ["sentences", "answerable"],
        "additionalProperties": False,
    }


class UnreadableOutput(ValueError):
    """Structured output that is not the JSON the schema asked for."""


# One complete sentence object of a structured reply (what a reply cut off by the token
# limit still holds before the cut).
_SENTENCE_OBJECT = re.compile(
    r'\{\s*"text"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"passages"\s*:\s*(\[[\d,\s]*\])\s*\}'
)
# The text of a sentence object still being written.
_PARTIAL_TEXT = re.compile(r'"text"\s*:\s*"((?:[^"\\]|\\.)*)$')


def _cited_sentence(text: str, numbers: list[int]) -> str:
    return f"{' '.join(text.split())} " + "".join(f"[{n}]" for n in numbers)


def parse_structured(raw: str) -> list[str] | None:
    """Sentences of a structured reply, each ending with its [n] markers; None when the
    model says the passages do not answer. A reply cut off by the token limit keeps its
    complete sentences. Raises ``UnreadableOutput`` when there is nothing to read."""
    try:
        data = json.loads(raw)
    except ValueError:
        items = [
            {"text": json.loads(text), "passages": json.loads(numbers)}
            for text, numbers in _SENTENCE_OBJECT.findall(raw)
        ]
        if not items:
            raise UnreadableOutput("the LLM's JSON could not be read") from None
        data = {"sentences": items}
    try:
        if not data.get("answerable", True) and not data.get("sentences"):
            return None
        out = []
        for item in data["sentences"]:
            text = str(item["text"]).strip()
            if text:
                out.append(_cited_sentence(text, [int(n) for n in item["passages"]]))
        return out
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnreadableOutput(f"the LLM's JSON could not be read ({exc})") from exc


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

    def _stream_sentences(self, prompt: Prompt, max_sentences: int) -> Iterator[Draft | str]:
        """The model's sentences (with their [n] markers) as each is finished, and drafts
        of the one being written: as schema-constrained JSON when the endpoint takes a
        schema, else as plain text. Nothing at all: the model found no answer."""
        if self.llm.structured_output:
            schema = cited_answer_schema(max_sentences, max(prompt.used, 1))
            system = f"{prompt.system}\n\n{load_prompt('structured_output')}"
            pieces = self.client.stream_json(system, prompt.user, schema)
            if pieces is not None:
                yield from _json_sentences(pieces)
                return
        yield from _text_sentences(self.client.stream_text(prompt.system, prompt.user))

    def write_stream(
        self,
        system: str,
        user_template: str,
        fields: dict,
        chunks: list[Chunk],
        max_sentences: int = 6,
    ) -> Iterator[WriterEvent]:
        """As the model writes: drafts, then each finished sentence's verdict as soon as it
        is checked against the passages it cites; last, the ``Written`` outcome."""
        prompt = self.prompt(system, user_template, fields, chunks)
        passages = {
            n: self.sentences.sentences([c]) for n, c in enumerate(chunks[: prompt.used], start=1)
        }
        flagged = [text for c in chunks for text in c.flagged_texts]
        verdicts: list[Verdict] = []
        try:
            for event in self._stream_sentences(prompt, max_sentences):
                if isinstance(event, Draft):
                    yield event
                    continue
                [verdict] = verify_sentences(
                    [event],
                    passages,
                    self.embedder,
                    self.verify.verify_min_similarity,
                    self.verify.verify_min_support,
                    flagged,
                )
                verdicts.append(verdict)
                yield verdict
        except UnreadableOutput as exc:
            yield Written(used=prompt.used, failure=str(exc))
            return
        except Exception as exc:  # the endpoint is optional: never let it break the caller
            yield Written(
                used=prompt.used, failure=f"the LLM endpoint failed ({type(exc).__name__})"
            )
            return
        yield self._judged(verdicts, prompt.used, passages)

    def write(
        self,
        system: str,
        user_template: str,
        fields: dict,
        chunks: list[Chunk],
        max_sentences: int = 6,
    ) -> Written:
        """The model's verified sentences for the passages ``chunks``, or why there are none."""
        outcome = Written(failure="the LLM wrote nothing")
        for event in self.write_stream(system, user_template, fields, chunks, max_sentences):
            if isinstance(event, Written):
                outcome = event
        return outcome

    def _judged(self, verdicts: list[Verdict], used: int, passages: dict) -> Written:
        """The verify -> share kept -> fallback rule over all of an answer's verdicts."""
        if not verdicts:
            return Written(used=used, failure="the LLM found no answer")
        kept = [v for v in verdicts if v.supported]
        removed = [v.text for v in verdicts if not v.supported]
        if not kept or len(kept) / len(verdicts) < self.verify.verify_min_kept:
            return Written(
                removed=removed, used=used, failure="too little of the LLM text was supported"
            )
        return Written(
            sentences=[(v.text, [n for n in v.cited if n in passages]) for v in kept],
            removed=removed,
            used=used,
        )


def _json_sentences(pieces: Iterator[str]) -> Iterator[Draft | str]:
    """Finished sentences of a structured reply as their objects close, with drafts."""
    buffer = ""
    done = 0
    for piece in pieces:
        buffer += piece
        matches = list(_SENTENCE_OBJECT.finditer(buffer))
        for match in matches[done:]:
            yield _cited_sentence(json.loads(match[1]), json.loads(match[2]))
        done = len(matches)
        partial = _PARTIAL_TEXT.search(buffer[matches[-1].end() :] if matches else buffer)
        if partial:
            yield Draft(partial[1].replace('\\"', '"'))
    # The whole reply, read once more: says "no answer", or holds objects whose keys came
    # in another order than the pattern expects.
    final = parse_structured(buffer)
    yield from (final or [])[done:]


def _text_sentences(pieces: Iterator[str]) -> Iterator[Draft | str]:
    """Finished sentences of a plain-text reply (a sentence is finished once the next
    has two words, so markers after its full stop are not cut off), with drafts."""
    buffer = ""
    done = 0
    for piece in pieces:
        buffer += piece
        if NOT_IN_DOCUMENTS in buffer.upper():
            return
        parts = split_written(buffer)
        if len(parts) > 1 and len(split_cited(parts[-1])[0].split()) >= 2:
            yield from parts[done:-1]
            done = len(parts) - 1
        if parts[done:]:
            yield Draft(parts[-1])
    if NOT_IN_DOCUMENTS not in buffer.upper():
        yield from split_written(buffer)[done:]
