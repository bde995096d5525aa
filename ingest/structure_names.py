"""The names in a sentence that the structure map is about (found at ingest).

A name is an acronym ("ICBs"), a capitalised name whose kind prompts/structure.toml knows
from its words ("Integrated Care Boards", "Department of Health and Social Care"), a
lower-case phrase ending in such a word ("area prescribing committees", "the ICS chief
pharmacist"), or, for a relation's ends only, any capitalised name of two words or more
("NHS Sussex"). ``name_key`` is how two writings of a name are compared everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.acronyms import singular
from ingest.structure_rules import StructureRules, load_rules

_TOKEN = re.compile(r"[A-Za-z][\w'’&/-]*|\d+|[;:()&]")
CONNECTORS = frozenset({"and", "of", "for", "the", "&", "in", "on"})
DETERMINERS = frozenset("the a an each every all any our their its this these those".split())
FUNCTION_WORDS = frozenset(
    "a an and are as at be been being by for from has have had in into is it its of on or "
    "that the their them they this these those to was were which who will with would "
    "should could may might must can not no also than then there where when what how "
    "each every all any our we us your you such other more most some many numerous "
    "various several different relevant key wider respective individual whole entire "
    "broader overall same new existing current former future if through although because "
    "while whereas within across under over between following after before during since "
    "until unless via per upon once both either neither".split()
)
# Verbs a lower-case name never holds ("the programme provides commissioners with ...").
_VERBS = frozenset(
    "provides provide includes include supports support makes make takes take gives give "
    "helps help sets set holds hold needs need means mean requires require ensures ensure "
    "enables enable allows allow covers cover brings bring remains remain becomes become "
    "uses use works work leads lead offers offer".split()
)
# What may stand between the names of a list: "A, the B (BB) and C" (commas are not tokens).
_LIST_JOINERS = frozenset({"and", "or", "&", "as", "well", "the"})


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
    while len(words) > 1 and words[0].lower() in DETERMINERS:
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


def is_capitalised(word: str) -> bool:
    """Whether a word starts with a capital (a name's, or a sentence's first)."""
    return word[:1].isupper()


def _possessive(word: str) -> bool:
    return word.endswith(("'s", "’s"))


def _bare(word: str) -> str:
    return word[:-2] if _possessive(word) else word


class NamedSentence:
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
            # An acronym heading a lower-case name is that name's: "IFR team", "ICB
            # medicines optimisation teams".
            phrase = self._phrase_at(i) if is_acronym(words[i]) else None
            if phrase is not None:
                mentions.append(phrase)
                i = phrase.last + 1
                continue
            if is_capitalised(words[i]):
                j = i
                while j + 1 < len(words) and self.joined(j + 1):
                    if _possessive(words[j]) and self._capitalised(i, j).known:
                        break  # "NHS England's IFR Panel"; but "St Gemma's Hospice" is one

                    nxt = words[j + 1]
                    if is_capitalised(nxt):
                        j += 1
                    elif (
                        nxt.lower() in CONNECTORS
                        and j + 2 < len(words)
                        and self.joined(j + 2)
                        and is_capitalised(words[j + 2])
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
            if tail[0].lower() in CONNECTORS or tail[0].lower() in FUNCTION_WORDS - DETERMINERS:
                continue  # "If the Programme Lead ...": the name starts after "If"
            if self.rules.kind_of(name_key(" ".join(tail)).lower().split()):
                return Mention(" ".join(tail), i + start, j, owner, known=True)
        openers = all(w.lower() in FUNCTION_WORDS for w in words[:-1])  # "Most ICB ..."
        if is_acronym(words[-1]) and (len(words) == 1 or openers or not self.joined(j)):
            return Mention(words[-1], j, j, owner, known=True)
        start = 1 if len(words) > 1 and words[0].lower() in FUNCTION_WORDS else 0
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
            if any(w.lower() in FUNCTION_WORDS | _VERBS or not w.isalpha() for w in body[:-1]):
                continue
            if not body[-1].isalpha() or any(not w.islower() for w in body):
                continue  # "system ICB medicines optimisation teams" is not one name
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
        return m if len(lead) <= 2 and all(w in DETERMINERS for w in lead) else None

    def after(self, m: Mention) -> list[str]:
        """The words after a name, skipping its acronym in brackets ("Boards (ICBs) are")."""
        rest = self.words[m.last + 1 :]
        if len(rest) >= 3 and rest[0] == "(" and rest[2] == ")":
            rest = rest[3:]
        return [w.lower() for w in rest]
