"""Loaders: each format's text and self-described metadata; bad files refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from docgen import docx_bytes, pdf_bytes, pdf_without_text_bytes

from ingest.documents import DocumentError
from ingest.loaders import load

# -- markdown -----------------------------------------------------------------------------


def test_markdown_front_matter_gives_metadata_and_is_not_text() -> None:
    raw = (
        b"---\n"
        b"title: Pharmacy in neighbourhood teams\n"
        b"author: Ann Example\n"
        b"publisher: Example Trust\n"
        b"published: 2022-09\n"
        b"kind: policy\n"
        b"---\n"
        b"# Neighbourhood teams\n\nPharmacists join neighbourhood teams.\n"
    )
    doc = load(Path("n.md"), raw)
    assert doc.metadata.title == "Pharmacy in neighbourhood teams"
    assert doc.metadata.author == "Ann Example"
    assert doc.metadata.publisher == "Example Trust"
    assert doc.metadata.published == "2022-09"
    assert doc.metadata.kind == "policy"
    assert doc.text.startswith("# Neighbourhood teams")
    assert "Ann Example" not in doc.text


def test_markdown_blockquote_markers_are_not_text() -> None:
    raw = "# Vision\n\n> ‘A great place to grow up.’\n\nA > B is kept.\n".encode()
    lines = [line for line in load(Path("v.md"), raw).text.splitlines() if line]
    assert lines[-2:] == ["‘A great place to grow up.’", "A > B is kept."]


def test_markdown_table_rows_read_as_other_formats_rows_without_the_rule() -> None:
    raw = b"# Doses\n\n| Drug | Dose |\n|---|:---:|\n| Tirzepatide | 2.5 mg |\n\n---\n\nEnd.\n"
    lines = [line for line in load(Path("t.md"), raw).text.splitlines() if line]
    assert lines == ["# Doses", "Drug | Dose", "Tirzepatide | 2.5 mg", "---", "End."]


def test_markdown_without_front_matter_takes_title_from_first_heading() -> None:
    doc = load(Path("n.md"), b"Intro line.\n\n## Place-based care\n\nCouncils and the NHS.\n")
    assert doc.metadata.title == "Place-based care"
    assert doc.metadata.author is None


def test_markdown_date_in_another_form_is_dropped_with_a_note() -> None:
    raw = b"---\ntitle: T\ndate: January 2019\n---\nBody text.\n"
    doc = load(Path("n.md"), raw)
    assert doc.metadata.published is None
    assert any("January" in note for note in doc.notes)


# -- html ---------------------------------------------------------------------------------

PAGE = b"""<!doctype html>
<html><head>
<title>Browser title</title>
<meta name="author" content="Jane Writer">
<meta property="og:site_name" content="NHS Example">
<meta property="article:published_time" content="2021-03-04T09:30:00Z">
<script>var tracking = "do not index me";</script>
<style>.x { color: red }</style>
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<h1>Primary care networks</h1>
<p>Practices work together in networks.</p>
<h2>Roles</h2>
<ul><li>Clinical pharmacist</li><li>Social prescriber</li></ul>
<footer>Copyright footer text</footer>
</body></html>"""


@pytest.fixture(scope="module")
def page():
    return load(Path("p.html"), PAGE)


def test_html_meta_tags_give_author_publisher_and_date(page) -> None:
    assert page.metadata.author == "Jane Writer"
    assert page.metadata.publisher == "NHS Example"
    assert page.metadata.published == "2021-03-04"
    assert page.metadata.title == "Browser title"


def test_html_navigation_footer_and_scripts_are_dropped(page) -> None:
    for gone in ("Home", "News", "Copyright footer text", "tracking", "color: red"):
        assert gone not in page.text


def test_an_aside_in_the_main_content_is_kept_a_sidebar_outside_it_is_not() -> None:
    raw = (
        b"<html><body><header>Site banner</header><aside>Related links</aside>"
        b"<main><h1>Chapter 3</h1><aside><ul><li>Last updated: 14 February 2025</li>"
        b"</ul></aside><p>Inhalers.</p></main></body></html>"
    )
    text = load(Path("f.html"), raw).text
    assert "Last updated: 14 February 2025" in text
    assert "Related links" not in text and "Site banner" not in text


def test_html_headings_and_list_items_keep_their_shape(page) -> None:
    assert page.text.splitlines() == [
        "# Primary care networks",
        "Practices work together in networks.",
        "## Roles",
        "- Clinical pharmacist",
        "- Social prescriber",
    ]


def test_html_table_cells_stay_apart_one_row_per_line() -> None:
    raw = (
        b"<html><body><h2>Doses</h2><table><tr><th>Drug</th><th>Dose</th></tr>"
        b"<tr><td>Tirzepatide</td><td>2.5 mg weekly</td></tr></table></body></html>"
    )
    assert load(Path("t.html"), raw).text.splitlines() == [
        "## Doses",
        "Drug | Dose",
        "Tirzepatide | 2.5 mg weekly",
    ]


# -- pdf ----------------------------------------------------------------------------------


def test_pdf_text_layer_and_properties_are_read() -> None:
    raw = pdf_bytes(
        "Integrated care boards plan services for their population.",
        title="ICB planning",
        author="Pat Writer",
    )
    doc = load(Path("d.pdf"), raw)
    assert "Integrated care boards plan services for their population." in doc.text
    assert doc.metadata.title == "ICB planning"
    assert doc.metadata.author == "Pat Writer"


def test_pdf_pages_are_all_read() -> None:
    doc = load(Path("d.pdf"), pdf_bytes("Page text about formularies.", pages=3))
    assert doc.text.count("Page text about formularies.") == 3


def test_corrupt_pdf_is_refused_with_a_clear_message() -> None:
    with pytest.raises(DocumentError, match="not a readable PDF"):
        load(Path("d.pdf"), b"%PDF-1.7\nthis is not really a PDF, just some bytes\n")


def test_truncated_pdf_is_refused() -> None:
    raw = pdf_bytes("Some text that will be cut off.")
    with pytest.raises(DocumentError, match="not a readable PDF"):
        load(Path("d.pdf"), raw[: len(raw) // 2])


def test_truncated_pdf_error_carries_what_pypdf_warned() -> None:
    raw = pdf_bytes("Some text that will be cut off.")
    with pytest.raises(DocumentError, match="; pypdf warned: EOF marker not found"):
        load(Path("d.pdf"), raw[: len(raw) // 2])


def test_pdf_that_pypdf_warns_about_but_reads_gets_a_note() -> None:
    raw = pdf_bytes("A PDF whose end marker is cut short.")
    assert raw.rstrip().endswith(b"%%EOF")
    doc = load(Path("d.pdf"), raw.rstrip()[:-1])
    assert "A PDF whose end marker is cut short." in doc.text
    assert doc.notes == ["pypdf warned: EOF marker seems truncated"]


def test_pdf_without_text_layer_is_refused() -> None:
    with pytest.raises(DocumentError, match="no text layer"):
        load(Path("scan.pdf"), pdf_without_text_bytes())


# -- docx ---------------------------------------------------------------------------------


def test_docx_headings_become_hash_lines_and_lists_dashes() -> None:
    raw = docx_bytes(
        [
            ("Heading 1", "Medicines optimisation"),
            ("Normal", "Teams review prescribing."),
            ("Heading 2", "Priorities"),
            ("List Bullet", "Antimicrobial stewardship"),
        ]
    )
    doc = load(Path("w.docx"), raw)
    assert doc.text.splitlines() == [
        "# Medicines optimisation",
        "Teams review prescribing.",
        "## Priorities",
        "- Antimicrobial stewardship",
    ]


def _word_document():
    import docx

    return docx.Document()


def _saved(document) -> bytes:
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_tables_stay_where_they_stand_with_merged_cells_read_once() -> None:
    document = _word_document()
    document.add_paragraph("Doses", style="Heading 1")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Tirzepatide"
    table.cell(0, 2).text = "2.5 mg weekly"
    table.cell(1, 0).text = "Semaglutide"
    table.cell(1, 2).text = "0.25 mg weekly"
    document.add_paragraph("Monitoring", style="Heading 1")
    document.add_paragraph("Check HbA1c at three months.")
    doc = load(Path("w.docx"), _saved(document))
    assert doc.text.splitlines() == [
        "# Doses",
        "Tirzepatide | 2.5 mg weekly",
        "Semaglutide | 0.25 mg weekly",
        "# Monitoring",
        "Check HbA1c at three months.",
    ]


def test_docx_numbered_paragraphs_are_items_and_outline_levels_are_headings() -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = _word_document()
    heading = document.add_paragraph("Who decides")
    heading._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="1"/>'))
    item = document.add_paragraph("The area prescribing committee")
    item._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>')
    )
    document.add_paragraph("Body text stays body text.")
    doc = load(Path("w.docx"), _saved(document))
    assert doc.text.splitlines() == [
        "## Who decides",
        "- The area prescribing committee",
        "Body text stays body text.",
    ]


def test_docx_core_properties_give_title_and_author() -> None:
    raw = docx_bytes([("Normal", "Body.")], title="Formulary policy", author="Sam Lead")
    doc = load(Path("w.docx"), raw)
    assert doc.metadata.title == "Formulary policy"
    assert doc.metadata.author == "Sam Lead"


def test_corrupt_docx_is_refused() -> None:
    with pytest.raises(DocumentError, match="not a readable DOCX"):
        load(Path("w.docx"), b"PK\x03\x04 not really a zip archive")


# -- plain text ---------------------------------------------------------------------------


def test_windows_1252_text_is_decoded_with_a_note() -> None:
    raw = b"The board\x92s plan costs \x80100 \x96 agreed."  # ’ € – in cp1252
    doc = load(Path("w.txt"), raw)
    assert doc.text == "The board’s plan costs €100 – agreed."
    assert doc.notes == ["not UTF-8; decoded as cp1252"]


def test_utf8_text_has_no_notes() -> None:
    doc = load(Path("u.txt"), "The board’s plan.".encode())
    assert doc.text == "The board’s plan."
    assert doc.notes == []


def test_binary_content_with_txt_extension_is_refused() -> None:
    with pytest.raises(DocumentError, match="binary"):
        load(Path("b.txt"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")


@pytest.mark.parametrize("raw", [b"", b"  \n\t\n "], ids=["empty", "blank"])
def test_empty_file_is_refused(raw: bytes) -> None:
    with pytest.raises(DocumentError, match="empty file"):
        load(Path("e.txt"), raw)


def test_unknown_extension_has_no_loader() -> None:
    with pytest.raises(DocumentError, match="no loader"):
        load(Path("sheet.xlsx"), b"data")


def test_markdown_escapes_and_strong_markers_are_markup_not_text() -> None:
    from ingest.loaders import load_markdown

    doc = load_markdown(
        b"## **Step 3** \\(deficit\\)\n\nA trust \\(in deficit\\) is **not** rated 1\\.\n"
    )

    assert "A trust (in deficit) is not rated 1." in doc.text
    assert doc.metadata.title == "Step 3 (deficit)"


def test_markdown_links_keep_their_text_not_their_address() -> None:
    from ingest.loaders import markdown_text

    text = markdown_text('The [Crawley CCG](/ccgs/crawley) and the [plan](https://x.uk/p "P").')
    assert text == "The Crawley CCG and the plan."


def test_markdown_loses_raw_html_but_keeps_its_text() -> None:
    from ingest.loaders import markdown_text

    body = (
        'Board.\n<!--{% include figure alt="members" %}-->\n'
        '<div class="x">Seven <b>members</b></div>'
    )
    assert markdown_text(body) == "Board.\n\nSeven members"
    assert markdown_text("HbA1c <target and y> 5") == "HbA1c <target and y> 5"


# -- broken and hostile files (found by evals/tools/fuzz_ingest.py) -------------------------


def _docx_with_member(name: str, change) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_bytes([("Normal", "Text.")]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, change(data) if info.filename == name else data)
    return out.getvalue()


def test_docx_with_malformed_xml_is_refused_as_unreadable() -> None:
    raw = _docx_with_member("word/document.xml", lambda data: data[: len(data) // 2])
    with pytest.raises(DocumentError, match=r"not a readable DOCX \(XMLSyntaxError"):
        load(Path("cut.docx"), raw)


def test_docx_with_corrupt_compressed_data_is_refused_as_unreadable() -> None:
    import io
    import zipfile

    raw = bytearray(docx_bytes([("Normal", "Text.")]))
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo("word/document.xml")
    # The member's deflate data starts after its 30-byte local header, name and extra field.
    name_len = int.from_bytes(raw[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(raw[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    raw[start : start + 8] = b"\xff" * 8  # deflate block type 3: invalid
    with pytest.raises(DocumentError, match=r"not a readable DOCX \(error: Error -3"):
        load(Path("flipped.docx"), bytes(raw))


def test_pdf_with_an_unknown_filter_is_refused_as_unreadable() -> None:
    raw = pdf_bytes("Some text.").replace(b"/FlateDecode", b"/FlwteDecode")
    with pytest.raises(DocumentError, match=r"not a readable PDF \(NotImplementedError"):
        load(Path("filter.pdf"), raw)


def test_pdf_with_a_malformed_creation_date_keeps_its_text() -> None:
    raw = pdf_bytes("Some text.")
    assert b"/CreationDate (D:2" in raw
    doc = load(Path("date.pdf"), raw.replace(b"/CreationDate (D:2", b"/CreationDate (D:X"))
    assert doc.text == "Some text."
    assert doc.metadata.published is None
    assert any(n.startswith("creation date ignored") for n in doc.notes), doc.notes


def test_html_nested_deeper_than_browsers_build_is_refused() -> None:
    raw = b"<html><body>" + b"<div>" * 600 + b"Text." + b"</div>" * 600 + b"</body></html>"
    with pytest.raises(DocumentError, match=r"nested 60\d deep"):
        load(Path("deep.html"), raw)


@pytest.mark.timeout(10)  # each took minutes before: regular expressions scanning quadratically
@pytest.mark.parametrize("run", ["<!--", "[a](", "["])
def test_markdown_with_a_long_run_of_unclosed_markup_loads_quickly(run: str) -> None:
    raw = ("Intro.\n\n" + run * (200_000 // len(run)) + "\n\nEnd.").encode()
    assert load(Path("run.md"), raw).text.startswith("Intro.")
