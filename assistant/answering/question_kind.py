"""What kind of answer a question wants, read from its wording alone.

The kind decides how an offline answer is composed: a definition opens with the sentence
that says what the thing is, a list is kept whole, a process keeps its steps in order, a
figure needs the number next to the thing asked about. Nothing here knows any document.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from enum import StrEnum

from ingest.structure_names import singular_word
from ingest.structure_rules import default_rules
from vectorstore.lexical import terms


class QuestionKind(StrEnum):
    """The shape of answer a question asks for."""

    DEFINITION = "definition"
    PERSON = "person"
    LIST = "list"
    FIGURE = "figure"
    PROCESS = "process"
    CHANGE = "change"
    YES_NO = "yes_no"
    OTHER = "other"


_COMPARES = re.compile(
    # "What is that compared to?" asks what something is likened to, not for a comparison.
    r"\b(compar\w*(?!\s+(?:to|with)\s*\??\s*$)|differ\w*|versus|vs\.?|chang\w*|evolv\w*|mov(e|es|ed|ing)|shift(ed|ing)"
    r"|transition\w*|replac\w*|over\s+time|how\s+(has|have)\b.+\bbeen"
    r"|before\s+and\s+after|no\s+longer)\b",
    re.I,
)
_PERSON = re.compile(r"^\s*(who\b|whose\b|which\s+(role|person|people|post|job|team)s?\b)", re.I)
_FIGURE = re.compile(
    r"\b(how\s+(many|much|long|often|soon|big|large|quickly)|what\s+(year|date|percentage|"
    r"proportion|share|number|age|dose|amount|budget|cost|price|size)|"
    r"what\s+per\s*cent|how\s+far)\b",
    re.I,
)
_PROCESS = re.compile(
    r"\b(how\s+(does|do|is|are|can|should|would|will)\b(?!.*\b(mean|differ|compare)\b)|"
    r"what\s+(is|are)\s+the\s+(process|steps|procedure|route|way)|what\s+happens|"
    r"steps?\b|process\b|procedure\b|go\s+about)",
    re.I,
)
_NUMBER_WORD = (
    r"(two|three|four|five|six|seven|eight|nine|ten|\d+|several|main|key|different|various)"
)
_LIST = re.compile(
    rf"\b(what\s+are\s+the\s+{_NUMBER_WORD}\b|which\s+\w+s\b|list\b|name\s+the\b|"
    # "What kinds of data go into X?", "What's covered in X?", "What is X responsible for?"
    rf"what\s+(kinds|types|sorts)\s+of\b|what(\s+is|'s|’s|\s+gets?)\s+(covered|included)\b|"
    rf"\bresponsible\s+for\s*\??\s*$|"
    rf"which\s+\w+\s+\w+[^siu\W]s\s+(are|were|do|did|have|can|could|should|must|will)\b|"
    rf"^\s*what\s+(\w+\s+)?\w+[^siu\W]s\s+(do|does|did|are|will|should|must|can|have|has)\b|"
    rf"what\s+(do|does|will|would|should)\s+.+\s(include|cover|involve)\b|"
    rf"what\s+are\s+(the\s+)?\w+(\s+\w+)?\s+(of|for|in|that|to)\b|"
    rf"\b{_NUMBER_WORD}\s+(shifts|priorities|aims|principles|domains|areas|themes|steps|"
    rf"pillars|ways|things|functions|responsibilities|duties|criteria|goals|objectives|"
    rf"ambitions|outcomes|elements|components|tests|categories|levels|types|kinds)\b)",
    re.I,
)
_DEFINITION = re.compile(
    r"^\s*(what\s+(is|are|was|were)\s+(a|an|the)?\s*[\w\s\-’']{1,60}\??\s*$|"
    # "What does X mean?" asks what X is; "what does X mean for staff?" what X does to them.
    r"what\s+does\s+.+\s+(mean|stand\s+for)(\s+(in|within|here)\b[^?]*)?\s*\??\s*$|define\b|what\s+do\s+(we|you|they)\s+mean\b|"
    r"what\s+(is|are)\s+meant\s+by\b)",
    re.I,
)
# "What is the Board responsible for?", "What is it used for?": about X, not what X is.
# ("What does ICS stand for?" still asks what it is.)
_ENDS_IN_PREPOSITION = re.compile(
    r"(?<!\bstand)\s+(for|of|to|on|with|by|from|about|at|up|into)\s*\??\s*$", re.I
)
_YES_NO = re.compile(
    r"^\s*(is|are|does|do|can|could|will|should|has|have|was|were|did|must|may)\b", re.I
)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


# "What's a PNA?" asks what "What is a PNA?" asks.
_CONTRACTIONS = (
    (re.compile(r"\b(what|who|where|when|how|which|that|there|it)['’]s\b", re.I), r"\1 is"),
    (re.compile(r"\b(what|who|where|how|which|they|we|you)['’]re\b", re.I), r"\1 are"),
)


def asked_sentence(question: str) -> str:
    """The sentence that asks, of a message that says something first ("I'm a new KAM.
    Who should I talk to ...?"); the whole message when it asks more than once or never.
    Contractions are spelt out ("What's" is "What is")."""
    for pattern, spelt in _CONTRACTIONS:
        question = pattern.sub(spelt, question)
    parts = [p.strip() for p in _SENTENCE_END.split(question.strip())]
    asking = [p for p in parts if p.endswith("?")]
    return asking[0] if len(asking) == 1 else question.strip()


def _asks(pattern: re.Pattern[str], question: str) -> bool:
    """Whether the asking sentence of ``question`` matches ``pattern``."""
    return pattern.search(asked_sentence(question)) is not None


# "What does an ICB do?": what the thing does, answered by a sentence in which it acts.
_DOES = re.compile(
    r"^\s*what\s+(?:does|do|did|will)\s+(?:an?\s+|the\s+)?(.+?)\s+"
    r"(?:actually\s+|really\s+|now\s+)?do\s*\??\s*$",
    re.I,
)


def asks_what_it_does(question: str) -> bool:
    """Whether the question asks what something does ("What does an ICB do?")."""
    return _asks(_DOES, question)


def question_kind(question: str) -> QuestionKind:
    """The kind of answer ``question`` wants; the first rule that matches wins, most
    specific first (a "how has X changed" is a change, not a process)."""
    text = asked_sentence(question)
    if _COMPARES.search(text):
        return QuestionKind.CHANGE
    if _PERSON.search(text):
        return QuestionKind.PERSON
    if _FIGURE.search(text) or asks_when(text):
        return QuestionKind.FIGURE
    if _YES_NO.search(text):
        return QuestionKind.YES_NO
    if _LIST.search(text):
        return QuestionKind.LIST
    if _PROCESS.search(text):
        return QuestionKind.PROCESS
    # The figure rules know figure questions the wording above misses: "what's the
    # starting dose of X" wants a dose, not a definition.
    if figure_asked(text) is not None:
        return QuestionKind.FIGURE
    if _DOES.search(text) or (_DEFINITION.search(text) and not _ENDS_IN_PREPOSITION.search(text)):
        return QuestionKind.DEFINITION
    return QuestionKind.OTHER


# "The difference between X and Y", "X versus Y", "how is X different from Y": an answer
# must speak of both sides. Each side is a short phrase (a name, not a clause).
_SIDE = r"((?:[\w’'/&-]+\s+){0,4}?[\w’'/&-]+)"
_SIDES = (
    re.compile(
        rf"\bdifferences?\s+between\s+(?:an?\s+|the\s+)?{_SIDE}\s+and\s+"
        rf"(?:an?\s+|the\s+)?{_SIDE}\s*(?:[?.,;]|$)",
        re.I,
    ),
    re.compile(
        rf"(?:^|\s)((?:[\w’'/&-]+\s+)?[\w’'/&-]+)\s+(?:versus|vs\.?|compared\s+(?:with|to))"
        rf"\s+(?:an?\s+|the\s+)?{_SIDE}(?:\s+(?:in|on|at|for)\b|\s*[?.,;]|$)",
        re.I,
    ),
    re.compile(
        rf"\bhow\s+(?:is|are|do|does)\s+(?:an?\s+|the\s+)?{_SIDE}\s+"
        rf"(?:different|differ)\s+(?:from|to)\s+(?:an?\s+|the\s+)?{_SIDE}\s*(?:[?.,;]|$)",
        re.I,
    ),
    re.compile(
        rf"\bhow\s+do\s+(?:an?\s+|the\s+)?{_SIDE}\s+and\s+(?:an?\s+|the\s+)?"
        rf"{_SIDE}\s+differ\b",
        re.I,
    ),
)


def compared_sides(question: str) -> tuple[str, str] | None:
    """The two things a question compares ("an ICS Programme Lead", "a Service Lead"),
    or None when it compares none by name."""
    for pattern in _SIDES:
        match = pattern.search(question)
        if match:
            return match.group(1).strip(), match.group(2).strip()
    return None


# "Who chairs / heads X" wants the person or body in the chair: the answer must say so.
_WHO_CHAIRS = re.compile(
    r"^\s*who\s+(?:is\s+|was\s+)?(chairs|chaired|chairing|heads|headed|heading)\b", re.I
)
_ROLE_WORDING = re.compile(r"\b(responsible|accountable|involved|in charge|able|allowed)\b", re.I)
_WHO_IS = re.compile(
    r"^\s*who\s+(?:is|are|was|were)\s+(?!(?:on|in|at|behind|part|involved|there)\b)"
    r"(?:the\s+|a\s+|an\s+)?(.+?)(?:\s+(?:of|at|in|for|on)\b|\?|$)",
    re.I,
)
# Light verbs say little about what the answer must contain ("who makes the call" is
# answered by "decisions are made by the panel"), so they set no focus.
_FOCUS_SKIP = frozenset(
    terms(
        "is are was were does do did will would should can could the a an make makes made "
        "get gets got take takes took have has had give gives gave go goes went write "
        "writes wrote written say says said put puts set sets need needs use uses"
    )
)


def person_focus(question: str) -> list[str]:
    """What a "who is the <post> of X" or "who chairs X" answer must speak of: the post's
    stems ("chief executive", "chair"). Empty for other questions (most verbs are answered
    in other words: "who decides" by "decisions are made by")."""
    question = asked_sentence(question)
    match = _WHO_CHAIRS.search(question)  # "who's chairing X" as "who chairs X"
    if match:
        return terms(match.group(1))[:1]
    match = _WHO_IS.search(question)
    if match and not _ROLE_WORDING.search(match.group(1)):
        return [t for t in terms(match.group(1)) if t not in _FOCUS_SKIP]
    return []


_WHO_SUCCEEDED = re.compile(
    r"^\s*who\s+(?:has\s+|have\s+|will\s+|is\s+going\s+to\s+)?(?:took|taken|take|takes)\s+over\b|"
    r"^\s*who\s+(?:has\s+|will\s+)?(?:replaced|replaces|replace|succeeded|succeeds|succeed)\b|"
    r"^\s*who\s+(?:is|was)\s+(?:his|her|their|the)\s+(?:successor|replacement)\b",
    re.I,
)
# What a passage naming a successor says.
_SUCCESSION = re.compile(
    r"\b(?:succeed\w*|successor|replac\w*|(?:took|taken|takes|take)\s+over)\b", re.I
)


def speaks_of_succession(text: str) -> bool:
    """Whether ``text`` says someone took another's place ("succeeded", "took over")."""
    return _SUCCESSION.search(text) is not None


# A count asked of a typical or average one of something, not of a place.
_TYPICAL = re.compile(r"\b(typical|typically|average|on average|usually|normally)\b", re.I)


def asks_typical(question: str) -> bool:
    """Whether the question asks about a typical one of something ("how many practices
    are in a typical network?"), not about a named place."""
    return _asks(_TYPICAL, question)


def asks_who_succeeded(question: str) -> bool:
    """Whether the question asks who took someone's place ("Who took over from him?"):
    a passage naming only the one who left does not answer it."""
    return _asks(_WHO_SUCCEEDED, question)


# "Who is on the board?" asks who sits on it, not who holds a post.
_NOT_A_POST = (
    r"(?!(?:on|in|at|behind|part|involved|responsible|accountable|there|chairing|heading)\b)"
)
_WHO_HOLDS = re.compile(
    rf"^\s*who\s+(?:is|was)\s+{_NOT_A_POST}(?:the\s+|a\s+|an\s+)?(.+?)(?:\?|$)", re.I
)


# "Who chairs the X Committee?", "Who is the clinical director at X PCN?": the body whose
# post is asked about, up to a clause or a time that follows its name.
_POST_OF = re.compile(
    r"^\s*who\s+(?:chairs|chaired|heads|headed|is\s+chairing|is\s+heading)\s+(?:the\s+)?(.+)|"
    r"^\s*who\s+(?:is|was)\s+(?:the\s+)?(?:[\w-]+\s+){1,4}?(?:of|at|for)\s+(?:the\s+)?(.+)",
    re.I,
)
_BODY_ENDS = re.compile(
    r"\s*(?:[,?;]|\b(?:that|which|who|for|of|in|at|on|these days|now|currently|today)\b)",
    re.I,
)


def post_body(question: str) -> str | None:
    """The body a "who chairs X" or "who is the <post> of X" question names (its name as
    written, "Lindale ICB's Finance Committee"; "the steering group" of "the steering group
    for the PNA"), or None."""
    match = _POST_OF.search(asked_sentence(question))
    if match is None:
        return None
    body = _BODY_ENDS.split(match.group(1) or match.group(2), maxsplit=1)[0].strip()
    return body or None


def asks_who_holds_a_post(question: str) -> bool:
    """Whether the question asks who holds one post ("who is the chief pharmacist at X"):
    answered by a name, which a passage about the post may not give. ("Who chairs X" may
    be answered by a post, "chaired by the medical director": ``person_focus`` covers it.)"""
    match = _WHO_HOLDS.search(asked_sentence(question))
    return match is not None and not _ROLE_WORDING.search(match.group(1))


def shares_stem(stem: str, words: frozenset[str] | set[str], prefix: int = 4) -> bool:
    """Whether ``words`` holds ``stem`` or a word with its first ``prefix`` letters
    ("decid" finds "decis": decides / decisions)."""
    if stem in words:
        return True
    head = stem[:prefix]
    return len(head) >= 4 and any(w.startswith(head) for w in words)


_DEFINED = re.compile(
    r"^\s*what\s+(?:is|are|was|were)\s+(?:(?:a|an|the)\s+)?(.+?)\s*\??\s*$|"
    r"^\s*what\s+does\s+(.+?)\s+(?:mean|stand\s+for)\b",
    re.I,
)


def defined_term(question: str) -> str | None:
    """The thing a definition question asks about ("individual funding request")."""
    question = asked_sentence(question)
    does = _DOES.search(question)
    if does:
        return does[1].strip() or None
    match = _DEFINED.search(question)
    if not match:
        return None
    return (match[1] or match[2] or "").strip() or None


# Verbs that say what a body does when it is their subject ("the ICBs took on ...").
_ACTS = (
    r"will|must|should|can|may|have|has|had|holds?|held|takes?|took|plans?|commissions?|"
    r"commissioned|leads?|led|oversees?|decides?|manages?|works?|brings?|sets?|makes?|"
    r"provides?|supports?|delivers?|runs?|funds?|buys?|arranges?|agrees?|approves?|"
    r"assess(?:es)?|reviews?|advises?|ensures?|becomes?|became"
)


def defines(sentence: str, term: str, acts: bool = False) -> bool:
    """Whether ``sentence`` reads as a definition of ``term``: "X is a ...", "X means ...",
    "... is called X", "known as X"; with ``acts``, also a sentence in which X does
    something, as its subject ("ICBs commission ...", "..., the ICBs took on ...")."""
    # "the Example Valley APC" is "the APC" in its own document: an acronym ending the
    # term stands for it.
    words = term.split()
    if (
        len(words) > 1
        and re.fullmatch(r"[A-Z][A-Z0-9&]+", words[-1])
        and all(w[:1].isupper() for w in words[:-1])  # "Example Valley APC", not "an IFR"
    ):
        t = f"(?:{re.escape(term)}|{re.escape(words[-1])})"
    else:
        t = re.escape(term)
    patterns = [
        rf"\b{t}s?\b(\s*\([^)]*\))?\s+(is|are|was|were|means?|refers?\s+to|describes?)\b",
        _SPELT_OUT.format(t=t),
        rf"\b(is|are)\s+(called|known\s+as|termed)\s+(an?\s+|the\s+)?{t}",
        # "... is called an Individual Funding Request (IFR)" defines "IFR" too.
        rf"\b(is|are)\s+(called|known\s+as|termed)\s+[^.()]{{3,80}}\(\s*{t}s?\s*\)",
    ]
    if acts:
        patterns.append(_acting(t))
    return any(re.search(p, sentence, re.I) for p in patterns)


# "A Pharmaceutical Needs Assessment (PNA) is a statement of ...": the long form, its
# acronym in brackets, then what it is.
_SPELT_OUT = (
    r"[A-Z][\w’'-]*(?:\s+[\w’'&-]+){{0,8}}\s*\(\s*{t}s?\s*\)\s+(?:is|are|was|were|means?)\b"
)


def spells_out(sentence: str, term: str) -> bool:
    """Whether ``sentence`` defines the acronym ``term`` by its long form ("A
    Pharmaceutical Needs Assessment (PNA) is ..."): the fullest definition of it."""
    return re.search(_SPELT_OUT.format(t=re.escape(term)), sentence) is not None


def _acting(t: str) -> str:
    return (
        rf"(?:^|,\s)\W*(?:(?:the|an?|each|all|every|local|our)\s+)?{t}s?\b"
        rf"(\s*\([^)]*\))?\s+(?:{_ACTS})\b"
    )


def acts_in(sentence: str, term: str) -> bool:
    """Whether ``term`` is the subject of an action verb in ``sentence`` ("the APC will:",
    "ICBs commission ..."): what "what does X do?" asks, more than what X is."""
    return defines(sentence, term, acts=True) and not defines(sentence, term)


# A sentence that names who does something: a passive agent ("considered by a Public
# Health Consultant"), a chair in brackets, "chaired by".
_NAMES_AGENT = re.compile(
    r"\bby\s+(the\s+|a\s+|an\s+|its\s+|their\s+)?[A-Z][\w’'&-]+|(?i:\((vice[- ])?chair\))|"
    r"(?i:\b(chaired|led|headed|run|hosted|commissioned|appointed|initiated|started|"
    r"prescribed|approved|ratified|signed\s+off|agreed|decided|produced|written|authored|"
    r"developed)\s+by\b)|"
    # "Members of the Board include:" says who sits on it ("five members are present"
    # does not).
    r"(?i:\bmembers(hip)?\b[^.]{0,80}\b(include|includes|comprises?|consists?|are:|are as|"
    r"(?:set\s+out|listed|shown)\s+below)\b)|"
    # "... making collective decisions on formularies": who decides is its subject.
    r"(?i:\b(makes?|making|made|takes?|taking|took)\s+(\w+\s+)?decisions?\b|"
    r"\b(responsible|accountable)\s+for\b)",
)


_LISTED = re.compile(
    rf"^\s*(?:what\s+are|which\s+are)\s+(?:the\s+)?(?:{_NUMBER_WORD}\s+)?(?P<a>[a-z][a-z-]+s)\b|"
    # "Which GP practices are in X?": the plural the question's verb follows.
    r"^\s*which\s+(?:[\w-]+\s+){0,3}?(?P<b>[a-z][a-z-]+s)(?=\s+(?:are|were|do|did|does|"
    r"have|has|can|could|should|will|would|sit|in|on|at|for|from|of|make|made|get|need)\b)",
    re.I,
)


def listed_noun(question: str) -> str | None:
    """What a list question asks for, as a plural noun: "risks" in "What are the main
    risks of the merger?", "shifts" in "What are the three shifts?"."""
    match = _LISTED.search(asked_sentence(question))
    return (match.group("a") or match.group("b")).lower() if match else None


def names_the_list(sentence: str, noun: str) -> bool:
    """Whether ``sentence`` gives the list by name: "The main risks are disruption, ...",
    "Risks include ...", "the risks: ..."."""
    return (
        re.search(
            rf"\b{re.escape(noun)}\b(?:\s+\w+){{0,4}}?\s*(?:are|were|include|includes|"
            rf"included|comprise|:)(?:\s|$)",
            sentence,
            re.I,
        )
        is not None
    )


_WHY = re.compile(
    r"^\s*(?:why\b|what\s+(?:is|was|are|were)\s+the\s+(?:reasons?|rationale|purpose)\b|"
    r"what(?:'s|’s|\s+is)\s+driving\b)",
    re.I,
)
# What a sentence giving a reason says: a cause, an aim or a request to act.
_REASON = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result|in\s+order\s+to|so\s+that|"
    r"so\s+as\s+to|reasons?\s+(?:for|why|is|are|was)|rationale|driven\s+by|"
    r"in\s+response\s+to|aims?\s+to|intended\s+to|designed\s+to|"
    r"to\s+(?:reduce|cut|save|improve|support|deliver|meet|ensure|enable|address|tackle|"
    r"avoid|prevent|simplify|strengthen)\b)",
    re.I,
)


