"""An offline answer shaped by what the question asks for.

The answer opens with the sentence that answers most directly (the best-scored one, with
a nudge towards the shape the question wants: a figure for "how many", a "X is ..." for
"what is X"). It then reads on in the lead's own passage: a list the lead introduces is
kept whole, a process keeps its next steps, and otherwise the next sentence stays only
when it is on the same subject. A sentence from elsewhere is added only when it brings
something the question asks about that the answer lacks. Short beats long: a sentence
that does not bear on the question costs the reader's trust.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.answering.abstention import gives_a_number
from assistant.answering.evidence import Sentence, is_apparatus, is_broken_piece, restates_title
from assistant.answering.extractive import (
    ScoredSentence,
    introduces_missing_list,
    leans_back,
    reading_order,
    speaks_of_itself,
)
from assistant.answering.options import ComposeOptions
from assistant.answering.question_kind import (
    QuestionKind,
    acts_in,
    compared_sides,
    defines,
    gives_a_reason,
    names_agent,
    names_members,
    names_post_holder,
    names_the_list,
    spells_out,
)
from assistant.retrieval.glossary import Glossary
from vectorstore.lexical import terms


@dataclass(frozen=True)
class Request:
    """What the composer needs to know about the question."""

    kind: QuestionKind
    weights: dict[str, float]  # the question's content terms, weighted by rarity
    defined: str | None = None  # what a definition question asks about
    acts: bool = False  # "what does X do": a sentence in which X acts answers it
    years: tuple[int, ...] = ()
    # The years a question names when it names more than one ("from 2018 to 2022").
    between: tuple[int, ...] = ()
    # The newest documents' year when the question asks how things stand now.
    latest: int | None = None
    one_document: bool = True
    # Whether a sentence gives the figure a figure question asks for (a dose with its
    # unit, a count of the right thing); None: any number will do.
    figure: Callable[[str], bool] | None = None
    # Whether the question asks who sits on a body: a sentence naming its members answers.
    members: bool = False
    # Whether the question asks why: a sentence giving a cause or an aim answers it.
    why: bool = False
    # What a list question asks for ("risks" in "what are the main risks of X?").
    listed: str | None = None
    # The post a "who is the chair of X" or "who chairs X" question asks about, as stems.
    post: tuple[str, ...] = ()
    # The two things a comparison names, each as the forms its own words take (an
    # acronym and its long form): the answer speaks of both.
    sides: tuple[tuple[frozenset[str], ...], ...] = ()
    # Whether a sentence's passage (with its title, publisher and heading) speaks of every
    # place or body the question names; None when it names none.
    about_asked: Callable[[Sentence], bool] | None = None


# The sentences of the passage after a given one in its document (empty at the end):
# a list or a process may run on past the end of the passage the lead sits in.
NextPassage = Callable[[Sentence], list[Sentence]]


def _no_next(_: Sentence) -> list[Sentence]:
    return []


def compose(
    scored: list[ScoredSentence],
    all_sentences: list[Sentence],
    request: Request,
    params: ComposeOptions,
    next_passage: NextPassage = _no_next,
) -> list[Sentence]:
    """The answer's sentences, in reading order: a lead, its passage's continuation,
    support only where it adds, and each year asked about."""
    if not scored:
        return []
    by_place = {(s.chunk.id, s.position): s for s in all_sentences}
    apparatus = _apparatus(all_sentences)
    # A question the document asks ("So where will the teams sit?") never answers one,
    # nor a fragment that only repeats the question's words (a table's "Pen needle"; a
    # whole sentence may, "That is how ICBs will fail", pointing at what came before).
    # They go before the lead is chosen: a title line that scores high must not raise
    # the bar the answer's own sentences are measured against.
    usable = [
        c
        for c in scored
        if not introduces_missing_list(c.sentence, by_place)
        and not c.sentence.text.rstrip().endswith("?")
        and id(c.sentence) not in apparatus
        and not (_repeats_question(c.sentence, request) and not _opens_list(c.sentence, by_place))
        and not restates_title(c.sentence)
    ]
    usable = _rerank_for_kind(usable, request, params, by_place)
    if request.between:
        # "From the 2018 proposals to the 2022 view" is answered by those years'
        # documents; a third year's says something else.
        usable = [c for c in usable if c.sentence.chunk.meta.year in request.between] or usable
    if not usable:
        return []
    lead = usable[0]

    # A reference list or a pointer read on into is no part of the answer, and takes no
    # room from the steps or items that follow it.
    known = {id(s) for s in all_sentences}

    def aside(sentence: Sentence) -> bool:
        if id(sentence) in known:
            return id(sentence) in apparatus
        # The next passage's sentences, read only now: judged by their own words.
        return is_apparatus(sentence.text, sentence.chunk.meta.section)

    opening = [
        lead.sentence,
        *_continuation(lead, by_place, request.kind, params, next_passage, aside),
    ]
    lead_holds_post = bool(request.post) and _holds_post(
        lead.sentence, list(request.post), by_place
    )
    name = _name_above(lead.sentence, by_place) if lead_holds_post else None
    if name is not None:
        opening.insert(0, name)  # the card's name, then its post and what follows
    chosen = list(opening)
    budget = params.max_chars_list if _is_list(chosen) else params.max_chars
    floor = lead.score * params.min_relative_score
    for candidate in usable[1:]:
        if candidate.score < floor or len(chosen) >= params.max_sentences:
            break
        s = candidate.sentence
        if s in chosen or _length(chosen) + len(s.text) > budget:
            continue
        # A heading, a list's intro line away from its list, or a table's cell away from
        # its row ("Pen needle") says nothing by itself; but a profile's heading naming
        # someone in the post asked about ("Ann Lee, Non-Executive Member") answers "who
        # are the non-executive members?".
        holder = bool(request.post) and _holds_post(s, list(request.post), by_place)
        if (s.is_heading and not holder) or s.text.rstrip().endswith(":") or _is_cell(s):
            continue
        # The document describing itself ("This chapter of the formulary covers ...")
        # shares the question's names with every question about it, and answers none.
        if speaks_of_itself(s):
            continue
        # A broken piece of another document's sentence adds nothing a reader can use
        # (the lead's own passage may still read on through one).
        if s.chunk.source_id != lead.sentence.chunk.source_id and is_broken_piece(s):
            continue
        if request.one_document and (
            _not_a_later_word(s, lead.sentence)
            if params.later_documents_add
            else s.chunk.source_id != lead.sentence.chunk.source_id
        ):
            continue
        if any(float(np.dot(s.vector, c.vector)) > params.near_duplicate for c in chosen):
            continue
        if _gain(s, chosen, request.weights) < params.min_support_gain:
            continue
        # Who holds a post is answered by the holder's own lines: what sits under another
        # person's heading on a board page is about someone else.
        if (
            lead_holds_post
            and not holder
            and _section(s, by_place) != _section(lead.sentence, by_place)
        ):
            continue
        name = _name_above(s, by_place) if holder else None
        if name is not None and name not in chosen:
            chosen.append(name)  # a card's post line comes with the name above it
        chosen.append(s)
    for forms in request.sides:
        if any(_speaks_of(c, forms) for c in chosen):
            continue
        side = next(
            (
                c.sentence
                for c in usable
                if c.sentence not in chosen
                and not c.sentence.is_heading
                and _speaks_of(c.sentence, forms)
            ),
            None,
        )
        if side is not None:
            chosen.append(side)
    for year in request.years:
        if any(c.chunk.meta.year == year for c in chosen):
            continue
        best = next(
            (
                c
                for c in usable
                if c.sentence.chunk.meta.year == year
                and c.score >= floor
                and not is_broken_piece(c.sentence)
            ),
            None,
        )
        if best is not None:
            chosen.append(best.sentence)
    for sentence in list(chosen):
        before = by_place.get((sentence.chunk.id, sentence.position - 1))
        if before is None or not leans_back(sentence, before):
            continue
        if before not in chosen:
            chosen.append(before)
        # What "these" stands for is read before it, even when it was chosen for itself.
        if sentence in opening and before not in opening:
            opening.insert(opening.index(sentence), before)
    if request.kind == QuestionKind.CHANGE or request.between:
        return reading_order(chosen)  # a change reads forwards in time
    newest = [s for s in chosen if request.latest and s.chunk.meta.year == request.latest]
    if newest:
        # "Which roles are teams now expected to play?": the newest word answers; what
        # older documents said follows it.
        return reading_order(newest) + reading_order([s for s in chosen if s not in newest])
    if request.years:
        return reading_order(chosen)
    # The answer opens with the lead (and what continues it); the rest in reading order.
    return opening + reading_order([s for s in chosen if s not in opening])


def compared_forms(question: str, glossary: Glossary) -> tuple[tuple[frozenset[str], ...], ...]:
    """For a question comparing two named things, each side's forms: its words, and its
    words with an acronym in it spelt out (or a long form shortened). Empty when the
    question compares nothing by name."""
    sides = compared_sides(question)
    if sides is None:
        return ()

    def forms(side: str) -> tuple[frozenset[str], ...]:
        written = [side]
        for entry in glossary.mentioned(side):
            for a, b in ((entry.short, entry.long), (entry.long, entry.short)):
                written.append(re.sub(rf"\b{re.escape(a)}s?\b", b, side, flags=re.I))
        return tuple(dict.fromkeys(f for w in written if (f := frozenset(terms(w)))))

    return tuple(f for side in sides if (f := forms(side)))


def _speaks_of(sentence: Sentence, forms: tuple[frozenset[str], ...]) -> bool:
    """Whether ``sentence`` holds every word of one of the forms."""
    return any(form <= sentence.terms for form in forms)


def _apparatus(sentences: list[Sentence]) -> set[int]:
    """Ids of the sentences that are references, links or file names, judged under the
    heading each sits under (a passage may cross into its document's reference list)."""
    found: set[int] = set()
    heading: dict[str, str] = {}
    ordered = sorted(sentences, key=lambda s: (s.chunk.id or "", s.position))
    # A row among rows is a table's, not a link's title ("Safety needles | HCPA"): its
    # cells are read as text ("Lay member | Healthwatch Example Valley").
    rows: set[int] = set()
    for a, b in itertools.pairwise(ordered):
        if a.chunk.id == b.chunk.id and " | " in a.text and " | " in b.text:
            rows.update((id(a), id(b)))
    for s in ordered:
        key = s.chunk.id or ""
        if s.is_heading:
            heading[key] = s.text
            continue
        text = s.text.replace(" | ", "; ") if id(s) in rows else s.text
        if is_apparatus(text, heading.get(key, s.chunk.meta.section)):
            found.add(id(s))
    return found


def _rerank_for_kind(
    scored: list[ScoredSentence],
    request: Request,
    params: ComposeOptions,
    by_place: dict[tuple[str, int], Sentence],
) -> list[ScoredSentence]:
    # The lead should have the answer's shape: a number for a figure question, "X is ..."
    # or "... is called X" for a definition of X, an intro or items for a list.
    kind = request.kind

    def has_shape(sentence: Sentence) -> bool:
        text = sentence.text
        if kind == QuestionKind.FIGURE:
            return request.figure(text) if request.figure else gives_a_number(text)
        if kind == QuestionKind.DEFINITION:
            return request.defined is not None and defines(text, request.defined, request.acts)
        if kind == QuestionKind.LIST:
            return text.rstrip().endswith(":") or sentence.is_item
        if kind == QuestionKind.PERSON:
            return names_agent(text)
        return False

    def shaped(item: ScoredSentence) -> float:
        return item.score + (params.shape_bonus if has_shape(item.sentence) else 0.0)

    def opens_list(sentence: Sentence) -> bool:
        return _opens_list(sentence, by_place)

    ranked = sorted(scored, key=lambda s: -shaped(s))

    def heads_lines(sentence: Sentence) -> bool:
        return _heads_lines(sentence, by_place)

    def holds_post(sentence: Sentence) -> bool:
        return _holds_post(sentence, list(request.post), by_place)

    for preference in _preferences(request, has_shape, opens_list, heads_lines, holds_post):
        ranked = _lead_with(
            ranked,
            preference.wanted,
            params,
            preference.most,
            preference.by_words,
            preference.floor_share,
        )
    return ranked


@dataclass(frozen=True)
class _Preference:
    """Sentences a lead should be one of (the first ``most`` of them moved to the front)."""

    wanted: Callable[[Sentence], bool]
    most: int | None = None
    by_words: bool = False
    # The share of the usual floor a wanted sentence must reach (a heading scores low by
    # itself: its words are few; the lines under it carry the answer).
    floor_share: float = 1.0


def _preferences(
    request: Request,
    has_shape: Callable[[Sentence], bool],
    opens_list: Callable[[Sentence], bool],
    heads_lines: Callable[[Sentence], bool],
    holds_post: Callable[[Sentence], bool],
) -> list[_Preference]:
    """What the direct answer looks like, weakest first (each later preference moves its
    sentences in front of the earlier ones'). It leads whenever it is relevant enough to
    be in the answer at all: the line that opens the list a list question asks for
    ("What domains do the scores cover?"); a sentence that defines the term for "what is
    X", gives the figure for "what dose" or "when", names who does it for "who"."""
    kind = request.kind
    found: list[_Preference] = []
    if request.why:
        found.append(_Preference(lambda s: gives_a_reason(s.text), most=1))
    if kind == QuestionKind.LIST and request.listed:
        # "The main risks are disruption, ...": the list given by name, when no line
        # opens it as a list.
        listed = request.listed
        found.append(_Preference(lambda s: names_the_list(s.text, listed), most=1))
    if kind == QuestionKind.LIST and request.listed:
        # "Member practices" over a table of them answers "which practices are in X?"
        # (a line that opens a list by its words, below, answers it better). A heading's
        # few words score low by themselves, so it needs half the usual floor (set by hand,
        # not tuned on the eval questions).
        wanted = set(terms(request.listed))
        found.append(
            _Preference(lambda s: bool(wanted & s.terms) and heads_lines(s), 1, floor_share=0.5)
        )
    if kind == QuestionKind.LIST:
        found.append(_Preference(opens_list, most=1, by_words=True))
    if kind in (QuestionKind.DEFINITION, QuestionKind.PERSON) or request.figure:
        found.append(_Preference(has_shape))
    term = request.defined
    if kind == QuestionKind.DEFINITION and term is not None:
        if request.acts:
            # "What does X do?": of the sentences about X, one in which X acts first.
            found.append(_Preference(lambda s: acts_in(s.text, term)))
        else:
            # "What is a PNA?": the definition that spells the acronym out first.
            found.append(_Preference(lambda s: spells_out(s.text, term)))
    if kind == QuestionKind.PERSON and request.members:
        found.append(_Preference(lambda s: names_members(s.text), most=1))
    if kind == QuestionKind.PERSON and request.post:
        # Of the sentences naming someone, the one binding the post to its holder first.
        found.append(_Preference(holds_post))
    about = request.about_asked
    if about is not None and found:
        # Of the sentences shaped like the answer, one about the place or body asked about
        # leads (the support keeps its order): "Who is the chief medical officer at
        # Lindale ICB?" is answered by Lindale's "Dr Ann Lee, Chief Medical Officer",
        # though another ICB's terms of reference word the post more closely.
        strongest = found[-1]
        found.append(_Preference(lambda s: strongest.wanted(s) and about(s), 1, strongest.by_words))
    return found


def _lead_with(
    ranked: list[ScoredSentence],
    wanted: Callable[[Sentence], bool],
    params: ComposeOptions,
    most: int | None = None,
    by_words: bool = False,
    floor_share: float = 1.0,
) -> list[ScoredSentence]:
    """``ranked`` with the (first ``most``) sentences that are ``wanted`` and score at least
    ``min_relative_score`` of the best moved to the front, in their order; ``by_words``
    orders them by how much of the question's wording they hold first (of two lists
    about the Board, "The Board is responsible for:" answers "what is it responsible
    for", however much closer "Members of the Board include:" sits in embedding space)."""
    if not ranked:
        return ranked
    floor = ranked[0].score * params.min_relative_score * floor_share
    leaders = [s for s in ranked if wanted(s.sentence) and s.score >= floor]
    if by_words:
        leaders.sort(key=lambda s: -s.overlap)  # stable: ties keep their score order
    leaders = leaders[:most]
    return leaders + [s for s in ranked if s not in leaders]


def _continuation(
    lead: ScoredSentence,
    by_place: dict[tuple[str, int], Sentence],
    kind: QuestionKind,
    params: ComposeOptions,
    next_passage: NextPassage,
    aside: Callable[[Sentence], bool] = lambda _: False,
) -> list[Sentence]:
    """What follows the lead in its own passage (or runs on into the next one) and
    belongs to the answer; sentences ``aside`` are passed over."""
    s = lead.sentence
    key = s.chunk.id
    after: list[Sentence] = []
    position = s.position + 1
    while (nxt := by_place.get((key, position))) is not None and not nxt.is_heading:
        if not aside(nxt):
            after.append(nxt)
        position += 1
    ends_passage = by_place.get((key, position)) is None
    # The lead, or the sentence right after it, opens a list; or a list or process is asked.
    opens = [s, *after[:1]]
    introduces_items = bool(after) and after[0].is_item and not s.is_item
    wants_more = (
        introduces_items
        or any(o.text.rstrip().endswith(":") for o in opens)
        or kind
        in (
            QuestionKind.LIST,
            QuestionKind.PROCESS,
        )
    )
    if ends_passage and wants_more and _length([s, *after]) < params.max_chars_list:
        for following in next_passage(s):
            if following.is_heading:
                break
            if not aside(following):
                after.append(following)
    if not after:
        return []
    introduces = s.text.rstrip().endswith(":") or (after[0].is_item and not s.is_item)
    # A list question whose lead names the list ("our two shared goals.") gets the items
    # that start within the next sentences, the sentences between them left out.
    first_item = next((i for i, a in enumerate(after[:3]) if a.is_item), None)
    if kind == QuestionKind.LIST and first_item is not None:
        introduces = True
        after = after[first_item:]
    # A heading that leads a list answer heads its table or list: its lines are the list.
    introduces = introduces or (s.is_heading and kind == QuestionKind.LIST)
    if s.is_heading and kind == QuestionKind.LIST:
        return _within(s, after, params.max_chars_list)
    if introduces or (s.is_item and kind == QuestionKind.LIST):
        # A list is kept whole (its items, up to the list budget).
        items = list(itertools.takewhile(lambda a: a.is_item, after)) or after[:1]
        return _within(s, items, params.max_chars_list)
    if kind == QuestionKind.PROCESS:
        # A process: the steps that follow, in order, within the budget.
        return _within(s, after, params.max_chars)
    nxt = after[0]
    related = float(np.dot(nxt.vector, s.vector)) >= params.min_own_similarity
    # A question the document asks next opens another topic; it answers nothing.
    if not related or nxt.text.rstrip().endswith("?"):
        return []
    if nxt.text.rstrip().endswith(":"):
        # "... a range of products. Some of the key products include:" - the list it
        # opens is what the lead promised.
        items = list(itertools.takewhile(lambda a: a.is_item, after[1:]))
        if items:
            return _within(s, [nxt, *items], params.max_chars_list)
    return _within(s, [nxt], params.max_chars)


def _within(lead: Sentence, following: list[Sentence], budget: int) -> list[Sentence]:
    """The leading run of ``following`` that fits in ``budget`` characters with ``lead``."""
    out: list[Sentence] = []
    for sentence in following:
        if _length([lead, *out, sentence]) > budget:
            break
        out.append(sentence)
    return out


def _gain(sentence: Sentence, chosen: list[Sentence], weights: dict[str, float]) -> float:
    """Share of the question's weighted terms the sentence adds to the answer."""
    total = sum(weights.values()) or 1.0
    have: set[str] = set()
    for c in chosen:
        have |= c.terms
    return sum(w for t, w in weights.items() if t in sentence.terms and t not in have) / total


# A line this short that holds only the question's words is a heading or a label, even
# with a full stop ("Pharmacy First."); a longer one may say something ("That is how ICBs
# will fail."). Set by hand, not tuned on the eval questions.
_LABEL_WORDS = 4


def _repeats_question(sentence: Sentence, request: Request) -> bool:
    """Whether a fragment (no sentence's end), or a line of a few words, holds no word
    the question does not."""
    text = sentence.text.rstrip()
    short = not text.endswith((".", "!", "?")) or len(text.split()) <= _LABEL_WORDS
    return short and sentence.terms <= set(request.weights)


def _section(sentence: Sentence, by_place: dict[tuple[str, int], Sentence]) -> tuple[str, str]:
    """The heading a sentence sits under: the last heading line before it in its passage,
    else its passage's section (a heading line is its own section)."""
    position = sentence.position
    while position >= 0:
        line = by_place.get((sentence.chunk.id, position))
        if line is not None and line.is_heading:
            above = _name_above(line, by_place)  # a card's name and post are one heading
            return (sentence.chunk.id, (above or line).text)
        position -= 1
    return ("", sentence.chunk.meta.section)


def _name_above(sentence: Sentence, by_place: dict[tuple[str, int], Sentence]) -> Sentence | None:
    """The heading line right above a heading line: a profile card's name over its post
    ("Graham Pearce" over "Chief Pharmacist, NHS Example ICB"), as web pages lay them out."""
    above = by_place.get((sentence.chunk.id, sentence.position - 1))
    if not sentence.is_heading or above is None or not above.is_heading:
        return None
    # A name alone: a line of its own post ("Raj Patel, Non-Executive Member") is another
    # card's, not this one's name.
    words = above.text.split()
    return above if len(words) <= _NAME_WORDS and not re.search(r"[,:;|]", above.text) else None


_NAME_WORDS = 6  # "Professor Dame Ann Lee-Smith OBE": set by hand, not tuned


def _holds_post(
    sentence: Sentence, post: list[str], by_place: dict[tuple[str, int], Sentence]
) -> bool:
    """Whether the line binds the post asked about to its holder, on its own or read with
    the name above it (a card's "Graham Pearce" / "Chief Pharmacist")."""
    if names_post_holder(sentence.text, post):
        return True
    above = _name_above(sentence, by_place)
    return above is not None and names_post_holder(f"{above.text}, {sentence.text}", post)


def _heads_lines(sentence: Sentence, by_place: dict[tuple[str, int], Sentence]) -> bool:
    """Whether ``sentence`` is a heading over two or more items or rows of its passage (a
    table's rows, a list)."""
    below = [by_place.get((sentence.chunk.id, sentence.position + k)) for k in (1, 2)]
    return sentence.is_heading and all(b is not None and b.is_item for b in below)


def _opens_list(sentence: Sentence, by_place: dict[tuple[str, int], Sentence]) -> bool:
    """Whether ``sentence`` ends in a colon and a list item follows it ("The APC will:")."""
    following = by_place.get((sentence.chunk.id, sentence.position + 1))
    return sentence.text.rstrip().endswith(":") and following is not None and following.is_item


def _is_cell(sentence: Sentence) -> bool:
    """Whether an item is a fragment (a table cell): a few words, no sentence's end."""
    text = sentence.text.rstrip()
    return sentence.is_item and len(text.split()) < 5 and not text.endswith((".", "!", "?"))


def _is_list(chosen: list[Sentence]) -> bool:
    return sum(s.is_item for s in chosen) >= 2


def _length(sentences: list[Sentence]) -> int:
    return sum(len(s.text) + 1 for s in sentences)


def _not_a_later_word(sentence: Sentence, lead: Sentence) -> bool:
    """Whether ``sentence`` is from another document that is not newer than the lead's:
    only a later document may add to an answer, since it may say what has changed."""
    if sentence.chunk.source_id == lead.chunk.source_id:
        return False
    year, lead_year = sentence.chunk.meta.year, lead.chunk.meta.year
    return year is None or lead_year is None or year <= lead_year
