"""Prompt templates, kept as Markdown files beside this module and loaded by name."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def load_prompt(name: str) -> str:
    """The text of ``prompts/<name>.md``."""
    path = _HERE / f"{name}.md"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in _HERE.glob("*.md")))
        raise FileNotFoundError(f"no prompt named {name!r} in {_HERE} (known: {known})")
    return path.read_text(encoding="utf-8").strip()
