"""What kind of answer a question wants, from its wording (answering/question_kind.py)."""

from __future__ import annotations

import pytest

from assistant.answering.question_kind import (
    QuestionKind,
    person_focus,
    question_kind,
    shares_stem,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What is a PCN?", QuestionKind.DEFINITION),
        ("What does ICS stand for?", QuestionKind.DEFINITION),
        ("Who decides which medicines go on the formulary?", QuestionKind.PERSON),
        ("What are the three shifts in the plan?", QuestionKind.LIST),
        ("What domains do the scores cover?", QuestionKind.LIST),
        ("How many ICBs are there?", QuestionKind.FIGURE),
        ("When did CCGs close?", QuestionKind.FIGURE),
        ("How does an individual funding request work?", QuestionKind.PROCESS),
        ("How did the role of CCGs change after 2022?", QuestionKind.CHANGE),
        ("What is the difference between an ICB and an ICP?", QuestionKind.CHANGE),
        ("How does an ICB compare to a CCG?", QuestionKind.CHANGE),
        (
            "What population does a neighbourhood serve, and what is that compared to?",
            QuestionKind.OTHER,
        ),
        ("Is the ICB a statutory body?", QuestionKind.YES_NO),
        ("Tell me about neighbourhood health.", QuestionKind.OTHER),
        ("What does an ICB do?", QuestionKind.DEFINITION),
        ("I'm a new KAM. Who should I talk to about the formulary?", QuestionKind.PERSON),
        ("I'm new here. What is a PCN?", QuestionKind.DEFINITION),
        ("What's a PNA?", QuestionKind.DEFINITION),
        ("Who’s the chief pharmacist at the ICB?", QuestionKind.PERSON),
    ],
)
def test_question_kinds(question: str, kind: QuestionKind) -> None:
    assert question_kind(question) == kind


def test_a_who_is_the_post_question_must_find_the_post() -> None:
    assert person_focus("Who is the chief executive of the ICB?") == ["chief", "execut"]
    assert person_focus("Who chairs the prescribing group?") == ["chair"]
    # Most verbs are answered in other words ("decisions are made by"): no focus.
    assert person_focus("Who decides on the formulary?") == []
    assert person_focus("Who is responsible for the PNA?") == []


def test_stems_match_on_their_first_letters() -> None:
    assert shares_stem("decid", frozenset({"decis", "panel"}))
    assert not shares_stem("chair", frozenset({"ratifi", "group"}))


def test_a_long_form_called_by_name_defines_its_acronym() -> None:
    from assistant.answering.question_kind import defines

    said = "This request is called an Individual Funding Request (IFR)."
    assert defines(said, "IFR") and defines(said, "individual funding request")
    assert not defines("The IFR panel meets monthly.", "IFR")


def test_a_question_for_a_dose_or_price_is_a_figure_question_whatever_its_wording() -> None:
    from assistant.answering.question_kind import FigureKind, figure_asked

    assert question_kind("What's the starting dose of tirzepatide?") == QuestionKind.FIGURE
    assert question_kind("What is the budget of the board?") == QuestionKind.FIGURE
    assert question_kind("What is an individual funding request?") == QuestionKind.DEFINITION
    both = figure_asked("How many pharmacists and pharmacy technicians are there?")
    assert both is not None and both.counted == "pharmacists technicians"
    asked = figure_asked("How many NHS trusts are in segment 5?")
    assert asked is not None and asked.kind == FigureKind.COUNT and asked.counted == "trusts"
    assert figure_asked("What's the annual budget?") == figure_asked("What does it cost?")
    assert figure_asked("What should happen to insulin doses when X is added?") is None


@pytest.mark.parametrize(
    "question",
    [
        "How long do you have to ask for a review?",
        "When will the first IHOs go live?",
        "And when was it published?",
        "By when must plans be submitted?",
    ],
)
def test_a_question_for_a_time_wants_a_date_or_a_duration(question: str) -> None:
    from assistant.answering.question_kind import FigureKind, figure_asked

    asked = figure_asked(question)
    assert asked is not None and asked.kind == FigureKind.WHEN
    assert question_kind(question) == QuestionKind.FIGURE


