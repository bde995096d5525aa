"""Check an eval file against the documents: every key fact of an answerable question must
occur in the cleaned text of one of its expected sources, as the assistant reads it.

    python -m evals.tools.check_facts evals/datasets/library.jsonl ../shared/corpus \
        ../shared/library

Prints one line per fact that no expected source holds, and per source id that no folder
holds; exits 1 if there is any. A fact that fails here can never be found by any system.
"""

from __future__ import annotations

import sys
from pathlib import Path

from evals.dataset import load_questions
from evals.metrics import fact_found
from ingest.discovery import discover
from ingest.job import read_document


def cleaned_texts(folders: list[Path]) -> dict[str, str]:
    """Each document's cleaned text by source id, read as ingest reads it."""
    texts = {}
    for folder in folders:
        for path in discover(folder).documents:
            texts[path.stem] = read_document(path, path.read_bytes())[1].text
    return texts


def problems(questions_path: Path, folders: list[Path]) -> list[str]:
    """What in the eval file the documents cannot support."""
    texts = cleaned_texts(folders)
    found = []
    for q in load_questions(questions_path):
        missing = [s for s in q.expected_sources if s not in texts]
        found += [f"{q.id}: source {s!r} is in none of the folders" for s in missing]
        held = [texts[s] for s in q.expected_sources if s in texts]
        for fact in q.key_facts:
            alternatives = [a.strip() for a in fact.split("|") if a.strip()]
            if held and not any(fact_found(alternatives, text) for text in held):
                found.append(f"{q.id}: key fact {fact!r} is in none of {q.expected_sources}")
    return found


def main(argv: list[str]) -> int:
    """Check ``argv[0]`` (an eval file) against the folders that follow it."""
    if len(argv) < 2:
        print(__doc__)
        return 2
    found = problems(Path(argv[0]), [Path(a) for a in argv[1:]])
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
