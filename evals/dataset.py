"""Eval sets: JSON Lines in the shared format, validated with line and field in every error."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class EvalQuestion(BaseModel):
    """One question of an eval set (see shared/EVAL_FORMAT.md)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    history: list[str] = Field(default_factory=list)
    expected_sources: list[str]
    key_facts: list[str]
    answerable: bool

    def fact_alternatives(self) -> list[list[str]]:
        """Each key fact as its '|'-separated alternatives."""
        return [[a.strip() for a in fact.split("|") if a.strip()] for fact in self.key_facts]


class EvalSetError(ValueError):
    """A malformed eval file; the message names the file, line and field."""


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read and validate an eval file; all problems are reported together."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalSetError(f"{path}: cannot be read ({exc})") from exc
    questions: list[EvalQuestion] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path} line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(data, dict):
            errors.append(
                f"{path} line {number}: expected a JSON object, got {type(data).__name__}"
            )
            continue
        try:
            question = EvalQuestion.model_validate(data)
        except ValidationError as exc:
            for problem in exc.errors():
                field = ".".join(str(p) for p in problem["loc"]) or "(line)"
                errors.append(f"{path} line {number}: field '{field}': {problem['msg']}")
            continue
        if question.id in seen:
            errors.append(
                f"{path} line {number}: field 'id': {question.id!r} already used on line "
                f"{seen[question.id]}"
            )
            continue
        if question.answerable and not question.key_facts and not question.expected_sources:
            errors.append(
                f"{path} line {number}: field 'key_facts': an answerable question needs "
                "key facts or expected sources"
            )
            continue
        seen[question.id] = number
        questions.append(question)
    if errors:
        raise EvalSetError("\n".join(errors))
    if not questions:
        raise EvalSetError(f"{path}: no questions")
    return questions
