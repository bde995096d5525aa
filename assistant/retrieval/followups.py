"""Follow-up questions: make "What do they liaise with?" stand on its own.

Without an LLM, a question that leans on the conversation (a pronoun with no noun of
its own to point at, or a bare "and ...?") gets the previous turn's key terms appended.
With an LLM, the model rewrites it (see ``assistant.grounded.client``).
"""

from __future__ import annotations

import re

# The short list: words such as "now" carry meaning into a follow-up ("what must they do
# now?" points at the latest documents).
from vectorstore.lexical import INDEX_STOPWORDS as STOPWORDS

_LEANING = re.compile(
    r"\b(they|them|their|theirs|it|its|this|that|these|those|he|him|she|his|her|hers|there|"
    r"the same|such|above|former|latter)\b|^(and|also|what about|how about|so|but)\b|"
    # "What can you use one for?": "one" standing for a thing named before.
    r"\bones?(?=\s*(for|to|from|in|at|on|\?|,|$))|\b(which|that|this|the|new)\s+ones?\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = frozenset(
    (
        "what who whom whose which when where why how do does did is are was were can "
        "could should would will tell explain describe role roles"
    ).split()
)
_DEMONSTRATIVE = re.compile(r"\b(this|that|these|those|such|the same)\b", re.IGNORECASE)
_CONTRACTED = re.compile(r"['’](s|re|ll|ve|d)$", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9/&'’-]*")


def key_terms(question: str) -> list[str]:
    """Content words of a question, in order (question words and stopwords dropped)."""
    # "What's", "who's": the question word without its "is".
    words = [_CONTRACTED.sub("", w.strip("'’")) for w in _WORD.findall(question)]
    return [
        w for w in words if w and w.lower() not in STOPWORDS and w.lower() not in _QUESTION_WORDS
    ]


def leans_on_history(question: str) -> bool:
    """Whether the question needs earlier turns to be understood."""
    content = key_terms(question)
    return bool(_LEANING.search(question)) or len(content) <= 1


def standalone_question(question: str, history: list[str] | None) -> str:
    """The question with the last turn's key terms carried over when it leans on them."""
    if not history or not leans_on_history(question):
        return question
    carried: list[str] = []
    own_terms = key_terms(question)
    for turn in reversed(history):
        carried = key_terms(turn)
        # A personal pronoun in a question with a topic of its own ("what does it say about
        # prevention?") points back at a named thing: only the names are carried, so the
        # question's own topic leads. A
        # demonstrative ("that change") points at the whole earlier idea: all is carried.
        names = [w for w in carried if w[:1].isupper() or w.isupper()]
        if len(own_terms) >= 2 and names and not _DEMONSTRATIVE.search(question):
            carried = names
        if carried:
            break
    own = {w.lower() for w in own_terms}
    extra = [w for w in carried if w.lower() not in own]
    return f"{question} ({' '.join(extra)})" if extra else question
