"""Acronyms a document defines, and the phrases behind the ones it does not, found at ingest.

Definitions are found where a document spells a term out next to its short form,
"Primary Care Networks (PCNs)" or "NHSE (NHS England)", and matched with the
Schwartz-Hearst rule: every letter of the short form appears, in order, in the long
form, the first letter starting a word. The glossary (assistant.retrieval.glossary)
assembles every live document's findings. A document's work looks at its own text only,
so a changed document costs only itself; what it knows of the others is the set of
acronyms they use without spelling out, which the ingest job passes in. A phrase in a
document met before the first document using its acronym is counted only if it is a
capitalised name ("Integrated Care Boards"), not in lower case.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING

from vectorstore.lexical import STOPWORDS
from vectorstore.records import Chunk, DocumentAcronyms, DocumentRecord, GlossaryEntry, PhraseUse

if TYPE_CHECKING:
    from vectorstore.chroma_store import ChunkStore

_PAREN = re.compile(r"\(([^()]{1,80})\)")
_SHORT = re.compile(r"^[A-Z][A-Za-z/&]*[A-Z][A-Za-z/&]*$|^[A-Z]{2,}s?$")
_WORD = re.compile(r"[\w&/'’-]+")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")
_PHRASE_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
_FUNCTION_WORDS = frozenset(
    (
        "a an and are as at be by for from has have in is it of on or that the their "
        "this to was were which will with more most"
    ).split()
)


def singular(short: str) -> str:
    """ "PCNs" -> "PCN"; other forms unchanged."""
    return short[:-1] if len(short) > 2 and short.endswith("s") and short[:-1].isupper() else short


def singular_phrase(phrase: str) -> str:
    """ "Primary Care Networks" -> "Primary Care Network"; "Gadget Loan Process" stays."""
    return phrase[:-1] if phrase.endswith("s") and not phrase.endswith("ss") else phrase


def _is_short_form(text: str) -> bool:
    return 2 <= len(text) <= 10 and bool(_SHORT.match(text)) and " " not in text


def match_long_form(short: str, words: list[str]) -> list[str] | None:
    """The shortest tail of ``words`` whose content words' initials spell ``short``
    ("Public Private Partnership" for PPP, "Office of Data Analytics" for ODA); else
    Schwartz-Hearst's shortest tail that spells it letter by letter, unless that starts
    with a function word ("of Data Analytics")."""
    letters = [c.lower() for c in singular(short) if c.isalnum()]
    if not letters:
        return None
    by_initials = _tail_by_initials(letters, words)
    if by_initials is not None:
        return by_initials
    found = _schwartz_hearst(letters, words)
    if found is None or starts_with_function_word(found):
        return None
    return found


def starts_with_function_word(long_words: Sequence[str]) -> bool:
    """Whether a long form opens with "of", "for", "the"...: a letter-by-letter match
    that stopped short of the name's first word."""
    return bool(long_words) and long_words[0].lower() in _FUNCTION_WORDS


def _tail_by_initials(letters: list[str], words: list[str]) -> list[str] | None:
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        if starts_with_function_word(tail):
            continue
        initials = [w[0].lower() for w in tail if w.lower() not in _FUNCTION_WORDS]
        if initials == letters:
            return tail
        if len(initials) > len(letters):
            return None
    return None


def _schwartz_hearst(letters: list[str], words: list[str]) -> list[str] | None:
    """Schwartz-Hearst: the shortest tail of ``words`` that spells ``letters``."""
    text = " ".join(words)
    s, t = len(letters) - 1, len(text) - 1
    while s >= 0:
        c = letters[s]
        while t >= 0 and (text[t].lower() != c or (s == 0 and t > 0 and text[t - 1].isalnum())):
            t -= 1
        if t < 0:
            return None
        s -= 1
        t -= 1
    long_text = text[t + 1 :]
    start = len(text[: t + 1].split())
    # Start at a word boundary and keep the long form plausibly short.
    long_words = words[start:] if not text[t : t + 1].isalnum() else None
    if long_words is None:
        long_words = long_text.split()
    if not long_words or len(long_words) > min(len(letters) + 5, len(letters) * 2):
        return None
    if long_words[0][:1].lower() != letters[0]:
        return None
    return long_words


