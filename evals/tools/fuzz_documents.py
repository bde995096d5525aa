"""Documents for the ingest fuzzer: valid seeds in the five formats, and ways to break them.

A seed is a small NHS-style document (title, headings, paragraphs, bullets, a table,
numbers and unicode) rendered as txt, md, html, pdf (fpdf2) or docx (python-docx), with
the metadata each format carries. A mutation turns a seed into what a real folder may
hold instead: a cut-off download, flipped bits, junk, the wrong extension, nothing, NUL
bytes, a broken inner structure, or a pathologically long run of one piece of markup.
Everything is drawn from the ``random.Random`` given, so a seed number replays a file.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable

FORMATS = ("txt", "md", "html", "pdf", "docx")
Blocks = list[tuple[str, str]]  # (kind, text): title, heading, paragraph, bullet, table

_SUBJECTS = (
    "The integrated care board",
    "Each primary care network",
    "The medicines optimisation team",
    "A community pharmacy",
    "The provider collaborative",
    "Zoë Whitfield, the ICB's chief pharmacist,",
)
_VERBS = ("reviews", "commissions", "funds", "audits", "redesigns", "monitors")
_OBJECTS = (
    "respiratory services for 12,400 older patients",
    "the formulary (see annex B.)",
    "repeat prescribing across 37 member practices",
    "café-style clinics — “Talk Health” — in São Paulo Road",
    "diabetes clinics at £2.49 per patient",
    "the ≥65 cohort’s flu vaccination (uptake 71.5%)",
    "services for Polish-, 中文- and русский-speaking patients",
)
_TAILS = ("every quarter", "in 2023/24", "with the local authority", "from 1 April 2025")
_HEADINGS = (
    "Background",
    "Funding and contracts",
    "Workforce: pharmacists & technicians",
    "Next steps",
    "Équipe médicale",
    "Annex A – figures",
)

# Markup that a parser or a regular expression may handle in time quadratic in its length.
_RUNS = (". ", ".", "…", "[", "[a](", "<!--", "<div>", "<b>", "|", "#", "- ", "*", "\\", "a")


def _sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."
    )


def seed_blocks(rng: random.Random, long_run: str = "") -> Blocks:
    """A document's blocks; ``long_run`` (if any) is one more paragraph, in the middle."""
    blocks: Blocks = [("title", f"Pharmacy in the {rng.choice(_HEADINGS).lower()} plan")]
    for _ in range(rng.randint(2, 4)):
        blocks.append(("heading", rng.choice(_HEADINGS)))
        for _ in range(rng.randint(1, 3)):
            sentences = " ".join(_sentence(rng) for _ in range(rng.randint(1, 5)))
            blocks.append(("paragraph", sentences))
        if rng.random() < 0.5:
            blocks.extend(("bullet", _sentence(rng)) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.4:
            blocks.append(("table", "Practice | Patients | Cost (£)"))
            for n in range(rng.randint(1, 4)):
                blocks.append(("table", f"Practice {n + 1} | {rng.randint(900, 30000)} | 2.49"))
    if long_run:
        blocks.insert(len(blocks) // 2, ("paragraph", long_run))
    return blocks


def _plain_lines(blocks: Blocks) -> list[str]:
    marks = {"bullet": "• ", "heading": "", "title": "", "paragraph": "", "table": ""}
    return [marks[kind] + text for kind, text in blocks]


def render_txt(blocks: Blocks, rng: random.Random) -> bytes:
    """Plain text: UTF-8 or, where it can hold the text, Windows-1252; LF or CRLF."""
    newline = rng.choice(["\n", "\r\n"])
    text = (newline * 2).join(_plain_lines(blocks)) + newline
    if rng.random() < 0.3:
        try:
            return text.encode("cp1252")
        except UnicodeEncodeError:
            pass
    return text.encode("utf-8")


def render_md(blocks: Blocks, rng: random.Random) -> bytes:
    """Markdown with YAML front matter, headings, bullets, a pipe table, links, emphasis."""
    title = blocks[0][1]
    lines = [
        "---",
        f"title: {title}",
        "author: Ann Example",
        f"published: {rng.choice(['2019', '2022-09', '2024-01-22'])}",
        "---",
        f"# {title}",
    ]
    in_table = False
    for kind, text in blocks[1:]:
        if kind == "table":
            lines.append("| " + " | ".join(text.split(" | ")) + " |")
            if not in_table:
                lines.append("|" + "---|" * len(text.split(" | ")))
            in_table = True
            continue
        in_table = False
        prefix = {"heading": "## ", "bullet": "- ", "paragraph": ""}[kind]
        if kind == "paragraph" and rng.random() < 0.3:
            text = f"**Note:** {text} See [the guidance](https://www.england.nhs.uk/x)."
        lines.append(prefix + text)
    return "\n\n".join(lines).encode("utf-8")


def render_html(blocks: Blocks, rng: random.Random) -> bytes:
    """An HTML page: meta tags, navigation, script, main content, footer."""
    from html import escape

    title = escape(blocks[0][1])
    body = [f"<h1>{title}</h1>"]
    for kind, text in blocks[1:]:
        text = escape(text) if not text.startswith("<") else text  # a long run of markup
        if kind == "heading":
            body.append(f"<h2>{text}</h2>")
        elif kind == "bullet":
            body.append(f"<ul><li>{text}</li></ul>")
        elif kind == "table":
            cells = "".join(f"<td>{c}</td>" for c in text.split(" | "))
            body.append(f"<table><tr>{cells}</tr></table>")
        else:
            body.append(f"<p>{text}</p>")
    date = rng.choice(["2021-03-04", "2022-09", "March 2022"])
    page = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="author" content="Ann Example">'
        f'<meta property="article:published_time" content="{date}">'
        "<script>var x = '<p>not text</p>';</script></head><body>"
        "<nav><a href='/'>Home</a> › <a href='/news'>News</a></nav><main>"
        + "\n".join(body)
        + "</main><footer>© NHS England. Sign up to our newsletter.</footer></body></html>"
    )
    return page.encode("utf-8")


def render_pdf(blocks: Blocks, rng: random.Random) -> bytes:
    """A PDF with a text layer (fpdf2's core font: Latin-1 text only) and properties."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(blocks[0][1].encode("latin-1", "replace").decode("latin-1"))
    pdf.set_author("Ann Example")
    pdf.add_page()
    for kind, text in blocks:
        text = text.replace("•", "-").encode("latin-1", "replace").decode("latin-1")
        size = {"title": 16, "heading": 13}.get(kind, 11)
        pdf.set_font("helvetica", "B" if size > 11 else "", size=size)
        pdf.multi_cell(0, 6, ("- " if kind == "bullet" else "") + text)
        pdf.ln(2)
        if rng.random() < 0.1:
            pdf.add_page()
    return bytes(pdf.output())


def render_docx(blocks: Blocks, rng: random.Random) -> bytes:
    """A DOCX: Title and Heading styles, list paragraphs, a real table, core properties."""
    import docx

    document = docx.Document()
    document.core_properties.title = blocks[0][1]
    document.core_properties.author = "Ann Example"
    rows = [text.split(" | ") for kind, text in blocks if kind == "table"]
    for kind, text in blocks:
        style = {"title": "Title", "heading": f"Heading {rng.randint(1, 3)}"}.get(kind)
        if kind == "bullet":
            style = "List Bullet"
        if kind != "table":
            document.add_paragraph(text, style=style)
    if rows:
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, text in zip(row.cells, cells, strict=False):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[Blocks, random.Random], bytes]] = {
    "txt": render_txt,
    "md": render_md,
    "html": render_html,
    "pdf": render_pdf,
    "docx": render_docx,
}


def seed_document(fmt: str, rng: random.Random, long_run: str = "") -> bytes:
    """A valid document in ``fmt``."""
    return RENDERERS[fmt](seed_blocks(rng, long_run), rng)


# -- mutations ------------------------------------------------------------------------------


def _truncate(fmt: str, rng: random.Random) -> bytes:
    raw = seed_document(fmt, rng)
    return raw[: rng.randrange(1, len(raw))]


def _flip_bytes(fmt: str, rng: random.Random) -> bytes:
    raw = bytearray(seed_document(fmt, rng))
    for _ in range(rng.randint(1, 40)):
        raw[rng.randrange(len(raw))] ^= rng.randint(1, 255)
    return bytes(raw)


_JUNK = (b"\x00\x00", b"\xff\xfe", b"\x80\x81\x9d", b"<div", b"]]>", b"%PDF-1.7", b"PK\x03\x04")


def _insert_junk(fmt: str, rng: random.Random) -> bytes:
    raw = seed_document(fmt, rng)
    for _ in range(rng.randint(1, 5)):
        junk = rng.choice([rng.randbytes(rng.randint(1, 64)), rng.choice(_JUNK)])
        at = rng.randrange(len(raw) + 1)
        raw = raw[:at] + junk + raw[at:]
    return raw


def _wrong_extension(fmt: str, rng: random.Random) -> bytes:
    return seed_document(rng.choice([f for f in FORMATS if f != fmt]), rng)


def _empty(fmt: str, rng: random.Random) -> bytes:
    return rng.choice([b"", b" ", b"\n\n\t \r\n", "\u00a0\n".encode()])


def _nul_bytes(fmt: str, rng: random.Random) -> bytes:
    return b"\x00" * rng.randint(1, 8192)


def _long_run(fmt: str, rng: random.Random) -> bytes:
    token = rng.choice(_RUNS)
    # Enough to take minutes where a step is quadratic, a second or two where it is not.
    size = rng.randint(100_000, 200_000)
    return seed_document(fmt, rng, long_run=token * (size // len(token)))


def _rezip(raw: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The zip ``raw`` with each member's bytes passed through ``change`` (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info, data)
    return out.getvalue()


def _broken_docx(rng: random.Random) -> bytes:
    member = rng.choice(
        [
            "word/document.xml",
            "word/styles.xml",
            "[Content_Types].xml",
            "_rels/.rels",
            "docProps/core.xml",
            "word/_rels/document.xml.rels",
        ]
    )
    how = rng.choice(["cut", "junk", "drop", "bad-values"])

    def change(name: str, data: bytes) -> bytes | None:
        if name != member:
            return data
        if how == "drop":
            return None
        if how == "junk":
            return rng.randbytes(200)
        if how == "cut":
            return data[: rng.randrange(1, len(data))]
        # Well-formed XML with values no schema allows.
        return (
            data.replace(b'w:val="', b'w:val="\xc3\xa9999')
            .replace(b"<dcterms:created", b"<dcterms:created>not a date</dcterms:created><x")
            .replace(b'Target="', b'Target="../../../nowhere/')
        )

    return _rezip(seed_document("docx", rng), change)


def _broken_pdf(rng: random.Random) -> bytes:
    raw = seed_document("pdf", rng)
    how = rng.choice(["startxref", "xref", "stream", "length", "root", "count", "loop"])
    if how == "startxref":
        at = raw.rindex(b"startxref") + len(b"startxref\n")
        return raw[:at] + str(rng.randint(0, 10**9)).encode() + raw[raw.index(b"\n", at) :]
    if how == "xref":
        start, end = raw.rindex(b"xref"), raw.rindex(b"trailer")
        return raw[:start] + raw[end:]
    if how == "stream":
        start = raw.index(b"stream") + 8
        data = bytearray(raw)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(start, start + 60)] ^= rng.randint(1, 255)
        return bytes(data)
    if how == "length":
        return raw.replace(b"/Length ", b"/Length 9", 1)
    if how == "root":
        return raw.replace(b"/Root ", b"/Root 999", 1)
    if how == "count":
        return raw.replace(b"/Count ", b"/Count 99999", 1)
    return raw.replace(b"/Parent ", b"/Parent 1 0 R /X ", 1)  # a page its own ancestor


def _broken_text(fmt: str, rng: random.Random) -> bytes:
    text = seed_document(fmt, rng)
    breakage = {
        "txt": [b"\xef\xbb\xbf\x1b[31m", b"\xff\xfe", b"\x80\x9d\x81", b"caf\xe9 \xe2\x82"],
        "md": [
            b"---\ntitle: [unclosed\nauthor: {a: \n---\n",
            b"---\npublished: [2019, 1]\ntitle: !!python/object:os.system x\n---\n",
            b"---\ndate: 2019-13-45\ntitle: 5\n",
            b"[link](<unclosed \n<!-- never closed\n**bold __mixed",
        ],
        "html": [
            b"<html><head><meta charset='x-unknown'><meta name='date' content='99/99/9999'>",
            b"<table><tr><td><table><td>cell</tr>",
            b"<!-- never closed <script>var a = '",
            b"<![CDATA[ <p>x</p> ]]><svg><p>in svg</svg>",
        ],
    }[fmt]
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(breakage) + text[at:]
    return text


def _corrupt_structure(fmt: str, rng: random.Random) -> bytes:
    if fmt == "docx":
        return _broken_docx(rng)
    if fmt == "pdf":
        return _broken_pdf(rng)
    return _broken_text(fmt, rng)


MUTATIONS: dict[str, Callable[[str, random.Random], bytes]] = {
    "valid": seed_document,
    "truncate": _truncate,
    "flip_bytes": _flip_bytes,
    "insert_junk": _insert_junk,
    "wrong_extension": _wrong_extension,
    "empty": _empty,
    "nul_bytes": _nul_bytes,
    "corrupt_structure": _corrupt_structure,
    "long_run": _long_run,
}
