"""The command line: one entry point, a subcommand per job.

Heavy libraries (Chroma, sentence-transformers) are imported inside the commands that
need them, so ``--help`` and light commands start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.settings import Settings

app = typer.Typer(
    help="NHS field assistant: ingest documents, ask cited questions.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
console = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Store folder (overrides NHSA_STORE__DATA_DIR)."),
]


@app.callback()
def _group() -> None:
    """NHS field assistant: ingest documents, ask cited questions."""


def load_settings(data_dir: Path | None = None) -> Settings:
    """Read the settings once, applying command-line overrides."""
    try:
        return Settings().with_data_dir(data_dir)
    except Exception as exc:  # pydantic's message names the setting and the problem
        err.print(f"[red]Invalid settings:[/red] {exc}")
        raise typer.Exit(2) from exc


@app.command()
def ingest(
    folder: Annotated[Path, typer.Argument(help="Folder of documents (walked recursively).")],
    data_dir: DataDir = None,
) -> None:
    """Load, clean, chunk, embed and store the documents in FOLDER (incrementally)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from assistant import wiring
    from ingest.documents import DocumentError
    from ingest.job import run_ingest

    settings = load_settings(data_dir)
    store = wiring.open_store(settings)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("Embedding chunks", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            report = run_ingest(
                folder,
                store,
                lambda: wiring.embedder(settings),
                wiring.ingest_options(settings),
                on_progress,
            )
        except DocumentError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc

    for message in report.manifest_errors:
        err.print(f"[yellow]manifest:[/yellow] {message}")
    for outcome in report.failed:
        err.print(f"[red]failed[/red] {outcome.file}: {outcome.message}")
    for outcome in report.outcomes:
        if outcome.status == "removed":
            console.print(f"removed {outcome.source_id} ({outcome.message})")
    if report.skipped:
        console.print(f"skipped (not a document): {', '.join(report.skipped)}")

    table = Table(title=f"Ingest of {report.folder}")
    for column in ("added", "updated", "unchanged", "removed", "failed", "chunks", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        *(str(report.count(s)) for s in ("added", "updated", "unchanged", "removed", "failed")),
        str(store.count()),
        f"{report.seconds:.2f}",
    )
    console.print(table)
    if report.cleaning_removed:
        removed = ", ".join(
            f"{rule} {chars} chars/{report.cleaning_hits[rule]}x"
            for rule, chars in sorted(report.cleaning_removed.items())
            if chars or report.cleaning_hits[rule]
        )
        console.print(f"cleaning removed: {removed}")
    if report.garbage_collected:
        console.print(f"collected {report.garbage_collected} chunk(s) left by an interrupted run")
    if report.failed:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app()


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain English.")],
    history: Annotated[
        list[str] | None,
        typer.Option(
            "--history",
            "-H",
            help="An earlier question of the conversation (repeat, oldest first).",
        ),
    ] = None,
    mode: Annotated[str | None, typer.Option(help="extractive or llm (default: setting).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole Answer as JSON.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Answer QUESTION from the ingested documents, with numbered citations."""
    from assistant.api import Assistant

    settings = load_settings(data_dir)
    if mode not in (None, "extractive", "llm"):
        err.print(f"[red]--mode must be extractive or llm, not {mode!r}[/red]")
        raise typer.Exit(2)
    assistant = Assistant.from_settings(settings)
    if assistant.store.count() == 0:
        err.print(
            f"[red]The store in {settings.store.data_dir} is empty: run "
            "`nhsa ingest FOLDER` first.[/red]"
        )
        raise typer.Exit(2)
    try:
        answer = assistant.ask(question, history or None, mode)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    from rich.markup import escape

    style = "yellow" if answer.abstained else "default"
    console.print(escape(answer.text), style=style)
    if answer.fallback:
        console.print(
            f"[dim](LLM answer not supported by the passages: "
            f"{escape(answer.fallback_reason or '')}; extractive answer shown)[/dim]"
        )
    for c in answer.citations:
        console.print(f"[{c.n}] {escape(c.label())}", style="dim", highlight=False)


@app.command("eval")
def eval_(
    questions: Annotated[Path | None, typer.Option(help="Eval set (JSON Lines).")] = None,
    mode: Annotated[str, typer.Option(help="extractive, llm or all.")] = "all",
    system: Annotated[str, typer.Option(help="assistant, textbook or both.")] = "both",
    k: Annotated[int | None, typer.Option(help="Passages per question (default: setting).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write results as JSON.")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write an HTML report.")] = None,
    compare: Annotated[
        list[Path] | None,
        typer.Option(
            help="Compare two earlier --json results: --compare A.json --compare "
            "B.json (or --compare A.json B.json)."
        ),
    ] = None,
    extra: Annotated[list[Path] | None, typer.Argument(hidden=True)] = None,
    data_dir: DataDir = None,
) -> None:
    """Measure answer quality on an eval set; compare systems, modes or two runs."""
    from evals.report import compare_results, print_summary, write_html, write_json

    if compare:
        files = [*compare, *(extra or [])]
        if len(files) != 2:
            err.print("[red]--compare takes exactly two JSON files[/red]")
            raise typer.Exit(2)
        console.print(compare_results(files[0], files[1]))
        return
    if questions is None:
        err.print("[red]--questions FILE is required (or --compare A.json B.json)[/red]")
        raise typer.Exit(2)
    systems = {
        "both": ["assistant", "textbook"],
        "assistant": ["assistant"],
        "textbook": ["textbook"],
    }.get(system)
    modes = {"all": ["extractive", "llm"], "extractive": ["extractive"], "llm": ["llm"]}.get(mode)
    if systems is None or modes is None:
        err.print(
            "[red]--system must be assistant, textbook or both; --mode extractive, llm or all[/red]"
        )
        raise typer.Exit(2)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from evals.dataset import EvalSetError, load_questions
    from evals.runner import build_systems, evaluate

    settings = load_settings(data_dir)
    try:
        loaded = load_questions(questions)
    except EvalSetError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if mode == "llm" and not settings.llm.base_url:
        err.print("[red]--mode llm needs NHSA_LLM__BASE_URL[/red]")
        raise typer.Exit(2)
    built = build_systems(systems, modes, settings, k=k)
    k = k or settings.retrieval.k
    results = []
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        for sys_ in built:
            task = progress.add_task(sys_.name, total=len(loaded))
            results.append(evaluate(sys_, loaded, k, lambda t=task: progress.advance(t)))
    print_summary(results, console)
    if json_out:
        write_json(results, json_out)
        console.print(f"wrote {json_out}")
    if html_out:
        write_html(results, html_out, str(questions))
        console.print(f"wrote {html_out}")