def test_a_question_for_a_date_is_answered_by_a_date_not_a_duration() -> None:
    from assistant.answering.abstention import gives_requested_figure
    from assistant.answering.question_kind import FigureKind, figure_asked
    from assistant.retrieval.glossary import Glossary

    question = "From what date did the new recommendations apply?"
    asked = figure_asked(question)
    assert asked is not None and asked.kind == FigureKind.DATE
    assert question_kind(question) == QuestionKind.FIGURE
    assert not gives_requested_figure(question, "Replace the sensor every 10 days.", Glossary([]))
    assert gives_requested_figure(question, "It applies from 1 November 2022.", Glossary([]))


@pytest.mark.parametrize(
    "question",
    [
        # Circumstances, not a time; and a clause that only sets the scene.
        "When are safety needles OK to prescribe?",
        "When does NHS England count a treatment as experimental?",
        "When can a practice dispense medicines itself?",
        "When CCGs were set up, what was hoped for?",
    ],
)
def test_when_asking_for_circumstances_is_not_a_time_question(question: str) -> None:
    from assistant.answering.question_kind import figure_asked

    assert figure_asked(question) is None
    assert question_kind(question) != QuestionKind.FIGURE


def test_a_price_limit_is_money() -> None:
    from assistant.answering.question_kind import FigureKind, figure_asked

    asked = figure_asked("What's the price limit for pen needles on the formulary?")
    assert asked is not None and asked.kind == FigureKind.MONEY


def test_a_who_answer_names_an_agent() -> None:
    from assistant.answering.question_kind import names_agent

    assert names_agent("The request will be considered by a Public Health Consultant.")
    assert names_agent("Jane Smith, West Sussex County Council (Chair)")
    assert names_agent("The group is chaired by the director.")
    assert names_agent("Members of the Board include:")
    assert not names_agent("The review request will be supported by the original clinician.")
    assert not names_agent("The committee is quorate when five members are present.")
    assert names_agent("Tirzepatide | Amber | Initiated by the specialist diabetes team.")
    assert names_agent("The guidance was signed off by the joint prescribing group.")


def test_a_post_bound_to_its_holder_answers_who_holds_it() -> None:
    from assistant.answering.question_kind import names_post_holder

    post = person_focus("Who chairs the area prescribing committee?")
    assert names_post_holder("Chair: ICB Chief Medical Officer | NHS Example ICB", post)
    assert names_post_holder("The chair is Dr Ann Lee.", post)
    assert not names_post_holder("A quorum includes the chair or vice-chair.", post)
    assert not names_post_holder("The Chair is responsible for the agenda.", post)
    assert not names_post_holder("Chair: ICB Chief Medical Officer", [])
    # A table row, and a line opening with someone's name and then their post.
    assert names_post_holder("Chair | Dr Ann Lee, GP", post)
    cmo = person_focus("Who is the chief medical officer at Lindale ICB?")
    assert names_post_holder("Dr Ann Lee, Chief Medical Officer", cmo)
    assert names_post_holder("Ann Lee (Chief Medical Officer) opened the meeting.", cmo)
    assert not names_post_holder("NHS Lindale ICB - the chief medical officer leads it", cmo)
    assert not names_post_holder("Members are appointed by the Chief Medical Officer.", cmo)
    assert not names_post_holder("Jo Whitlock, Chief Nursing Officer", cmo)
    members = person_focus("Who are the independent non-executive members of the board?")
    assert names_post_holder("Adrian Cole, Non-Executive Member", members)


def test_what_x_is_responsible_for_asks_about_x_not_what_x_is() -> None:
    # What a body is responsible for is a list of duties, not a definition.
    assert question_kind("What is the Health and Wellbeing Board responsible for?") == (
        QuestionKind.LIST
    )
    assert question_kind("What is a formulary used for?") == QuestionKind.OTHER
    assert question_kind("What is the Health and Wellbeing Board?") == QuestionKind.DEFINITION


