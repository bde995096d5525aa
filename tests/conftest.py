"""Shared fixtures: one real embedding model per session, real Chroma stores in tmp_path."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
NHSA = VENV_BIN / "nhsa"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def _store_outside_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test (and every subprocess it starts) gets a throw-away default store."""
    data_dir = tmp_path / "default-data"
    monkeypatch.setenv("NHSA_STORE__DATA_DIR", str(data_dir))
    monkeypatch.delenv("NHSA_STORE__CHROMA_HOST", raising=False)
    monkeypatch.delenv("NHSA_STORE__CHROMA_PORT", raising=False)
    return data_dir


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """An empty folder of documents for this test to fill."""
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def embedder():
    """The real sentence-transformers model, loaded once for the whole session."""
    from vectorstore.embeddings import shared_embedder

    return shared_embedder()


class CountingFactory:
    """An embedder factory that remembers how often the job asked for the model."""

    def __init__(self, model) -> None:
        self.model = model
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.model


@pytest.fixture
def embedder_factory(embedder) -> CountingFactory:
    """What ``run_ingest`` takes: a callable returning the shared model, counting calls."""
    return CountingFactory(embedder)


@pytest.fixture
def store(tmp_path: Path):
    """A real embedded Chroma store in this test's tmp folder."""
    from vectorstore.chroma_store import ChunkStore

    return ChunkStore.open(tmp_path / "store")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The sample corpus beside the checkout (read only: never write into it)."""
    assert (CORPUS / "manifest.csv").is_file(), f"sample corpus not found at {CORPUS}"
    return CORPUS


def run_nhsa(
    *args: str | os.PathLike, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run the installed ``nhsa`` command; output captured as text."""
    return subprocess.run(
        [str(NHSA), *map(str, args)],
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def nhsa(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """``nhsa`` run from a tmp folder, so no ``.env`` of the checkout is read."""

    def run(*args: str | os.PathLike, env: dict[str, str] | None = None):
        return run_nhsa(*args, env=env, cwd=tmp_path)

    return run


def summary_table(stdout: str) -> dict[str, int]:
    """The numbers of the CLI's summary table (rich box drawing), by column."""
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if "┃" in line and "added" in line)
    row = next(line for line in lines[header + 1 :] if "│" in line)
    names = [cell.strip() for cell in lines[header].strip().strip("┃").split("┃")]
    cells = [cell.strip() for cell in row.strip().strip("│").split("│")]
    return {n: int(float(v)) for n, v in zip(names, cells, strict=True)}


# -- stores for the answer tests --------------------------------------------------------


def settings_for(data_dir: Path, **groups):
    """Default settings (no ``.env`` read) on the store in ``data_dir``, groups overridden."""
    from assistant.settings import Settings

    return Settings(_env_file=None, store={"data_dir": data_dir}, **groups)


def ingest_into(folder: Path, data_dir: Path, embedder):
    """Ingest ``folder`` into a store in ``data_dir``, chunked as the product does; no failures."""
    from ingest.job import run_ingest
    from vectorstore.chroma_store import ChunkStore

    settings = settings_for(data_dir)
    report = run_ingest(
        folder,
        ChunkStore.open(data_dir),
        lambda: embedder,
        chunking=settings.chunking,
        limits=settings.ingest,
    )
    assert not report.failed, report.failed
    return report


def guarded_eval(questions: Path, data_dir: Path, embedder, shown: list[str], label: str) -> dict:
    """The assistant's extractive eval of ``questions`` on the store in ``data_dir``, with
    the ``shown`` metrics printed (``pytest -s``) to re-set a quality guard's floors."""
    from assistant.api import Assistant
    from evals.runner import run_eval

    settings = settings_for(data_dir)
    [result] = run_eval(
        questions,
        systems=["assistant"],
        modes=["extractive"],
        settings=settings,
        assistant=Assistant(settings, embedder=embedder),
    )
    for key in sorted(shown):
        print(f"{label} {key} = {eval_metric(result, key):.3f}")
    return result


def eval_metric(result: dict, dotted: str) -> float:
    """One figure of an eval result by its dotted name ("answer.fact_recall")."""
    from evals.report import get

    value = get(result, dotted)
    assert value is not None, f"{dotted} missing from the result"
    return value


def assert_within_guard(result: dict, thresholds: dict, section: str, key: str) -> None:
    """The eval figure ``key`` at or above its floor, or at or below its ceiling, in
    evals/thresholds.toml's ``[section.floor]`` or ``[section.ceiling]``."""
    value = eval_metric(result, key)
    floor = thresholds[section]["floor"].get(key)
    ceiling = thresholds[section]["ceiling"].get(key)
    if floor is not None:
        assert value >= floor, (
            f"{key} fell to {value:.3f}, below the floor {floor} "
            f"in evals/thresholds.toml [{section}.floor]"
        )
    if ceiling is not None:
        assert value <= ceiling, (
            f"{key} rose to {value:.3f}, above the ceiling {ceiling} "
            f"in evals/thresholds.toml [{section}.ceiling]"
        )


@pytest.fixture(scope="session")
def corpus_data_dir(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, embedder) -> Path:
    """A store holding the sample corpus, ingested once for the whole session."""
    data_dir = tmp_path_factory.mktemp("corpus-data")
    ingest_into(corpus_dir, data_dir, embedder)
    return data_dir


@pytest.fixture(scope="session")
def widget_data_dir(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """A store holding the generated widget corpus (tests/widget_corpus.py), ingested once."""
    from widget_corpus import write_widget_corpus

    folder = write_widget_corpus(tmp_path_factory.mktemp("widget-corpus"))
    data_dir = tmp_path_factory.mktemp("widget-data")
    report = ingest_into(folder, data_dir, embedder)
    assert not report.manifest_errors, report.manifest_errors
    return data_dir


# -- the real browser ---------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser), once a session."""
    from playwright.sync_api import sync_playwright

    # scripts/install.sh installs it; fail saying so rather than skip quietly
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run `bash scripts/install.sh`"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# -- the real local LLM -------------------------------------------------------------------


def require_llama_cpp() -> None:
    """Skip where llama.cpp is not installed; fail instead where NHSA_REQUIRE_LOCAL_LLM is set.

    ``make test`` sets it, so a broken ``make llm`` can never pass as skipped tests.
    """
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        reason = f"llama_cpp is not importable ({exc}): run `make llm`"
        if os.environ.get("NHSA_REQUIRE_LOCAL_LLM"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def llama_server():
    """One real llama.cpp server with SmolLM2 for the whole session (start-up takes seconds)."""
    from assistant.grounded.local_server import LlamaServer

    require_llama_cpp()
    # A small context keeps the server's memory down; the test prompts are short.
    with LlamaServer(n_ctx=2048) as server:
        yield server


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End the test process as soon as pytest has reported, with pytest's exit status.

    Seen once in CI (2026-12-07): every test passed and the summary was printed, then the
    interpreter's shutdown crashed with SIGSEGV while native libraries (Chroma's Rust
    bindings, torch, llama.cpp) tore down their threads, and make failed with 139. The
    results are final by now; nothing after this point can change them."""
    import sys

    status = getattr(config, "_nhsa_exit_status", None)
    if status is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(status))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config._nhsa_exit_status = exitstatus  # type: ignore[attr-defined]
