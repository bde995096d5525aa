"""Results out: the summary table, the JSON file, the comparison of two runs, the HTML report."""

from __future__ import annotations

import base64
import io
import json
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader
from rich.console import Console
from rich.table import Table

from evals import metrics

# (dotted key, label, higher is better)
METRICS: list[tuple[str, str, bool]] = [
    ("retrieval.recall_at_k", "recall@k", True),
    ("retrieval.recall_at_4", "recall@4", True),
    ("retrieval.mrr", "MRR", True),
    ("retrieval.fact_context_recall", "key-fact context recall", True),
    ("retrieval.context_chars", "context passed on (chars)", False),
    ("answer.fact_recall", "answer key-fact recall", True),
    ("answer.fully_answered", "fully answered", True),
    ("answer.median_chars", "median answer (chars)", False),
    ("grounding.supported_sentences", "grounded sentences", True),
    ("citations.precision", "citation precision", True),
    ("citations.recall", "citation recall", True),
    ("abstention.refused_unanswerable", "refused unanswerable", True),
    ("abstention.refused_answerable", "refused answerable", False),
    ("llm.kept_share", "LLM sentences kept", True),
    ("llm.fallback_rate", "LLM fallback rate", False),
    ("latency.p50_ms", "latency p50 (ms)", False),
    ("latency.p95_ms", "latency p95 (ms)", False),
]


def get(result: dict, dotted: str) -> float | None:
    """A metric by dotted key ("retrieval.mrr"), or None when absent."""
    value = result
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value if isinstance(value, (int, float)) else None


def _fmt(key: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if key.endswith(("_ms", "chars")) else f"{value:.3f}"


def print_summary(results: list[dict], console: Console) -> None:
    """One row per metric, one column per system."""
    table = Table(title="Answer quality")
    table.add_column("metric")
    for r in results:
        table.add_column(r["system"], justify="right")
    for key, label, _ in METRICS:
        table.add_row(label, *(_fmt(key, get(r, key)) for r in results))
    console.print(table)


def write_json(results: list[dict], path: Path) -> None:
    """The first system's result at the top level (the one compared), the others beside it."""
    primary = dict(results[0])
    primary["others"] = {r["system"]: r for r in results[1:]}
    Path(path).write_text(json.dumps(primary, indent=1, ensure_ascii=False), encoding="utf-8")


def compare_results(a_path: Path, b_path: Path) -> Table:
    """Per-metric difference between two JSON results (B minus A)."""
    a = json.loads(Path(a_path).read_text(encoding="utf-8"))
    b = json.loads(Path(b_path).read_text(encoding="utf-8"))
    table = Table(title=f"{a.get('system')} ({a_path}) -> {b.get('system')} ({b_path})")
    for col in ("metric", "A", "B", "B - A"):
        table.add_column(col, justify="right" if col != "metric" else "left")
    for key, label, higher_better in METRICS:
        va, vb = get(a, key), get(b, key)
        if va is None or vb is None:
            delta = "–"
        else:
            diff = vb - va
            better = diff > 0 if higher_better else diff < 0
            colour = "green" if better else "red" if diff else "white"
            delta = (
                f"[{colour}]{diff:+.3f}[/{colour}]"
                if not key.endswith(("_ms", "chars"))
                else f"[{colour}]{diff:+.0f}[/{colour}]"
            )
        table.add_row(label, _fmt(key, va), _fmt(key, vb), delta)
    return table


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _charts(results: list[dict]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    quality = [(k, label) for k, label, _ in METRICS if not k.endswith(("_ms", "chars"))]
    fig, ax = plt.subplots(figsize=(9, 4.2))
    width = 0.8 / max(1, len(results))
    x = np.arange(len(quality))
    for i, r in enumerate(results):
        ax.bar(x + i * width, [get(r, k) or 0 for k, _ in quality], width, label=r["system"])
    ax.set_xticks(
        x + width * (len(results) - 1) / 2,
        [lbl for _, lbl in quality],
        rotation=35,
        ha="right",
        fontsize=8,
    )
    ax.set_ylim(0, 1.05)
    ax.set_title("Quality metrics per system")
    ax.legend(fontsize=8)
    charts = [("Quality metrics per system", _png(fig))]
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(9, 3.2))
    data = [[row["latency_ms"] for row in r["per_question"]] for r in results]
    ax.boxplot(data, vert=False, showfliers=True)
    ax.set_yticks(range(1, len(results) + 1), [r["system"] for r in results])
    ax.set_xscale("log")
    ax.set_xlabel("ms per question (log scale)")
    ax.set_title("Latency distribution")
    charts.append(("Latency distribution", _png(fig)))
    plt.close(fig)
    return charts


def write_html(results: list[dict], path: Path, questions_name: str) -> None:
    """A self-contained report: summary vs baseline, charts, definitions, per-question table.

    Rendered from ``evals/templates/report.html.j2`` with autoescaping: questions, answers
    and key facts are document and user text, shown as text.
    """
    baseline = next((r for r in results if r["system"] == "textbook"), None)
    compared = [r for r in results if r is not baseline] if baseline else []
    summary = []
    for key, label, higher_better in METRICS:
        diffs = []
        for r in compared:
            a, b = get(r, key), get(baseline, key) if baseline else None
            if a is None or b is None:
                diffs.append({"text": "–", "verdict": "same"})
                continue
            diff = a - b
            verdict = "same" if not diff else ("better" if (diff > 0) == higher_better else "worse")
            text = f"{diff:+.0f}" if key.endswith(("_ms", "chars")) else f"{diff:+.3f}"
            diffs.append({"text": text, "verdict": verdict})
        values = [_fmt(key, get(r, key)) for r in results]
        summary.append({"label": label, "cells": values, "diffs": diffs})
    page = (
        _environment()
        .get_template("report.html.j2")
        .render(
            questions_name=questions_name,
            question_count=len(results[0]["per_question"]),
            systems=[r["system"] for r in results],
            compared=[r["system"] for r in compared],
            summary=summary,
            charts=[{"title": t, "src": src} for t, src in _charts(results)],
            definitions=metrics.__doc__ or "",
            per_question=[{"name": r["system"], "rows": _rows(r)} for r in results],
            configuration=json.dumps([r["config"] for r in results], indent=1),
        )
    )
    Path(path).write_text(page, encoding="utf-8")


def _rows(result: dict) -> list[dict]:
    """The per-question rows of one system, with whether each was right."""
    rows = []
    for row in result["per_question"]:
        c = row["checks"]
        facts_ok = all(c["facts_in_answer"]) if row["answerable"] else None
        rows.append(
            {
                **row,
                "right": (row["abstained"] != row["answerable"]) and (facts_ok is not False),
                "facts": list(zip(row["key_facts"], c["facts_in_answer"], strict=False)),
                "hit": c["hit_at_k"],
            }
        )
    return rows


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("evals", "templates"), autoescape=True)
