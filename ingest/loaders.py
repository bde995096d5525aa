"""One loader per file format; each returns the file's text and what it says about itself."""

from __future__ import annotations

import io
import logging
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ingest.documents import DocumentError, DocumentMetadata, LoadedDocument, parse_published
from ingest.pdf_columns import page_text
from ingest.reflow import join_pages, reflow_page, strip_page_furniture

# Encodings tried in order for plain text: UTF-8 first; then Windows-1252, the usual
# encoding of text saved on Windows; latin-1 last because it accepts any byte.
TEXT_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def decode_text(raw: bytes) -> tuple[str, str]:
    """Decode bytes that should be text; refuse binary content. Returns (text, encoding)."""
    sample = raw[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in sample or (sample and controls / len(sample) > 0.05):
        raise DocumentError("binary content, not text (NUL or control bytes)")
    for name in TEXT_ENCODINGS:
        try:
            return raw.decode(name), name
        except UnicodeDecodeError:
            continue
    raise DocumentError("could not be decoded as text")  # unreachable: latin-1 decodes all


def _text_document(raw: bytes) -> LoadedDocument:
    text, used = decode_text(raw)
    notes = [] if used == "utf-8-sig" else [f"not UTF-8; decoded as {used}"]
    return LoadedDocument(text=text, notes=notes)


def load_txt(raw: bytes) -> LoadedDocument:
    """Plain text."""
    return _text_document(raw)


_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# CommonMark's backslash escapes ("\(" for "(") and strong-emphasis markers: markup, not
# text. Converted documents are full of both, and a quoted "\(" or "**" reads badly.
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MD_STRONG = re.compile(r"\*\*|__")
# A blockquote's markers ("> ‘West Sussex is a great place ...’"): the quote is text,
# the marker is not.
_MD_QUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+", re.MULTILINE)
# A markdown table: its separator row is markup, and a row's outer pipes go, so a row reads
# as the other formats' rows do ("Tirzepatide | 2.5 mg").
_MD_TABLE_RULE = re.compile(
    r"^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*(?::?-{3,}:?)?[ \t]*$\n?", re.M
)
_MD_TABLE_ROW = re.compile(r"^[ \t]*\|[ \t]*(.*?)[ \t]*\|[ \t]*$", re.MULTILINE)


# A link or an image: its text stays, its address goes ("[Crawley CCG](/ccgs/crawley)").
# Neither part runs over a '[': each '[' is a possible start, and scanning from each one to
# the end of a line full of them ("[a]([a]([a](...") took minutes.
_MD_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^)\s\[]*(?:\s+\"[^\"]*\")?\)")


# Raw HTML inside markdown: comments (often a site's template code) go whole, tags go and
# their text stays.
_MD_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MD_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|br|div|span|p|img|i|em|strong|sup|sub|table|tr|td|th|thead|tbody|ul|ol"
    r"|li|h[1-6]|figure|figcaption|section|article|iframe|u|small|hr|center|font|blockquote"
    r"|code|pre|details|summary)\b[^<>]*/?>",
    re.IGNORECASE,
)


# Styles that hide an element from readers: not displayed, invisible, transparent, or
# text too small to read (0, or under 2px/pt).
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|"
    r"color\s*:\s*transparent|"
    r"opacity\s*:\s*0*(?:\.0+)?\s*(?:!important\s*)?(?:;|$)|"
    r"font-size\s*:\s*(?:0+(?:\.0+)?(?:[a-z%]+)?|[01](?:\.\d+)?(?:px|pt))\s*"
    r"(?:!important\s*)?(?:;|$))",
    re.IGNORECASE,
)
# Elements whose content a reader never sees, whatever their attributes.
_UNSEEN_ELEMENTS = frozenset({"template", "noscript", "script", "style"})


