"""One loader per file format; each returns the file's text and what it says about itself."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ingest.documents import DocumentError, DocumentMetadata, LoadedDocument, parse_published
from ingest.reflow import reflow_page, strip_page_furniture

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


# A link or an image: its text stays, its address goes ("[Crawley CCG](/ccgs/crawley)").
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")


# Raw HTML inside markdown: comments (often a site's template code) go whole, tags go and
# their text stays.
_MD_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MD_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|br|div|span|p|img|i|em|strong|sup|sub|table|tr|td|th|thead|tbody|ul|ol"
    r"|li|h[1-6]|figure|figcaption|section|article|iframe|u|small|hr|center|font|blockquote"
    r"|code|pre|details|summary)\b[^<>]*/?>",
    re.IGNORECASE,
)


def markdown_text(body: str) -> str:
    """Markdown's text with escapes resolved, links and images reduced to their text,
    raw HTML comments and tags removed and ``**``/``__`` emphasis markers removed."""
    body = _MD_HTML_TAG.sub("", _MD_HTML_COMMENT.sub("", body))
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


def load_html(raw: bytes) -> LoadedDocument:
    """HTML: visible text with block structure kept; page chrome dropped; meta tags read."""
    from bs4 import BeautifulSoup

    loaded = _text_document(raw)
    soup = BeautifulSoup(loaded.text, "lxml")

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
    for tag in soup(_HTML_DROP):
        tag.decompose()
    for level in range(1, 7):
        for tag in soup.find_all(f"h{level}"):
            tag.insert_before("\n" + "#" * level + " ")
            tag.insert_after("\n")
    for tag in soup.find_all("li"):
        tag.insert_before("\n- ")
        tag.insert_after("\n")
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    root = soup.body or soup
    lines = [" ".join(line.split()) for line in root.get_text("").splitlines()]
    loaded.text = "\n".join(line for line in lines if line)
    loaded.metadata = metadata
    return loaded


def load_pdf(raw: bytes) -> LoadedDocument:
    """PDF: the text layer of every page; title, author and date from its properties."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("encrypted PDF: a password is needed to read it")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    # Printed lines rejoined into paragraphs, so the chunker sees paragraphs and headings.
    pages = strip_page_furniture(pages)
    text = "\n\n".join(reflow_page(p).strip() for p in pages if p.strip())
    if not text.strip():
        raise DocumentError(
            f"PDF has no text layer ({len(pages)} page(s) of images?); OCR it first"
        )
    created = info.creation_date if info else None
    return LoadedDocument(
        text=text,
        metadata=DocumentMetadata(
            title=_str(info.title) if info else None,
            author=_str(info.author) if info else None,
            published=_iso_day(created),
        ),
    )


def load_docx(raw: bytes) -> LoadedDocument:
    """DOCX: paragraphs (headings and list items marked) and tables; core properties."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DocumentError(f"not a readable DOCX ({type(exc).__name__}: {exc})") from exc
    lines: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        if style.startswith("Heading") and style[-1:].isdigit():
            text = "#" * int(style[-1]) + " " + text
        elif style == "Title":
            text = "# " + text
        elif "List" in style:
            text = "- " + text
        lines.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                lines.append(" | ".join(cells))
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