def test_kinds_of_and_covered_and_plural_choices_ask_for_a_list() -> None:
    assert question_kind("What kinds of data go into a JSNA?") == QuestionKind.LIST
    assert question_kind("What's covered in the population profiles?") == QuestionKind.LIST
    assert question_kind("Which pen needles are the formulary choices?") == QuestionKind.LIST
    # One kind, one body, one verb: not a list.
    assert question_kind("What kind of proposition would interest a lead?") != QuestionKind.LIST
    assert question_kind("Which body decides?") != QuestionKind.LIST


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        ("What's the difference between an ICB and an ICP?", ("ICB", "ICP")),
        (
            "How is a personal health budget different from an IFR?",
            ("personal health budget", "IFR"),
        ),
        ("Where does tirzepatide sit versus semaglutide?", ("tirzepatide sit", "semaglutide")),
        ("How do ICBs and ICPs differ?", ("ICBs", "ICPs")),
        ("How did CCGs change between 2019 and 2022?", None),
    ],
)
def test_a_comparison_names_its_two_sides(question: str, sides: tuple[str, str] | None) -> None:
    from assistant.answering.question_kind import compared_sides

    assert compared_sides(question) == sides


def test_a_singular_noun_ending_in_s_does_not_make_a_list() -> None:
    assert question_kind("What formulary status did the ICB give Libre 2?") != QuestionKind.LIST
    assert question_kind("What focus does the plan have?") != QuestionKind.LIST
    assert question_kind("What services does NHS Sussex commission?") == QuestionKind.LIST


def test_what_does_x_do_is_answered_by_a_sentence_in_which_x_acts() -> None:
    from assistant.answering.question_kind import defined_term, defines

    assert defined_term("What does an ICB actually do?") == "ICB"
    acting = "As part of their development, the ICBs took on delegated responsibility."
    assert defines(acting, "ICB", acts=True)
    assert not defines(acting, "ICB")  # "what is an ICB" is not answered by it
    assert not defines("That is how ICBs will fail.", "ICB", acts=True)  # not the subject
    assert not defines("So ICB teams will still need to act.", "ICB", acts=True)


def test_what_x_does_is_answered_where_x_acts_and_a_place_named_acronym_is_the_acronym() -> None:
    from assistant.answering.question_kind import acts_in, defines

    # "the Example Valley APC" is "the APC" in its own terms of reference.
    assert acts_in("The APC will:", "Example Valley APC")
    assert not acts_in("The APC is a sub-committee of the board.", "Example Valley APC")
    assert defines("The APC is a sub-committee of the board.", "Example Valley APC")
    # Only an acronym stands for the whole term: "the request" is not "the funding request".
    assert not defines("The request is sent to the panel.", "individual funding request")


def test_the_asking_sentence_is_the_one_question_of_a_message() -> None:
    from assistant.answering.question_kind import asked_sentence

    assert asked_sentence("I'm a new KAM. Who chairs it?") == "Who chairs it?"
    both = "How did it change? What were the concerns?"
    assert asked_sentence(both) == both  # two questions: the message is read whole
    assert asked_sentence("Tell me about PCNs.") == "Tell me about PCNs."


def test_a_sentence_saying_who_makes_the_decisions_answers_who_decides() -> None:
    from assistant.answering.question_kind import names_agent

    assert names_agent(
        "These now operate at system level, making collective decisions on formularies."
    )
    assert names_agent("The panel is responsible for funding decisions.")
    assert not names_agent("Decisions were often commissioning-led in practice.")


def test_a_list_question_names_what_it_lists_and_a_sentence_may_give_it_by_name() -> None:
    from assistant.answering.question_kind import listed_noun, names_the_list

    assert listed_noun("What are the main risks of the merger?") == "risks"
    assert listed_noun("What are the three shifts in the plan?") == "shifts"
    assert listed_noun("What is a PCN?") is None
    assert names_the_list("The main risks are disruption and loss of focus.", "risks")
    assert names_the_list("Risks include delay.", "risks")
    assert not names_the_list("We reviewed the risks carefully.", "risks")


