"""Cleaning: the sample corpus's web left-overs go, its real content stays; general rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.cleaning import clean_text

CORPUS_FILES = [
    "jackson-future-of-mo-in-ics.txt",
    "maule-2026-mo-capability.txt",
    "pharmafile-2019-regional-footprints.txt",
    "pharmatimes-2022-nhs-personas.txt",
    "rps-system-leadership-pcns.txt",
]

# Site chrome and scraping damage known to be in the sample corpus.
LEFTOVERS = [
    "Subscribe to our email news alerts",
    "Sign up",
    "login to leave a comment",
    "0 comments",
    "Return To Top",
    "Pharmafile Logo",
    "Latest jobs",
    "Quick links",
    "BACK TO NEWS AND ARTICLES",
    "Contact Us",
    "Want To Find Out More",
    "Patient and public involvement Patient and public involvement",
    "•",
    "goin g",
    "re- designing",
    "decision- making",
]

# Real content copied from the files (start, middle, end; list items; the last paragraph).
CONTENT = {
    "jackson-future-of-mo-in-ics.txt": [
        "In line with the NHS Long Term Plan, each ICS should be the nucleus for tailored "
        "medicines optimisation strategies at the ‘system’ level to advance national goals, "
        "with tactics adapted to local needs at a ‘place’ level 1.",
        "Current medicines management managers describe the changes as an “evolution, not a "
        "revolution”.",
        "Challenges stated by heads of medicines management:",
        "Mindsets need to shift to ensure decisions are made to benefit the whole system.",
        "heads of medicine optimisation will need to understand these larger geographic areas "
        "which may include some very diverse population needs e.g. differences in poverty, "
        "disease prevalence, ethnicities etc.",
        "It is currently unclear how this gap will be bridged.",
        "What does seem certain is that current personnel will be redeployed to sit at a system "
        "level if they have not already.",
    ],
    "maule-2026-mo-capability.txt": [
        "In the first two articles I talked about changing expectations, and changing levers of "
        "influence.",
        "But from what I've seen the idea is largely built on goodwill. And goodwill is not a "
        "reliable operating model.",
        "We will remain busy, helpful, and stuck. That is how ICBs will fail.",
        "What does this mean for the ICB MO workforce?",
        "It’s a bit like asking a goalkeeper to suddenly play as a striker (I do love a sporting "
        "analogy).",
        "And crucially, will we be left alone long enough to do it?",
    ],
    "pharmafile-2019-regional-footprints.txt": [
        "NHS regional footprints",
        "Towards the end of 2018, a map was published by NHS England (NHSE) and NHS Improvement "
        "(NHSI), which divided the country into 42 ‘regional footprints’ responsible for "
        "delivering health and social care services.",
        "In neighbourhoods, all services – police, health and social care – work together more "
        "holistically.",
        "Digital tools are key to managing this in a timely and efficient way.",
        "The regulators said this would provide ‘greater focus on the performance of the local "
        "healthcare system as a whole’.",
        "In line with this, it needs to educate clinicians about the wider value of its products "
        "within the integrated care agenda and find ways to engage with the variety of other key "
        "stakeholders who are bringing their influence to bear within regional footprints.",
    ],
    "pharmatimes-2022-nhs-personas.txt": [
        "Who are they, what do they look like and how can we collaborate?",
        "A few months ago, in an earlier column for PharmaTimes, I described how a new ‘anatomy’ "
        "of the NHS was taking shape as a result of reforms.",
        "As with other networks, members of Cancer Alliances will be particularly interested in "
        "value propositions that show:",
        "Most ICS chief pharmacists are now in post across the country, and can be tracked "
        "through our new System 360 strategic account management tool.",
        "They also get involved in supporting the introduction of innovative practices where it "
        "can support workforce optimisation (for instance, by reducing GP time) and, as such, "
        "play a fundamental part in scaling up and embedding change on the ground.",
    ],
    "rps-system-leadership-pcns.txt": [
        "The NHS in England is encouraging organisations to work in partnership to take on "
        "collective responsibility for resources, providing joined-up, better coordinated care "
        "to improve health outcomes within defined populations.",
        "Key considerations for Primary Care Networks",
        "All care provided must be person-centred.",
        "Pharmacovigilance should drive quality improvement and patient safety.",
        "Develop behaviour change and consultation skills of healthcare professionals to ensure "
        "person-centred care.",
        "As part of this process, it asked people to contribute their ideas, experiences and "
        "insights by 30 September 2018. You can find out more here.",
    ],
}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def cleaned(corpus_dir: Path) -> dict[str, str]:
    return {
        name: clean_text((corpus_dir / name).read_text(encoding="utf-8")).text
        for name in CORPUS_FILES
    }


def test_every_corpus_file_has_content_sentences_listed(corpus_dir: Path) -> None:
    assert sorted(p.name for p in corpus_dir.glob("*.txt")) == sorted(CONTENT)
    for name, sentences in CONTENT.items():
        original = _flat((corpus_dir / name).read_text(encoding="utf-8"))
        assert len(sentences) >= 4
        for sentence in sentences:  # copied verbatim, so the check below means something
            assert _flat(sentence) in original, (name, sentence)


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_web_leftovers_are_gone_from_the_cleaned_corpus_file(
    name: str, cleaned: dict[str, str]
) -> None:
    text = cleaned[name]
    left = [leftover for leftover in LEFTOVERS if leftover in text]
    assert left == []


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_real_content_sentences_survive_cleaning(name: str, cleaned: dict[str, str]) -> None:
    text = _flat(cleaned[name])
    missing = [s for s in CONTENT[name] if _flat(s) not in text]
    assert missing == []


def test_doubled_headings_in_the_corpus_appear_once(cleaned: dict[str, str]) -> None:
    text = cleaned["rps-system-leadership-pcns.txt"]
    for heading in (
        "Patient and public involvement",
        "Leadership drawn from all of primary care",
        "The value of medicines is recognised",
        "Interoperability of data",
        "A greater focus on prevention",
    ):
        assert text.count(heading) == 1, heading
        assert f"\n{heading}\n" in text  # still a heading line of its own


def test_split_words_in_the_corpus_are_rejoined(cleaned: dict[str, str]) -> None:
    assert "If it is going to become a legitimate" in cleaned["maule-2026-mo-capability.txt"]
    pharmafile = _flat(cleaned["pharmafile-2019-regional-footprints.txt"])
    assert "tasked with re-designing services" in pharmafile
    assert "statutory decision-making for place-based care" in pharmafile


def test_corpus_bullets_become_dash_list_items(cleaned: dict[str, str]) -> None:
    lines = cleaned["rps-system-leadership-pcns.txt"].splitlines()
    assert "- All care provided must be person-centred." in lines
    assert sum(line.startswith("- ") for line in lines) == 18


# -- general rules, on invented text ---------------------------------------------------


def test_doubled_heading_line_is_kept_once() -> None:
    result = clean_text("Workforce planning Workforce planning\n\nPractices share staff.")
    assert result.text == "Workforce planning\n\nPractices share staff."
    assert result.hits["doubled_headings"] == 1
    assert result.removed["doubled_headings"] == len(" Workforce planning")


def test_heading_repeated_on_the_next_line_is_kept_once() -> None:
    result = clean_text("Funding\nFunding\nThe board sets the budget.")
    assert result.text == "Funding\nThe board sets the budget."


def test_word_split_before_its_last_letter_is_rejoined() -> None:
    result = clean_text("The plan is goin g to change how practices work together.")
    assert result.text == "The plan is going to change how practices work together."
    assert result.hits["broken_words"] == 1


def test_abbreviation_after_a_word_is_not_glued_to_it() -> None:
    text = "Some areas have diverse needs e.g. poverty and disease prevalence."
    assert clean_text(text).text == text


def test_hyphen_split_word_is_rejoined() -> None:
    result = clean_text("The trust is re- designing its stroke pathway.")
    assert result.text == "The trust is re-designing its stroke pathway."


def test_suspended_hyphen_before_and_is_kept() -> None:
    text = "Boards set short- and long-term goals for prescribing."
    assert clean_text(text).text == text


def test_short_chrome_line_is_dropped_and_counted() -> None:
    text = "Practices pool their staff across the network.\nSubscribe to our newsletter\nMore text."
    result = clean_text(text)
    assert "Subscribe" not in result.text
    assert result.text == "Practices pool their staff across the network.\nMore text."
    assert result.hits["chrome_lines"] == 1
    assert result.removed["chrome_lines"] == len("Subscribe to our newsletter")


def test_long_sentence_mentioning_subscribe_is_kept() -> None:
    sentence = (
        "Patients who subscribe to the repeat prescription service receive a reminder "
        "before their medicines run out."
    )
    result = clean_text(f"Repeat prescriptions\n\n{sentence}")
    assert sentence in result.text
    assert result.hits["chrome_lines"] == 0


def test_trailing_footer_block_is_removed() -> None:
    body = "\n\n".join(
        [
            "Integrated care boards took over from clinical commissioning groups in July 2022.",
            "Each board agrees a five-year plan with its partners and publishes it every year.",
            "Primary care networks bring practices together to serve about fifty thousand "
            "people, sharing staff such as clinical pharmacists and social prescribers.",
            "Place-based partnerships join the council, the NHS and voluntary groups in one "
            "town or borough, and decide together how services are arranged there.",
        ]
    )
    footer = "Share this article\nFollow us on LinkedIn\nwww.example-health.co.uk\nContact us"
    result = clean_text(f"{body}\n\n{footer}")
    assert result.text == body
    assert result.hits["footer_block"] == 4
    assert result.removed["footer_block"] == sum(len(line) for line in footer.splitlines())


def test_bullet_glyphs_become_dashes() -> None:
    result = clean_text("Boards must:\n  • publish a plan\n  ● report on it")
    assert result.text == "Boards must:\n- publish a plan\n- report on it"
    assert result.hits["bullet_glyphs"] == 2


def test_word_and_markdown_bullets_become_dashes_too() -> None:
    text = (
        "Criteria:\no There is a NICE appraisal\n+ Assessing needs\n\uf0b7 Dispensing\n"
        "✓ 1,700 fewer admissions\no and this line is prose"
    )
    result = clean_text(text)
    assert result.text.splitlines() == [
        "Criteria:",
        "- There is a NICE appraisal",
        "- Assessing needs",
        "- Dispensing",
        "- 1,700 fewer admissions",
        "o and this line is prose",
    ]


def test_removal_counts_are_reported_per_rule() -> None:
    text = "Overview Overview\nThe ICB is goin g to merge.\nSign up\nLast line stays here."
    result = clean_text(text)
    assert result.text == "Overview\nThe ICB is going to merge.\nLast line stays here."
    assert result.hits["doubled_headings"] == 1
    assert result.hits["broken_words"] == 1
    assert result.hits["chrome_lines"] == 1
    assert result.removed["doubled_headings"] == len(" Overview")
    assert result.removed["broken_words"] == 1
    assert result.removed["chrome_lines"] == len("Sign up")
    assert result.original_chars == len(text)


def test_a_printed_documents_running_footer_is_dropped_but_not_on_web_pages() -> None:
    pages = [f"Page {n} says something.\n{n} | Individual funding requests" for n in (2, 3, 4)]
    text = "\n".join(pages)

    printed = clean_text(text, web_page=False).text
    assert "| Individual funding requests" not in printed
    assert "Page 3 says something." in printed
    assert "| Individual funding requests" in clean_text(text, web_page=True).text


def test_table_rows_with_prices_are_not_page_furniture() -> None:
    rows = "Insupen 4mm £2.49\nGreenfine 4mm £2.99\nCarePoint 4mm £2.75\nUnifine 4mm £3.30"
    text = f"Pen needles cost:\n{rows}\nPrices as listed."

    assert "Insupen 4mm £2.49" in clean_text(text, web_page=False).text


def test_contents_entries_go_and_prose_with_dots_stays() -> None:
    text = (
        "Contents\n"
        "Introduction ........................ 1 Key points .................. 2\n"
        "Safety Needle Devices …… 3\n"
        "Well, for those of us who are left........ Some will thrive in 2024\n"
        "The dose is 2.5 mg."
    )
    result = clean_text(text, web_page=False)
    assert "Key points" not in result.text and "Safety Needle" not in result.text
    assert "Some will thrive in 2024" in result.text and "2.5 mg" in result.text
    assert result.hits["contents_entries"] == 2


@pytest.mark.timeout(10)  # took minutes before: the contents-entry pattern backtracked
@pytest.mark.parametrize("line", ["Intro " + ". " * 100_000 + "x", "Intro" + "…" * 100_000])
def test_long_line_of_dot_leaders_is_cleaned_quickly(line: str) -> None:
    assert clean_text(line).original_chars == len(line)


def test_typeset_ligatures_are_spelt_out() -> None:
    result = clean_text("The national Tari\ufb00 is e\ufb00ective after rati\ufb01cation.", False)
    assert result.text == "The national Tariff is effective after ratification."
    assert result.hits["ligatures"] == 3


def test_a_tables_rows_are_content_though_a_lone_line_of_cells_is_a_breadcrumb() -> None:
    from ingest.cleaning import table_rows

    text = "\n".join(
        [
            "Home | Strategies | Medicines",  # a breadcrumb: a row with no table
            "# Measures of success",
            "Measure | Baseline | Target",
            "Adalimumab biosimilar uptake | 91% | 95%",
            "Low carbon inhalers | 28% | 55%",
            "Contacts",
            "Contact us | ARRS | claims",  # a lone line of cells: chrome
            "Role | Name",
            "Contact us | Sophie Lane",  # a row: kept, whatever its cells say
        ]
    )
    lines = text.split("\n")
    assert table_rows(lines) == {2, 3, 4, 7, 8}
    cleaned = clean_text(text, web_page=False).text
    assert "Adalimumab biosimilar uptake | 91% | 95%" in cleaned
    assert "Contact us | Sophie Lane" in cleaned
    assert "Home | Strategies" not in cleaned and "ARRS claims" not in cleaned


def test_a_short_line_of_figures_is_a_tables_row_in_print_and_chrome_on_the_web() -> None:
    text = "Life expectancy by district\nCrawley 79.7 83.7\nArun 80.1 84.0\nThe end."
    assert "Crawley 79.7 83.7" in clean_text(text, web_page=False).text
    assert "Crawley 79.7 83.7" not in clean_text(text, web_page=True).text
