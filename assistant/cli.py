"""The command line: one entry point, a subcommand per job.

Heavy libraries (Chroma, sentence-transformers) are imported inside the commands that
need them, so ``--help`` and light commands start fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.answer import AnswerMode
from assistant.settings import Settings
from vectorstore.errors import StoreUnavailable

if TYPE_CHECKING:  # the ingest job loads Chroma: imported by the command that runs it
    from ingest.job import IngestReport
    from vectorstore.writer_lease import Holder


class EvalMode(StrEnum):
    """Which answer modes an eval runs."""

    EXTRACTIVE = "extractive"
    LLM = "llm"
    ALL = "all"


class EvalSystem(StrEnum):
    """Which systems an eval compares."""

    ASSISTANT = "assistant"
    TEXTBOOK = "textbook"
    BOTH = "both"


class Rating(StrEnum):
    """Which feedback to export."""

    ALL = "all"
    UP = "up"
    DOWN = "down"


class PackFormat(StrEnum):
    """The file formats of a briefing pack."""

    MD = "md"
    HTML = "html"
    DOCX = "docx"


app = typer.Typer(
    help="NHS field assistant: ingest documents, ask cited questions.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
# emoji=False: ":x:" in a document or file name is text, not an emoji. Markup in such
# text is escaped where it is printed (rich.markup.escape).
console = Console(emoji=False)
err = Console(stderr=True, emoji=False)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Store folder (overrides NHSA_STORE__DATA_DIR)."),
]
StoreName = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="The store's name (overrides NHSA_STORE__COLLECTION): on a Chroma server, "
        "this is what tells stores apart.",
    ),
]


@app.callback()
def _group() -> None:
    """NHS field assistant: ingest documents, ask cited questions."""


def load_settings(data_dir: Path | None = None, store_name: str | None = None) -> Settings:
    """Read the settings once, applying command-line overrides."""
    from pydantic import ValidationError

    try:
        settings = Settings().with_data_dir(data_dir, store_name)
    except ValidationError as exc:  # one line per bad setting, named as it is set
        for problem in exc.errors():
            name = ".".join(str(part) for part in problem["loc"])
            variable = "NHSA_" + "__".join(str(part) for part in problem["loc"]).upper()
            reason = problem["msg"].removeprefix("Value error, ")
            err.print(
                f"[red]Invalid setting[/red] {escape(name)} ({variable}): {escape(reason)}",
                highlight=False,
            )
        raise typer.Exit(2) from exc
    except Exception as exc:  # e.g. an unreadable .env file
        err.print(f"[red]Invalid settings:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc
    s = settings.store
    if data_dir is not None and s.chroma_host and store_name is None:
        err.print(
            f"[yellow]note:[/yellow] on the Chroma server at {s.chroma_host}:{s.chroma_port} "
            f"stores are told apart by name (--store), not by --data-dir: using the store "
            f"{escape(s.collection)!r}",
            highlight=False,
        )
    return settings


def progress_bar(*, disable: bool = False):
    """The progress bar every long command shows (``disable`` for machine-read output)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=disable,
    )


def store_label(settings: Settings) -> str:
    """The store as a user knows it: a folder, or a name on a server."""
    s = settings.store
    if s.chroma_host:
        return f"{s.collection!r} on the Chroma server at {s.chroma_host}:{s.chroma_port}"
    return f"in {s.data_dir}"


def open_assistant(settings: Settings):
    """The assistant on the settings' store; exit 2 with a hint when the store is empty."""
    from assistant.api import Assistant

    assistant = Assistant.from_settings(settings)
    if not assistant.library():
        err.print(
            f"[red]The store {escape(store_label(settings))} is empty: run "
            "`nhsa ingest FOLDER` first.[/red]"
        )
        raise typer.Exit(2)
    return assistant


