"""When to say "the documents do not cover this", from signals calibrated on the dev set.

Signals, each general (nothing about particular questions):
- names: a proper name or acronym the question uses that the evidence never mentions
  ("Kent", "NICE") means the documents are about something else;
- coverage: how much of the question's content, weighted by rarity, the evidence holds;
- the best sentence's score;
- answer type: "how many X" needs a number next to X; "how much / budget / cost" needs
  an amount. A passage on the right topic without the figure is not an answer.
"""

from __future__ import annotations

import re

from assistant.answering.options import AbstainOptions
from assistant.answering.question_kind import person_focus, shares_stem
from assistant.retrieval.glossary import Glossary
from vectorstore.lexical import LexicalIndex, terms

_HOW_MANY = re.compile(
    r"\bhow many ([a-z][a-z -]{2,60}?)(?: are| is| do| does| did| have| has|"
    r" were| was| in| on| at| there|\?|$)",
    re.IGNORECASE,
)
# The amount word must end its noun phrase: "what is the budget of X" asks for an amount,
# "what is an individual funding request" does not.
_AMOUNT_QUESTION = re.compile(
    r"\bhow much\b|\bwhat(?:'s|’s| is| was| are| were) (the |a |an |its |their )?"
    r"([\w()-]+ ){0,4}(budget|cost|costs|spend|spending|salary|pay band|price|value|funding)"
    r"(?=\s*(\?|$|\b(of|for|in|per|on|at|to|from|that|this|does|do|is|was|will)\b))|"
    r"\bwhat (does|do|did|will) [^?(]+ cost(\s+(the|an?|each|per|us|them|it)\b[^?(]{0,25})?"
    r"\s*(\?|$)|\b(salary|pay) band\b|\bworth\b",
    re.IGNORECASE,
)
_DOSE_QUESTION = re.compile(r"\b(dose|doses|dosage|dosing)\b", re.IGNORECASE)
_DOSE = re.compile(r"\d\s?(mg|mcg|micrograms?|milligrams?|g|ml|units?|iu)\b", re.IGNORECASE)
_AMOUNT = re.compile(
    r"[£$€]\s?\d|\d\s?(%|per ?cent|million|billion|bn|m\b|k\b)|\bband \d", re.IGNORECASE
)
_NUMBER = (
    r"\b(\d[\d,.\-–]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fourteen|fifteen|twenty|thirty|forty|fifty|hundred)"
)
_CAPITALISED = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-zA-Z0-9]+|[A-Z]{2,})\b")
# Capitalised words that frame a question rather than name something in it.
_FRAME_NAMES = frozenset(
    (
        "I What Who Which Where When How Why Is Are Do Does Can Could Should Would "
        "Will The A An And In On Of For To According Compared Apart NHS England "
        "English UK OK Hi Please KAM KAMs MSL MSLs"
    ).split()
)
# Words that say what kind of answer is wanted, not what it is about.
_FRAME_TERMS = frozenset(
    terms(
        "what who which where when how why role roles responsible responsibility do does "
        "describe explain tell mean means main key job jobs part"
    )
)


def question_terms(question: str) -> list[str]:
    """Stemmed content terms of a question, frame words dropped, each once."""
    seen: dict[str, None] = {}
    for term in terms(question):
        if term not in _FRAME_TERMS:
            seen.setdefault(term, None)
    return list(seen)


def _evidence_terms(evidence: list[str], glossary: Glossary) -> set[str]:
    found: set[str] = set()
    for text in evidence:
        found.update(terms(glossary.expand(text)))
    return found


def coverage(
    question: str, evidence: list[str], lexical: LexicalIndex, glossary: Glossary
) -> float:
    """Share of the question's content, weighted by rarity, found in the evidence."""
    wanted = question_terms(question)
    if not wanted:
        return 1.0
    found = _evidence_terms(evidence, glossary)
    # An acronym in the question counts as found when its long form is (and vice versa).
    for entry in glossary.mentioned(question):
        forms = [terms(entry.short), terms(entry.long)]
        if any(f and set(f) <= found for f in forms):
            for f in forms:
                found.update(f)
    total = sum(lexical.idf(t) for t in wanted)
    return sum(lexical.idf(t) for t in wanted if t in found) / total if total else 1.0


