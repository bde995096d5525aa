"""A synthetic NHS-style library for scale benchmarks: N documents and their manifest.csv.

Document i is drawn from a ``random.Random`` seeded with (seed, i), so it is the same
whatever N is: a library of 1,000 begins with the library of 100. The text is template
sentences about fictional ICBs, trusts, PCNs and committees in the real documents'
vocabulary (formulary, area prescribing committee, medicines optimisation, PCN...), with
fictional names and figures, never a real document's sentence. Board papers come in
families of three that differ in a few sentences, and every publisher repeats its
navigation, disclaimers and footers: near-duplicates and boilerplate are what make
retrieval over a big library hard. Formats are rendered by the fuzzer's renderers.

    python -m evals.tools.synthetic_library OUT_FOLDER --count 1000
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import random
import re
import zipfile
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from evals.tools.fuzz_documents import RENDERERS, Blocks
from ingest.manifest import KNOWN_COLUMNS, MANIFEST_NAME

SEED = 2025
# Formats of every 50 documents (shuffled within each 50, so any library of 50 or more
# has them all). PDFs are written by fpdf2 (a dev dependency) and kept few: they are the
# slowest format to write and to read.
FORMATS = {"md": 15, "txt": 11, "html": 13, "docx": 7, "pdf": 4}
MIN_WORDS, MAX_WORDS = 300, 4500
# Of every ten documents, the first three are one family of near-duplicate board papers.
FAMILY_SPAN, FAMILY_SIZE = 10, 3

PLACES = (
    "Brackmoor, Caldwen, Dunhallow, Elmreach, Fenwold, Glenhurst, Harrowmere, Kestrelford, "
    "Lowenby, Marrowdale, Netherwick, Pellingham, Rookmere, Saltvale, Thornwick, Wyvernshire, "
    "Ashcombe Vale, Brindlemoor, Copperdale, Dewhurst"
).split(", ")
TRUST_KINDS = (
    "Teaching Hospitals NHS Foundation Trust, Community Health NHS Trust, "
    "Partnership NHS Foundation Trust, Acute Hospitals NHS Trust"
).split(", ")
PCN_PARTS = "North, Central, Riverside, Rural, Coastal, Valley, Market Towns".split(", ")
COMMITTEES = (
    "Area Prescribing Committee, Joint Prescribing Group, Medicines Optimisation Committee, "
    "Drugs and Therapeutics Committee, Primary Care Commissioning Committee, "
    "Quality and Performance Committee"
).split(", ")
FIRST_NAMES = (
    "Priya, Tom, Aisha, Gareth, Mei, Oluwaseun, Hannah, Rhys, Fatima, Declan, Sunita, Callum, "
    "Zofia, Marcus, Imogen, Kwame"
).split(", ")
SURNAMES = (
    "Halloway, Brennock, Adeyemi-Clarke, Featherstone, Okonkwo, Marchetti, Lindqvist, "
    "Pemberton, Rashid, Caulfield, Nakamura, Thistlewood"
).split(", ")
ROLES = (
    "Chief Pharmacist, Head of Medicines Optimisation, Medical Director, Director of Nursing, "
    "PCN Clinical Director, Chief Finance Officer, ICB Chair, Non-executive Director, "
    "Lead Pharmacist for Care Homes, Formulary Pharmacist"
).split(", ")
DRUGS = (
    "SGLT2 inhibitors, GLP-1 receptor agonists, direct oral anticoagulants, "
    "inhaled corticosteroid combination inhalers, biosimilar adalimumab, "
    "continuous glucose monitoring, blood glucose test strips, insulin pen needles, "
    "emollients, proton pump inhibitors, vitamin B12 injections, liothyronine"
).split(", ")
BRANDS = (
    "Veltrazide, Norcalene, Duoclar, Sorvanta, Pexiral, Lumeridone, Tavoxin, Gliventa, "
    "Rispadel, Cortifen"
).split(", ")
RAG = ("RED", "AMBER", "AMBER with shared care", "GREEN", "GREY (not recommended)")
FREQUENCIES = ("monthly", "every two months", "quarterly", "every six weeks")

# Template sentences by topic, under "[topic]"; a line ending in "." ends one. Slots are
# filled by _Slots; plain ASCII and the pound sign, so fpdf2's Latin-1 PDFs hold them.
_TEMPLATES = """
[population]
{icb} serves a registered population of about {pop} people across {n_pcn} primary care networks.
{place} has {n_practices} GP practices, {n_pharm} community pharmacies and one acute trust,
{trust}.
Life expectancy in the most deprived tenth of {place} is {gap} years shorter than in the least
deprived tenth.
Around {pct}% of adults in {place} live with two or more long-term conditions.
The {place} place partnership brings together the council, {trust}, the voluntary sector and
{n_pcn} PCNs.
Demand for urgent care in {place} rose by {pct_small}% between {year} and {year2}.
[formulary]
The {committee} classified {brand} as {rag} on the {place} joint formulary from {date_long}.
{drug} should be prescribed by brand, and {brand} is the first-choice product for new patients in
{place}.
Prescribers should review patients on {drug} at least every {months} months and record the outcome
in the notes.
Where a patient does not meet the local criteria for {brand}, the prescriber can make an individual
funding request to {icb_short}.
Products classified {rag} may be started in general practice once a specialist has recommended them
in writing.
The formulary entry for {drug} was last reviewed in {month_year} and is due for review again in
{year2}.
A switch from {drug} to {brand} is expected to save {icb_short} around £{money} a year.
The {committee} did not recommend {brand} because the evidence of cost-effectiveness submitted by
the company was limited.
[finance]
At month {m}, {icb_short} reported a deficit of £{millions} million against a planned breakeven
position.
Prescribing spend in {fy} was £{millions} million, {pct_small}% above the previous year.
The efficiency plan includes £{money} of savings from medicines optimisation schemes in {fy}.
The {committee} approved a business case of £{money} for {drug} in {fy}.
Spend on {drug} across the {n_pcn} PCNs of {place} rose to £{money} in the last quarter.
[performance]
{trust} remains in segment {seg} of the oversight framework for {fy}.
The waiting list at {trust} stood at {pop} pathways, with {n} patients waiting more than 52 weeks.
Four-hour emergency department performance at {trust} was {pct}% in {month_year}.
Urgent cancer referrals to {trust} were {pct_small}% higher than in the same month last year.
Ambulance handover delays at {trust} averaged {mins} minutes in {month_year}.
Across {place}, {pct}% of patients referred with suspected cancer were told the outcome within 28
days.
[workforce]
{pcn} has recruited {few} clinical pharmacists and {few2} pharmacy technicians through the
Additional Roles Reimbursement Scheme.
Vacancy rates for pharmacists at {trust} fell to {pct_small}% in {fy}.
{person}, {role} at {icb_short}, leads the medicines optimisation workstream.
Independent prescribing training for {few} community pharmacists in {place} was funded in {fy}.
Staff turnover in {place} general practice was {pct_small}% over the last twelve months.
[pharmacy]
Community pharmacies in {place} completed {n} Pharmacy First consultations in {month_year}.
The hypertension case-finding service in {place} identified {n} people with high blood pressure
last year.
Of the {n_pharm} community pharmacies in {place}, {few} open for 100 hours a week.
The New Medicine Service was offered to {pct}% of eligible patients in {pcn}.
The pharmaceutical needs assessment for {place} found no gap in access to essential services.
Commissioning of community pharmacy services in {place} was delegated to {icb_short} on
{date_long}.
[governance]
The board is asked to note this report and to approve the revised medicines optimisation plan for
{fy}.
The {committee} reports to the {icb_short} board and meets {freq}.
Decisions of the {committee} are published on the {icb_short} website within {few} weeks of each
meeting.
Conflicts of interest were declared by {person} and recorded in the register.
The {committee} is quorate when {few} voting members, including a pharmacist, are present.
{person}, {role}, chairs the {committee}.
This paper was prepared by {person}, {role}, and is presented by the {role2}.
[minutes]
Apologies were received from {person}, {role}.
The minutes of the meeting held on {date_long} were agreed as a correct record.
Action: {person} to circulate the revised guidance on {drug} by {date_long}.
The committee discussed shared care arrangements for {drug} and agreed to ask local consultants for
their views.
Matters arising: the audit of {drug} prescribing in {pcn} is complete and will be presented in
{month_year}.
Members noted that {trust} had submitted a new formulary application for {brand}.
[strategy]
Our ambition is that by {year2} most care for people with long-term conditions in {place} is given
close to home.
{icb_short} will work with its {n_pcn} primary care networks to reduce problematic polypharmacy.
Structured medication reviews will be offered to {pct}% of care home residents in {place} each
year.
The strategy has five priorities for {place}: safety, value, equity, sustainability and shared
decision making.
Antimicrobial stewardship stays a priority, with a target to cut broad-spectrum antibiotic use in
{place} by {pct_small}%.
Greener prescribing in {place} means moving patients from metered-dose inhalers to dry powder
inhalers where that suits them.
Neighbourhood teams in {place} will bring together GPs, pharmacists, nurses and social care staff.
[ifr]
Individual funding requests to {icb_short} are considered by a panel that meets {freq}.
The {icb_short} panel aims to decide each request within {few} working days of receiving complete
information.
{icb_short} does not routinely commission {drug} outside the licensed indications.
A patient may ask {icb_short} to review a panel decision within {few} weeks of being told the
outcome.
"""


def _parse_templates(text: str) -> dict[str, tuple[str, ...]]:
    topics: dict[str, list[str]] = {}
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith("["):
            current = topics.setdefault(line.strip("[]"), [])
        else:
            lines.append(line)
            if line.endswith("."):
                current.append(" ".join(lines))
                lines = []
    return {topic: tuple(templates) for topic, templates in topics.items()}


TOPICS = _parse_templates(_TEMPLATES)


# Kinds of document: "[name kind]" (a manifest kind), its titles, then its sections as
# "Heading: topic", used in order and then again as "Heading, part 2" until long enough.
_FAMILIES = """
[board report]
title: {icb_short} Board meeting in public: integrated performance report
title: {trust} Board of Directors: quality and finance report
Purpose of this paper: governance
Performance: performance
Finance: finance
Workforce: workforce
Recommendation: governance
[formulary guidance]
title: {place} joint formulary update: {drug}
title: Prescribing guidance for {drug} in {place}
title: {committee} position statement on {brand}
Summary: formulary
Eligibility: formulary
Cost: finance
Review and monitoring: formulary
[minutes other]
title: Minutes of the {place} {committee}, {date_long}
Welcome and apologies: minutes
Formulary applications: formulary
Matters arising: minutes
Any other business: governance
[newsletter news]
title: {pcn} newsletter, {month_year}
title: {icb_short} primary care bulletin, {month_year}
News from our practices: workforce
Community pharmacy: pharmacy
Medicines update: formulary
[strategy policy]
title: {icb_short} medicines optimisation strategy {year} to {year2}
title: {place} individual funding request policy
Introduction: population
Our priorities: strategy
Commissioning: ifr
Delivering the strategy: strategy
[article article]
title: What the new {place} neighbourhood teams mean for pharmacy
title: Inside the {place} {committee}: how medicines decisions are made
Background: population
The pharmacy view: pharmacy
What happens next: strategy
"""


@dataclass
class _Family:
    kind: str
    titles: list[str] = field(default_factory=list)
    topics: list[tuple[str, str]] = field(default_factory=list)  # (heading, topic)


def _parse_families(text: str) -> dict[str, _Family]:
    families: dict[str, _Family] = {}
    for line in text.strip().splitlines():
        if line.startswith("["):
            name, kind = line.strip("[]").split()
            family = families[name] = _Family(kind)
        elif line.startswith("title: "):
            family.titles.append(line.removeprefix("title: "))
        else:
            heading, topic = line.rsplit(": ", 1)
            family.topics.append((heading, topic))
    return families


FAMILIES = _parse_families(_FAMILIES)
# Families other than the board papers, drawn for the seven other documents of every ten.
_SINGLE_FAMILIES = ("formulary", "formulary", "minutes", "newsletter", "strategy", "article")

NAVIGATION = (
    "Skip to main content",
    "Home > About us > Our work > Medicines optimisation > Publications",
    "Accessibility | Cookies | Privacy notice | Freedom of information | Contact us",
)
DISCLAIMERS = (
    "Disclaimer: this document is provided in good faith to support local decisions and "
    "does not replace the clinical judgement of the prescriber.",
    "This document is uncontrolled once printed or downloaded; check the {publisher} "
    "website for the current version.",
    "If you would like this document in another format or language, please contact the "
    "{publisher} communications team.",
    "{publisher} is committed to equality and diversity; an equality impact assessment "
    "was completed for this document.",
)


@dataclass(frozen=True)
class SyntheticDocument:
    """One generated document as its manifest row describes it (``file`` names it)."""

    file: str
    title: str
    author: str
    publisher: str
    published: str
    kind: str


@dataclass(frozen=True)
class _Setting:
    """The fictional organisations a document is about."""

    place: str
    icb: str
    icb_short: str
    trust: str
    pcn: str
    committee: str


# Number slots: drawn from lowest..highest, times the scale (a float scale: one decimal).
_NUMBERS: dict[str, tuple[int, int, int | float]] = {
    "pop": (80, 1900, 1000), "n_pcn": (4, 26, 1), "n_practices": (20, 160, 1),
    "n_pharm": (40, 240, 1), "gap": (40, 110, 0.1), "pct": (12, 96, 1), "pct_small": (2, 19, 1),
    "n": (120, 48000, 1), "few": (2, 12, 1), "few2": (1, 6, 1), "mins": (18, 95, 1),
    "m": (2, 11, 1), "seg": (1, 4, 1), "money": (12, 2400, 500), "millions": (15, 990, 0.1),
    "year": (2015, 2025, 1),
}  # fmt: skip
_CHOICES = {
    "role": ROLES, "role2": ROLES, "drug": DRUGS, "brand": BRANDS, "rag": RAG,
    "freq": FREQUENCIES, "months": ("3", "6", "12"),
}  # fmt: skip


class _Slots(dict):
    """One sentence's slot values: the setting's names, and values drawn from ``rng`` the
    first time the sentence asks (a slot used twice in a sentence keeps its value)."""

    def __init__(self, rng: random.Random, setting: _Setting) -> None:
        super().__init__(vars(setting))
        self.rng = rng

    def __missing__(self, key: str) -> str:
        r = self.rng
        if key in _NUMBERS:
            low, high, scale = _NUMBERS[key]
            n = r.randint(low, high) * scale
            # Thousands separated from five digits up, so years stay as they are written.
            value = f"{n:.1f}" if isinstance(scale, float) else f"{n:,}" if n >= 10**4 else str(n)
        elif key in _CHOICES:
            value = r.choice(_CHOICES[key])
        elif key == "year2":  # a later year than the sentence's own
            value = str(int(self["year"]) + r.randint(2, 6))
        elif key == "fy":
            value = f"{self['year']}/{(int(self['year']) + 1) % 100:02d}"
        elif key in ("month_year", "date_long"):  # a day of the sentence's year
            day = date(int(self["year"]), r.randint(1, 12), r.randint(1, 28))
            value = f"{day:%B %Y}" if key == "month_year" else _long(day)
        elif key == "person":
            value = f"{r.choice(FIRST_NAMES)} {r.choice(SURNAMES)}"
        else:
            raise KeyError(f"template slot {{{key}}} has no value")
        self[key] = value
        return value


def _random_date(rng: random.Random, spare_days: int = 0) -> date:
    """A day from 2015 to 2025, at least ``spare_days`` before the end of 2025."""
    return date(2015, 1, 1) + timedelta(days=rng.randint(0, 4017 - spare_days))


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _setting(rng: random.Random) -> _Setting:
    place = rng.choice(PLACES)
    partner = rng.choice([p for p in PLACES if p != place])
    icb = rng.choice((f"NHS {place} Integrated Care Board", f"NHS {place} and {partner} ICB"))
    return _Setting(
        place=place,
        icb=icb,
        icb_short=f"{place} ICB",
        trust=f"{place} {rng.choice(TRUST_KINDS)}",
        pcn=f"{place} {rng.choice(PCN_PARTS)} PCN",
        committee=rng.choice(COMMITTEES),
    )


def _fill(
    template: str, rng: random.Random, setting: _Setting, published: date | None = None
) -> str:
    slots = _Slots(rng, setting)
    if published:  # a title's dates are the document's own
        slots.update(year=str(published.year), month_year=f"{published:%B %Y}")
        slots["date_long"] = _long(published)
    text = template.format_map(slots)
    return text[0].upper() + text[1:]  # a drug class may open the sentence


def _sentences(topic: str, count: int, rng: random.Random, setting: _Setting) -> str:
    return " ".join(_fill(rng.choice(TOPICS[topic]), rng, setting) for _ in range(count))


def _table(rng: random.Random, setting: _Setting) -> Blocks:
    rows = [("table", "PCN | Registered patients | Items | Spend (£)")]
    for part in rng.sample(PCN_PARTS, rng.randint(2, 5)):
        patients, items = rng.randint(20, 90) * 1000, rng.randint(3, 60) * 1000
        rows.append(("table", f"{setting.place} {part} | {patients:,} | {items:,} | {items * 9:,}"))
    return rows


def _words(blocks: Blocks) -> int:
    return sum(len(text.split()) for _, text in blocks)


def _body(family: _Family, rng: random.Random, setting: _Setting, target_words: int) -> Blocks:
    """Sections of template sentences cycling through the family's topics until the
    document reaches ``target_words``; boilerplate opens and closes them."""
    blocks: Blocks = []
    if rng.random() < 0.4:  # site navigation copied into the file, as saved pages carry it
        blocks.extend(("paragraph", line) for line in NAVIGATION)
    section = 0
    while _words(blocks) < target_words:
        heading, topic = family.topics[section % len(family.topics)]
        part = section // len(family.topics)
        blocks.append(("heading", heading if part == 0 else f"{heading}, part {part + 1}"))
        for _ in range(rng.randint(1, 3)):
            blocks.append(("paragraph", _sentences(topic, rng.randint(2, 6), rng, setting)))
        if rng.random() < 0.3:
            blocks.extend(("bullet", _sentences(topic, 1, rng, setting)) for _ in range(3))
        if rng.random() < 0.2:
            blocks.extend(_table(rng, setting))
        if rng.random() < 0.15:  # a page footer that a printed document repeats
            blocks.append(("paragraph", f"{setting.icb} | Version {rng.randint(1, 4)}.0"))
        section += 1
    for disclaimer in rng.sample(DISCLAIMERS, rng.randint(1, 3)):
        blocks.append(("paragraph", disclaimer.format(publisher=setting.icb)))
    return blocks


def _revise(blocks: Blocks, rng: random.Random, setting: _Setting, changes: int) -> Blocks:
    """``blocks`` with one sentence in each of ``changes`` paragraphs replaced."""
    blocks = list(blocks)
    paragraphs = [
        i for i, (kind, text) in enumerate(blocks) if kind == "paragraph" and ". " in text
    ]
    for i in rng.sample(paragraphs, min(changes, len(paragraphs))):
        sentences = blocks[i][1].split(". ")
        new = _sentences(rng.choice(list(TOPICS)), 1, rng, setting)
        sentences[rng.randrange(len(sentences))] = new.removesuffix(".")
        text = ". ".join(sentences)
        blocks[i] = ("paragraph", text if text.endswith(".") else text + ".")
    return blocks


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-")


def _format(index: int, seed: int) -> str:
    deck = [fmt for fmt, n in FORMATS.items() for _ in range(n)]
    random.Random(f"{seed}:formats:{index // len(deck)}").shuffle(deck)
    return deck[index % len(deck)]


def document_blocks(
    index: int, seed: int = SEED, revision: int = 0
) -> tuple[SyntheticDocument, Blocks]:
    """Document ``index`` of the library: its manifest row and its blocks. A ``revision``
    above 0 changes a few sentences and keeps the file name and the row."""
    rng = random.Random(f"{seed}:{index}")
    member = index % FAMILY_SPAN
    if member < FAMILY_SIZE:  # a board paper: its text is drawn from its family's seed
        family_key, text_rng = "board", random.Random(f"{seed}:family:{index // FAMILY_SPAN}")
    else:
        family_key, text_rng, member = rng.choice(_SINGLE_FAMILIES), rng, 0
    family = FAMILIES[family_key]
    fmt = _format(index, seed)
    setting = _setting(text_rng)
    target = round(math.exp(text_rng.uniform(math.log(MIN_WORDS), math.log(MAX_WORDS))))
    # Board papers go to a meeting every two months; each differs in a few sentences.
    meetings = timedelta(days=61)
    published = _random_date(text_rng, meetings.days * FAMILY_SIZE) + meetings * member
    title = _fill(text_rng.choice(family.titles), text_rng, setting, published)
    blocks = [("title", title), *_body(family, text_rng, setting, target)]
    publisher = rng.choice((setting.icb, setting.trust, f"{setting.place} {setting.committee}"))
    if family_key == "board":
        title = f"{title}, {_long(published)}"
        blocks = [("title", title), *_revise(blocks[1:], rng, setting, 3)]
        publisher = setting.icb if title.startswith(setting.icb_short) else setting.trust
    if revision:
        rev_rng = random.Random(f"{seed}:{index}:revision:{revision}")
        blocks = _revise(blocks, rev_rng, setting, 2)
    precision = rng.choices((10, 7, 4), weights=(5, 4, 1))[0]  # a day, a month or a year
    author = rng.choice(
        (f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}", "Medicines Optimisation Team")
    )
    document = SyntheticDocument(
        file=f"{index:05d}-{_slug(title)}.{fmt}",
        title=title,
        author=author,
        publisher=publisher,
        published=published.isoformat()[:precision],
        kind=family.kind,
    )
    return document, blocks


def _stable_bytes(fmt: str, raw: bytes) -> bytes:
    """The renderers stamp the time into PDFs (their date and ID) and DOCX zips: fixed
    here, so a seed gives the same bytes on every run. Same-length stamps keep the PDF's
    offsets valid."""
    if fmt == "pdf":
        raw = re.sub(rb"D:\d{14}Z", b"D:20250101000000Z", raw)
        file_id = re.compile(rb"/ID \[<[0-9A-F]{32}><[0-9A-F]{32}>\]")
        digest = hashlib.md5(file_id.sub(b"", raw), usedforsecurity=False).hexdigest()
        stamp = digest.upper().encode()
        return file_id.sub(b"/ID [<" + stamp + b"><" + stamp + b">]", raw)
    if fmt == "docx":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
                fixed.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(fixed, src.read(info))
        return out.getvalue()
    return raw


def render_document(document: SyntheticDocument, blocks: Blocks, seed: int = SEED) -> bytes:
    """The file's bytes in the format its name ends with."""
    fmt = document.file.rsplit(".", 1)[1]
    rng = random.Random(f"{seed}:{document.file}:render")
    return _stable_bytes(fmt, RENDERERS[fmt](blocks, rng))


