"""What a document says about how the NHS is organised, found at ingest.

A document's sentences are read for the names of bodies, committees and roles (a name's
kind comes from its words: prompts/structure.toml), and for four kinds of statement
about them: what a body is ("Primary Care Networks are groups of practices ..."), what
it does (a sentence it opens), the level it works at (a level cue within a few words of
it) and its relations to another body. A relation is found three ways:

- a relation's wording with a name close on either side: "CCGs were replaced by ICBs";
- a name owned by another: "NHS England's IFR Panel", "NHS England and its regional
  offices", "the ICS Chief Pharmacist";
- a list of members: "Membership included representatives from A, B and C", or a line
  ending "... include:" followed by one item per line. The list's owner is the name
  before the wording or, for "Membership ..." and "Its members ...", the body the
  passage is about (the last sentence or heading that opened with a name).

Names are kept as written: the map (assistant.structure) resolves them to one node per
body across the library, with the glossary, so a changed document costs only itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from ingest.sentences import passage_sentences
from ingest.structure_names import (
    CONNECTORS,
    DETERMINERS,
    FUNCTION_WORDS,
    NamedSentence,
    is_acronym,
    is_capitalised,
    name_key,
    singular_word,
)
from ingest.structure_rules import StructureRules, load_rules
from vectorstore.records import Chunk, DocumentStructure, StructureStatement

_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")
_NEGATION = frozenset({"not", "no", "never", "nor", "longer"})
_COPULA = frozenset({"is", "are", "was", "were"})
_DEFINING = frozenset({"a", "an", "the", "one", "statutory", "groups", "bodies"})
# A sentence that opens this way is about the body the passage is about.
_ANAPHORA = frozenset({"membership", "members", "its", "it", "they", "their", "the"})
# How far a relation's names may sit from its wording, in words ("CCGs, which have been
# replaced by the new ICBs"): further, and the sentence is usually about something else.
_GAP = 5  # chosen by leave-one-document-out (evals/tools/cv_structure.py): 17 of 18 folds
_CONJUNCTIONS = frozenset({"or", "and", "but", "nor"})
_PLACE_WORDS = frozenset({"across", "in", "throughout", "around", "near", "covering"})
_LEVEL_WINDOW = 6
_PER_SUBJECT = {"definition": 2, "about": 3}
_MAX_ITEM_WORDS = 8
_MIN_DESCRIPTION_WORDS = 7  # shorter, and it is a heading or a fragment of a table


# Raise when what this module finds changes: a document found by another version (or with
# other rules) is read again from its stored passages when the map is built.
FINDER_VERSION = "7"


def finder_stamp(rules: StructureRules) -> str:
    """What a document's statements were found with: this finder's version and the rules."""
    return f"{FINDER_VERSION}:{rules.fingerprint}"


@dataclass(frozen=True)
class Found:
    """A relation a sentence states: source -> target; ``listed`` when the source is one
    of a list of members, ``from_topic`` when the target is the passage's subject, named
    in an earlier sentence ("Membership included ...")."""

    relation: str
    source: str
    target: str
    listed: bool = False
    from_topic: bool = False


def relation_statements(
    sentence: NamedSentence, topic: str | None
) -> tuple[list[Found], str | None]:
    """Each relation the sentence states between names within a few words either side of
    a relation's wording; and the owner of a list of members the sentence opens (it ends
    with ':' and names none itself)."""
    found: list[Found] = []
    opens_list: str | None = _points_at_topic(sentence, topic)
    mentions, rules = sentence.mentions, sentence.rules
    for match, tag in rules.relation_cues.finditer(sentence.text):
        key, direction = tag.split(":")
        cue_first = sentence.token_at(match.start())
        cue_last = sentence.token_at(match.end()) - 1
        left = max((k for k, m in enumerate(mentions) if m.last < cue_first), default=None)
        right = next((k for k, m in enumerate(mentions) if m.first > cue_last), None)
        cue_words = match.group(0).lower().split()
        owner = None
        from_topic = False
        opening = sentence.opening()
        if (
            key == "part_of"
            and direction == "r"
            and opening is not None
            and opening.known
            and not opening.owner  # "NHS England's Next Steps ... included": not its members
            and opening.last < cue_first
        ):
            # "The Leeds Health and Care Partnership consists of organisations across
            # Leeds including:": the members are the subject's, whatever sits between.
            owner, left = opening.text, 0
        elif left is not None and len(sentence.between(mentions[left].last, cue_first)) <= _GAP:
            owner = mentions[left].text
        elif (
            key == "part_of"
            and direction == "r"
            and topic
            and cue_first <= 3
            and (not sentence.words or sentence.words[0].lower() in _ANAPHORA)
        ):
            owner = topic  # "Membership included representatives from ..."
            from_topic = True
        if owner is None:
            continue
        gap_right = sentence.between(cue_last, mentions[right].first) if right is not None else []
        if (
            right is None
            or len(gap_right) > _GAP
            or {"(", ")"} & set(gap_right)
            or _PLACE_WORDS & set(gap_right)  # "organisations across Leeds": a place
            or (gap_right[:1] and gap_right[0] in _CONJUNCTIONS)  # "commissions or remains"
        ):
            if key == "part_of" and direction == "r" and sentence.text.rstrip().endswith(":"):
                opens_list = owner  # the members follow, one a line
            continue
        gap_left = sentence.between(mentions[left].last, cue_first) if left is not None else []
        if _NEGATION & set(gap_left + gap_right + cue_words):
            continue
        if any(w in (";", ":") for w in sentence.between(cue_first - 1, mentions[right].first)):
            continue
        if left is not None and owner == mentions[left].text:
            owners = [m.text for m in sentence.listed(left, -1)]  # "CCGs and STPs were ..."
        else:
            owners = [owner]
        if _open_bracket(gap_left):  # "NHS Digital (formerly HSCIC)": the name before only
            owners = owners[:1]
        if key == "commissions":
            right = _provider(sentence, right)
        members = key == "part_of" and direction == "r"
        for a in owners:
            for b in sentence.listed(right, +1):
                pair = (a, b.text) if direction == "f" else (b.text, a)
                if name_key(pair[0]) != name_key(pair[1]):
                    found.append(Found(key, pair[0], pair[1], members, from_topic))
    return found, opens_list


# "Hospitals of this Trust within West Sussex are:", "Services run by the Board:": a
# list whose owner the sentence points back to by its kind's word alone.
_POINTS_BACK = re.compile(r"\b(?:of|in|within|at|by|from) (?:this|the|our) ([A-Za-z]+)\b", re.I)


def _points_at_topic(sentence: NamedSentence, topic: str | None) -> str | None:
    """The passage's subject, when the sentence opens a list (it ends with ':') of the
    parts of "this <word>", the word being the subject's own kind word ("this Trust"
    after "University Hospitals Sussex NHS Foundation Trust")."""
    if not topic or not sentence.text.rstrip().endswith(":"):
        return None
    head = name_key(topic).split()[-1]
    for match in _POINTS_BACK.finditer(sentence.text):
        if singular_word(match.group(1).lower()) == head:
            return topic
    return None


def _open_bracket(words: list[str]) -> bool:
    """Whether a bracket opened in ``words`` is still open at their end."""
    depth = 0
    for w in words:
        depth += (w == "(") - (w == ")")
    return depth > 0


def _provider(sentence: NamedSentence, right: int) -> int:
    """What is commissioned is a service; who provides it follows "from": "commissions a
    range of Locally Commissioned Services (LCS) from community pharmacies"."""
    mentions = sentence.mentions
    for k in range(right + 1, min(right + 3, len(mentions))):
        gap = sentence.between(mentions[k - 1].last, mentions[k].first)
        if "from" in gap[-2:] and len(gap) <= _GAP:
            return k
    return right


