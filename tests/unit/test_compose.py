"""The offline answer's composition (answering/compose.py): a lead, its passage's
continuation (whole lists, process steps), support only from the lead's document or a
later one, and a length budget."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering.abstention import about_asked
from assistant.answering.compose import Request, compose
from assistant.answering.evidence import Sentence
from assistant.answering.extractive import ScoredSentence, score_sentences
from assistant.answering.options import ComposeOptions
from assistant.answering.question_kind import QuestionKind
from assistant.retrieval.glossary import Glossary
from vectorstore.lexical import LexicalIndex
from vectorstore.records import Chunk, ChunkMeta

OPTIONS = ComposeOptions()
_axes = iter(range(256))


def sentence(
    text: str,
    source: str,
    published: str = "2024",
    position: int = 0,
    item: bool = False,
    chunk: Chunk | None = None,
) -> Sentence:
    chunk = chunk or Chunk(f"{source}#0", text, ChunkMeta(source_id=source, published=published))
    vector = np.zeros(256)
    vector[next(_axes)] = 1.0  # orthogonal: no two sentences are near-duplicates
    start = position * 100
    return Sentence(text, chunk, start, start + len(text), position, False, vector, item)


def scored(*pairs: tuple[Sentence, float]) -> list[ScoredSentence]:
    return [ScoredSentence(s, score, score, 0.0) for s, score in pairs]


def request(kind: QuestionKind = QuestionKind.OTHER, one_document: bool = True) -> Request:
    return Request(kind=kind, weights={}, one_document=one_document)


LEAD = sentence("Tirzepatide goes up to 15 mg once weekly.", "tirzepatide", "2024-06")
SAME_YEAR = sentence("Metformin is taken with meals.", "metformin", "2024-03")
LATER = sentence("From 2025 the dose is capped at 10 mg.", "new-guide", "2025")
EARLIER = sentence("In 2019 no such medicine was licensed.", "old-guide", "2019")
ALL = [LEAD, SAME_YEAR, LATER, EARLIER]


def sources(one_document: bool, options: ComposeOptions = OPTIONS) -> list[str]:
    ranked = scored((LEAD, 0.9), (SAME_YEAR, 0.85), (LATER, 0.8), (EARLIER, 0.78))
    picked = compose(ranked, ALL, request(one_document=one_document), options)
    return [s.chunk.source_id for s in picked]


def test_one_document_answers_leave_out_other_documents_of_the_time_or_earlier() -> None:
    assert "metformin" not in sources(one_document=True)
    assert "old-guide" not in sources(one_document=True)


def test_by_default_a_one_document_answer_keeps_to_the_lead_document() -> None:
    assert sources(one_document=True) == ["tirzepatide"]


def test_a_later_documents_word_is_kept_when_the_option_allows() -> None:
    later = ComposeOptions(later_documents_add=True)
    assert sources(one_document=True, options=later) == ["tirzepatide", "new-guide"]


def test_without_the_rule_every_strong_sentence_is_kept() -> None:
    assert {"metformin", "old-guide"} <= set(sources(one_document=False))


def test_a_list_the_lead_introduces_is_kept_whole_even_past_its_passage() -> None:
    chunk = Chunk("plan#0", "", ChunkMeta(source_id="plan"))
    intro = sentence("The plan has three shifts:", "plan", position=0, chunk=chunk)
    first = sentence("hospital to community", "plan", position=1, item=True, chunk=chunk)
    second = sentence("analogue to digital", "plan", position=2, item=True, chunk=chunk)
    following = Chunk("plan#1", "", ChunkMeta(source_id="plan", chunk_index=1))
    third = sentence("sickness to prevention", "plan", position=0, item=True, chunk=following)
    after_list = sentence("Budgets rise.", "plan", position=1, chunk=following)

    picked = compose(
        scored((intro, 0.9), (first, 0.2), (second, 0.2)),
        [intro, first, second],
        request(QuestionKind.LIST),
        OPTIONS,
        next_passage=lambda s: [third, after_list] if s.chunk is chunk else [],
    )

    assert [s.text for s in picked] == [intro.text, first.text, second.text, third.text]


def test_the_answer_opens_with_the_lead_and_stays_within_its_budget() -> None:
    chunk = Chunk("doc#0", "", ChunkMeta(source_id="doc"))
    early = sentence("Boards also meet monthly in public." * 3, "doc", position=0, chunk=chunk)
    lead = sentence("An ICB plans and buys care for its population.", "doc", 5, chunk=chunk)
    long = sentence("Padding words here. " * 40, "doc", position=9, chunk=chunk)
    options = ComposeOptions(max_chars=300)

    picked = compose(
        scored((lead, 0.9), (early, 0.8), (long, 0.8)), [early, lead, long], request(), options
    )

    assert picked[0] is lead
    assert long not in picked
    assert sum(len(s.text) for s in picked) <= 300


def test_a_figure_question_opens_with_a_sentence_that_gives_a_number() -> None:
    words = sentence("Boards meet often to plan their work.", "doc", position=0)
    number = sentence("Boards meet 12 times a year.", "doc2", position=0)

    picked = compose(
        scored((words, 0.70), (number, 0.68)),
        [words, number],
        request(QuestionKind.FIGURE),
        OPTIONS,
    )

    assert picked[0] is number


def test_a_definition_question_opens_with_the_sentence_that_defines_the_term() -> None:
    panel = sentence("The IFR panel will consider each individual funding request.", "ifr")
    called = sentence("This request is called an individual funding request.", "ifr2")
    ranked = scored((panel, 0.8), (called, 0.6))
    asks = Request(QuestionKind.DEFINITION, {}, defined="individual funding request")
    assert compose(ranked, [panel, called], asks, OPTIONS)[0] is called
    # Too weak to be in the answer at all: it does not lead.
    weak = scored((panel, 0.8), (called, 0.3))
    assert compose(weak, [panel, called], asks, OPTIONS)[0] is panel


def test_a_figure_question_opens_with_the_figure_it_asks_for() -> None:
    gap = sentence("The time between two doses must be at least 3 days.", "t")
    start = sentence("Initially 2.5 mg once weekly for 4 weeks.", "t2")
    ranked = scored((gap, 0.65), (start, 0.5))
    asks = Request(QuestionKind.FIGURE, {}, figure=lambda text: "mg" in text)
    assert compose(ranked, [gap, start], asks, OPTIONS)[0] is start


def test_a_heading_or_a_stray_list_intro_is_never_support() -> None:
    lead = sentence("The plan sets two goals for the city.", "plan", position=0)
    chunk = Chunk("plan#3", "", ChunkMeta(source_id="plan", chunk_index=3))
    heading = Sentence(
        "The Healthy City Plan", chunk, 300, 321, 0, True, np.eye(64)[next(_axes)], False
    )
    intro = sentence("The partnership has agreed two goals:", "plan", position=5)

    picked = compose(
        scored((lead, 0.9), (heading, 0.85), (intro, 0.8)),
        [lead, heading, intro],
        request(),
        OPTIONS,
    )

    assert picked == [lead]


def test_references_links_and_file_names_are_never_answers() -> None:
    from assistant.answering.evidence import is_apparatus

    assert is_apparatus("Pen-needles-guidance-NEL-v1_07.2023.pdf (icb.nhs.uk)")
    assert is_apparatus("Safety needles | HCPA")
    assert is_apparatus("Frias JP, et al. Efficacy of tirzepatide. Lancet 2021;398:143-55.")
    assert is_apparatus("Efficacy and safety of tirzepatide: a phase 3 trial.", "References")
    assert is_apparatus("See www.example.org/guide for details.")
    assert not is_apparatus("Pen needles that cost less than £5 per 100 are first choice.")
    assert not is_apparatus(
        "The full policy is at https://www.england.nhs.uk/ifr and sets out how an "
        "individual funding request is screened, decided and reviewed by the panel."
    )
    assert not is_apparatus("The ICB buys services.", "2. Sources of funding for ICBs")
    assert is_apparatus("Further details on the segments can be found in the NHS framework")
    # Endnotes of a report whose reference list has no heading of its own.
    assert is_apparatus(
        "‘Scaling the UK’s science sectors’: https://www.ncub.co.uk/x (viewed on 26 June 2025)"
    )
    assert is_apparatus("‘Health Equity in England: The Marmot Review 10 Years On’ 2020:")
    assert is_apparatus("‘Life expectancy by decile’ 2022. https://www.ons.gov.uk/")
    assert is_apparatus("healthstatelifeexpectanciesbyindexofmultipledeprivationimd/2018to2020")
    assert is_apparatus("8 NHS England.")
    assert is_apparatus("Table 40 Pharmacy First activity (2024)")
    assert is_apparatus("Figure 3: Integrated care systems in England")
    assert not is_apparatus("Tables of figures follow each section.")
    assert not is_apparatus("3 shifts will change the NHS.")
    assert not is_apparatus("The plan, called ‘Fit for the future’, was published in 2025.")
    assert not is_apparatus("The Pharmacy First scheme was launched on 31 January 2024.")


def test_the_lead_never_reads_on_into_a_pointer_or_a_reference() -> None:
    chunk = Chunk("ifr#0", "", ChunkMeta(source_id="ifr"))
    lead = sentence("A screening group first checks each request.", "ifr", chunk=chunk)
    pointer = sentence(
        "Further details can be found in the standard operating procedures.",
        "ifr",
        position=1,
        chunk=chunk,
    )
    pointer.vector = lead.vector  # as related as can be
    picked = compose(scored((lead, 0.9)), [lead, pointer], request(QuestionKind.PROCESS), OPTIONS)
    assert picked == [lead]
    step = sentence("A panel then decides on funding.", "ifr", position=2, chunk=chunk)
    everything = [lead, pointer, step]
    picked = compose(scored((lead, 0.9)), everything, request(QuestionKind.PROCESS), OPTIONS)
    assert picked == [lead, step]  # the step after the pointer still follows


def test_a_list_question_opens_with_the_line_that_opens_the_list() -> None:
    chunk = Chunk("manual#0", "", ChunkMeta(source_id="manual"))
    general = sentence("Domain scores help to find areas to investigate.", "manual", chunk=chunk)
    intro = sentence("We will provide domain scores for:", "manual", position=1, chunk=chunk)
    first = sentence("access to services", "manual", position=2, item=True, chunk=chunk)
    second = sentence("patient safety", "manual", position=3, item=True, chunk=chunk)
    everything = [general, intro, first, second]
    ranked = scored((general, 0.8), (intro, 0.6), (first, 0.1), (second, 0.1))
    picked = compose(ranked, everything, request(QuestionKind.LIST), OPTIONS)
    assert [s.text for s in picked[:3]] == [intro.text, first.text, second.text]


def test_a_who_question_opens_with_the_sentence_naming_who() -> None:
    chunk = Chunk("policy#0", "", ChunkMeta(source_id="policy"))
    context = sentence("A patient may ask for a review of the decision.", "policy", chunk=chunk)
    who = sentence(
        "The request is first considered by a Public Health Consultant.",
        "policy",
        position=5,
        chunk=chunk,
    )
    ranked = scored((context, 0.7), (who, 0.6))
    picked = compose(ranked, [context, who], request(QuestionKind.PERSON), OPTIONS)
    assert picked[0] is who


def test_a_table_cell_away_from_its_row_is_never_support() -> None:
    chunk = Chunk("needles#0", "", ChunkMeta(source_id="needles"))
    lead = sentence("Pen needles cost less than £5 per 100.", "needles", chunk=chunk)
    cell = sentence("Pen needle", "needles", position=7, item=True, chunk=chunk)
    item = sentence("Use up existing needles first.", "needles", position=9, item=True, chunk=chunk)
    ranked = scored((lead, 0.9), (cell, 0.85), (item, 0.8))
    picked = compose(ranked, [lead, cell, item], request(), OPTIONS)
    assert cell not in picked and item in picked


def test_a_line_that_only_repeats_the_question_never_leads() -> None:
    cell = sentence("Pen needle", "needles", item=True)
    answer = sentence(
        "Practices may prescribe Insupen Original at £2.49 a pack.", "needles", position=1
    )
    asked = Request(kind=QuestionKind.OTHER, weights={"pen": 1.0, "needl": 1.0})

    picked = compose(scored((cell, 0.9), (answer, 0.8)), [cell, answer], asked, OPTIONS)

    assert picked[0] is answer
    assert cell not in picked


def test_a_list_intro_in_the_questions_words_leads_with_its_list_for_what_x_does() -> None:
    chunk = Chunk("tor#0", "", ChunkMeta(source_id="tor"))
    what = sentence("The APC is a sub-committee of the board.", "tor", chunk=chunk)
    intro = sentence("The APC will:", "tor", position=1, chunk=chunk)
    items = [
        sentence("maintain the joint formulary;", "tor", position=2, item=True, chunk=chunk),
        sentence("agree shared care protocols.", "tor", position=3, item=True, chunk=chunk),
    ]
    asked = Request(
        kind=QuestionKind.DEFINITION, weights={"apc": 1.0}, defined="Example Valley APC", acts=True
    )
    picked = compose(scored((what, 0.73), (intro, 0.72)), [what, intro, *items], asked, OPTIONS)
    assert picked[:3] == [intro, *items]


def test_a_few_words_of_the_question_with_a_full_stop_are_a_label_not_an_answer() -> None:
    label = sentence("Pharmacy First.", "pna")
    answer = sentence("Pharmacy First lets pharmacists treat seven conditions.", "pna", position=1)
    asked = Request(kind=QuestionKind.DEFINITION, weights={"pharmaci": 1.0, "first": 1.0})
    picked = compose(scored((label, 0.9), (answer, 0.8)), [label, answer], asked, OPTIONS)
    assert picked == [answer]


def test_a_whole_sentence_in_the_questions_words_may_still_lead() -> None:
    pointer = sentence("That is how ICBs will fail.", "maule")
    asked = Request(kind=QuestionKind.OTHER, weights={"icb": 1.0, "fail": 1.0})

    assert compose(scored((pointer, 0.9)), [pointer], asked, OPTIONS) == [pointer]


def test_of_two_lists_a_list_question_opens_with_the_one_in_its_words() -> None:
    chunk = Chunk("board#0", "", ChunkMeta(source_id="board"))
    members = sentence("Members of the Board include:", "board", position=0, chunk=chunk)
    member = sentence("the county council", "board", position=1, item=True, chunk=chunk)
    duties = sentence("The Board is responsible for:", "board", position=2, chunk=chunk)
    duty = sentence("assessing local needs", "board", position=3, item=True, chunk=chunk)
    everything = [members, member, duties, duty]
    # The members' line sits closer to the question in embedding space; the duties' line
    # holds more of its words ("responsible").
    ranked = [
        ScoredSentence(members, 0.9, 0.9, 0.5),
        ScoredSentence(duties, 0.7, 0.5, 1.0),
        ScoredSentence(member, 0.3, 0.3, 0.0),
        ScoredSentence(duty, 0.3, 0.3, 0.0),
    ]
    picked = compose(ranked, everything, request(QuestionKind.LIST), OPTIONS)
    assert [s.text for s in picked[:2]] == [duties.text, duty.text]


def test_a_comparison_speaks_of_both_sides() -> None:
    from assistant.answering.compose import compared_forms
    from assistant.retrieval.glossary import Glossary

    question = "What's the difference between a Programme Lead and a Service Lead?"
    chunk = Chunk("roles#0", "", ChunkMeta(source_id="roles"))
    programme = sentence("The Programme Lead reports to the board.", "roles", chunk=chunk)
    plan = sentence("Each service plan has programmes.", "roles", position=1, chunk=chunk)
    other = sentence("Budgets are set every spring.", "roles", position=2, chunk=chunk)
    service = sentence("Service Leads deliver the plans.", "roles", position=3, chunk=chunk)
    everything = [programme, plan, other, service]
    ranked = scored((programme, 0.9), (plan, 0.8), (other, 0.7), (service, 0.3))
    sides = compared_forms(question, Glossary([]))
    assert len(sides) == 2
    compare = Request(kind=QuestionKind.CHANGE, weights={}, one_document=False, sides=sides)
    picked = compose(ranked, everything, compare, OPTIONS)
    # "service plan" is not "Service Lead": the low-scored sentence that is joins.
    assert service in picked
    plain = Request(kind=QuestionKind.CHANGE, weights={}, one_document=False)
    assert service not in compose(ranked, everything, plain, OPTIONS)


def test_a_list_opened_by_the_sentence_after_the_lead_is_kept() -> None:
    chunk = Chunk("unit#0", "", ChunkMeta(source_id="unit"))
    lead = sentence("The unit produces a range of products.", "unit", position=0, chunk=chunk)
    intro = sentence("Some of the key products include:", "unit", position=1, chunk=chunk)
    first = sentence("Data packs: where to look.", "unit", position=2, item=True, chunk=chunk)
    second = sentence(
        "Focus packs: the costliest areas.", "unit", position=3, item=True, chunk=chunk
    )
    intro.vector = lead.vector  # on the lead's subject
    everything = [lead, intro, first, second]
    picked = compose(scored((lead, 0.9)), everything, request(), OPTIONS)
    assert picked == [lead, intro, first, second]


def test_that_is_how_brings_the_sentence_it_points_back_to_and_no_question_follows() -> None:
    chunk = Chunk("maule#0", "", ChunkMeta(source_id="maule"))
    said = sentence("Teams end up busy, helpful and stuck.", "maule", position=0, chunk=chunk)
    lead = sentence("That is how ICBs will fail.", "maule", position=1, chunk=chunk)
    asked = sentence("What does this mean for the workforce?", "maule", position=2, chunk=chunk)
    asked.vector = lead.vector  # as related as can be: still not a continuation
    picked = compose(scored((lead, 0.9)), [said, lead, asked], request(), OPTIONS)
    assert [s.text for s in picked] == [said.text, lead.text]


def test_a_lead_leaning_back_after_an_opening_phrase_reads_after_what_it_leans_on() -> None:
    chunk = Chunk("apc#0", "", ChunkMeta(source_id="apc"))
    said = sentence("Area prescribing committees were reorganised.", "apc", position=0, chunk=chunk)
    lead = sentence(
        "In most cases, these now make formulary decisions.", "apc", position=1, chunk=chunk
    )
    # The sentence "these" stands for is chosen for itself too, ranked below the lead.
    picked = compose(scored((lead, 0.9), (said, 0.8)), [said, lead], request(), OPTIONS)
    assert [s.text for s in picked] == [said.text, lead.text]


def test_a_lead_that_leans_on_nothing_keeps_its_place() -> None:
    chunk = Chunk("apc#0", "", ChunkMeta(source_id="apc"))
    said = sentence("Area prescribing committees were reorganised.", "apc", position=0, chunk=chunk)
    lead = sentence(
        "In most cases, committees now make formulary decisions.", "apc", position=1, chunk=chunk
    )
    picked = compose(scored((lead, 0.9), (said, 0.8)), [said, lead], request(), OPTIONS)
    assert picked[0].text == lead.text


def test_a_document_speaking_of_itself_or_a_heading_before_it_is_not_leant_on() -> None:
    chunk = Chunk("paper#0", "", ChunkMeta(source_id="paper"))
    heading = sentence("Purpose", "paper", position=0, chunk=chunk)
    heading.is_heading = True
    lead = sentence(
        "This paper asks the Board to approve the merger.", "paper", position=1, chunk=chunk
    )
    assert compose(scored((lead, 0.9)), [heading, lead], request(), OPTIONS) == [lead]
    said = sentence("The two boards share a chief executive.", "paper", position=0, chunk=chunk)
    these = sentence("These boards will merge in April.", "paper", position=1, chunk=chunk)
    assert compose(scored((these, 0.9)), [said, these], request(), OPTIONS) == [said, these]


def test_the_title_as_the_first_page_prints_it_is_not_an_answer() -> None:
    from assistant.answering.evidence import repeats_title

    title = "Board paper: Proposed merger of NHS North Vale and NHS South Vale ICBs"
    assert repeats_title(
        "Board paper: Proposed merger of NHS North Vale ICB and NHS South Vale ICB", title
    )
    assert not repeats_title("The merger of North Vale and South Vale was proposed.", title)
    minutes = "Westmoor Area Prescribing Committee: minutes of the meeting held on 13 March 2025"
    assert repeats_title("WESTMOOR AREA PRESCRIBING COMMITTEE (APC)", minutes)
    assert not repeats_title("WESTMOOR AREA PRESCRIBING COMMITTEE (APC) AND ITS GROUPS", minutes)
    assert not repeats_title(
        "Tirzepatide is for adults with type 2 diabetes.",
        "Tirzepatide for Type 2 Diabetes in Adults",
    )


def test_a_sentence_counts_the_question_words_its_heading_holds() -> None:
    chunk = Chunk("rps#0", "", ChunkMeta(source_id="rps"))
    heading = sentence("A greater focus on prevention", "rps", position=0, chunk=chunk)
    heading.is_heading = True
    under = sentence("Promote self-care in every plan.", "rps", position=1, chunk=chunk)
    elsewhere = sentence("Promote data sharing in every plan.", "nhs", position=2)
    index = LexicalIndex([Chunk("x", "prevention plan data", ChunkMeta(source_id="x"))])
    question = np.zeros(256)  # similarity plays no part: only the words do

    def overlap(options: ComposeOptions) -> dict[str, float]:
        found = score_sentences(
            "What about prevention?",
            question,
            [heading, under, elsewhere],
            index,
            options,
            Glossary([]),
        )
        return {s.sentence.text: s.overlap for s in found}

    assert overlap(ComposeOptions(heading_overlap=0.0))[under.text] == 0.0
    shares = overlap(ComposeOptions(heading_overlap=0.5))
    assert shares[under.text] == pytest.approx(0.5)
    assert shares[elsewhere.text] == 0.0  # another passage, another heading


def test_a_line_repeating_the_documents_title_never_answers() -> None:
    chunk = Chunk(
        "mo#0", "", ChunkMeta(source_id="mo", title="The Future of Medicines Optimisation")
    )
    title = sentence("Article:  The Future of Medicines Optimisation", "mo", chunk=chunk)
    body = sentence("Medicines optimisation teams will buy for the system.", "mo", 1, chunk=chunk)
    picked = compose(scored((title, 0.9), (body, 0.8)), [title, body], request(), OPTIONS)
    assert [s.text for s in picked] == [body.text]


def test_a_list_intro_followed_by_a_paragraph_lost_its_list_and_never_leads() -> None:
    chunk = Chunk("ca#0", "", ChunkMeta(source_id="ca"))
    intro = sentence(
        "Members will want value propositions that show:", "ca", position=0, chunk=chunk
    )
    paragraph = sentence(
        "With responsibility for commissioning many specialised services shifting to "
        "systems from April, industry also needs to watch clinical reference groups closely.",
        "ca",
        position=1,
        chunk=chunk,
    )
    picked = compose(scored((intro, 0.9), (paragraph, 0.5)), [intro, paragraph], request(), OPTIONS)
    assert intro not in picked


def test_a_question_naming_two_years_is_answered_from_those_years_documents() -> None:
    early = sentence("In 2018 networks were proposed for 30,000 patients.", "rps", "2018")
    late = sentence("By 2022 each network had a pharmacist team lead.", "pt", "2022")
    other = sentence("Networks are led by GPs and include pharmacies.", "hwb", "2025")
    ranked = scored((other, 0.95), (early, 0.8), (late, 0.78))
    ask = Request(kind=QuestionKind.CHANGE, weights={}, one_document=False, between=(2018, 2022))
    picked = compose(ranked, [other, early, late], ask, OPTIONS)
    assert {s.chunk.source_id for s in picked} == {"rps", "pt"}
    assert "hwb" in {
        s.chunk.source_id
        for s in compose(
            ranked, [other, early, late], request(QuestionKind.CHANGE, one_document=False), OPTIONS
        )
    }


def test_a_question_about_now_opens_with_the_newest_documents_word() -> None:
    old = sentence("Teams were to sit at system level.", "jackson", "2022")
    new = sentence("Teams are now market managers.", "maule", "2026")
    ranked = scored((old, 0.9), (new, 0.85))
    ask = Request(kind=QuestionKind.OTHER, weights={}, one_document=False, years=(2026,))
    # Without "now", a year asked about reads forwards in time; with it, the newest leads.
    assert compose(ranked, [old, new], ask, OPTIONS) == [old, new]
    now = Request(
        kind=QuestionKind.OTHER, weights={}, one_document=False, years=(2026,), latest=2026
    )
    assert compose(ranked, [old, new], now, OPTIONS) == [new, old]


def test_who_chairs_opens_with_the_line_binding_the_post_to_its_holder() -> None:
    chunk = Chunk("tor#0", "", ChunkMeta(source_id="tor"))
    quorum = sentence(
        "Members are as follows: the chair, the vice-chair and a GP.", "tor", chunk=chunk
    )
    holder = sentence("Chair: ICB Chief Medical Officer", "tor", position=1, chunk=chunk)
    ranked = scored((quorum, 0.7), (holder, 0.68))
    ask = Request(kind=QuestionKind.PERSON, weights={}, post=("chair",))
    assert compose(ranked, [quorum, holder], ask, OPTIONS)[0] == holder
    without = Request(kind=QuestionKind.PERSON, weights={})
    assert compose(ranked, [quorum, holder], without, OPTIONS)[0] == quorum


def test_a_list_given_by_name_leads_and_an_unusable_title_line_sets_no_bar() -> None:
    chunk = Chunk("paper#0", "", ChunkMeta(source_id="paper", title="Merger of two boards"))
    title = sentence("Merger of two boards", "paper", position=0, chunk=chunk)
    purpose = sentence(
        "The Board is asked to approve the merger.", "paper", position=1, chunk=chunk
    )
    risks = sentence("The main risks are delay and disruption.", "paper", position=2, chunk=chunk)
    ranked = scored((title, 0.9), (purpose, 0.5), (risks, 0.45))
    ask = Request(kind=QuestionKind.LIST, weights={}, listed="risks")
    # 0.45 is below 0.6 of the title line's 0.9, not of the best usable sentence's 0.5.
    assert compose(ranked, [title, purpose, risks], ask, OPTIONS)[0] == risks


def test_a_why_question_opens_with_the_sentence_giving_a_reason() -> None:
    what = sentence("The Board is asked to approve the merger.", "paper")
    why = sentence("ICBs were told to cut running costs by half.", "paper", position=1)
    ranked = scored((what, 0.7), (why, 0.6))
    assert (
        compose(
            ranked, [what, why], Request(kind=QuestionKind.OTHER, weights={}, why=True), OPTIONS
        )[0]
        == why
    )
    assert compose(ranked, [what, why], request(), OPTIONS)[0] == what


def test_who_sits_on_a_body_opens_with_its_members_and_keeps_the_table_whole() -> None:
    chunk = Chunk("tor#0", "", ChunkMeta(source_id="tor"))
    approved = sentence("Medicines approved by the committee are listed here.", "tor", chunk=chunk)
    intro = sentence("The membership is set out below.", "tor", position=1, chunk=chunk)
    rows = [
        sentence(text, "tor", position=2 + i, item=True, chunk=chunk)
        for i, text in enumerate(
            ["Chair: Chief Medical Officer | NHS Example ICB", "Lay member | Healthwatch Example"]
        )
    ]
    ranked = scored((approved, 0.8), (intro, 0.7))
    ask = Request(kind=QuestionKind.PERSON, weights={}, members=True)
    # A short row among rows is a table's, not a link's title ("Safety needles | HCPA").
    assert compose(ranked, [approved, intro, *rows], ask, OPTIONS)[:3] == [intro, *rows]


def test_a_broken_piece_of_another_documents_sentence_is_never_support() -> None:
    lead = sentence("Neighbourhoods of care serve 30,000 people.", "footprints", "2019")
    piece = sentence("new neighbourhood health approach, a new", "framework", "2025")
    whole = sentence("The neighbourhood health framework was published.", "maule", "2026")
    ranked = scored((lead, 0.9), (piece, 0.85), (whole, 0.8))
    change = request(QuestionKind.CHANGE, one_document=False)
    picked = compose(ranked, [lead, piece, whole], change, OPTIONS)
    assert piece not in picked
    assert whole in picked


def test_a_who_question_naming_a_place_is_answered_from_that_places_passage() -> None:
    # Another ICB's terms of reference word the post more closely; the answer is Lindale's.
    other = Chunk("tor#0", "", ChunkMeta(source_id="tor", publisher="NHS Westmoor ICB"))
    board = Chunk("board#0", "", ChunkMeta(source_id="board", publisher="NHS Lindale ICB"))
    appointed = sentence(
        "Members are appointed by the Chief Medical Officer on a trust's nomination.",
        "tor",
        chunk=other,
    )
    profile = sentence("Dr Ann Lee, Chief Medical Officer", "board", chunk=board)
    ranked = scored((appointed, 0.7), (profile, 0.5))
    glossary = Glossary([])

    def ask(about: bool) -> Request:
        return Request(
            kind=QuestionKind.PERSON,
            weights={},
            post=("chief", "medic", "offic"),
            about_asked=about_asked("Who is the chief medical officer at Lindale?", glossary)
            if about
            else None,
        )

    assert compose(ranked, [appointed, profile], ask(True), OPTIONS)[0] == profile
    # Without the place, the holder's line leads too; the place keeps it leading when the
    # other document also binds the post to someone.
    holder_elsewhere = sentence("Chief Medical Officer: Dr Bo Hart", "tor", 1, chunk=other)
    ranked = scored((holder_elsewhere, 0.7), (profile, 0.5))
    both = [holder_elsewhere, profile]
    assert compose(ranked, both, ask(False), OPTIONS)[0] == holder_elsewhere
    assert compose(ranked, both, ask(True), OPTIONS)[0] == profile


def test_profile_headings_naming_holders_of_the_post_asked_about_are_support() -> None:
    chunk = Chunk("board#0", "", ChunkMeta(source_id="board"))
    first = sentence("Ann Lee, Non-Executive Member", "board", position=0, chunk=chunk)
    bio = sentence("Ann is a retired auditor.", "board", position=1, chunk=chunk)
    second = sentence("Raj Patel, Non-Executive Member", "board", position=2, chunk=chunk)
    other = sentence("Bo Hart, Chief Finance Officer", "board", position=3, chunk=chunk)
    for s in (first, second, other):
        object.__setattr__(s, "is_heading", True)
    ranked = scored((first, 0.5), (bio, 0.45), (second, 0.45), (other, 0.44))
    ask = Request(kind=QuestionKind.PERSON, weights={}, post=("non", "execut", "member"))
    chosen = compose(ranked, [first, bio, second, other], ask, OPTIONS)
    assert second in chosen and other not in chosen
    without_post = Request(kind=QuestionKind.PERSON, weights={})
    assert second not in compose(ranked, [first, bio, second, other], without_post, OPTIONS)


def test_the_document_describing_itself_is_never_support() -> None:
    chunk = Chunk("formulary#0", "", ChunkMeta(source_id="formulary"))
    row = sentence("First line | LAMA/LABA | Anoro Ellipta | GREEN", "formulary", chunk=chunk)
    scope = sentence(
        "This chapter of the Westmoor Joint Formulary covers inhaled therapy for COPD.",
        "formulary",
        position=1,
        chunk=chunk,
    )
    fact = sentence("Spiolto Respimat is the alternative.", "formulary", position=2, chunk=chunk)
    ranked = scored((row, 0.6), (scope, 0.58), (fact, 0.5))
    chosen = compose(ranked, [row, scope, fact], request(), OPTIONS)
    assert scope not in chosen and fact in chosen


def test_a_list_question_leads_with_the_heading_over_the_rows_it_asks_for() -> None:
    chunk = Chunk("report#0", "", ChunkMeta(source_id="report"))
    about = sentence("Carrow PCN brings together five GP practices.", "report", chunk=chunk)
    heading = sentence("Member practices", "report", position=1, chunk=chunk)
    rows = [
        sentence(text, "report", position=n, item=True, chunk=chunk)
        for n, text in enumerate(["Carrow Surgery Carrow", "Millbeck Centre Millbeck"], 2)
    ]
    object.__setattr__(heading, "is_heading", True)
    ranked = scored((about, 0.9), (heading, 0.35), (rows[0], 0.3), (rows[1], 0.3))
    everything = [about, heading, *rows]
    ask = Request(kind=QuestionKind.LIST, weights={}, listed="practices")
    assert compose(ranked, everything, ask, OPTIONS)[:3] == [heading, *rows]
    unnamed = Request(kind=QuestionKind.LIST, weights={})
    assert compose(ranked, everything, unnamed, OPTIONS)[0] == about


def test_a_profile_card_answers_with_its_name_its_post_and_its_own_lines_only() -> None:
    chunk = Chunk("team#0", "", ChunkMeta(source_id="team"))
    lines = [
        ("Graham Pearce", True),
        ("Chief Pharmacist, NHS Westmoor ICB", True),
        ("Graham leads the medicines optimisation team.", False),
        ("Imogen Hale", True),
        ("Chief Medical Officer, NHS Westmoor ICB", True),
        ("Imogen was clinical chair of the CCG.", False),
    ]
    card = []
    for n, (text, heading) in enumerate(lines):
        s = sentence(text, "team", position=n, chunk=chunk)
        object.__setattr__(s, "is_heading", heading)
        card.append(s)
    name, post, bio, _, other_post, other_bio = card
    ranked = scored((bio, 0.6), (other_bio, 0.55), (post, 0.5), (other_post, 0.45))
    ask = Request(kind=QuestionKind.PERSON, weights={}, post=("chief", "pharmacist"))
    chosen = compose(ranked, card, ask, OPTIONS)
    assert chosen[:3] == [name, post, bio]
    assert other_bio not in chosen and other_post not in chosen
