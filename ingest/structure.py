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

from ingest.acronyms import singular
from ingest.sentences import passage_sentences
from ingest.structure_rules import StructureRules, load_rules
from vectorstore.records import Chunk, DocumentStructure, StructureStatement

_TOKEN = re.compile(r"[A-Za-z][\w'’&/-]*|\d+|[;:()&]")
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")
_CONNECTORS = frozenset({"and", "of", "for", "the", "&", "in", "on"})
_DETERMINERS = frozenset("the a an each every all any our their its this these those".split())
_FUNCTION = frozenset(
    "a an and are as at be been being by for from has have had in into is it its of on or "
    "that the their them they this these those to was were which who will with would "
    "should could may might must can not no also than then there where when what how "
    "each every all any our we us your you such other more most some many numerous "
    "various several different relevant key wider respective individual whole entire "
    "broader overall same new existing current former future if through although because "
    "while whereas within across under over between following after before during since "
    "until unless via per upon once both either neither".split()
)
_NEGATION = frozenset({"not", "no", "never", "nor", "longer"})
# Verbs a lower-case name never holds ("the programme provides commissioners with ...").
_VERBS = frozenset(
    "provides provide includes include supports support makes make takes take gives give "
    "helps help sets set holds hold needs need means mean requires require ensures ensure "
    "enables enable allows allow covers cover brings bring remains remain becomes become "
    "uses use works work leads lead offers offer".split()
)
_COPULA = frozenset({"is", "are", "was", "were"})
_DEFINING = frozenset({"a", "an", "the", "one", "statutory", "groups", "bodies"})
# What may stand between the names of a list: "A, the B (BB) and C" (commas are not tokens).
_LIST_JOINERS = frozenset({"and", "or", "&", "as", "well", "the"})
# A sentence that opens this way is about the body the passage is about.
_ANAPHORA = frozenset({"membership", "members", "its", "it", "they", "their", "the"})
# How far a relation's names may sit from its wording, in words ("CCGs, which have been
# replaced by the new ICBs"): further, and the sentence is usually about something else.
_GAP = 5  # chosen by leave-one-document-out (evals/tools/cv_structure.py): 16 of 18 folds
_PLACE_WORDS = frozenset({"across", "in", "throughout", "around", "near", "covering"})
_LEVEL_WINDOW = 6
_PER_SUBJECT = {"definition": 2, "about": 3}
_MAX_ITEM_WORDS = 8
_MIN_DESCRIPTION_WORDS = 7  # shorter, and it is a heading or a fragment of a table


# Raise when what this module finds changes: a document found by another version (or with
# other rules) is read again from its stored passages when the map is built.
FINDER_VERSION = "3"


def finder_stamp(rules: StructureRules) -> str:
    """What a document's statements were found with: this finder's version and the rules."""
    return f"{FINDER_VERSION}:{rules.fingerprint}"


@dataclass(frozen=True)
class Mention:
    """A name in a sentence: its text as written and its token span."""

    text: str
    first: int  # index of its first token
    last: int  # index of its last token
    owner: bool = False  # written as a possessive: "NHS England's IFR Panel"
    known: bool = False  # its kind is known, or it is an acronym


def name_key(text: str) -> str:
    """How two writings of a name are compared: lower case, the last word singular,
    no leading article ("the Integrated Care Boards" -> "integrated care board");
    an acronym keeps its case, singular ("ICBs" -> "ICB")."""
    words = text.split()
    while len(words) > 1 and words[0].lower() in _DETERMINERS:
        words = words[1:]
    if len(words) == 1 and is_acronym(words[0]):
        return singular(words[0])
    words = [w.lower() for w in words]
    # "Integrated Care Boards" are many of one kind; "Office for National Statistics" and
    # "Healthwatch Leeds" are one thing each.
    if words and singular_word(words[-1]) in load_rules().head_words:
        words[-1] = singular_word(words[-1])
    return " ".join(words)