def asks_why(question: str) -> bool:
    """Whether the question asks for a reason ("Why are the two ICBs merging?")."""
    return _asks(_WHY, question)


def gives_a_reason(sentence: str) -> bool:
    """Whether ``sentence`` states a cause or an aim (the shape of a "why" answer)."""
    return _REASON.search(sentence) is not None


_ASKS_MEMBERS = re.compile(
    r"^\s*who\s+(?:sits|sit|is|are|serves?)\s+on\b|^\s*who\s+(?:is|are)\s+in\b|"
    r"\bwho\s+are\s+(?:the\s+)?members\b|\bmembership\s+of\b|\bwho\s+(?:attends|is\s+represented)\b",
    re.I,
)
_NAMES_MEMBERS = re.compile(
    r"\bmembers(?:hip)?\b[^.]{0,80}\b(?:include|includes|included|comprises?|consists?|are:|"
    r"are\s+as|(?:set\s+out|listed|shown)\s+below)\b|\b(?:made\s+up\s+of|comprises?)\b",
    re.I,
)


def asks_members(question: str) -> bool:
    """Whether the question asks who sits on a body ("Who's on the APC?")."""
    return _asks(_ASKS_MEMBERS, question)


def names_members(sentence: str) -> bool:
    """Whether ``sentence`` says who a body's members are, or introduces the list of
    them ("Members of the Board include:", "The membership is set out below.")."""
    return _NAMES_MEMBERS.search(sentence) is not None