def is_hidden_element(name: str, attrs: dict[str, str]) -> bool:
    """Whether an HTML element is hidden from readers: ``hidden``, ``aria-hidden="true"``,
    a hiding style (display:none, visibility:hidden, font-size:0, ...), or an element
    that is never shown (``<template>``, ``<noscript>``)."""
    if name.lower() in _UNSEEN_ELEMENTS or "hidden" in attrs:
        return True
    if str(attrs.get("aria-hidden", "")).strip().lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))


_MD_OPEN_TAG = re.compile(r"<([a-z][a-z0-9-]*)\b([^<>]*)>", re.IGNORECASE)
_MD_ATTR = re.compile(r"([a-z][\w:-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?", re.I)
_MD_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _drop_hidden_html(body: str) -> str:
    """Raw HTML elements hidden from readers taken out of markdown, content and all (an
    element left open ends where CommonMark ends an HTML block: at a blank line)."""
    out: list[str] = []
    position = 0
    while (tag := _MD_OPEN_TAG.search(body, position)) is not None:
        name, raw_attrs = tag.group(1), tag.group(2)
        attrs = {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _MD_ATTR.finditer(raw_attrs)}
        if raw_attrs.rstrip().endswith("/") or not is_hidden_element(name, attrs):
            out.append(body[position : tag.end()])
            position = tag.end()
            continue
        out.append(body[position : tag.start()])
        position = _element_end(body, name, tag.end())
    out.append(body[position:])
    return "".join(out)


def _element_end(body: str, name: str, start: int) -> int:
    """Where the element ``name`` opened just before ``start`` closes (nesting counted)."""
    depth = 1
    for match in re.finditer(rf"<(/?){re.escape(name)}\b[^<>]*?(/?)>", body[start:], re.I):
        if match.group(2):
            continue
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return start + match.end()
    blank = _MD_BLANK_LINE.search(body, start)
    return blank.start() if blank else len(body)


def markdown_text(body: str) -> str:
    """Markdown's text with escapes resolved, links and images reduced to their text,
    raw HTML comments and hidden elements removed, other tags removed (their text kept)
    and ``**``/``__`` emphasis markers removed."""
    # No comment closes after the last "-->": searched past it, each "<!--" of a file full
    # of unclosed ones was sought to the end (quadratic).
    closed = body.rfind("-->") + 3
    body = _MD_HTML_COMMENT.sub("", body[:closed]) + body[closed:]
    body = _drop_hidden_html(body)
    body = _MD_QUOTE.sub("", _MD_HTML_TAG.sub("", body))
    body = _MD_TABLE_ROW.sub(r"\1", _MD_TABLE_RULE.sub("", body))
    return _MD_ESCAPE.sub(r"\1", _MD_LINK.sub(r"\1", _MD_STRONG.sub("", body)))


def load_markdown(raw: bytes) -> LoadedDocument:
    """Markdown: front matter gives metadata, else the first heading gives the title."""
    import frontmatter

    loaded = _text_document(raw)
    try:
        post = frontmatter.loads(loaded.text)
    except Exception as exc:  # a broken YAML header must not hide the document's text
        loaded.notes.append(f"front matter ignored: {exc}")
        post = None
    meta = dict(post.metadata) if post else {}
    body = post.content if post else loaded.text
    heading = _MD_HEADING.search(body)
    published = meta.get("published") or meta.get("date")
    loaded.text = markdown_text(body)
    loaded.metadata = DocumentMetadata(
        title=_str(meta.get("title")) or (markdown_text(heading.group(1)) if heading else None),
        author=_str(meta.get("author")),
        publisher=_str(meta.get("publisher")),
        published=_published(published, loaded.notes),
        kind=_str(meta.get("kind")),
    )
    return loaded


_HTML_DROP = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "template",
    "button",
)
_KEPT_IN_MAIN = frozenset({"aside", "header"})
_HTML_BLOCKS = (
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "table",
    "tr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figcaption",
    "br",
    "hr",
)


# Browsers build no deeper tree (Chromium's HTML parser stops nesting at 512). Deeper, a page
# is broken or hostile, and each BeautifulSoup insert below costs the depth (quadratic).
MAX_HTML_DEPTH = 512