@app.command()
def ingest(
    folder: Annotated[Path, typer.Argument(help="Folder of documents (walked recursively).")],
    data_dir: DataDir = None,
    store_name: StoreName = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the summary as one JSON object (no table, no progress bar)."
        ),
    ] = False,
) -> None:
    """Load, clean, chunk, embed and store the documents in FOLDER (incrementally)."""

    from assistant import wiring
    from ingest.documents import DocumentError
    from ingest.job import run_ingest

    settings = load_settings(data_dir, store_name)
    store = wiring.open_store(settings)
    with progress_bar(disable=as_json) as progress:
        task = progress.add_task("Ingesting documents", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        def on_wait(holder: Holder) -> None:
            since = datetime.fromtimestamp(holder.since).strftime("%H:%M:%S")
            err.print(
                f"Waiting for another ingest into this store to finish (pid {holder.pid} on "
                f"{escape(holder.host)}, writing since {since})",
                highlight=False,
            )

        try:
            report = run_ingest(
                folder,
                store,
                lambda: wiring.embedder(settings),
                chunking=settings.chunking,
                limits=settings.ingest,
                on_progress=on_progress,
                on_wait=on_wait,
            )
        except DocumentError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc

    try:
        chunks_in_store: int | str = store.count()
    except Exception as exc:  # the store went away after the run: the report still shows
        report.store_errors.append(f"could not count the store's chunks ({exc})")
        chunks_in_store = "?"
    if as_json:
        # Plain print: rich would read markup and emoji codes in file names and reasons.
        print(json.dumps(report.summary(chunks_in_store), ensure_ascii=False))
        raise typer.Exit(1 if report.has_errors else 0)
    print_ingest_report(report, chunks_in_store)
    if report.has_errors:
        raise typer.Exit(1)


def print_ingest_report(report: IngestReport, chunks_in_store: int | str) -> None:
    """The run for a person: problems first (stderr), then what changed, then the table.
    File names, reasons and document text are escaped: ``notes [draft].txt`` is a name."""
    from ingest.job import Status

    for message in report.manifest_errors:
        err.print(f"[yellow]manifest:[/yellow] {escape(message)}", highlight=False)
    for folder in report.unreadable_folders:
        err.print(
            f"[red]cannot read folder[/red] {escape(folder)} (its stored documents are kept)",
            highlight=False,
        )
    for outcome in report.failed:
        err.print(
            f"[red]failed[/red] {escape(outcome.file)}: {escape(outcome.message)}",
            highlight=False,
        )
    for message in report.store_errors:
        err.print(f"[red]store:[/red] {escape(message)}", highlight=False)
    for outcome in report.outcomes:
        if outcome.status == Status.REMOVED:
            console.print(
                f"removed {escape(outcome.source_id)} ({escape(outcome.message)})", highlight=False
            )
    by_reason: dict[str, list[str]] = {}
    for skipped in report.skipped:
        by_reason.setdefault(skipped.reason, []).append(skipped.file)
    for reason, files in by_reason.items():
        console.print(f"skipped ({escape(reason)}): {escape(', '.join(files))}", highlight=False)
    for file, spans in sorted(report.flagged.items()):
        console.print(
            f"[yellow]instructions kept out of answers[/yellow] {escape(file)}: "
            f"{len(spans)} sentence(s), first “{escape(spans[0].excerpt)}”",
            highlight=False,
        )

    table = Table(title=f"Ingest of {escape(report.folder)}")
    for column in (*Status, "chunks", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        *(str(report.count(s)) for s in Status),
        str(chunks_in_store),
        f"{report.seconds:.2f}",
    )
    console.print(table)
    removed = ", ".join(
        f"{rule} {chars} chars/{report.cleaning_hits[rule]}x"
        for rule, chars in sorted(report.cleaning_removed.items())
        if chars or report.cleaning_hits[rule]
    )
    if removed:
        console.print(f"cleaning removed: {escape(removed)}", highlight=False)
    if report.garbage_collected:
        console.print(f"collected {report.garbage_collected} chunk(s) left by an interrupted run")


def main() -> None:
    """Console-script entry point: a store that cannot be opened is one clear line."""
    try:
        app()
    except StoreUnavailable as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
        raise SystemExit(2) from None


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
    mode: Annotated[AnswerMode | None, typer.Option(help="Answer mode (default: setting).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole Answer as JSON.")
    ] = False,
    data_dir: DataDir = None,
    store_name: StoreName = None,
) -> None:
    """Answer QUESTION from the ingested documents, with numbered citations."""

    from assistant.api import checked_question

    try:  # before the model loads: an empty question is refused at once
        question = checked_question(question)
    except ValueError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    settings = load_settings(data_dir, store_name)
    assistant = open_assistant(settings)
    try:
        answer = assistant.ask(question, history or None, mode)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
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
    mode: Annotated[EvalMode, typer.Option(help="Answer modes to run.")] = EvalMode.ALL,
    system: Annotated[EvalSystem, typer.Option(help="Systems to compare.")] = EvalSystem.BOTH,
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
    store_name: StoreName = None,
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
    systems = ["assistant", "textbook"] if system == EvalSystem.BOTH else [str(system)]
    modes = [str(m) for m in AnswerMode] if mode == EvalMode.ALL else [str(mode)]

    from evals.dataset import EvalSetError, load_questions
    from evals.runner import run_eval

    settings = load_settings(data_dir, store_name)
    try:
        loaded = load_questions(questions)
    except EvalSetError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if mode == EvalMode.LLM and not settings.llm.base_url:
        err.print("[red]--mode llm needs NHSA_LLM__BASE_URL[/red]")
        raise typer.Exit(2)
    with progress_bar() as progress:

        def track(name: str, total: int) -> Callable[[], None]:
            return partial(progress.advance, progress.add_task(name, total=total))

        results = run_eval(loaded, systems, modes, k, settings, track=track)
    print_summary(results, console)
    if json_out:
        write_json(results, json_out)
        console.print(f"wrote {json_out}")
    if html_out:
        write_html(results, html_out, str(questions))
        console.print(f"wrote {html_out}")


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default: setting web.host, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (default: setting web.port).")
    ] = None,
    data_dir: DataDir = None,
    store_name: StoreName = None,
) -> None:
    """Start the chat web app on the store; loads everything once, then prints its URL."""
    from assistant.web.exposure import ExposureError, check_exposure

    settings = load_settings(data_dir, store_name)
    web = settings.web.model_copy(
        update={k: v for k, v in (("host", host), ("port", port)) if v is not None}
    )
    settings = settings.model_copy(update={"web": web})
    try:
        check_exposure(web)  # before the slow start-up, so a refusal is immediate
    except ExposureError as exc:
        err.print(f"[red]Refusing to start:[/red] {exc}")
        raise typer.Exit(2) from exc

    from assistant.api import Assistant
    from assistant.web.app import build_app, launch
    from assistant.web.feedback import FeedbackStore

    with console.status("Loading the model and the store"):
        assistant = Assistant.from_settings(settings)
        if not assistant.library():
            err.print(
                f"[yellow]The store {escape(store_label(settings))} is empty: run "
                "`nhsa ingest FOLDER` to give the assistant documents.[/yellow]"
            )
        else:
            assistant.ask("What is an integrated care system?")  # warm every index once
        demo = build_app(assistant, FeedbackStore.in_data_dir(settings.store.data_dir), settings)
    try:
        url = launch(demo, web)
    except OSError as exc:
        err.print(f"[red]Cannot listen on {web.host}:{web.port}:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"NHS field assistant running at {url}  (Ctrl+C to stop)", highlight=False)
    demo.block_thread()


class MapFormat(StrEnum):
    """What `nhsa map` writes."""

    JSON = "json"
    SVG = "svg"
    PNG = "png"


@app.command("map")
def map_(
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: stdout, json only).")
    ] = None,
    fmt: Annotated[MapFormat, typer.Option("--format", help="json, svg or png.")] = MapFormat.JSON,
    as_of_year: Annotated[
        int | None,
        typer.Option(
            "--as-of", min=1948, max=2100, help="Show the map as of this year (default: all)."
        ),
    ] = None,
    data_dir: DataDir = None,
    store_name: StoreName = None,
) -> None:
    """Draw how the NHS fits together, from the documents: every box and line cited."""
    from assistant.structure import as_of, library_map
    from assistant.structure.render import draw

    settings = load_settings(data_dir, store_name)
    from assistant.wiring import open_store

    store = open_store(settings)
    if not store.live_documents(findings=False):
        err.print(
            f"[red]The store {escape(store_label(settings))} is empty: run "
            "`nhsa ingest FOLDER` first.[/red]"
        )
        raise typer.Exit(2)
    structure = as_of(library_map(store), as_of_year)
    if fmt == MapFormat.JSON:
        data = structure.model_dump_json(indent=2).encode("utf-8")
    else:
        if out is None:
            err.print(f"[red]--format {fmt.value} needs --out FILE[/red]")
            raise typer.Exit(2)
        data = draw(structure, fmt.value)
    if out is None:
        typer.echo(data.decode("utf-8"))
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    console.print(
        f"{len(structure.nodes)} nodes, {len(structure.edges)} relations"
        f"{f' as of {as_of_year}' if as_of_year else ''} -> {escape(str(out))}",
        highlight=False,
    )