def names_agent(sentence: str) -> bool:
    """Whether ``sentence`` names who does something (the shape of a "who" answer)."""
    return _NAMES_AGENT.search(sentence) is not None


# After a post's name, what says who holds it: "Chair: Dr Ann Lee", "the chair is Dr Lee",
# a table's "Chair | Dr Ann Lee".
_HOLDER_FOLLOWS = re.compile(r"\s*(?::|–|—|\||\bis\b|\bwas\b)\s*(?:the\s+)?[A-Z]")
# A line that opens with someone's name and then gives their post, as board pages and
# membership tables write it: "Dr Ann Lee, Chief Medical Officer", "Ann Lee (Chair)".
_HOLDER_OPENS = re.compile(
    r"^\W*(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms|Miss|Mx|Cllr|Councillor|Sir|Dame|Rev)\.?\s+)?"
    r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3}\s*(?:,|–|—|-|\||\()\s*"
)
# Words after the name ("Ann Lee, GP and Associate Medical Director"): set by hand from how
# board pages write a post, not tuned on the eval questions.
_POST_WITHIN = 8


def _a_persons_name(words: str) -> bool:
    """Whether a line's opening words can be someone's name: a body's name opens lines
    too ("NHS Lindale ICB - ...", "Kingsreach Care Partnership (ICP): ..."), with an
    acronym or a word naming a kind of body or committee in it."""
    if re.search(r"\b[A-Z]{2,}\b", words):
        return False
    kinds = default_rules()
    return all(
        kinds.kind_of([singular_word(w.lower())]) is None for w in re.findall(r"[A-Za-z]+", words)
    )