def _nesting_depth(soup) -> int:
    """How deep the elements nest (one pass: find_all yields a parent before its children)."""
    depth = {id(soup): 0}
    for tag in soup.find_all(True):
        depth[id(tag)] = depth[id(tag.parent)] + 1
    return max(depth.values())


def load_html(raw: bytes) -> LoadedDocument:
    """HTML: visible text with block structure kept; page chrome dropped; meta tags read."""
    from bs4 import BeautifulSoup

    loaded = _text_document(raw)
    soup = BeautifulSoup(loaded.text, "lxml")
    if (depth := _nesting_depth(soup)) > MAX_HTML_DEPTH:
        raise DocumentError(
            f"HTML elements nested {depth} deep (browsers stop at {MAX_HTML_DEPTH}): a broken page"
        )

    def meta(*names: str) -> str | None:
        for name in names:
            tag = soup.find("meta", attrs={"name": name}) or soup.find(
                "meta", attrs={"property": name}
            )
            if tag and tag.get("content"):
                return str(tag["content"]).strip()
        return None

    title = meta("og:title", "citation_title", "dc.title") or (
        soup.title.get_text(strip=True) if soup.title else None
    )
    published = meta("article:published_time", "citation_publication_date", "dc.date", "date")
    metadata = DocumentMetadata(
        title=title or None,
        author=meta("author", "citation_author", "dc.creator"),
        publisher=meta("og:site_name", "citation_publisher", "dc.publisher", "publisher"),
        published=_published(published, loaded.notes),
    )
    # Text hidden from readers is not the page's text (and a favourite hiding place for
    # instructions to AI models); hidden elements go first, their content with them.
    hidden = [
        tag
        for tag in soup.find_all(True)
        if is_hidden_element(tag.name, {k: _attr(v) for k, v in tag.attrs.items()})
    ]
    # An aside or a header inside the page's main content is part of it (a formulary
    # page's "Approved by ... Last updated ..." box, an article's byline); outside it,
    # they are the site's sidebar and banner.
    dropped = [
        tag
        for tag in soup(_HTML_DROP)
        if tag.name not in _KEPT_IN_MAIN or tag.find_parent(["main", "article"]) is None
    ]
    for tag in hidden + dropped:
        if not tag.decomposed:
            tag.decompose()
    for level in range(1, 7):
        for tag in soup.find_all(f"h{level}"):
            tag.insert_before("\n" + "#" * level + " ")
            tag.insert_after("\n")
    for tag in soup.find_all("li"):
        tag.insert_before("\n- ")
        tag.insert_after("\n")
    # A table row is one line, its cells apart ("Tirzepatide | 2.5 mg", not "Tirzepatide2.5 mg").
    for row in soup.find_all("tr"):
        for cell in row.find_all(["td", "th"], recursive=False)[1:]:
            cell.insert_before(" | ")
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    root = soup.body or soup
    lines = [" ".join(line.split()) for line in root.get_text("").splitlines()]
    loaded.text = "\n".join(line for line in lines if line)
    loaded.metadata = metadata
    return loaded