def test_a_why_question_is_answered_by_a_cause_or_an_aim() -> None:
    from assistant.answering.question_kind import asks_why, gives_a_reason

    assert asks_why("Why are the two ICBs merging?")
    assert asks_why("What is the rationale for the merger?")
    assert not asks_why("When will the two ICBs merge?")
    assert gives_a_reason("NHS England asked ICBs to reduce their running costs by half.")
    assert gives_a_reason("The boards merged because their populations overlap.")
    assert not gives_a_reason("The Board is asked to approve the merger proposal.")


def test_whos_on_it_asks_who_sits_on_a_body_not_who_holds_a_post() -> None:
    from assistant.answering.question_kind import asks_who_holds_a_post

    assert not asks_who_holds_a_post("Who's on the Health and Wellbeing Board?")
    assert person_focus("Who is on the board?") == []
    assert asks_who_holds_a_post("Who's the chief pharmacist?")


def test_a_timescale_asked_for_wants_a_time_and_a_modifier_acronym_is_not_the_term() -> None:
    from assistant.answering.question_kind import FigureKind, defines, figure_asked, spells_out

    asked = figure_asked("What's the standard timescale for processing an IFR?")
    assert asked is not None and asked.kind == FigureKind.WHEN
    assert not defines("Being the subject of an IFR is hard.", "timescale for processing an IFR")
    said = "A Pharmaceutical Needs Assessment (PNA) is a statement of needs."
    assert spells_out(said, "PNA") and not spells_out("The PNA is a key tool.", "PNA")


def test_who_sits_on_a_body_asks_for_its_members() -> None:
    from assistant.answering.question_kind import asks_members, names_members

    assert asks_members("Who sits on the area prescribing committee?")
    assert asks_members("Who's on the Health and Wellbeing Board?")
    assert not asks_members("Who chairs the board?")
    assert names_members("The membership of the committee is set out below.")
    assert not names_members("Medicines approved by the committee are listed here.")


def test_the_body_whose_post_is_asked_about_is_read_up_to_what_follows_its_name() -> None:
    from assistant.answering.question_kind import post_body

    assert post_body("Who chairs the Lindale and Fenn Medicines Committee?") == (
        "Lindale and Fenn Medicines Committee"
    )
    assert post_body("Who is the clinical director at Carrow PCN these days?") == "Carrow PCN"
    assert post_body("Who chaired the steering group for the 2025 PNA?") == "steering group"
    assert post_body("Who is on the board?") is None
    assert post_body("What does the board do?") is None


def test_whos_chairing_asks_for_the_chair_like_who_chairs() -> None:
    from assistant.answering.question_kind import asks_who_holds_a_post

    question = "Who's chairing the Kingsreach prescribing committee at the moment?"
    assert person_focus(question) == person_focus("Who chairs the committee?") == ["chair"]
    assert not asks_who_holds_a_post(question)  # a post may answer it, as for "who chairs"


def test_a_bodys_name_opening_a_line_is_not_someone_holding_the_post() -> None:
    from assistant.answering.question_kind import names_post_holder

    chair = person_focus("Who chairs the committee?")
    body = "Kingsreach Care Partnership (KCP): a joint committee of the councils"
    assert not names_post_holder(body, person_focus("Who is the chair of the committee?"))
    assert not names_post_holder("Westmoor Partnership, a committee of the ICB", chair)
    assert names_post_holder("Dr Helen Marsh, Chair of the committee", chair)


def test_what_x_means_for_someone_is_not_a_definition() -> None:
    assert question_kind("What does the merger mean for staff?") == QuestionKind.OTHER
    assert question_kind("What does PCN mean?") == QuestionKind.DEFINITION
    assert question_kind("What does 'place' mean in the NHS?") == QuestionKind.DEFINITION


def test_which_x_names_the_plural_its_verb_follows() -> None:
    from assistant.answering.question_kind import listed_noun

    assert listed_noun("Which GP practices are in Carrow PCN?") == "practices"
    assert listed_noun("Which medicines areas does NHS England target?") == "areas"
    assert listed_noun("Which type 2 diabetes patients can get Libre 2?") == "patients"
    assert listed_noun("Which NICE guidance does it rely on?") is None