@app.command("feedback-export")
def feedback_export(
    out: Annotated[Path, typer.Option("--out", help="Eval file to write (JSON Lines).")],
    rating: Annotated[Rating, typer.Option(help="Which feedback.")] = Rating.ALL,
    data_dir: DataDir = None,
) -> None:
    """Write the chat's thumbs up/down as an eval file; key facts are left for a person."""
    from assistant.web.feedback import FILE_NAME, FeedbackStore, eval_rows, write_eval_file

    settings = load_settings(data_dir)
    path = settings.store.data_dir / FILE_NAME
    if not path.is_file():
        err.print(f"[red]No feedback yet: {path} does not exist.[/red]")
        raise typer.Exit(1)
    rows = eval_rows(FeedbackStore(path).records(), str(rating))
    if not rows:
        which = "" if rating == Rating.ALL else f"{rating} "
        err.print(f"[red]No {which}feedback to export in {path}.[/red]")
        raise typer.Exit(1)
    write_eval_file(rows, out)
    console.print(
        f"wrote {len(rows)} question(s) to {out}: fill in key_facts and check "
        "answerable before using it as an eval set",
        highlight=False,
    )


@app.command()
def brief(
    audience: Annotated[str, typer.Option(help="Who the pack is for: kam, market-access or msl.")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[PackFormat, typer.Option("--format", help="File format.")] = PackFormat.MD,
    focus: Annotated[
        str | None,
        typer.Option(
            help="A topic to lead with and weight retrieval towards, e.g. 'primary care networks'."
        ),
    ] = None,
    mode: Annotated[AnswerMode | None, typer.Option(help="Answer mode (default: setting).")] = None,
    data_dir: DataDir = None,
    store_name: StoreName = None,
) -> None:
    """Build a cited briefing pack for new field staff from the ingested documents."""
    from assistant.briefing import PlanError, load_plans

    try:
        audiences = load_plans().audiences
    except PlanError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    # The audiences are configuration (prompts/briefing/audiences.toml), not an enum.
    if audience not in audiences:
        problem = f"--audience must be one of {', '.join(audiences)}, not {audience!r}"
        err.print(f"[red]{escape(problem)}[/red]")
        raise typer.Exit(2)

    from assistant.briefing import build_briefing, render_html, render_markdown, write_docx

    settings = load_settings(data_dir, store_name)
    assistant = open_assistant(settings)
    with progress_bar() as progress:
        task = progress.add_task("Preparing", total=None)

        def on_progress(step: str, done: int, total: int) -> None:
            progress.update(task, description=escape(step), completed=done, total=total)

        try:
            pack = build_briefing(assistant.briefing_inputs(), audience, focus, mode, on_progress)
        except ValueError as exc:
            err.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(2) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == PackFormat.DOCX:
        write_docx(pack, out)
    else:
        text = render_markdown(pack) if fmt == PackFormat.MD else render_html(pack)
        out.write_text(text, encoding="utf-8")
    stats = pack.stats()
    console.print(
        f"wrote {out}: {stats['sections']} sections, {stats['cards']} cards, "
        f"{stats['timeline_events']} dated events, {stats['glossary_entries']} glossary "
        f"entries, {stats['gaps']} open questions, {stats['citations']} cited passages "
        f"({pack.mode}, {pack.build_seconds:.1f} s)",
        highlight=False,
    )
    for note in pack.fallbacks:
        console.print(f"[dim]extractive text kept: {escape(note)}[/dim]")
