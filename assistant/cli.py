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