def missing_names(
    question: str, evidence: list[str], glossary: Glossary, lexical: LexicalIndex
) -> list[str]:
    """Proper names and acronyms of the question that neither the evidence nor any other
    passage of the library mentions ("Dorset" in a library without Dorset). A name the
    library has elsewhere is not evidence of absence: the search may have missed it."""
    found = _evidence_terms(evidence, glossary)
    missing = []
    for name in _CAPITALISED.findall(question):
        if name in _FRAME_NAMES:
            continue
        entry = glossary.lookup(name)
        forms = [name] + ([entry.short, entry.long] if entry else [])
        if any(set(terms(f)) and set(terms(f)) <= found for f in forms):
            continue
        in_library = any(
            all(lexical.document_frequency.get(t, 0) > 0 for t in terms(f))
            for f in forms
            if terms(f)
        )
        if not in_library:
            missing.append(name)
    return missing


# Words that say what kind of figure is wanted, not what it is about.
_FIGURE_FRAME = frozenset(
    terms(
        "dose doses dosage maximum minimum daily weekly monthly annual yearly total average "
        "typical usual current cost costs price budget spend much many amount value per "
        "recommended starting"
    )
)


def subject_term(question: str, lexical: LexicalIndex) -> str | None:
    """The question's rarest content term that the library knows, figure words aside: what
    a figure must be about ("metformin" in "what is the maximum daily dose of metformin")."""
    known = [
        t
        for t in question_terms(question)
        if t not in _FIGURE_FRAME and lexical.document_frequency.get(t, 0) > 0
    ]
    return max(known, key=lexical.idf) if known else None


def figure_misplaced(
    question: str, chosen: list[str], lexical: LexicalIndex, glossary: Glossary
) -> bool:
    """Whether a figure question's figure is only given for something else: no chosen
    sentence holds both the figure and the question's subject (a dose of one medicine
    must not answer a question about another)."""
    subject = subject_term(question, lexical)
    if subject is None:
        return False
    return not any(
        gives_requested_figure(question, text, glossary)
        and subject in set(terms(glossary.expand(text)))
        for text in chosen
    )


def gives_a_number(text: str) -> bool:
    """Whether ``text`` states a number, in digits or words (the shape of a figure answer)."""
    return re.search(_NUMBER, text, re.IGNORECASE) is not None


def gives_requested_figure(question: str, text: str, glossary: Glossary) -> bool | None:
    """For a figure question, whether ``text`` gives the figure; None for other questions.

    "How many X" wants a number within a few words before X (or X's acronym);
    "how much / what is the budget" wants an amount (currency, %, million, band); a
    question about a dose wants a quantity with its unit ("15 mg").
    """
    many = _HOW_MANY.search(question)
    if many:
        wanted = set(terms(glossary.expand(many.group(1))))
        for match in re.finditer(_NUMBER + r"\W+((?:\S+\s+){0,3}\S+)", text, re.IGNORECASE):
            if wanted & set(terms(match.group(2))):
                return True
        return False
    if _DOSE_QUESTION.search(question):
        return bool(_DOSE.search(text))
    if _AMOUNT_QUESTION.search(question):
        return bool(_AMOUNT.search(text))
    return None


def abstain_reason(
    question: str,
    cover: float,
    best_score: float,
    chosen: list[str],
    evidence: list[str],
    glossary: Glossary,
    lexical: LexicalIndex,
    params: AbstainOptions,
) -> str | None:
    """Why the evidence does not support an answer, or None when it does."""
    names = missing_names(question, evidence, glossary, lexical)
    if names:
        return f"the passages found never mention {', '.join(names)}"
    if cover < params.min_coverage:
        return (
            f"the documents do not mention enough of what the question asks about "
            f"(coverage {cover:.2f} < {params.min_coverage:.2f})"
        )
    if best_score < params.min_sentence_score:
        return (
            f"no passage answers it closely enough (best match {best_score:.2f} < "
            f"{params.min_sentence_score:.2f})"
        )
    if gives_requested_figure(question, " ".join(chosen), glossary) is False:
        return "the question asks for a figure and the passages found give none"
    amount = _AMOUNT_QUESTION.search(question) or _DOSE_QUESTION.search(question)
    if amount and figure_misplaced(question, chosen, lexical, glossary):
        return "the passages give a figure, but not for what the question asks about"
    focus = person_focus(question)
    said = _evidence_terms(evidence, glossary)
    if focus and not all(shares_stem(stem, said) for stem in focus):
        return "the passages found never say who does what the question asks about"
    return None