def names_post_holder(sentence: str, post: list[str]) -> bool:
    """Whether ``sentence`` binds the post (its stems, from ``person_focus``) to who holds
    it: "Chair: ICB Chief Medical Officer" answers "who chairs the committee?", and "Dr Ann
    Lee, Chief Medical Officer" "who is the chief medical officer?", where "a quorum
    includes the chair" only mentions the post."""
    if not post:
        return False
    # The post's head and the word before it: "Chief Nursing Officer" is not "chief
    # medical officer"; "Non-Executive Member" is an "independent non-executive member".
    if not set(post[-2:]) <= set(terms(sentence)):
        return False
    opening = _HOLDER_OPENS.match(sentence)
    if opening and _a_persons_name(opening.group()):
        after = sentence[opening.end() :].split()[:_POST_WITHIN]
        if any(stems and stems[-1] == post[-1] for w in after if (stems := terms(w))):
            return True
    for word in re.finditer(r"[A-Za-z][\w-]*", sentence):
        stems = terms(word.group())
        if stems and stems[-1] == post[-1] and _HOLDER_FOLLOWS.match(sentence, word.end()):
            return True
    return False


# -- figure questions: what kind of figure is asked for ------------------------------------

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
    r"(\s+(limit|ceiling|cap|threshold|range))?"
    r"(?=\s*(\?|$|\b(of|for|in|per|on|at|to|from|that|this|does|do|is|was|will)\b))|"
    r"\bwhat (does|do|did|will) [^?(]+ cost(\s+(the|an?|each|per|us|them|it)\b[^?(]{0,25})?"
    r"\s*(\?|$)|\b(salary|pay) band\b|\bworth\b",
    re.IGNORECASE,
)
# Words that end the counted noun phrase of "how many <noun phrase> ...".
_NOT_NOUN = frozenset(
    (
        "should will would can could must might may shall had have has are is were was do "
        "does did been be being the a an to in into of for on at there per each across by "
        "within from that which who get got"
    ).split()
)