def extract_definitions(chunk: Chunk) -> list[GlossaryEntry]:
    """Acronym definitions in one chunk."""
    text = chunk.text
    base = chunk.meta.start
    source_id = chunk.meta.source_id
    found: list[GlossaryEntry] = []
    for match in _PAREN.finditer(text):
        inside = match.group(1).strip()
        before = text[max(0, match.start() - 200) : match.start()]
        before_words = _WORD.findall(before.split("\n")[-1])
        if _is_short_form(inside):
            long_words = match_long_form(inside, before_words[-12:])
            if long_words:
                long = " ".join(long_words).strip(" ,;:")
                span_start = (
                    match.start()
                    - len(before.split("\n")[-1])
                    + before.split("\n")[-1].rfind(long_words[0])
                )
                found.append(
                    GlossaryEntry(
                        singular(inside),
                        long,
                        source_id,
                        chunk.id or "",
                        base + max(span_start, 0),
                        base + match.end(),
                    )
                )
        else:
            # The other order: "NHSE (NHS England)".
            short = before_words[-1] if before_words else ""
            if _is_short_form(short) and match_long_form(short, _WORD.findall(inside)):
                found.append(
                    GlossaryEntry(
                        singular(short),
                        inside,
                        source_id,
                        chunk.id or "",
                        base + match.start() - len(short),
                        base + match.end(),
                    )
                )
    # A definition inside instruction-like text (ingest.injection) is the injection's.
    return [e for e in found if not chunk.meta.is_flagged(e.start, e.end)]


def phrase_uses(chunks: Sequence[Chunk], wanted: set[str]) -> list[PhraseUse]:
    """Phrases in ``chunks`` whose words' initials spell one of the ``wanted`` acronyms:
    one content word per letter, in order ("Primary Care Network" for "PCN")."""
    by_length: dict[int, set[str]] = {}
    for short in wanted:
        by_length.setdefault(len(short), set()).add(short)
    found: dict[tuple[str, str], PhraseUse] = {}
    for chunk in chunks:
        words = list(_PHRASE_WORD.finditer(chunk.text))
        texts = [w.group(0) for w in words]
        # A window may not hold a function word or another acronym.
        usable = [not (t.lower() in _FUNCTION_WORDS or t.isupper()) for t in texts]
        # A phrase does not run across punctuation or a line break.
        joined = [chunk.text[a.end() : b.start()].strip(" ") == "" for a, b in pairwise(words)]
        initials = "".join(t[0].upper() for t in texts)
        for n, shorts in by_length.items():
            for i in range(len(words) - n + 1):
                short = initials[i : i + n]
                if (
                    short not in shorts
                    or not all(usable[i : i + n])
                    or not all(joined[i : i + n - 1])
                ):
                    continue
                _count_run(found, chunk, words[i : i + n], frozenset())
    return list(found.values())


def capitalised_names(chunks: Sequence[Chunk], skip: set[str]) -> list[PhraseUse]:
    """Runs of two to six capitalised content words ("Primary Care Networks"), keyed by
    their initials: the long forms another document's acronyms may stand for. Only
    whole runs and their tails are kept, so a document adds a few names, not every
    window of its words; initials in ``skip`` are counted by :func:`phrase_uses` already."""
    found: dict[tuple[str, str], PhraseUse] = {}
    for chunk in chunks:
        run: list[re.Match[str]] = []
        for word in _PHRASE_WORD.finditer(chunk.text):
            if not _is_name_word(word.group(0)):
                _count_name(found, chunk, run, skip)
                run = []
                continue
            if run and chunk.text[run[-1].end() : word.start()].strip(" ") != "":
                _count_name(found, chunk, run, skip)  # punctuation or a line break between
                run = []
            run.append(word)
        _count_name(found, chunk, run, skip)
    return list(found.values())


def _is_name_word(text: str) -> bool:
    return text[0].isupper() and not text.isupper() and text.lower() not in _FUNCTION_WORDS


def _count_name(
    found: dict[tuple[str, str], PhraseUse], chunk: Chunk, run: list[re.Match[str]], skip: set[str]
) -> None:
    # The run and its tails: a sentence's first word is capitalised too ("Each
    # Integrated Care Board").
    for start in range(max(0, len(run) - 6), len(run) - 1):
        _count_run(found, chunk, run[start:], skip)


def _count_run(
    found: dict[tuple[str, str], PhraseUse],
    chunk: Chunk,
    run: list[re.Match[str]],
    skip: Set[str],
) -> None:
    """Count one use of the phrase ``run`` spells (unless its initials are in ``skip``
    or it lies in a flagged span), keeping where it was first met."""
    short = "".join(w.group(0)[0].upper() for w in run)
    if short in skip:
        return
    start, end = chunk.meta.start + run[0].start(), chunk.meta.start + run[-1].end()
    if chunk.meta.is_flagged(start, end):
        return
    written = chunk.text[run[0].start() : run[-1].end()]
    phrase = " ".join(w.group(0) for w in run).lower().removesuffix("s")
    seen = found.get((short, phrase))
    if seen is None:
        found[(short, phrase)] = PhraseUse(
            short,
            phrase,
            singular_phrase(written),
            1,
            chunk.meta.source_id,
            chunk.id or "",
            start,
            end,
        )
    else:
        found[(short, phrase)] = replace(seen, count=seen.count + 1)


