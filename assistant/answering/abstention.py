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
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answering.evidence import Sentence
from assistant.answering.options import AbstainOptions
from assistant.answering.question_kind import (
    FigureKind,
    QuestionKind,
    asks_typical,
    asks_who_holds_a_post,
    asks_who_succeeded,
    figure_asked,
    person_focus,
    post_body,
    question_kind,
    shares_stem,
    speaks_of_succession,
)
from assistant.retrieval.glossary import Glossary
from ingest.structure_names import FUNCTION_WORDS, singular_word
from ingest.structure_rules import default_rules
from vectorstore.lexical import LexicalIndex, terms

_NUMBER = (
    r"\b(\d[\d,.\-–]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fourteen|fifteen|twenty|thirty|forty|fifty|hundred)"
)
_DOSE = re.compile(r"\d\s?(mg|mcg|micrograms?|milligrams?|g|ml|units?|iu)\b", re.IGNORECASE)
_DURATION = re.compile(
    _NUMBER + r"(\s+|-)(working\s+|calendar\s+|clear\s+)?"
    r"(minutes?|hours?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_MONTHS = (
    r"(january|february|march|april|june|july|august|september|october|november|december|"
    r"\d{1,2}(st|nd|rd|th)?\s+may|may\s+\d)"
)
# A date: a year ("2027", "2026/27"), a month, a quarter or a season of a year.
_DATE = re.compile(
    rf"\b(19|20)\d\d\b|\b{_MONTHS}\b|\bQ[1-4]\b|"
    r"\b(this|next|last)\s+(year|spring|summer|autumn|winter|month|quarter)\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"[£$€]\s?\d|\d\s?(%|per ?cent|million|billion|bn|m\b|k\b)|\bband \d", re.IGNORECASE
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
# Words that ask, and say nothing of what is asked about.
_ASKING_TERMS = frozenset(
    terms("what who which where when how why do does describe explain tell mean means")
)
# Words that say what kind of answer is wanted ("What is the Board responsible for?"):
# an answer need not repeat them (so they do not count towards the evidence's coverage),
# but of two sentences about the Board, the one that says what it is responsible for
# answers better (so they count when sentences are scored).
_ROLE_TERMS = frozenset(terms("role roles responsible responsibility main key job jobs part"))
_FRAME_TERMS = _ASKING_TERMS | _ROLE_TERMS


@dataclass(frozen=True)
class Stated:
    """A sentence chosen for an answer, with where it sits: the title and heading above
    it, and its whole passage (what a figure is about may be said there, not in it)."""

    text: str
    heading: str = ""
    passage: str = ""


def question_terms(question: str, role_words: bool = False) -> list[str]:
    """Stemmed content terms of a question, frame words dropped, each once; with
    ``role_words`` the words that say what kind of answer is wanted are kept."""
    dropped = _ASKING_TERMS if role_words else _FRAME_TERMS
    seen: dict[str, None] = {}
    for term in terms(question):
        if term not in dropped:
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
        in_library = any(all(lexical.knows(t) for t in terms(f)) for f in forms if terms(f))
        if not in_library:
            missing.append(name)
    return missing


# "the dose of X", "the cost of X": X is what the figure must be about. The phrase stops at
# a conjunction or a preposition ("the dose of tirzepatide and how quickly ...").
_FIGURE_OF = re.compile(
    r"\b(?:dose|doses|dosage|cost|costs|price|budget|value|salary|spend|spending|funding|"
    r"number|size|population|length|duration)\s+(?:of|for|on)\s+(?:the\s+|a\s+|an\s+)?"
    r"([\w-]+(?:\s+(?!(?:and|or|in|at|for|to|when|if|with|by|on|per|is|are|does|do)\b)"
    r"[\w-]+){0,3})|"
    # "how much does a Dexcom ONE starter kit cost", "what does the reader cost"
    r"\b(?:how much|what) (?:does|do|did|will|would) (?:a |an |the )?"
    r"([\w-]+(?:\s+[\w-]+){0,3}?) cost\b",
    re.IGNORECASE,
)
# Money: an amount in currency or millions, not a percentage.
_MONEY = re.compile(r"[£$€]\s?\d|\d\s?(million|billion|bn|m\b|k\b)|\bband \d", re.I)


_ACRONYM = re.compile(r"[A-Z][A-Z0-9&]+s?")


def capitalised_words(text: str) -> list[str]:
    """The capitalised words of ``text`` that do not open a sentence, and its acronyms."""
    return _CAPITALISED.findall(text)


def _question_names(question: str) -> list[str]:
    """The capitalised names and acronyms of a question that name something in it."""
    return [n for n in _CAPITALISED.findall(question) if n not in _FRAME_NAMES]


def _name_stems(name: str, glossary: Glossary) -> set[str]:
    """Stems of a name and of its acronym's other form ("ICB": icb, integr, care, board)."""
    entry = glossary.lookup(name)
    forms = [name] + ([entry.short, entry.long] if entry else [])
    return {t for f in forms for t in terms(f)}


# "How many PCNs are there in England?" wants the national figure: a passage about one
# county ("grouped into 21 PCNs") answers for that county only.
_NATIONAL = re.compile(
    r"\b(?:in|across|throughout)\s+(?:all\s+of\s+)?England\b|\bnationally\b", re.I
)
_NATIONAL_STEMS = frozenset(terms("England English national nationally country countrywide"))


def _said_of_england(stated: Stated) -> set[str]:
    """The words of a sentence, its heading and its passage, as written (no acronym
    spelt out: "NHS" is not "national"), without "NHS England": the body's name does not
    say that a figure is England's."""
    text = f"{stated.heading} {stated.text} {stated.passage}"
    return set(terms(re.sub(r"\bNHS\s+England\b", "NHSE", text)))


def figure_subjects(question: str, glossary: Glossary) -> tuple[list[set[str]], set[str]]:
    """What a figure must be about: the names the question uses ("Leeds", "NHS Sussex"),
    each as a group of stems any one of which will do, and the thing in "the dose of X"
    (empty when the question has no such phrase)."""
    names = [g for name in _question_names(question) if (g := _name_stems(name, glossary))]
    match = _FIGURE_OF.search(question)
    phrase = (match.group(1) or match.group(2)) if match else ""
    # The phrase's head noun is what the figure is of ("starter kit": a kit, whatever
    # else the passage prices); any of its words when the last says nothing.
    words = [w for w in phrase.split() if set(terms(w)) - _FRAME_TERMS]
    thing = set(terms(words[-1])) - _FRAME_TERMS if words else set()
    return names, thing


def asked_names(question: str, glossary: Glossary) -> list[tuple[str, set[str]]]:
    """The names a question asks about, each with the stems any one of which says a passage
    speaks of it. An acronym is often spelt out another way in the passage that answers
    ("RPS", "the Society"); a place's or a body's name rarely is, so outside questions
    about people acronyms are left out."""
    person = question_kind(question) == QuestionKind.PERSON
    return [
        (name, forms)
        for name in _question_names(question)
        if (person or not _ACRONYM.fullmatch(name)) and (forms := _name_stems(name, glossary))
    ]


def about_asked(question: str, glossary: Glossary) -> Callable[[Sentence], bool] | None:
    """Whether a sentence's passage (its title, publisher and heading included) speaks of
    every name the question asks about, as :func:`names_elsewhere` judges an answer; None
    when the question names nothing."""
    names = [forms for _, forms in asked_names(question, glossary)]
    if not names:
        return None
    said: dict[str | None, set[str]] = {}

    def speaks_of_all(sentence: Sentence) -> bool:
        chunk = sentence.chunk
        if chunk.id not in said:
            said[chunk.id] = set(terms(glossary.expand(chunk.indexed_text)))
        return all(forms & said[chunk.id] for forms in names)

    return speaks_of_all


def names_elsewhere(question: str, chosen: list[Stated], glossary: Glossary) -> list[str]:
    """The question's names that the answer's own passages never mention: the passages
    speak of somewhere or someone else ("Who is the chief pharmacist at NHS Sussex?"
    answered from a passage about North East London)."""
    if not chosen:
        return []
    said: set[str] = set()
    for stated in chosen:
        said |= set(terms(glossary.expand(f"{stated.heading} {stated.passage} {stated.text}")))
    return [name for name, forms in asked_names(question, glossary) if not forms & said]


def figure_misplaced(question: str, chosen: list[Stated], glossary: Glossary) -> bool:
    """Whether a figure question's figure is only given for something else: no chosen
    sentence gives the figure in a passage that names what the question names, with the
    thing of "the dose of X" in the sentence itself or the heading above it. A dose of one
    medicine must not answer a question about another, though the passage mentions it in
    passing; Sussex's count of pharmacies does not answer a question about Leeds, nor
    about England."""
    names, thing = figure_subjects(question, glossary)
    national = _NATIONAL.search(question) is not None
    if not names and not thing and not national:
        return False
    for stated in chosen:
        if not gives_requested_figure(question, stated.text, glossary):
            continue
        near = set(terms(glossary.expand(f"{stated.heading} {stated.text}")))
        around = near | set(terms(glossary.expand(stated.passage)))
        if national and not _NATIONAL_STEMS & _said_of_england(stated):
            continue
        heading_and_text = f"{stated.heading} {stated.text}"
        if all(group & around for group in names) and (
            not thing or _names_as_head(thing, heading_and_text)
        ):
            return False
    return True


# What may follow the thing a figure is of and leave it the thing: a figure word ("the pen
# costs"), a function word ("the pen is £5"), a verb in the past, punctuation.
_FIGURE_WORDS = frozenset(terms("dose doses cost costs price prices priced budget value"))


def _names_as_head(thing: set[str], text: str) -> bool:
    """Whether ``text`` names ``thing`` as what it speaks of, not as a word describing
    something else: "insulin pen needles" prices needles, not pens."""
    words = re.findall(r"[A-Za-z][\w'’-]*|\S", text)
    for i, word in enumerate(words):
        if not thing & set(terms(word)):
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        if (
            not after[:1].isalpha()
            or after.lower() in FUNCTION_WORDS
            or after.lower().endswith("ed")  # "spend on drugs reached £2 billion"
            or set(terms(after)) & _FIGURE_WORDS
        ):
            return True
    return False


def gives_a_number(text: str) -> bool:
    """Whether ``text`` states a number, in digits or words (the shape of a figure answer)."""
    return re.search(_NUMBER, text, re.IGNORECASE) is not None


def _counted_phrase(words: str) -> str:
    """The words after a number that name what it counts: up to the first lower-case
    plural ("161 community pharmacies in ..."), which ends the phrase; a word after it
    is something else ("30-50,000 allows practices to share": the number counts no
    practices)."""
    out: list[str] = []
    for word in words.split():
        out.append(word)
        bare = word.strip(",;:.()")
        if bare.islower() and bare.endswith("s") and not bare.endswith(("ss", "us")):
            break
    return " ".join(out)


_VAGUE_ONE = re.compile(r"\b(?:than|least|no|any|every|each)\s+$", re.I)
# What binds a count to a named place: "in West Sussex", "across Leeds".
_PLACE_BOUND = re.compile(r"\s*(?:in|across|within|throughout)\s+(?:the\s+)?[A-Z][a-z]")


def gives_requested_figure(question: str, text: str, glossary: Glossary) -> bool | None:
    """For a figure question, whether ``text`` gives the figure; None for other questions.

    "How many X" wants a number within a few words before X (or X's acronym);
    "how much / what is the budget" wants an amount (currency, %, million, band); a
    question about a dose wants a quantity with its unit ("15 mg"); "how much notice" wants
    a duration ("five weeks").
    """
    asked = figure_asked(question)
    if asked is None:
        return None
    if asked.kind == FigureKind.COUNT:
        # The phrase's head noun is what is counted: "how many NHS trusts" counts trusts,
        # and "5 segments ... in the NHS" does not answer it.
        wanted = set(terms(glossary.expand(asked.counted))) or set(terms(asked.phrase))
        typical = asks_typical(question)
        # The words after a number are looked ahead at, not consumed: in "six pharmacists
        # and three technicians" the second number is read too.
        for match in re.finditer(_NUMBER + r"(?=\W+((?:\S+\s+){0,3}\S+))", text, re.IGNORECASE):
            # "the 400-plus HCDs" counts high cost drugs: the words after the number
            # are read with their acronyms spelt out.
            counted = _counted_phrase(match.group(2))
            if not wanted & set(terms(glossary.expand(counted))):
                continue
            # "more than one GP practice can operate": no count of practices.
            if match.group(1).lower() == "one" and _VAGUE_ONE.search(text[: match.start()]):
                continue
            # "How many practices are in a typical network?" is not answered by a total
            # for one place ("74 GP practices in West Sussex").
            if typical and _PLACE_BOUND.match(text, match.start(2) + len(counted)):
                continue
            return True
        return False
    if asked.kind == FigureKind.DATE:
        return bool(_DATE.search(text))
    if asked.kind == FigureKind.WHEN:
        return bool(_DATE.search(text) or _DURATION.search(text))
    pattern = {
        FigureKind.DOSE: _DOSE,
        FigureKind.DURATION: _DURATION,
        FigureKind.MONEY: _MONEY,
        FigureKind.AMOUNT: _AMOUNT,
    }[asked.kind]
    return bool(pattern.search(text))


def abstain_reason(
    question: str,
    cover: float,
    best_score: float,
    chosen: list[Stated],
    evidence: list[str],
    glossary: Glossary,
    lexical: LexicalIndex,
    params: AbstainOptions,
    own_words: str | None = None,
) -> str | None:
    """Why the evidence does not support an answer, or None when it does. ``question`` is
    the question made to stand alone; ``own_words`` the user's own, when it was a
    follow-up (the names a figure must be about are the user's, not the history's)."""
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
    # Times are given in too many ways ("once the Bill passes", "from the summer") for
    # their absence to say the answer is missing: a "when" question is never refused on it.
    asked = figure_asked(question)
    firm = asked is not None and asked.kind not in (FigureKind.WHEN, FigureKind.DATE)
    if firm and not gives_requested_figure(question, " ".join(c.text for c in chosen), glossary):
        return "the question asks for a figure and the passages found give none"
    if firm and figure_misplaced(own_words or question, chosen, glossary):
        return "the passages give a figure, but not for what the question asks about"
    # "Who is the chief pharmacist at NHS Sussex?" is not answered by a passage about
    # another system's chief pharmacist.
    elsewhere = names_elsewhere(own_words or question, chosen, glossary)
    if elsewhere:
        return f"the passages that answer speak of something else, not {', '.join(elsewhere)}"
    focus = person_focus(question)
    said = _evidence_terms(evidence, glossary)
    if focus and not all(shares_stem(stem, said) for stem in focus):
        return "the passages found never say who does what the question asks about"
    if asks_who_succeeded(own_words or question) and not any(
        speaks_of_succession(f"{c.text} {c.passage}") for c in chosen
    ):
        return "the passages speak of who left, never of who took over"
    # The lead is the direct answer: a name in a supporting sentence is someone else's.
    if asks_who_holds_a_post(own_words or question) and not (
        names_someone_new(question, chosen[:1]) and _names_the_post(focus, chosen[:2])
    ):
        return "the passages speak of the post but never name who holds it"
    body = post_body(own_words or question)
    if body and chosen and not _speaks_of_its_kind(body, chosen[0], glossary):
        return f"the passages name who holds a post, but not of {body}"
    return None


def _names_the_post(post: list[str], opening: list[Stated]) -> bool:
    """Whether the answer's opening (the lead, or a profile card's name and post lines),
    with its heading, names the post asked about (its last two words): a name in a
    sentence about something else holds no post."""
    said = " ".join(f"{s.heading} {s.text}" for s in opening)
    return set(post[-2:]) <= set(terms(said))


def _kind_heads(body: str, glossary: Glossary) -> set[str] | None:
    """The stems of the word that says what kind of body ``body`` is ("committee" of "the
    Finance Committee", "board" of "Lindale ICB"), as prompts/structure.toml lists the
    kinds of bodies and committees; None when it names no such kind ("the cluster")."""
    head = re.sub(r"['’]s$", "", body.split()[-1])
    entry = glossary.lookup(head)
    for name in [head] + ([entry.long] if entry else []):
        words = [singular_word(w.lower()) for w in name.split()]
        if default_rules().kind_of(words) in _BODY_KINDS:
            return set(terms(words[-1]))
    return None


_BODY_KINDS = frozenset({"body", "committee"})


def _speaks_of_its_kind(body: str, lead: Stated, glossary: Glossary) -> bool:
    """Whether the lead's passage (with its title and heading) names the kind of body
    whose post is asked about: a passage on "Joint Chair: Ann Lee ... of both boards" that
    never speaks of a committee does not say who chairs one."""
    heads = _kind_heads(body, glossary)
    if heads is None:
        return True
    said = f"{lead.heading} {lead.passage} {lead.text}"
    return bool(heads & set(terms(glossary.expand(said))))


def names_someone_new(question: str, chosen: list[Stated]) -> bool:
    """Whether the answer names someone or something the question does not: a capitalised
    word inside a sentence ("Jacqueline Clay ... (Chair)"), not one of the question's own
    ("the Group Chief Pharmacist in North East London" names no one)."""
    asked = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
    return any(
        (word := m.group(1)).lower() not in asked and word not in _FRAME_NAMES
        for stated in chosen
        for m in _CAPITALISED.finditer(stated.text)
    )