class _LogCollector(logging.Handler):
    """Keeps the distinct messages logged (WARNING and above) by the thread that made it."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.thread == self.thread and message not in self.messages:
            self.messages.append(message)


@contextmanager
def _library_warnings(logger_name: str) -> Iterator[list[str]]:
    """The warnings a library logs meanwhile. Left alone they reach stderr bare, without
    the file they are about; the loader attaches them to its note or error instead."""
    collector = _LogCollector()
    logger = logging.getLogger(logger_name)
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)


def _attr(value: object) -> str:
    # BeautifulSoup gives multi-valued attributes (class) as lists.
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def load_pdf(raw: bytes) -> LoadedDocument:
    """PDF: the text layer of every page; title, author and date from its properties.
    What pypdf warns about (a truncated file, say) becomes a note, or part of the error."""
    with _library_warnings("pypdf") as warned:
        try:
            loaded = _read_pdf(raw)
        except DocumentError as exc:
            if warned:
                raise DocumentError(f"{exc}; pypdf warned: {'; '.join(warned)}") from exc
            raise
    loaded.notes.extend(f"pypdf warned: {message}" for message in warned)
    return loaded


def _read_pdf(raw: bytes) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # NotImplementedError: a filter pypdf lacks; RecursionError: objects nested too deep.
    broken = (PyPdfError, NotImplementedError, RecursionError, zlib.error)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("encrypted PDF: a password is needed to read it")
        pages = [page_text(page) for page in reader.pages]
        info = reader.metadata
    except DocumentError:
        raise
    except (*broken, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    # Printed lines rejoined into paragraphs, so the chunker sees paragraphs and headings.
    pages = strip_page_furniture(pages)
    text = join_pages([reflow_page(p) for p in pages])
    if not text.strip():
        raise DocumentError(
            f"PDF has no text layer ({len(pages)} page(s) of images?); OCR it first"
        )
    notes = []
    try:
        created = info.creation_date if info else None
    except ValueError as exc:  # a malformed date costs the document its date, not its text
        created = None
        notes.append(f"creation date ignored ({exc})")
    return LoadedDocument(
        text=text,
        metadata=DocumentMetadata(
            title=_str(info.title) if info else None,
            author=_str(info.author) if info else None,
            published=_iso_day(created),
        ),
        notes=notes,
    )


def load_docx(raw: bytes) -> LoadedDocument:
    """DOCX: paragraphs (headings and list items marked) and tables; core properties."""
    from docx.exceptions import PythonDocxError
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    # python-docx parses parts and values as they are read: a broken part (corrupt
    # compressed data, malformed XML, an impossible value, a zip feature zipfile lacks)
    # surfaces anywhere in the reading, not only on opening.
    broken = (OpcError, PythonDocxError, LxmlError, zipfile.BadZipFile, zlib.error, EOFError)
    try:
        return _read_docx(raw)
    except (*broken, NotImplementedError, KeyError, ValueError, TypeError, OSError) as exc:
        raise DocumentError(f"not a readable DOCX ({type(exc).__name__}: {exc})") from exc


def _read_docx(raw: bytes) -> LoadedDocument:
    import docx

    document = docx.Document(io.BytesIO(raw))
    # Paragraphs and tables in the order they stand: a table read after the whole text
    # would sit under the last heading, not its own.
    lines = [line for block in document.iter_inner_content() for line in _docx_lines(block)]
    props = document.core_properties
    return LoadedDocument(
        text="\n".join(lines),
        metadata=DocumentMetadata(
            title=_str(props.title),
            author=_str(props.author),
            published=_iso_day(props.created),
            kind=_str(props.category),
        ),
    )


def _docx_lines(block) -> list[str]:
    """A paragraph's line (headings as ``#``, list items as ``-``) or a table's rows."""
    from docx.table import Table

    if isinstance(block, Table):
        return _docx_table_lines(block)
    text = visible_text(block).strip()
    if not text:
        return []
    level = _docx_heading_level(block)
    if level:
        return ["#" * level + " " + text]
    return [("- " if _docx_is_item(block) else "") + text]


def _docx_heading_level(paragraph) -> int:
    """1-6 for a heading, by style name ("Heading 2", "Title") or by the outline level a
    paragraph or its style sets (custom heading styles); 0 for body text."""
    style = paragraph.style
    name = (style.name if style is not None else "") or ""
    if name.startswith("Heading") and name[-1:].isdigit():
        return min(int(name[-1]), 6)
    if name == "Title":
        return 1
    levels = paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    if not levels and style is not None:
        levels = style.element.xpath("./w:pPr/w:outlineLvl/@w:val")
    # Outline level 9 is body text; 0-8 are heading levels 1-9.
    if levels and levels[0].isdigit() and int(levels[0]) < 9:
        return min(int(levels[0]) + 1, 6)
    return 0


def _docx_is_item(paragraph) -> bool:
    """A list item: a list style, or numbering (bullets or numbers) on the paragraph or its
    style, which is how most documents made in Word mark their lists."""
    style = paragraph.style
    if style is not None and "List" in (style.name or ""):
        return True
    if paragraph._p.xpath("./w:pPr/w:numPr/w:numId[@w:val!='0']"):
        return True
    return style is not None and bool(style.element.xpath("./w:pPr/w:numPr"))


def _docx_table_lines(table) -> list[str]:
    """One line per row, its cells joined by " | "; a merged cell is read once, and a
    table inside a cell follows its row."""
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        nested: list[str] = []
        seen: list[object] = []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):  # a merged cell comes once per column
                continue
            seen.append(cell._tc)
            text = " ".join(t for p in cell.paragraphs if (t := visible_text(p).strip()))
            if text:
                cells.append(text)
            for inner in cell.tables:
                nested.extend(_docx_table_lines(inner))
        if cells:
            lines.append(" | ".join(cells))
        lines.extend(nested)
    return lines


# Text under this size (in points) cannot be read on the page.
_TINY_PT = 2.0


def visible_text(paragraph) -> str:
    """A DOCX paragraph's text without the runs a reader cannot see: hidden (``w:vanish``),
    tiny (under 2pt), or white on an unshaded page outside tables."""
    shaded = bool(
        paragraph._p.xpath(
            "./w:pPr/w:shd[@w:fill and @w:fill!='auto' and @w:fill!='FFFFFF'] | ancestor::w:tc"
        )
    )
    parts = []
    for item in paragraph.iter_inner_content():
        for run in getattr(item, "runs", None) or [item]:
            if not _unseen_run(run, paragraph, shaded):
                parts.append(run.text)
    return "".join(parts)


def _unseen_run(run, paragraph, shaded: bool) -> bool:
    fonts = [run.font]
    if run.style is not None:
        fonts.append(run.style.font)
    if paragraph.style is not None:
        fonts.append(paragraph.style.font)
    hidden = next((f.hidden for f in fonts if f.hidden is not None), False)
    if hidden or run.element.xpath("./w:rPr/w:specVanish"):
        return True
    size = next((f.size for f in fonts if f.size is not None), None)
    if size is not None and size.pt < _TINY_PT:
        return True
    if shaded or run.font.highlight_color is not None or run.element.xpath("./w:rPr/w:shd"):
        return False
    color = next((f.color for f in fonts if f.color is not None and f.color.type), None)
    return color is not None and _is_white(color)


def _is_white(color) -> bool:
    from docx.enum.dml import MSO_THEME_COLOR

    try:
        if color.rgb is not None and str(color.rgb).upper() == "FFFFFF":
            return True
        return color.theme_color in (MSO_THEME_COLOR.BACKGROUND_1, MSO_THEME_COLOR.LIGHT_1)
    except (AttributeError, ValueError):
        return False


def _str(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _published(value: object, notes: list[str]) -> str | None:
    # A date the file carries in another form ("January 2019", "22/01/2019") is dropped
    # with a note; left in, it would make the whole document fail later.
    text = (_str(value) or "")[:10]
    if not text:
        return None
    try:
        parse_published(text)
    except ValueError:
        notes.append(f"publication date {text!r} ignored (not YYYY, YYYY-MM or YYYY-MM-DD)")
        return None
    return text


def _iso_day(value: object) -> str | None:
    return value.date().isoformat() if isinstance(value, datetime) else None


LOADERS: dict[str, Callable[[bytes], LoadedDocument]] = {
    ".txt": load_txt,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


def load(path: Path, raw: bytes) -> LoadedDocument:
    """Load the bytes ``raw`` of ``path`` with the loader for its extension."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DocumentError(f"no loader for {path.suffix or 'files without extension'}")
    if not raw.strip():
        raise DocumentError("empty file")
    loaded = loader(raw)
    if not loaded.text.strip():
        raise DocumentError("no text in the file")
    return loaded