def owned(sentence: NamedSentence) -> list[tuple[str, str]]:
    """(part, whole) for a name written as another's: "NHS England's IFR Panel", "NHS
    England and its regional offices", and a role, or a part in lower case, written after
    its body's acronym: "ICS Chief Pharmacist", "NHSI regional offices"."""
    out = []
    for a, b in pairwise(sentence.mentions):
        between = sentence.between(a.last, b.first)
        if (a.owner and a.known and b.known and not between) or between == ["and", "its"]:
            out.append((b.text, a.text))
    for m in sentence.mentions:
        first, _, rest = m.text.partition(" ")
        kind = sentence.rules.kind_of([singular_word(w.lower()) for w in rest.split()])
        if rest and is_acronym(first) and (kind == "role" or (kind and rest.islower())):
            out.append((rest, first))
    return out


def _item_name(sentence: NamedSentence) -> str | None:
    """The name a list item gives: the name it opens with, or the whole item when it is a
    short capitalised phrase ("Forum Central", "Leeds GP Confederation")."""
    words = sentence.text.rstrip(" .;,").split()
    if words and words[0].lower() in DETERMINERS:
        words = words[1:]  # "The Kleinwort Centre (Haywards Heath)"
    content = [w for w in words if w.lower() not in CONNECTORS]
    if (
        content
        and len(words) <= _MAX_ITEM_WORDS
        # "Minor Injuries Unit (Horsham)": the place in brackets belongs to the name
        # (there is a minor injuries unit in many towns).
        and all(is_capitalised(w.lstrip("(")) for w in content)
        and not any(c.isdigit() for c in sentence.text)
    ):
        return " ".join(words)
    opening = sentence.opening()
    return opening.text if opening is not None else None


