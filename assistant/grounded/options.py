"""The LLM path's options: the endpoint, and the verifier's thresholds."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LLMOptions(BaseModel):
    """An optional OpenAI-compatible endpoint (e.g. llama.cpp's server)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = Field(None, description="e.g. http://127.0.0.1:8080/v1; unset: no LLM.")
    model: str = Field("local", description="Model name sent to the endpoint.")
    api_key: str = Field("none", description="Key for the endpoint (local servers ignore it).")
    context_window: int = Field(2048, ge=256, description="Model context, in tokens.")
    max_answer_tokens: int = Field(256, ge=16, description="Longest answer asked for.")
    timeout_s: float = Field(120.0, gt=0, description="Per request.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")
    structured_output: bool = Field(
        True,
        description="Ask for JSON (sentences, each with the passage numbers it cites) "
        "constrained by a schema; endpoints that take no schema get the plain prompt.",
    )


class VerifyOptions(BaseModel):
    """What an LLM sentence needs from the passages it cites to stay."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verify_min_similarity: float = Field(
        0.55,
        ge=0,
        le=1,
        description="LLM sentence kept only if this similar to a sentence it cites...",
    )
    verify_min_support: float = Field(
        0.5,
        ge=0,
        le=1,
        description="...and this share of its content words occur in the cited passages.",
    )
    verify_min_kept: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Below this share of LLM "
        "sentences surviving, the extractive answer is returned.",
    )