# A question asking for a dose ("what is the starting dose of X", "the dose of X"), not one
# that mentions doses ("what should happen to insulin doses when X is added").
_DOSE_QUESTION = re.compile(
    r"\b(what(?:'s|’s| is| are| was| were)|how much|how many)\b[^?]*?\b(dose|doses|dosage)\b|"
    r"\b(dose|dosage) (of|for)\b",
    re.IGNORECASE,
)

# "How much notice / time" asks for a duration, not an amount of money.
_DURATION_QUESTION = re.compile(r"\bhow much (notice|time|warning|longer)\b", re.IGNORECASE)

# "When", "how long", "by what date" ask for a time: a date or a duration.
_WHEN_QUESTION = re.compile(
    r"\b(how\s+(long|soon)|by\s+when|(what|which)\s+(date|year|month|deadline|timescale|"
    r"timeframe)|what\s+(is|are)\s+the\s+(\w+\s+)?(deadline|timescales?|timeframes?|"
    r"turnaround))\b",
    re.IGNORECASE,
)
# "When will / did / is ..." asks for a time; "when can / should X ..." usually for the
# circumstances, and "When CCGs were set up, what ..." is a clause, not the question.
_PLAIN_WHEN = re.compile(
    r"^\s*(?:\w+\s+){0,3}?when\s+(will|would|did|does|do|was|were|is|are|has|have|had)\b",
    re.IGNORECASE,
)
# "When are safety needles OK?", "when does X count as experimental?" ask for the
# circumstances, not a time.
_CIRCUMSTANCES = re.compile(
    r"\b(ok|okay|appropriate|allowed|acceptable|eligible|suitable|count|counts|considered|"
    r"needed|necessary|required|recommended|indicated|justified|used|prescribed)\b",
    re.IGNORECASE,
)