def document_structure(
    chunks: Sequence[Chunk], rules: StructureRules | None = None
) -> DocumentStructure:
    """One document's statements about bodies, committees and roles (see the module)."""
    rules = rules or load_rules()
    statements: list[StructureStatement] = []
    names: dict[str, StructureStatement] = {}
    per_subject: dict[tuple[str, str], int] = {}
    seen: set[tuple[str, str, str]] = set()

    def add(
        kind: str, subject: str, obj: str, chunk: Chunk, span, text: str, listed: bool = False
    ) -> None:
        key = (kind, name_key(subject), name_key(obj) if obj else "")
        limit = _PER_SUBJECT.get(kind, 3 if kind.startswith("level:") else 0)
        count_key = (kind, key[1])
        if key in seen and not limit:
            return
        if limit and per_subject.get(count_key, 0) >= limit:
            return
        seen.add(key)
        per_subject[count_key] = per_subject.get(count_key, 0) + 1
        year = _YEAR.search(text)
        statements.append(
            StructureStatement(
                kind, subject, obj, chunk.id or "", span[0], span[1], text,
                int(year.group(1)) if year else None, 1, listed,
            )
        )  # fmt: skip

    topic: str | None = None  # the body the passage is about
    topic_text = ""  # the sentence (or heading) that named it
    members_of: str | None = None  # the owner of the list whose items follow
    intro = ""  # the sentence that opened that list
    for chunk in chunks:
        for text, start, end, heading, item in passage_sentences(chunk):
            sentence = NamedSentence(text, rules)
            span = (start, end)
            for m in sentence.mentions:
                if not m.known:
                    continue
                key = name_key(m.text)
                if key in names:
                    names[key] = replace(names[key], count=names[key].count + 1)
                elif not heading:
                    names[key] = StructureStatement(
                        "name", m.text, "", chunk.id or "", start, end, text
                    )
            if members_of and item:
                member = _item_name(sentence)
                if member and name_key(member) != name_key(members_of):
                    # The item alone does not say whose member it is: cite both.
                    quoted = f"{intro} … {text}"
                    add("relation:part_of", member, members_of, chunk, span, quoted, True)
                continue
            members_of = None
            opening = sentence.opening()
            if heading:
                if opening is not None and opening.known:
                    topic, topic_text = opening.text, text
                continue
            if opening is not None:
                after = sentence.after(opening)
                long_enough = len(sentence.words) >= _MIN_DESCRIPTION_WORDS
                defines = len(after) >= 2 and after[0] in _COPULA and after[1] in _DEFINING
                does = bool(after) and _verb_like(after[0])
                defines, does = defines and long_enough, does and long_enough
                if opening.known and (defines or does):
                    add("definition" if defines else "about", opening.text, "", chunk, span, text)
            for level, name in _levels(sentence):
                add(f"level:{level}", name, "", chunk, span, text)
            found, members_of = relation_statements(sentence, topic)
            intro = text
            if members_of is not None and all(
                name_key(m.text) != name_key(members_of) for m in sentence.mentions
            ):
                # "The Trust runs ... the following facilities:": the owner was named
                # before; the items cite that sentence too.
                intro = f"{topic_text} … {text}"
            for f in found:
                # A sentence that names only one side cites the one naming the other too.
                quoted = f"{topic_text} … {text}" if f.from_topic else text
                listed = f.listed or f.from_topic
                add(f"relation:{f.relation}", f.source, f.target, chunk, span, quoted, listed)
            for part, whole in owned(sentence):
                add("relation:part_of", part, whole, chunk, span, text)
            if opening is not None and (opening.known or len(opening.text.split()) >= 2):
                topic, topic_text = opening.text, text
    return DocumentStructure(finder_stamp(rules), [*names.values(), *statements])


# Words after a name that make it the subject of what follows ("ICBs will ...").
_AUXILIARIES = frozenset(
    "is are was were will would can could should must may might has have had does do "
    "did plays play leads lead holds hold sets set takes take".split()
)


def _verb_like(word: str) -> bool:
    """Whether the word after a sentence's opening name reads as its verb: an auxiliary,
    or a present or past form ("commissions", "brings", "replaced"), not a noun after a
    name used as an adjective ("CCG data packs")."""
    return (
        word in _AUXILIARIES
        or (
            word.isalpha()
            and len(word) > 3
            and word.endswith(("es", "ed"))
            and word not in FUNCTION_WORDS
        )
        or (word.endswith("s") and not word.endswith("ss") and word.isalpha() and len(word) > 4)
    )


def _levels(sentence: NamedSentence) -> list[tuple[str, str]]:
    """(level, name) for the known name nearest each level cue (within a few words)."""
    found = []
    for match, level in sentence.rules.level_cues.finditer(sentence.text):
        at = sentence.token_at(match.start())
        near = [
            m
            for m in sentence.mentions
            if m.known and abs(at - (m.first + m.last) / 2) <= _LEVEL_WINDOW
        ]
        if near:
            found.append((level, min(near, key=lambda m: abs(at - (m.first + m.last) / 2)).text))
    return found
