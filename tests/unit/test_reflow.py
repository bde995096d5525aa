"""PDF lines rejoined into paragraphs and list items (ingest/reflow.py)."""

from __future__ import annotations

from ingest.reflow import reflow_page

WRAPPED = """Plain language summary
Every year, the resources that the national body receives are allocated to the services
and treatments provided for patients. It decides the treatments it will invest in
on an annual basis through a prioritisation process. As far as possible, funding is
shared fairly.
This request is called an Individual Funding Request (IFR).
When does this policy apply?
Requests can be made if:
• there is a clinical commissioning policy or appraisal guidance that governs
whether to fund the treatment; or
• the treatment is not normally funded.
o patients with multiple co-morbidities
o patients already referred for tier 3 services"""


def test_wrapped_lines_of_a_paragraph_become_one_line() -> None:
    lines = reflow_page(WRAPPED).split("\n")

    assert lines[1].startswith("Every year, the resources")
    assert lines[1].endswith("funding is shared fairly.")
    assert "services and treatments" in lines[1]  # no line break inside the sentence


def test_headings_and_short_closing_lines_stay_on_their_own() -> None:
    lines = reflow_page(WRAPPED).split("\n")

    assert lines[0] == "Plain language summary"
    assert "This request is called an Individual Funding Request (IFR)." in lines
    assert "When does this policy apply?" in lines


def test_each_list_item_is_one_line_with_its_continuation() -> None:
    lines = reflow_page(WRAPPED).split("\n")

    items = [line for line in lines if line.startswith(("•", "o "))]
    assert items == [
        "• there is a clinical commissioning policy or appraisal guidance that governs "
        "whether to fund the treatment; or",
        "• the treatment is not normally funded.",
        "o patients with multiple co-morbidities",
        "o patients already referred for tier 3 services",
    ]


def test_a_word_hyphenated_at_the_line_end_is_joined() -> None:
    text = "The assessment covers every pharmacy in the county and the develop-\nment of services."

    assert reflow_page(text) == (
        "The assessment covers every pharmacy in the county and the development of services."
    )


def test_blank_lines_stay_paragraph_breaks() -> None:
    assert reflow_page("First paragraph ends here.\n\nSecond one.") == (
        "First paragraph ends here.\n\nSecond one."
    )


def test_running_headers_and_page_numbers_go_before_lines_are_joined() -> None:
    from ingest.reflow import strip_page_furniture

    bodies = ["the panel met and agreed the\nrequest.", "Screening comes first.", "x", "Appeals."]
    pages = [
        f"{n} | individual funding requests\n{body}\nPage {n} of 4"
        for n, body in enumerate(bodies, start=1)
    ]
    pages[2] = "3 | individual funding requests\nA page whose last line is text.\nPage 3 of 4"
    stripped = strip_page_furniture(pages)
    joined = "\n".join(stripped)
    assert "individual funding requests" not in joined and "Page" not in joined
    assert "A page whose last line is text." in stripped[2]
    assert stripped[0] == "the panel met and agreed the\nrequest."


def test_a_long_running_header_and_footer_are_furniture_too() -> None:
    from ingest.reflow import strip_page_furniture

    header = (
        "NHS Westmoor Integrated Care Board Area Prescribing Committee - Minutes, 13 March 2025"
    )
    footer = "Approved by the Westmoor APC on 8 May 2025. OFFICIAL. Page {} of 4"
    bodies = ["Apologies were noted.", "Tirzepatide was approved.", "No conflicts.", "Close."]
    pages = [f"{header}\n{b}\n{footer.format(n)}" for n, b in enumerate(bodies, start=1)]
    assert strip_page_furniture(pages) == bodies


def test_a_header_written_on_one_line_with_the_first_heading_leaves_the_heading() -> None:
    from ingest.reflow import strip_page_furniture

    header = "Westmoor Area Prescribing Committee Shared Care Protocol - Denosumab 60 mg"
    pages = [
        f"{header}\n1. Purpose\nThe protocol sets out shared care.\nPage 1 of 3",
        f"{header}\n7. Stopping treatment\nNever stop without a plan.\nPage 2 of 3",
        f"{header} 14. Summary of responsibilities\nThe table below.\nPage 3 of 3",
    ]
    stripped = strip_page_furniture(pages)
    assert stripped[2] == "14. Summary of responsibilities\nThe table below."
    assert stripped[0] == "1. Purpose\nThe protocol sets out shared care."
    # A bare page number is too short to be taken for the start of a line of text.
    numbered = ["1\nAlpha text.\n1", "2\nBeta text.\n2", "3 people attended.\nGamma.\n3"]
    assert strip_page_furniture(numbered)[2].startswith("3 people attended.")


def test_a_short_document_keeps_its_lines() -> None:
    from ingest.reflow import strip_page_furniture

    pages = ["Title\nText one.", "Title\nText two."]
    assert strip_page_furniture(pages) == pages


def test_a_sentence_running_over_a_page_break_is_one_paragraph() -> None:
    from ingest.reflow import join_pages

    pages = [
        "3. Our workforce\nBy 31 March 2024 we employed 27",
        "people in ARRS roles, up from 19.\nThe pharmacy team grew.",
        "4. Achievements\nWe completed 4,812 reviews and the develop-",
        "ment of a hub.",
        "a) a lettered item opens this page",
    ]
    assert join_pages(pages).split("\n\n") == [
        "3. Our workforce\nBy 31 March 2024 we employed 27 people in ARRS roles, up from 19."
        "\nThe pharmacy team grew.",
        "4. Achievements\nWe completed 4,812 reviews and the development of a hub.",
        "a) a lettered item opens this page",
    ]
    # A page that ends its sentence, or a next page opening in capitals, keeps the break.
    assert join_pages(["Ends here.", "next page"]) == "Ends here.\n\nnext page"
    assert join_pages(["No stop", "Next Page"]) == "No stop\n\nNext Page"
    assert join_pages(["", "  ", "Only page"]) == "Only page"