def asks_when(question: str) -> bool:
    """Whether ``question`` asks for a time (a date or a duration), not circumstances."""
    if _WHEN_QUESTION.search(question):
        return True
    return bool(_PLAIN_WHEN.search(question)) and not _CIRCUMSTANCES.search(question)


# "From what date did it apply?", "which year": a date answers, "every 10 days" does not.
_DATE_QUESTION = re.compile(
    r"\b((what|which)\s+(date|year|month)|since\s+when|from\s+when)\b", re.IGNORECASE
)


# Money asked for (a budget, a price): an amount in currency, not a percentage.
_MONEY_QUESTION = re.compile(
    r"\b(budget|cost|costs|spend|spending|salary|price|funding|money|pay|paid)\b", re.I
)


class FigureKind(StrEnum):
    """The kind of figure a figure question wants."""

    COUNT = "count"  # "how many X": a number next to X
    DOSE = "dose"  # a quantity with its unit ("15 mg")
    DURATION = "duration"  # "how much notice": "five weeks"
    MONEY = "money"  # a budget, cost or price: currency or millions
    AMOUNT = "amount"  # "by how much": any amount, a percentage included
    WHEN = "when"  # "when", "how long": a date or a duration
    DATE = "date"  # "from what date", "which year": a date, not a duration