def singular_word(word: str) -> str:
    """ "authorities" -> "authority", "boards" -> "board"; "business" stays."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def is_acronym(word: str) -> bool:
    """ "ICB", "ICBs", "NHSEI", "H&J": two capitals or more."""
    core = word[:-1] if word.endswith("s") else word
    capitals = sum(c.isupper() for c in core)
    return " " not in core and len(core) >= 2 and capitals >= 2 and core[:1].isupper()


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _possessive(word: str) -> bool:
    return word.endswith(("'s", "’s"))


def _bare(word: str) -> str:
    return word[:-2] if _possessive(word) else word


class _Sentence:
    """A sentence's tokens and the names in it."""

    def __init__(self, text: str, rules: StructureRules) -> None:
        self.text = text
        self.rules = rules
        self.tokens = list(_TOKEN.finditer(text))
        self.words = [t.group(0) for t in self.tokens]
        self.mentions = [m for m in self._aliases_dropped(self._find()) if self._usable(m)]

    def joined(self, i: int) -> bool:
        """Token i follows token i-1 with only spaces between."""
        t = self.tokens
        return i > 0 and self.text[t[i - 1].end() : t[i].start()].strip(" ") == ""

    def _find(self) -> list[Mention]:
        words, mentions, i = self.words, [], 0
        while i < len(words):
            if _is_capitalised(words[i]):
                j = i
                while j + 1 < len(words) and self.joined(j + 1):
                    if _possessive(words[j]) and self._capitalised(i, j).known:
                        break  # "NHS England's IFR Panel"; but "St Gemma's Hospice" is one

                    nxt = words[j + 1]
                    if _is_capitalised(nxt):
                        j += 1
                    elif (
                        nxt.lower() in _CONNECTORS
                        and j + 2 < len(words)
                        and self.joined(j + 2)
                        and _is_capitalised(words[j + 2])
                        # "the IFR Panel and IFR Review Panel" and "NHSE and NHSI" are two
                        # names each; "Health and Wellbeing Board" is one.
                        and singular_word(words[j].lower()) not in self.rules.head_words
                        and not is_acronym(words[j])
                    ):
                        j += 2
                    else:
                        break
                mentions.append(self._capitalised(i, j))
                i = j + 1
                continue
            phrase = self._phrase_at(i)
            if phrase is not None:
                mentions.append(phrase)
                i = phrase.last + 1
                continue
            i += 1
        return mentions

    def _capitalised(self, i: int, j: int) -> Mention:
        """The name within the capitalised run i..j: the whole run or its tail without a
        sentence's opening words when its kind is known, else an acronym ending it, else
        the whole run (a name of unknown kind, "NHS Sussex"), without a sentence's
        opening word ("The", "This")."""
        words = self.words[i : j + 1]
        owner = _possessive(words[-1])
        words[-1] = _bare(words[-1])
        for start in range(len(words) - 1):
            tail = words[start:]
            if tail[0].lower() in _CONNECTORS or tail[0].lower() in _FUNCTION - _DETERMINERS:
                continue  # "If the Programme Lead ...": the name starts after "If"
            if self.rules.kind_of(name_key(" ".join(tail)).lower().split()):
                return Mention(" ".join(tail), i + start, j, owner, known=True)
        openers = all(w.lower() in _FUNCTION for w in words[:-1])  # "Most ICB ..."
        if is_acronym(words[-1]) and (len(words) == 1 or openers or not self.joined(j)):
            return Mention(words[-1], j, j, owner, known=True)
        start = 1 if len(words) > 1 and words[0].lower() in _FUNCTION else 0
        return Mention(" ".join(words[start:]), i + start, j, owner)

    def _phrase_at(self, i: int) -> Mention | None:
        """A lower-case phrase of up to five words ending in a kind's word, starting at i:
        the longest whose words are all content words ("area prescribing committees"),
        perhaps after an acronym ("ICS chief pharmacist")."""
        words = self.words
        for j in range(min(len(words) - 1, i + 4), i, -1):
            if singular_word(words[j].lower()) not in self.rules.head_words:
                continue
            if not words[j].islower() or not all(self.joined(k) for k in range(i + 1, j + 1)):
                continue
            span = words[i : j + 1]
            owned = is_acronym(span[0])
            body = span[1:] if owned else span
            if not (owned or span[0].islower()):
                continue
            if any(w.lower() in _FUNCTION | _VERBS or not w.isalpha() for w in body[:-1]):
                continue
            if not body[-1].isalpha():
                continue
            if self.rules.kind_of([singular_word(w.lower()) for w in body]) is None:
                continue
            return Mention(" ".join(span), i, j, known=True)
        return None

    @staticmethod
    def _usable(m: Mention) -> bool:
        """A name a relation may have at either end: a known kind or acronym, or a name
        of two words or more ("NHS Sussex"; not a sentence's "Supporting" or "Leeds")."""
        return m.known or len(m.text.split()) >= 2

    def _aliases_dropped(self, mentions: list[Mention]) -> list[Mention]:
        """Without the acronym in brackets after a name ("Integrated Care Boards (ICBs)"):
        it is the same body, and would break a list."""
        out: list[Mention] = []
        for m in mentions:
            w = self.words
            bracketed = m.first > 0 and m.last + 1 < len(w) and w[m.first - 1] == "("
            after_name = bool(out) and out[-1].last == m.first - 2
            if bracketed and is_acronym(m.text) and w[m.last + 1] == ")" and after_name:
                continue
            out.append(m)
        return out

    def between(self, a: int, b: int) -> list[str]:
        """The words strictly between token indexes a and b, lower case."""
        return [w.lower() for w in self.words[a + 1 : b]]

    def token_at(self, offset: int) -> int:
        """The index of the first token at or after character ``offset``."""
        return next((k for k, t in enumerate(self.tokens) if t.start() >= offset), len(self.tokens))

    def listed(self, index: int, step: int) -> list[Mention]:
        """The mention at ``index`` and those listed with it ("CCGs and STPs", "A, B and
        C"), walking left (step -1) or right (step +1)."""
        mentions = self.mentions
        out = [mentions[index]]
        k = index
        while 0 <= k + step < len(mentions):
            a, b = (
                (mentions[k + step], mentions[k]) if step < 0 else (mentions[k], mentions[k + step])
            )
            # An acronym in brackets between two names is the first one's: "A (AA), the B".
            between = re.sub(r"\( \S+ \)", "", " ".join(self.between(a.last, b.first))).split()
            if any(w not in _LIST_JOINERS for w in between):
                break
            k += step
            out.append(mentions[k])
        return out

    def opening(self) -> Mention | None:
        """The name the sentence opens with (after an article), if any."""
        if not self.mentions:
            return None
        m = self.mentions[0]
        lead = [w.lower() for w in self.words[: m.first]]
        return m if len(lead) <= 2 and all(w in _DETERMINERS for w in lead) else None

    def after(self, m: Mention) -> list[str]:
        """The words after a name, skipping its acronym in brackets ("Boards (ICBs) are")."""
        rest = self.words[m.last + 1 :]
        if len(rest) >= 3 and rest[0] == "(" and rest[2] == ")":
            rest = rest[3:]
        return [w.lower() for w in rest]


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


