"""Follow-up questions: make "What do they liaise with?" stand on its own.

Without an LLM, a question that leans on the conversation (a pronoun with no noun of
its own to point at, or a bare "and ...?") gets the previous turn's key terms appended.
With an LLM, the model rewrites it (see ``assistant.llm``).
"""

from __future__ import annotations

import re

from vectorstore.lexical import STOPWORDS

_LEANING = re.compile(
    r"\b(they|them|their|theirs|it|its|this|that|these|those|he|she|his|her|there|"
    r"the same|such|above|former|latter)\b|^(and|also|what about|how about|so|but)\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = frozenset(
    (
        "what who whom whose which when where why how do does did is are was were can "
        "could should would will tell explain describe role roles"
    ).split()
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9/&'’-]*")


def key_terms(question: str) -> list[str]:
    """Content words of a question, in order (question words and stopwords dropped)."""
    words = [w.strip("'’") for w in _WORD.findall(question)]
    return [w for w in words if w.lower() not in STOPWORDS and w.lower() not in _QUESTION_WORDS]


def leans_on_history(question: str) -> bool:
    """Whether the question needs earlier turns to be understood."""
    content = key_terms(question)
    return bool(_LEANING.search(question)) or len(content) <= 1


def standalone_question(question: str, history: list[str] | None) -> str:
    """The question with the last turn's key terms carried over when it leans on them."""
    if not history or not leans_on_history(question):
        return question
    carried: list[str] = []
    for turn in reversed(history):
        carried = key_terms(turn)
        if carried:
            break
    own = {w.lower() for w in key_terms(question)}
    extra = [w for w in carried if w.lower() not in own]
    return f"{question} ({' '.join(extra)})" if extra else question
