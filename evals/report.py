"""Results out: the summary table, the JSON file, the comparison of two runs, the HTML report."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

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
    ("grounding.supported_sentences", "grounded sentences", True),
    ("citations.precision", "citation precision", True),
    ("citations.recall", "citation recall", True),
    ("abstention.refused_unanswerable", "refused unanswerable", True),
    ("abstention.refused_answerable", "refused answerable", False),
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
    """A self-contained report: summary vs baseline, charts, definitions, per-question table."""
    e = html.escape
    baseline = next((r for r in results if r["system"] == "textbook"), None)
    compared = [r for r in results if r is not baseline] if baseline else []
    head = "".join(f"<th>{e(r['system'])}</th>" for r in results) + "".join(
        f"<th>{e(r['system'])} vs baseline</th>" for r in compared
    )
    rows = []
    for key, label, higher_better in METRICS:
        cells = "".join(f"<td>{_fmt(key, get(r, key))}</td>" for r in results)
        for r in compared:
            a, b = get(r, key), get(baseline, key)
            if a is None or b is None:
                cells += "<td>–</td>"
                continue
            diff = a - b
            good = (diff > 0) == higher_better if diff else None
            colour = {True: "#1b5e20", False: "#b00020", None: "#555"}[good]
            text = f"{diff:+.0f}" if key.endswith(("_ms", "chars")) else f"{diff:+.3f}"
            cells += f'<td style="color:{colour}">{text}</td>'
        rows.append(f"<tr><th>{e(label)}</th>{cells}</tr>")
    charts = "".join(
        f'<figure><img alt="{e(t)}" src="{src}"><figcaption>{e(t)}</figcaption></figure>'
        for t, src in _charts(results)
    )
    sections = []
    for r in results:
        trs = []
        for row in r["per_question"]:
            c = row["checks"]
            facts_ok = all(c["facts_in_answer"]) if row["answerable"] else None
            right = (row["abstained"] != row["answerable"]) and (facts_ok is not False)
            status = "ok" if right else "fail"
            facts = "".join(
                f'<li class="{"yes" if f else "no"}">{e(fact)}</li>'
                for fact, f in zip(row["key_facts"], c["facts_in_answer"], strict=False)
            )
            trs.append(
                f'<tr class="{status}"><td>{e(row["id"])}</td>'
                f"<td>{e(' / '.join(row['history']))}{' → ' if row['history'] else ''}"
                f"{e(row['question'])}</td>"
                f"<td>{'yes' if row['answerable'] else 'no'}</td>"
                f"<td>{'refused' if row['abstained'] else e(row['answer'][:600])}</td>"
                f"<td><ul>{facts}</ul></td>"
                f"<td>{e(', '.join(row['retrieved_sources']))}</td>"
                f"<td>{'✓' if c['hit_at_k'] else '✗'}</td>"
                f"<td>{row['latency_ms']:.0f}</td></tr>"
            )
        sections.append(
            f"<h2>Per question: {e(r['system'])}</h2>"
            "<table class=pq><tr><th>id</th><th>question</th><th>answerable</th><th>answer"
            "</th><th>key facts in answer</th><th>retrieved sources</th><th>hit</th>"
            f"<th>ms</th></tr>{''.join(trs)}</table>"
        )
    definitions = e(metrics.__doc__ or "")
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Eval report: {e(questions_name)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px;color:#1b1b1b}}
table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #ccc;padding:4px 8px;
font-size:13px;vertical-align:top;text-align:left}}.pq tr.fail{{background:#fdecea}}
.pq tr.ok{{background:#eef8ee}}li.no{{color:#b00020}}li.yes{{color:#1b5e20}}
figure{{display:inline-block;margin:0 1rem 1rem 0}}img{{max-width:100%}}
pre{{white-space:pre-wrap;background:#f6f6f6;padding:1rem}}
</style></head><body>
<h1>Answer quality on {e(questions_name)}</h1>
<p>{len(results[0]["per_question"])} questions; systems: {
        e(", ".join(r["system"] for r in results))
    }.
Rows in red below are questions a system got wrong.</p>
<table><tr><th>metric</th>{head}</tr>{"".join(rows)}</table>
{charts}
<h2>How each metric is defined</h2><pre>{definitions}</pre>
{"".join(sections)}
<h2>Configuration</h2><pre>{e(json.dumps([r["config"] for r in results], indent=1))}</pre>
</body></html>"""
    Path(path).write_text(page, encoding="utf-8")