def relation_statements(sentence: _Sentence, topic: str | None) -> tuple[list[Found], str | None]:
    """Each relation the sentence states between names within a few words either side of
    a relation's wording; and the owner of a list of members the sentence opens (it ends
    with ':' and names none itself)."""
    found: list[Found] = []
    opens_list: str | None = None
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


def _open_bracket(words: list[str]) -> bool:
    """Whether a bracket opened in ``words`` is still open at their end."""
    depth = 0
    for w in words:
        depth += (w == "(") - (w == ")")
    return depth > 0


def _provider(sentence: _Sentence, right: int) -> int:
    """What is commissioned is a service; who provides it follows "from": "commissions a
    range of Locally Commissioned Services (LCS) from community pharmacies"."""
    mentions = sentence.mentions
    for k in range(right + 1, min(right + 3, len(mentions))):
        gap = sentence.between(mentions[k - 1].last, mentions[k].first)
        if "from" in gap[-2:] and len(gap) <= _GAP:
            return k
    return right


def owned(sentence: _Sentence) -> list[tuple[str, str]]:
    """(part, whole) for a name written as another's: "NHS England's IFR Panel", "NHS
    England and its regional offices", and a role after its body's acronym: "ICS chief
    pharmacist"."""
    out = []
    rules = sentence.rules
    for a, b in pairwise(sentence.mentions):
        between = sentence.between(a.last, b.first)
        owned_by = a.owner and a.known and b.known and not between
        # "the ICS chief pharmacist", "NHSI regional offices": a role, or a part written
        # in lower case, straight after its body's acronym.
        kind = rules.kind_of([singular_word(w.lower()) for w in b.text.split()])
        role_of = (
            not between
            and is_acronym(a.text)
            and sentence.joined(b.first)
            and (kind == "role" or (kind is not None and b.text.islower()))
        )
        if owned_by or role_of or between == ["and", "its"]:
            out.append((b.text, a.text))
    for m in sentence.mentions:
        first, _, rest = m.text.partition(" ")
        words = [singular_word(w.lower()) for w in rest.split()]
        if rest and is_acronym(first) and sentence.rules.kind_of(words) == "role":
            out.append((rest, first))
    return out


def _item_name(sentence: _Sentence) -> str | None:
    """The name a list item gives: the name it opens with, or the whole item when it is a
    short capitalised phrase ("Forum Central", "Leeds GP Confederation")."""
    words = sentence.text.rstrip(" .;,").split()
    content = [w for w in words if w.lower() not in _CONNECTORS]
    if (
        content
        and len(words) <= _MAX_ITEM_WORDS
        and all(_is_capitalised(w) for w in content)
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
            sentence = _Sentence(text, rules)
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
            and word not in _FUNCTION
        )
        or (word.endswith("s") and not word.endswith("ss") and word.isalpha() and len(word) > 4)
    )


def _levels(sentence: _Sentence) -> list[tuple[str, str]]:
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
