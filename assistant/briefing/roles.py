"""Roles found in the documents themselves, and the sentences about each.

A role is a title-cased name ending in a role word from the plan ("Service Leads",
"ICS Chief Pharmacist"), or the members of a body the text speaks of ("members of
Cancer Alliances", "the membership ... of clinical reference groups (CRGs)"). A
sentence is about the role it names first, or, when it leans on the sentence before
("They also ...", "In most cases, these ..."), about the role that one was about;
roles named later in it are named in passing. Aliases are folded in: "Programme Lead"
is the "ICS Programme Lead" without its system acronym, and "A is the B" makes B a
title of A. A role gets a card only if some sentence names it first: a name that only
ever appears in passing ("... described by Chief Officer Jane Smith") is not what the
text is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answering.evidence import Sentence
from assistant.briefing.model import CardKind
from assistant.briefing.statements import is_byline, mention_pattern, singular
from assistant.retrieval.glossary import Glossary

# Words capitalised only because they open a sentence or a clause.
_OPENERS = frozenset(
    "the a an if within most all our their this these those each every and or of in on at "
    "for to with by from as but so while when where which what who how finally underneath "
    "key many some new".split()
)
_TITLE_WORD = r"(?:[A-Z][a-z]+|[A-Z]{2,6}s?)"
_MEMBERS = re.compile(
    r"\bmembers? of (?P<a>.{3,80})|\bmembership(?: and [\w ]{1,30}?)? (?:of|within) (?P<b>.{3,80})",
    re.IGNORECASE,
)
_DETERMINER = re.compile(r"^(?:the|these|those|its|their)\s+", re.IGNORECASE)


@dataclass(eq=False)  # identity: a role is one object, whatever its contents
class Role:
    """A role found in the documents and the names it goes by."""

    name: str
    kind: CardKind
    forms: list[str]
    first_named: int = 0  # sentences in which it is the first role named
    sentences: list[Sentence] = field(default_factory=list)  # about it, in document order
    incidental: list[Sentence] = field(default_factory=list)  # naming it in passing
    context: list[Sentence] = field(default_factory=list)  # about its unit ("clinical network")


def _title_roles(text: str, heads: list[str]) -> list[str]:
    head = "|".join(re.escape(h) for h in heads)
    found = []
    for match in re.finditer(rf"\b((?:{_TITLE_WORD}[ \t]+){{1,6}}(?:{head})s?)\b", text):
        words = match.group(1).split()
        while words and words[0].lower() in _OPENERS:
            words = words[1:]
        if len(words) >= 2:
            found.append(singular(" ".join(words)))
    return found


def _member_body(
    after: str, glossary: Glossary, earlier: list[str]
) -> tuple[str, list[str]] | None:
    """The body named at the start of ``after``: (card name, names to match) or None."""
    demonstrative = re.match(r"^(?:these|those)\s+((?:[a-z-]+\s+){0,3})([a-z]+)", after)
    if demonstrative:
        # "these reconfigured committees": the latest body of that kind named before.
        noun = singular(demonstrative.group(2)).lower()
        for short in reversed(earlier):
            entry = glossary.lookup(short)
            if entry and singular(entry.long.split()[-1]).lower() == noun:
                return f"{entry.short} members", [entry.short, singular(entry.long)]
        return None
    after = _DETERMINER.sub("", after)
    for entry in glossary.entries.values():
        for form in (entry.long, entry.short):
            if re.match(rf"{re.escape(form)}s?\b", after, re.IGNORECASE):
                return f"{entry.short} members", [entry.short, singular(entry.long)]
    title = re.match(rf"((?:{_TITLE_WORD}\s+)*{_TITLE_WORD})\b", after)
    if title and title.group(1).lower() not in _OPENERS:
        body = singular(title.group(1))
        return f"{body} members", [body]
    return None


def discover_roles(sentences: list[Sentence], glossary: Glossary, heads: list[str]) -> list[Role]:
    """Every role the sentences (in document order) name, aliases folded in."""
    roles: dict[str, Role] = {}
    earlier: list[str] = []  # acronyms named so far in the current document
    source = None
    for sentence in sentences:
        if sentence.chunk.meta.source_id != source:
            source, earlier = sentence.chunk.meta.source_id, []
        text = sentence.text
        if sentence.is_heading or is_byline(text):
            continue
        for name in _title_roles(text, heads):
            roles.setdefault(name.lower(), Role(name, CardKind.ROLE, [name]))
        for match in _MEMBERS.finditer(text):
            body = _member_body(match.group("a") or match.group("b"), glossary, earlier)
            if body:
                roles.setdefault(body[0].lower(), Role(body[0], CardKind.MEMBERS, body[1]))
        earlier.extend(e.short for e in glossary.mentioned(text))
    _fold_aliases(roles, sentences)
    return list(roles.values())


def _fold_aliases(roles: dict[str, Role], sentences: list[Sentence]) -> None:
    def fold(alias: str, into: str) -> None:
        if alias in roles and into in roles and alias != into:
            roles[into].forms.extend(roles.pop(alias).forms)

    for key, role in list(roles.items()):
        first, *rest = role.name.split()
        if role.kind == CardKind.ROLE and first.isupper() and rest:
            fold(" ".join(rest).lower(), key)  # "Programme Lead" is the "ICS Programme Lead"
    for sentence in sentences:
        if not re.search(r"\b(?:is|are) the\b", sentence.text):
            continue
        names = [r for r in roles.values() if r.kind == CardKind.ROLE]
        for a in names:
            for b in names:
                if a is b or b.name.lower() not in roles:
                    continue
                pattern = rf"\b{re.escape(a.name)}s?\s+(?:is|are)\s+the\s+{re.escape(b.name)}"
                if re.search(pattern, sentence.text, re.IGNORECASE):
                    fold(b.name.lower(), a.name.lower())


def attribute_sentences(
    roles: list[Role], sentences: list[Sentence], anaphors: list[str], window: int
) -> None:
    """Fill each role's sentences: those about it first, and those naming it in passing."""
    if not roles:
        return
    by_form = {f.lower(): r for r in roles for f in r.forms}
    pattern = mention_pattern(list(by_form))
    leaning = mention_pattern(anaphors)
    if pattern is None:  # no role has a name to look for
        return
    referent: Role | None = None
    source = None
    for sentence in sentences:
        if sentence.chunk.meta.source_id != source or sentence.is_heading:
            source, referent = sentence.chunk.meta.source_id, None
        text = sentence.text
        if sentence.is_heading or is_byline(text):
            continue
        mentions = [
            (m.start(), _role_of(m.group(0), by_form), _is_title(text, m.end()))
            for m in pattern.finditer(text)
        ]
        found = [(pos, role, title) for pos, role, title in mentions if role is not None]
        lean = _leans(text, leaning, window)
        chain = referent if lean is not None and (not found or lean < found[0][0]) else None
        named = [role for _, role, title in found if not title]
        about: list[Role] = []
        if chain is not None:
            about.append(chain)  # "They also ...": still the role of the sentence before
        elif named:
            about.append(named[0])
        if named:
            named[0].first_named += 1
        for role in about:
            role.sentences.append(sentence)
        for _, role, _ in found:
            if role not in about and sentence not in role.incidental:
                role.incidental.append(sentence)
        referent = chain or (named[-1] if named else None)
    _attach_context(roles, sentences)


