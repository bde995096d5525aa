"""Document sentences that can stand as lines of the pack, and lines made from them."""

from __future__ import annotations

import re

from assistant.answering.evidence import Sentence
from assistant.briefing.model import Line

# "Jane Smith is Content Director at Example Ltd." closes many articles: it describes the
# author, not the NHS, and never belongs in the pack.
_BYLINE = re.compile(
    r"^(?:[A-Z][\w’'-]+\s+){2,3}is\s+(?:the\s+|an?\s+)?(?:[A-Z][\w’'-]+\s+)+(?:at|of|for)\s+[A-Z]"
)
_MIN_WORDS = 6
_OPENS_WITH_PRONOUN = re.compile(
    r"^(?:they|them|their|these|those|this|that|it|its|he|she|his|her|such)\b", re.IGNORECASE
)


def is_byline(text: str) -> bool:
    """Whether a sentence introduces an author rather than saying something."""
    return bool(_BYLINE.match(text)) and len(text.split()) <= 16


def usable(sentence: Sentence) -> bool:
    """Whether a sentence can stand as a statement: not a heading, question or byline."""
    text = sentence.text.strip()
    return (
        not sentence.is_heading
        and len(text.split()) >= _MIN_WORDS
        and not text.endswith("?")
        and not is_byline(text)
    )


def stands_alone(text: str) -> bool:
    """Whether a sentence makes sense without the one before (no opening pronoun)."""
    return not _OPENS_WITH_PRONOUN.match(text.strip())


def mention_pattern(names: list[str]) -> re.Pattern | None:
    """A case-insensitive pattern for any of ``names`` as whole words (plural allowed)."""
    names = [n for n in names if n.strip()]
    if not names:
        return None
    alternatives = "|".join(
        re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?:s|es)?(?![\w])", re.IGNORECASE)


def document_order(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences sorted by document, then position in the document."""
    return sorted(sentences, key=lambda s: (s.chunk.meta.source_id, s.start))


def line_from(sentence: Sentence) -> Line:
    """A pack line quoting ``sentence`` and citing its passage."""
    return Line(
        text=sentence.text.strip(), chunks=[sentence.chunk], quote=(sentence.start, sentence.end)
    )


def sentence_key(sentence: Sentence) -> tuple[str, int]:
    """The same key ``Line.key`` gives the line quoting this sentence."""
    return (sentence.chunk.meta.source_id, sentence.start)


def singular(name: str) -> str:
    """``name`` with a plural last word made singular ("Service Leads" -> "Service Lead")."""
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss") and len(name) > 3:
        return name[:-1]
    return name
