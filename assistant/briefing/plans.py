"""The briefing's retrieval plans, read from ``prompts/briefing/*.toml``.

What each section looks for (queries, terms, facets, patterns) and how each audience
tailors the pack live in those files; nothing about a particular corpus is in code.
Each file is checked strictly: an unknown or missing field is an error naming the file.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

PLANS_DIR = Path(__file__).resolve().parents[2] / "prompts" / "briefing"
# Sections a plan may order; "focus" is added in front when a focus is given.
SECTION_KEYS = ("organisation", "people", "medicines", "timeline", "glossary", "gaps", "sources")


class PlanError(ValueError):
    """A plan file is missing or does not say what it must."""


class _Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TopicPlan(_Plan):
    """One sub-heading of a section: what to retrieve and what a line must mention."""

    heading: str
    queries: list[str] = Field(min_length=1)
    mention_any: list[str] = Field(default_factory=list)
    max_lines: int = Field(3, ge=1, le=10)
    k: int = Field(6, ge=1, le=30, description="Passages retrieved per query.")


class PackPlan(_Plan):
    """Title and opening note of the whole pack."""

    title: str
    intro: str


class TopicSectionPlan(_Plan):
    """A section made of retrieved topics (organisation, medicines optimisation)."""

    title: str
    intro: str
    topics: list[TopicPlan] = Field(min_length=1)
    # When set, the section draws the structure map under this heading (organisation).
    map_heading: str | None = None


class FocusPlan(_Plan):
    """The section added in front for ``--focus``; ``{focus}`` is filled in."""

    title: str
    intro: str
    queries: list[str] = Field(min_length=1)
    max_lines: int = Field(6, ge=1, le=12)
    empty_note: str
    weight: float = Field(0.25, ge=0, le=1)


class FacetPlan(_Plan):
    """One facet of a who's-who card."""

    key: str
    label: str
    prototype: str
    cues: list[str] = Field(default_factory=list)


class PeoplePlan(_Plan):
    """How roles are found and how their cards are filled."""

    title: str
    intro: str
    role_heads: list[str] = Field(min_length=1)
    llm_instructions: str
    max_per_facet: int = Field(2, ge=1, le=5)
    max_cards: int = Field(16, ge=1)
    anaphors: list[str] = Field(default_factory=list)
    anaphor_window: int = Field(10, ge=1)
    cue_bonus: float = Field(0.15, ge=0, le=1)
    facets: list[FacetPlan] = Field(min_length=1)


class SupersessionPlan(_Plan):
    """Patterns by which a later statement reports a body replaced (``{old}``)."""

    patterns: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_placeholder(self) -> SupersessionPlan:
        for pattern in self.patterns:
            if "{old}" not in pattern:
                raise ValueError(f"supersession pattern {pattern!r} lacks {{old}}")
        return self


class TimelinePlan(_Plan):
    """How dated statements are found and ordered."""

    title: str
    intro: str
    queries: list[str] = Field(min_length=1)
    per_document: int = Field(2, ge=0)
    max_document_dated: int = Field(8, ge=0)
    qualifiers: dict[str, int] = Field(default_factory=dict)
    supersession: SupersessionPlan


class GlossaryPlan(_Plan):
    """Terms whose definitions are looked for, and what a definition looks like."""

    title: str
    intro: str
    terms: list[str] = Field(default_factory=list)
    definition_patterns: list[str] = Field(default_factory=list)


class GapsPlan(_Plan):
    """The standard newcomer questions."""

    title: str
    intro: str
    answered_note: str
    questions: list[str] = Field(min_length=1)


class SourcesPlan(_Plan):
    """Headings of the sources section."""

    title: str
    intro: str
    documents_heading: str
    passages_heading: str


class AudiencePlan(_Plan):
    """How one audience tailors the pack."""

    label: str
    order: list[str]
    emphasis: str
    emphasis_weight: float = Field(0.15, ge=0, le=1)
    extra_topics: dict[str, list[TopicPlan]] = Field(default_factory=dict)
    extra_questions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_sections(self) -> AudiencePlan:
        unknown = [k for k in [*self.order, *self.extra_topics] if k not in SECTION_KEYS]
        if unknown:
            raise ValueError(f"unknown section(s) {unknown}; known: {list(SECTION_KEYS)}")
        if sorted(self.order) != sorted(SECTION_KEYS):
            missing = sorted(set(SECTION_KEYS) - set(self.order))
            raise ValueError(f"order must name every section once (missing: {missing})")
        if self.order[-1] != "sources":
            raise ValueError("order must end with 'sources' (the references close the pack)")
        return self


class AudiencesPlan(_Plan):
    """Every audience, by the name the CLI takes."""

    audiences: dict[str, AudiencePlan] = Field(min_length=1)


class BriefingPlans(_Plan):
    """All the plan files, read together."""

    pack: PackPlan
    organisation: TopicSectionPlan
    medicines: TopicSectionPlan
    focus: FocusPlan
    people: PeoplePlan
    timeline: TimelinePlan
    glossary: GlossaryPlan
    gaps: GapsPlan
    sources: SourcesPlan
    audiences: dict[str, AudiencePlan]

    def audience(self, name: str) -> AudiencePlan:
        """The plan of audience ``name``; the error lists the known ones."""
        if name not in self.audiences:
            known = ", ".join(self.audiences)
            raise PlanError(f"unknown audience {name!r}; known: {known}")
        return self.audiences[name]


PlanT = TypeVar("PlanT", bound=_Plan)


def _read(directory: Path, name: str, model: type[PlanT]) -> PlanT:
    path = directory / f"{name}.toml"
    if not path.is_file():
        raise PlanError(f"briefing plan {path} is missing")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return model.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{path}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}" for e in exc.errors()
        )
        raise PlanError(f"{path}: {problems}") from exc


@cache
def load_plans(directory: Path = PLANS_DIR) -> BriefingPlans:
    """Every briefing plan file in ``directory``, validated."""
    return BriefingPlans(
        pack=_read(directory, "pack", PackPlan),
        organisation=_read(directory, "organisation", TopicSectionPlan),
        medicines=_read(directory, "medicines", TopicSectionPlan),
        focus=_read(directory, "focus", FocusPlan),
        people=_read(directory, "people", PeoplePlan),
        timeline=_read(directory, "timeline", TimelinePlan),
        glossary=_read(directory, "glossary", GlossaryPlan),
        gaps=_read(directory, "gaps", GapsPlan),
        sources=_read(directory, "sources", SourcesPlan),
        audiences=_read(directory, "audiences", AudiencesPlan).audiences,
    )