def _leans(text: str, leaning: re.Pattern | None, window: int) -> int | None:
    """Where an anaphor opens the sentence or its main clause ("In most cases, these ...")."""
    if leaning is None:
        return None
    opening = " ".join(text.split()[:window])
    if found := leaning.search(opening):
        return found.start()
    comma = text.find(",")
    if comma > 0:
        clause = " ".join(text[comma + 1 :].split()[:window])
        if leaning.search(clause):
            return comma + 1
    return None


def _is_title(text: str, end: int) -> bool:
    # "Chief Pharmaceutical Officer Keith Ridge": the title of a named person, said in passing.
    return bool(re.match(r"\s+[A-Z][a-z]+\s+[A-Z][a-z]+\b", text[end:]))


def _role_of(mention: str, by_form: dict[str, Role]) -> Role | None:
    key = re.sub(r"\s+", " ", mention).lower()
    return by_form.get(key) or by_form.get(singular(key)) or by_form.get(key.removesuffix("es"))


def _attach_context(roles: list[Role], sentences: list[Sentence]) -> None:
    # "Clinical Network Lead": what the text says about clinical networks says where it sits.
    for role in roles:
        unit = role.name.split()[:-1]
        if role.kind != CardKind.ROLE or len(unit) < 2 or unit[0].isupper():
            continue
        pattern = mention_pattern([" ".join(unit)])
        if pattern is None:
            continue
        mine = {id(s) for s in [*role.sentences, *role.incidental]}
        role.context = [
            s
            for s in sentences
            if id(s) not in mine and not s.is_heading and pattern.search(s.text)
        ]