@dataclass(frozen=True)
class FigureAsked:
    """What a figure question asks for; for a count, the phrase and its head noun (each
    conjunct's: "pharmacists technicians")."""

    kind: FigureKind
    phrase: str = ""
    counted: str = ""


def figure_asked(question: str) -> FigureAsked | None:
    """The figure ``question`` asks for, or None when it asks for none."""
    question = asked_sentence(question)
    many = _HOW_MANY.search(question)
    if many:
        phrase = many.group(1)
        # "How many pharmacists and pharmacy technicians": each is counted.
        heads = []
        for part in re.split(r"\s+(?:and|or)\s+", phrase):
            words = list(itertools.takewhile(lambda w: w.lower() not in _NOT_NOUN, part.split()))
            if words:
                heads.append(words[-1])
            if len(words) < len(part.split()):
                break  # "how many practices are in ... and ...": the phrase ended
        return FigureAsked(FigureKind.COUNT, phrase, " ".join(heads))
    if _DOSE_QUESTION.search(question):
        return FigureAsked(FigureKind.DOSE)
    if _DURATION_QUESTION.search(question):
        return FigureAsked(FigureKind.DURATION)
    if _DATE_QUESTION.search(question):
        return FigureAsked(FigureKind.DATE)
    if asks_when(question):
        return FigureAsked(FigureKind.WHEN)
    if _AMOUNT_QUESTION.search(question):
        money = _MONEY_QUESTION.search(question)
        return FigureAsked(FigureKind.MONEY if money else FigureKind.AMOUNT)
    return None