def document_acronyms(
    chunks: Sequence[Chunk], elsewhere: Set[str] = frozenset()
) -> DocumentAcronyms:
    """One document's definitions, the acronyms it uses but never spells out, the phrases
    in it whose initials spell those or the acronyms ``elsewhere`` (used without being
    spelled out by the documents met before), and its capitalised names. The glossary
    drops what any document defines."""
    defined = [e for chunk in chunks for e in extract_definitions(chunk)]
    known = {e.short.upper() for e in defined}
    used = {singular(m) for c in chunks for m in _ACRONYM.findall(c.text)}
    wanted = {a for a in used if a.upper() not in known}
    sought = wanted | {a for a in elsewhere if a.upper() not in known}
    return DocumentAcronyms(
        defined,
        sorted(wanted),
        phrase_uses(chunks, sought) if sought else [],
        capitalised_names(chunks, sought),
    )


def glossary_entries(documents: Sequence[DocumentAcronyms]) -> list[GlossaryEntry]:
    """The glossary of documents whose acronyms were found, in their order: the first
    definition met wins; an acronym none spells out takes a phrase (``_inferred``)."""
    entries: dict[str, GlossaryEntry] = {}
    for document in documents:
        for entry in document.defined:
            # Found by an older ingest's matcher, which let "of Data Analytics" stand.
            if not starts_with_function_word(entry.long.split()):
                entries.setdefault(entry.short.upper(), entry)
    for entry in _inferred(documents, set(entries)):
        entries[entry.short.upper()] = entry
    return list(entries.values())


# Raise when what ``glossary_entries`` makes of the same findings changes: a glossary saved
# by another version is then assembled again.
GLOSSARY_VERSION = "3"


def load_or_assemble_glossary(
    store: ChunkStore,
    live: Mapping[str, DocumentRecord],
    findings: Mapping[str, DocumentRecord] | None = None,
) -> list[GlossaryEntry]:
    """The glossary of the ``live`` documents as saved beside the store; else assembled
    from every document's findings (seconds at 10,000 documents) and saved. Ingest calls
    it before it returns, so an app that starts finds it saved. ``findings``: records
    with their findings already in hand (an ingest's), used when they are the live
    versions, instead of reading the registry again."""
    saved = store.saved_glossary(live, GLOSSARY_VERSION)
    if saved is not None:
        return saved
    current = findings is not None and all(
        k in findings and findings[k].version == r.version for k, r in live.items()
    )
    records = findings if current and findings is not None else store.documents()
    entries = library_glossary(records[k] for k in live if k in records)
    store.save_glossary(live, GLOSSARY_VERSION, entries)
    return entries


def library_glossary(records: Iterable[DocumentRecord]) -> list[GlossaryEntry]:
    """The glossary of a library's documents, in source-id order (a stable order, the
    same whoever assembles it: ingest saves it, the app reads it)."""
    ordered = sorted(records, key=lambda r: r.source_id)
    return glossary_entries([r.acronyms for r in ordered])


def _grammar_run(phrase: str) -> bool:
    """Whether a phrase holds a grammar word ("can also", "they must", "how many
    pharmacies"): a run of words that spells an acronym by chance, not a name."""
    return any(word in STOPWORDS for word in phrase.lower().split())


def _is_name(written: str) -> bool:
    return all(word[:1].isupper() for word in written.split())


def _inferred(documents: Sequence[DocumentAcronyms], known: set[str]) -> list[GlossaryEntry]:
    """Acronyms no document spells out, matched to the phrase the documents use most
    whose initials spell them: one content word per letter, in order, in the document
    that uses the acronym or as a capitalised name in any document. Two-letter forms need
    the phrase twice: two initials match by chance more often."""
    wanted = {a for d in documents for a in d.used if a.upper() not in known}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    first_seen: dict[tuple[str, str], PhraseUse] = {}
    for document in documents:
        for use in (*document.phrases, *document.names):
            if use.short not in wanted or _grammar_run(use.phrase):
                continue
            key = (use.short, use.phrase)
            counts[key] += use.count
            first_seen.setdefault(key, use)
    # A name ("Royal Pharmaceutical Society") beats any run of lower-case words whose
    # initials happen to spell the acronym ("resident population stated"), however often.
    # Not for two letters: names with two given initials abound ("Global Patient" is not
    # the GP), so there the most used phrase wins.
    best: dict[str, tuple[bool, int, str]] = {}
    for (short, phrase), count in counts.items():
        named = len(short) > 2 and _is_name(first_seen[(short, phrase)].written)
        best[short] = max(best.get(short, (False, 0, "")), (named, count, phrase))
    entries = []
    for short in sorted(best):
        _, count, phrase = best[short]
        if len(short) == 2 and count < 2:
            continue
        use = first_seen[(short, phrase)]
        entries.append(
            GlossaryEntry(
                short, use.written, use.source_id, use.chunk_id, use.start, use.end, inferred=True
            )
        )
    return entries
