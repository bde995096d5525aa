"""The pack in each format: Markdown, HTML opened in the real browser, DOCX opened with
python-docx, and the ``nhsa brief`` command.

The store holds the sample corpus plus one extra note whose text carries markup (a
``<script>`` and a ``<b>``) inside a sentence about a role, so that the pack quotes it:
every format must show it as text and never as markup.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ingest_into, settings_for

from assistant.api import Assistant
from assistant.briefing import (
    Briefing,
    build_briefing,
    render_html,
    render_html_fragment,
    render_markdown,
    write_docx,
)
from vectorstore.chroma_store import ChunkStore

SCRIPT = "<script>document.title='pwned'</script>"
NOTE = (
    "Formulary panel note\n\n"
    f"The Formulary Pharmacist checks every new application {SCRIPT} before the area "
    "prescribing committee meets. They also brief companies on the <b>evidence</b> the "
    "panel expects to see.\n"
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, embedder) -> Path:
    folder = tmp_path_factory.mktemp("briefing-corpus")
    shutil.copytree(corpus_dir, folder, dirs_exist_ok=True)
    (folder / "formulary-panel-note.txt").write_text(NOTE, encoding="utf-8")
    data = tmp_path_factory.mktemp("briefing-formats-data")
    ingest_into(folder, data, embedder)
    return data


@pytest.fixture(scope="module")
def pack(data_dir: Path, embedder) -> Briefing:
    bot = Assistant(settings_for(data_dir), store=ChunkStore.open(data_dir), embedder=embedder)
    return build_briefing(bot.briefing_inputs(), "kam", mode="extractive")


@pytest.fixture(scope="module")
def files(pack: Briefing, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("briefing-out")
    (out / "pack.md").write_text(render_markdown(pack), encoding="utf-8")
    (out / "pack.html").write_text(render_html(pack), encoding="utf-8")
    write_docx(pack, out / "pack.docx")
    return {fmt: out / f"pack.{fmt}" for fmt in ("md", "html", "docx")}


def test_the_note_with_markup_is_quoted_in_the_pack(pack: Briefing):
    # The premise of the escaping tests below: document markup really reaches the pack.
    assert any(SCRIPT in line.text for line in pack.lines())


# -- Markdown --------------------------------------------------------------------------


def test_markdown_has_every_section_heading_and_citations_linking_to_sources(pack, files):
    text = files["md"].read_text(encoding="utf-8")
    headings = [re.sub(r"\\(.)", r"\1", h) for h in re.findall(r"^## (.+)$", text, re.M)]
    links = set(re.findall(r"\]\(#(ref_\d+)\)", text))
    anchors = set(re.findall(r'<a id="(ref_\d+)"></a>', text))

    assert headings == [s.title for s in pack.sections]
    assert links and links == anchors == {f"ref_{c.n}" for c in pack.citations}


def test_markdown_shows_document_markup_as_text(files):
    text = files["md"].read_text(encoding="utf-8")

    # The only raw "<" left are the pack's own anchors; a document's "<" is backslashed.
    raw = set(re.findall(r"(?<!\\)<[^>]*>", text))
    assert raw and all(re.fullmatch(r'<a id="ref_\d+">|</a>', tag) for tag in raw)
    assert r"\<script\>document.title='pwned'\</script\>" in text


# -- HTML in the browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def page(files, browser) -> Iterator:
    tab = browser.new_page()
    tab.goto(files["html"].as_uri())
    yield tab
    tab.close()


def test_html_in_the_browser_shows_every_section_heading(page, pack: Briefing):
    headings = page.locator("h2").all_inner_texts()

    assert headings == [s.title for s in pack.sections]
    assert page.locator("h1").inner_text() == pack.title


def test_html_citations_in_the_browser_link_to_their_sources_entry(page, pack: Briefing):
    targets = page.eval_on_selector_all(
        "a.cite", "links => links.map(a => a.getAttribute('href').slice(1))"
    )
    missing = page.evaluate("ids => ids.filter(id => !document.getElementById(id))", targets)

    assert len(targets) >= len(list(pack.lines())) and missing == []
    page.locator("a.cite").first.click()
    assert page.evaluate("location.hash") == f"#{targets[0]}"
    assert page.locator(f"#{targets[0]}").inner_text().startswith(f"[{targets[0][4:]}]")


def test_html_in_the_browser_shows_a_documents_script_as_text_and_never_runs_it(page):
    assert page.locator("script").count() == 0
    assert page.locator("article b").count() == 0
    assert page.title() != "pwned"
    assert SCRIPT in page.locator("article").inner_text()


def test_html_fragment_for_a_ui_tab_is_escaped_and_loads_nothing(pack: Briefing):
    fragment = render_html_fragment(pack)

    assert "<script" not in fragment and "&lt;script&gt;" in fragment
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", fragment)
    assert fragment.startswith("<style>") and fragment.rstrip().endswith("</article>")


# -- DOCX --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx(files):
    from docx import Document

    return Document(str(files["docx"]))


def test_docx_has_every_section_heading_and_a_sources_list(docx, pack: Briefing):
    headings = [p.text for p in docx.paragraphs if p.style.name == "Heading 1"]
    texts = [p.text for p in docx.paragraphs]
    passages = texts.index(pack.labels["passages"])

    assert headings == [s.title for s in pack.sections]
    assert texts[passages + 1 : passages + 1 + len(pack.citations)] == [
        t for t in texts if re.match(r"\[\d+\] ", t)
    ]
    assert len(re.findall(r"^\[\d+\] ", "\n".join(texts), re.M)) == len(pack.citations)


def test_docx_citations_are_internal_links_to_bookmarked_sources_entries(docx, pack: Briefing):
    from docx.oxml.ns import qn

    links = [h.fragment for p in docx.paragraphs for h in p.hyperlinks]
    bookmarks = {b.get(qn("w:name")) for b in docx.element.body.iter(qn("w:bookmarkStart"))}

    assert len(links) >= len(list(pack.lines()))
    assert set(links) == bookmarks == {f"ref_{c.n}" for c in pack.citations}
    first = next(p for p in docx.paragraphs if p.hyperlinks)
    assert re.fullmatch(r"\[\d+\]", first.hyperlinks[0].text)


def test_docx_shows_document_markup_as_text(docx):
    assert any(SCRIPT in p.text for p in docx.paragraphs)


# -- the command line --------------------------------------------------------------------


def test_brief_command_writes_a_tailored_docx_pack(nhsa, data_dir: Path, tmp_path: Path):
    from docx import Document

    out = tmp_path / "packs" / "msl.docx"
    result = nhsa(
        "brief",
        "--audience",
        "msl",
        "--focus",
        "primary care networks",
        "--format",
        "docx",
        "--out",
        out,
        "--data-dir",
        data_dir,
    )

    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in " ".join(result.stdout.split())
    headings = [p.text for p in Document(str(out)).paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["Focus: primary care networks", "Who's who", "Medicines optimisation"]


def test_brief_command_refuses_an_unknown_audience_or_format(nhsa, tmp_path: Path):
    audience = nhsa("brief", "--audience", "sales", "--out", tmp_path / "x")
    fmt = nhsa("brief", "--audience", "kam", "--format", "pdf", "--out", tmp_path / "x")

    assert audience.returncode == fmt.returncode == 2
    assert "--audience must be one of kam, market-access, msl" in audience.stderr
    assert "'pdf' is not one of 'md', 'html', 'docx'" in " ".join(fmt.stderr.split())
    assert not (tmp_path / "x").exists()