def write_document(
    folder: Path, index: int, seed: int = SEED, revision: int = 0
) -> SyntheticDocument:
    """Write document ``index`` (at ``revision``) into ``folder``; returns its row."""
    document, blocks = document_blocks(index, seed, revision)
    (folder / document.file).write_bytes(render_document(document, blocks, seed))
    return document


def write_library(folder: Path, count: int, seed: int = SEED) -> list[SyntheticDocument]:
    """Write documents 0..count-1 and their ``manifest.csv`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    documents = [write_document(folder, index, seed) for index in range(count)]
    with (folder / MANIFEST_NAME).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(KNOWN_COLUMNS)
        writer.writerows(astuple(d) for d in documents)
    return documents


def revise_documents(
    folder: Path, indices: Iterable[int], seed: int = SEED, revision: int = 1
) -> list[Path]:
    """Rewrite the documents ``indices`` with a few sentences changed (an update)."""
    return [folder / write_document(folder, i, seed, revision).file for i in indices]


def main(
    folder: Annotated[Path, typer.Argument(help="Folder to write the library into.")],
    count: Annotated[int, typer.Option(help="Number of documents.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed: the same seed writes the same bytes.")] = SEED,
) -> None:
    """Write a synthetic library of COUNT documents and its manifest.csv into FOLDER."""
    write_library(folder, count, seed)
    typer.echo(f"wrote {count} documents and {MANIFEST_NAME} to {folder}")


if __name__ == "__main__":
    typer.run(main)
