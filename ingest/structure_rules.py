"""The structure map's vocabulary, read from ``prompts/structure.toml``.

Levels, kinds of thing and the wording of relations are configuration, checked strictly
(an unknown or missing field is an error naming the file). Nothing in them says that a
body exists: that comes from the documents.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

RULES_FILE = Path(__file__).resolve().parents[1] / "prompts" / "structure.toml"


class RulesError(ValueError):
    """The structure rules file is missing or does not say what it must."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelRule(_Rule):
    """A level of the NHS, top to bottom, and the words that place a body at it."""

    key: str = Field(pattern=r"^[a-z_]+$")
    label: str
    cues: list[str] = Field(min_length=1)


class KindRule(_Rule):
    """A kind of thing (body, committee, role), known by a name's last or first word."""

    key: str = Field(pattern=r"^[a-z_]+$")
    label: str
    heads: list[str] = Field(default_factory=list)
    leads: list[str] = Field(default_factory=list)


class RelationRule(_Rule):
    """A relation and its wordings: "A <forward> B" is A -> B, "A <reverse> B" is B -> A."""

    key: str = Field(pattern=r"^[a-z_]+$")
    label: str
    forward: list[str] = Field(min_length=1)
    reverse: list[str] = Field(default_factory=list)


class StructureRules(_Rule):
    """The whole vocabulary, with a fingerprint: findings made with other rules are stale."""

    levels: list[LevelRule] = Field(min_length=1)
    kinds: list[KindRule] = Field(min_length=1)
    relations: list[RelationRule] = Field(min_length=1)
    fingerprint: str = ""

    @model_validator(mode="after")
    def _unique_keys(self) -> StructureRules:
        for name, items in (("levels", self.levels), ("kinds", self.kinds)):
            keys = [i.key for i in items]
            if len(set(keys)) != len(keys):
                raise ValueError(f"{name}: a key is used twice ({keys})")
        keys = [r.key for r in self.relations]
        if len(set(keys)) != len(keys):
            raise ValueError(f"relations: a key is used twice ({keys})")
        return self

    def labels(self) -> dict[str, str]:
        """Level and kind keys -> their labels, for display."""
        labels = {r.key: r.label for r in self.levels}
        labels.update((r.key, r.label) for r in self.kinds)
        labels.update((r.key, r.label) for r in self.relations)
        return labels

    def kind_of(self, words: list[str]) -> str | None:
        """The kind of a name from its words (lower case, singular), or None."""
        if not words:
            return None
        last, first = words[-1], words[0]
        two = " ".join(words[-2:])
        for kind in self.kinds:
            if two in kind.heads or last in kind.heads or first in kind.leads:
                return kind.key
        return None

    @cached_property
    def relation_cues(self) -> Cues:
        """Every relation cue, longest first, as one pattern of named alternatives."""
        return _alternatives(
            (cue, f"{rule.key}:{direction}")
            for rule in self.relations
            for direction, cues in (("f", rule.forward), ("r", rule.reverse))
            for cue in cues
        )

    @cached_property
    def level_cues(self) -> Cues:
        """Every level cue, longest first."""
        return _alternatives((cue, level.key) for level in self.levels for cue in level.cues)

    @cached_property
    def head_words(self) -> frozenset[str]:
        """Every kind's heads and leads (single words)."""
        words = {w for kind in self.kinds for w in (*kind.heads, *kind.leads)}
        return frozenset(w for w in words if " " not in w)


@dataclass(frozen=True)
class Cues:
    """Phrases to find in a sentence, each with a tag ("replaced_by:f", "system")."""

    pattern: re.Pattern[str]
    tags: dict[str, str]

    def finditer(self, text: str) -> Iterator[tuple[re.Match[str], str]]:
        """Each cue in ``text`` (longest wording first at a position), with its tag."""
        for match in self.pattern.finditer(text):
            yield match, self.tags[match.lastgroup or ""]


def _alternatives(pairs: Iterable[tuple[str, str]]) -> Cues:
    """One case-insensitive pattern over (phrase, tag) pairs, longest phrase first."""
    ordered = sorted(pairs, key=lambda p: -len(p[0]))
    parts, tags = [], {}
    for i, (phrase, tag) in enumerate(ordered):
        words = r"\s+".join(re.escape(w) for w in phrase.split())
        parts.append(f"(?P<c{i}>{words})")
        tags[f"c{i}"] = tag
    # Not \b: a cue may begin or end with a bracket ("(places)").
    return Cues(re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE), tags)


@cache
def load_rules(path: Path = RULES_FILE) -> StructureRules:
    """The rules in ``path`` (RulesError names the file and what is wrong)."""
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: cannot read structure rules ({exc})") from exc
    try:
        rules = StructureRules.model_validate(data)
    except ValidationError as exc:
        raise RulesError(f"{path}: {exc}") from exc
    return rules.model_copy(update={"fingerprint": hashlib.sha256(raw).hexdigest()[:12]})


@cache
def default_rules() -> StructureRules:
    """The rules in prompts/structure.toml, read once per process (answers consult the
    kinds of bodies on every question)."""
    return load_rules()
