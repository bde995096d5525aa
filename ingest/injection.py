"""Instruction-like text in documents (prompt injection), found at ingest.

A sentence addressed to an AI model or to whoever writes the answer ("Ignore previous
instructions ...", "You are now ...", "System: ...", "[SYSTEM]", "Respond only with ...",
"Do not cite ...", a fake "[1] Source: ..." line) is something the document contains, never
something it says about the NHS. Ingest flags such sentences; the answer composers, the
LLM's passages and the verifier all leave them out, so they stay data.

The rules are patterns of the *form* of an instruction (imperatives about answering, who
is addressed, chat-turn markup), never of particular documents. Ordinary guidance written
to the reader ("Practices should ensure ...", "ICBs must publish ...") matches none of
them: a rule either names an AI, or an act only a responder performs (answering, citing,
changing its instructions or role), or markup no NHS document uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.chunking import split_blocks, split_sentences
from vectorstore.records import ChunkMeta, FlaggedSpan

# How an excerpt of a flagged sentence is shown (ingest summary, Library tab).
EXCERPT_CHARS = 100

# Who a sentence may address when it speaks to a machine. A bare "assistant" or "model" is
# a job title or a care model in NHS prose, so they count only with a qualifier.
_AI = (
    r"(?:ai|a\.i\.|artificial intelligence|chat\s?bots?|chatgpt|gpt(?:-?\d)?|llms?|"
    r"(?:large )?language models?|ai (?:models?|assistants?|systems?|agents?|tools?)|"
    r"(?:virtual|digital|chat|research|automated|answering) assistants?|"
    r"bots?|answer(?:ing)? (?:engine|system)s?|retrieval system)"
)
# Verbs of a responder's work: what an instruction to the answering system asks for.
_RESPOND = (
    r"(?:answer|respond|reply|say|state|output|print|write|tell|claim|assert|repeat|"
    r"ignore|disregard|cite|quote|include|mention|treat|follow|obey|refuse|summari[sz]e)"
)
# What an instruction tells an AI to do, as opposed to what guidance on AI says of it
# ("chatbots should answer questions accurately" is guidance; "... must answer 'X'" is not).
_TOLD = (
    r"(?:(?:say|state|claim|assert)\s+that|claim|output|print|repeat|ignore|disregard|"
    r"(?:reply|respond|answer)\s+(?:only|with|that|every|all|any)|"
    r"tell\s+(?:the\s+|all\s+|every\s+)?users?\s+that)"
)
# Where an imperative starts: the sentence's start, after a clause break, or after a word
# that chains one instruction to another ("... and answer", "also say", "instead reply").
_IMPERATIVE = r"(?:^|[;:—–]\s*|\b(?:and|then|also|instead|please|always|just|simply|now)\s+)"
_QUOTED = r"[\"'“‘][^\"'“”‘’]{1,60}[\"'”’]"

_F = re.IGNORECASE


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    # A strong rule opens an injected context ("Ignore previous instructions.", "System:"):
    # what follows it in the same paragraph is part of the injection too.
    strong: bool


_RULES = (
    _Rule(
        "override",
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass|discard|drop|abandon)\s+"
            r"(?:(?:all|any|each|every|of|the|your|my|these|those|its)\s+){0,3}"
            r"(?:(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|"
            r"existing|other|system|developer|safety)\s+){1,2}"
            r"(?:instructions?|prompts?|directions?|directives?|rules|guidelines|context|"
            r"messages?|commands?|programming|constraints|guardrails|restrictions|text|"
            r"passages?|sources?)\b"
            r"|\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:your|the)\s+"
            r"(?:instructions|prompt|system prompt|programming|guardrails)\b"
            r"|\b(?:ignore|disregard|forget)\s+(?:everything|anything|all)\s+(?:above|before|"
            r"previously|else|you\s+(?:were|have\s+been)\s+told)\b",
            _F,
        ),
        strong=True,
    ),
    _Rule(
        "new-instructions",
        re.compile(
            r"\b(?:new|updated|real|actual|true|hidden|secret|system|developer|admin|"
            r"override)\s+(?:instructions?|prompt|directives?|orders)\s*[:\-—–]"
            r"|\binstructions?\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?" + _AI + r"\b"
            r"|\b(?:these|this|the\s+following)\s+instructions?\s+(?:override|replace|supersede|"
            r"take\s+precedence)"
            r"|\bsystem\s+prompt\b|\bprompt\s+injection\s+test\b",
            _F,
        ),
        strong=True,
    ),
    _Rule(
        "addressed-to-ai",
        re.compile(
            r"^(?:note|message|attention|notice|reminder|memo|warning|important|instructions?)"
            r"\s*(?:to|for)\s+(?:the\s+|any\s+|all\s+|every\s+)?" + _AI + r"\b"
            r"|^(?:hey|hi|hello|dear|attention|ok|okay)[,!\s]+(?:the\s+)?"
            r"(?:" + _AI + r"|assistant|model)\b"
            r"|\b(?:if|when|whenever|since|as)\s+you(?:'re|’re|\s+are)\s+(?:an?|the)\s+"
            r"(?:" + _AI + r"|assistant|model)\b"
            r"|\b(?:any|all|every|each)\s+" + _AI + r"\s+(?:reading|processing|summari[sz]ing|"
            r"parsing|using|seeing|ingesting|answering|that\s+reads?)\b"
            r"|\b(?:to|for)\s+(?:the\s+)?" + _AI + r"\s+(?:reading|processing)\s+this\b"
            r"|\bas\s+an?\s+(?:ai|language\s+model)\b,?\s+you\b"
            r"|\b" + _AI + r"\s+(?:must|should|shall|will|needs?\s+to|has\s+to|have\s+to|"
            r"(?:is|are)\s+(?:required|instructed|expected)\s+to)\s+(?:always\s+|only\s+|now\s+|"
            r"never\s+|not\s+)?" + _TOLD + r"\b",
            _F,
        ),
        strong=True,
    ),
    _Rule(
        "role-play",
        re.compile(
            r"\byou\s+are\s+now\b.{0,60}?\b(?:" + _AI + r"|assistant|model|persona|character|"
            r"role|mode|named|called|unrestricted|jailbroken|free\s+(?:from|of)|DAN)\b"
            r"|\byou\s+are\s+no\s+longer\s+(?:an?\s+|the\s+)?(?:" + _AI + r"|assistant|bound|"
            r"restricted|limited|required\s+to\s+(?:follow|cite|obey))\b"
            r"|" + _IMPERATIVE + r"(?:pretend|imagine)\s+(?:to\s+be|you(?:'re|’re|\s+are)|"
            r"that\s+you)\b"
            r"|" + _IMPERATIVE + r"(?:act|behave|respond|answer|speak|write)\s+as\s+(?:if|though)"
            r"\s+you\b"
            r"|" + _IMPERATIVE + r"act\s+as\s+(?:an?\s+|the\s+|my\s+)?(?:\w+\s+){0,2}?"
            r"(?:" + _AI + r"|assistant|persona|character)\b"
            r"|\brole-?\s?play\s+as\b|\bstay\s+in\s+character\b"
            r"|\b(?:developer|god|jailbreak|jailbroken|DAN|unrestricted|unfiltered)\s+mode\b"
            r"|\bfrom\s+now\s+on,?\s+(?:you\s+)?(?:will\s+|must\s+|should\s+|shall\s+)?(?:only\s+)?"
            r"(?:answer|respond|reply|say|act|behave|speak|talk|pretend|refer\s+to\s+yourself)\b"
            r"|\byour\s+(?:new|real|true|actual|only)\s+(?:role|persona|task|purpose|"
            r"instructions?)\s+(?:is|are)\s+(?:now\s+)?(?:to\s+)?" + _RESPOND + r"\b",
            _F,
        ),
        strong=True,
    ),
    _Rule(
        "chat-markup",
        re.compile(
            r"^\W{0,3}(?:system|assistant|user|human|ai|developer|admin|sys|chatgpt|gpt|bot)"
            r"(?:\s+(?:message|prompt|note|instruction|override|update))?\s*(?::|>>|->)\s*\S"
            r"|<\|?\s*(?:system|user|assistant|im_start|im_end|endoftext|eot_id|"
            r"start_header_id)\s*\|?>"
            r"|<<\s*/?\s*SYS\s*>>|\[/?\s*INST\s*\]"
            r"|\[\s*/?\s*(?:system|assistant|user|admin|developer|sys|instructions?|"
            r"prompt|override|ai)(?:\s+(?:message|prompt|note|override|instructions?))?\s*\]"
            r"|<\s*/?\s*(?:system|instructions?|prompt|admin)\s*>"
            r"|\b(?:begin|end)\s+(?:of\s+)?(?:system|instructions?|prompt)\b",
            _F,
        ),
        strong=True,
    ),
    _Rule(
        "answer-directive",
        re.compile(
            r"\b(?:respond|reply|answer|output|return)\s+(?:only|solely|exclusively)\b"
            r"|\b(?:respond|reply|answer|output)\s+(?:only\s+|just\s+)?(?:with|using)\s+"
            r"(?:only\s+|just\s+)?(?:the\s+(?:word|phrase|string|text|sentence|message)s?\b|"
            r"exactly\b|nothing\s+but\b|a\s+single\s+word\b|one\s+word\b|" + _QUOTED + r")"
            r"|" + _IMPERATIVE + r"(?:say|answer|reply|respond|output|print|type|write|state|"
            r"claim|assert|declare)\s*[:,]?\s*"
            + _QUOTED
            + r"|"
            + _IMPERATIVE
            + r"(?:say|state|claim|assert|declare|insist|answer|reply|respond)\s+"
            r"(?:that\b|the\s+following\b|to\s+(?:all|any|every|each)\s+(?:questions?|quer|users?))"
            r"|(?:^|[;:—–]\s*|\b(?:also|then|instead|and\s+also)\s+)say\s+(?:the|that|it|this|"
            r"they|there|every|all|an?)\b"
            r"|" + _IMPERATIVE + r"(?:tell|inform|remind|assure|convince)\s+(?:the\s+|any\s+|"
            r"every\s+|all\s+)?(?:users?|readers?|askers?|person\s+asking|anyone\s+(?:who\s+asks|"
            r"asking))\b"
            r"|\b(?:when|whenever|if)\s+(?:you\s+are\s+|you're\s+|someone\s+|anyone\s+|"
            r"a\s+user\s+|the\s+user\s+|users\s+)?(?:asked|questioned|queried)\s+(?:about|for|what|"
            r"how|who|whether|anything)\b.{0,80}?\b(?:say|answer|respond|reply|output)\b"
            r"|\bthe\s+(?:correct|right|only|real|true)\s+answer\s+(?:is|=|:)"
            r"|\banswer\s+to\s+(?:every|any|all|each)\s+(?:question|quer)\w*\b",
            _F,
        ),
        strong=False,
    ),
    _Rule(
        "concealment",
        re.compile(
            r"\b(?:do\s+not|don't|don’t|never|must\s+not|should\s+not)\s+(?:ever\s+)?cite\b"
            r"|\b(?:do\s+not|don't|don’t|never)\s+(?:name|mention|attribute|reveal|list|show|"
            r"include|give|provide|add)\s+(?:any\s+|the\s+|your\s+)?(?:sources?|citations?)\b"
            r"|\b(?:do\s+not|don't|don’t|never)\s+(?:mention|reveal|disclose|repeat|acknowledge)"
            r"\s+(?:these|this|the|your|my)\s+(?:instructions?|prompt|system\s+prompt|rules?)\b"
            r"|\b(?:answer|respond|reply|write)\b.{0,30}?\bwithout\s+(?:citing|any\s+citations?|"
            r"citations?|sources?|mentioning\s+(?:the\s+)?sources?)\b",
            _F,
        ),
        strong=False,
    ),
    _Rule(
        "fake-citation",
        re.compile(
            r"\[\s*\d+\s*\]\s*(?:source|citation|cited|reference|ref)\s*[:\-—–]"
            r"|\[\s*(?:source|citation|ref|reference)\s*:[^\]]{0,80}\]"
            r"|^\W{0,3}(?:source|citation)\s*:\s*[^.]{0,60}?\b(?:says|states|confirms|reports|"
            r"stated|confirmed)\b",
            _F,
        ),
        strong=False,
    ),
)


# Rules whose match, as a heading, announces that what follows is instructions.
_ANNOUNCING = frozenset({"new-instructions", "addressed-to-ai"})


def injection_rule(sentence: str) -> str | None:
    """The name of the first rule ``sentence`` matches, or None for ordinary prose."""
    text = " ".join(sentence.split())
    for rule in _RULES:
        if rule.pattern.search(text):
            return rule.name
    return None


def looks_like_injection(sentence: str) -> bool:
    """Whether ``sentence`` reads as an instruction to an AI or to whoever answers."""
    return injection_rule(sentence) is not None


def _is_strong(rule: str) -> bool:
    return any(r.strong for r in _RULES if r.name == rule)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A flagged sentence shortened for a one-line listing."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def find_injections(text: str) -> list[FlaggedSpan]:
    """The spans of ``text`` (a cleaned document) that are instructions, not content.

    Cut as answers are (lines, then sentences). A strong match also flags the rest of
    its paragraph; a heading that announces instructions ("Instructions for AI
    assistants") flags its section; a flagged line that introduces something (ends with
    ':') flags the line after it, and the list it starts.
    """
    found: list[FlaggedSpan] = []
    carry: str | None = None  # "section", "intro" or "list": what a flag before spreads to
    for block in split_blocks(text):
        if block.kind == "heading":
            rule = injection_rule(block.text.lstrip("# "))
            # A short line without a full stop counts as a heading too: only one that
            # announces instructions speaks for the lines under it.
            carry = "section" if rule in _ANNOUNCING else None
            if rule:
                found.append(_span(text, block.start, block.end, rule))
            continue
        if carry == "list" and block.kind != "bullet":
            carry = None
        if carry is not None:
            found.append(_span(text, block.start, block.end, "follows-injection"))
            if carry == "intro":
                carry = "intro" if block.text.endswith(":") else None
                carry = carry or ("list" if block.kind == "bullet" else None)
            continue
        found.extend(_flag_sentences(text, block.start, block.text))
        if found and found[-1].end == block.end and block.text.endswith(":"):
            carry = "intro"
    return found


def _flag_sentences(text: str, offset: int, block: str) -> list[FlaggedSpan]:
    """The flagged sentences of one line; a strong match flags the rest of the line."""
    out: list[FlaggedSpan] = []
    rest = False
    for start, end in split_sentences(block, offset):
        rule = injection_rule(text[start:end].removeprefix("- ").removeprefix("* "))
        if rule is None and rest:
            rule = "follows-injection"
        if rule is None:
            continue
        out.append(_span(text, start, end, rule))
        rest = rest or _is_strong(rule)
    return out


def _span(text: str, start: int, end: int, rule: str) -> FlaggedSpan:
    return FlaggedSpan(start=start, end=end, rule=rule, excerpt=excerpt(text[start:end]))


def spans_within(spans: list[FlaggedSpan], start: int, end: int) -> list[FlaggedSpan]:
    """The flagged spans that overlap the text span ``start``..``end`` (a chunk's)."""
    return [s for s in spans if s.start < end and s.end > start]


def mark_chunks(metas: list[ChunkMeta], flagged: list[FlaggedSpan]) -> None:
    """Give each chunk the flagged spans it overlaps; a section named by a heading that
    reads as an instruction loses that name (it is embedded and shown with the chunk)."""
    for meta in metas:
        meta.flagged = spans_within(flagged, meta.start, meta.end)
        if meta.section and looks_like_injection(meta.section):
            meta.section = ""
