"""Starting the web app safely: loopback by default, a login required anywhere else."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from pydantic import SecretStr

from assistant.settings import Settings, WebSettings
from assistant.web.app import ChatSession, settings_snapshot
from assistant.web.exposure import ExposureError, check_exposure


def test_the_app_binds_to_loopback_by_default():
    web = Settings().web
    assert web.host == "127.0.0.1"
    check_exposure(web)  # no login needed there


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_addresses_need_no_login(host: str):
    assert check_exposure(WebSettings(host=host)) is None  # no ExposureError


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org", "::"])
def test_binding_beyond_loopback_without_a_login_is_refused(host: str):
    with pytest.raises(ExposureError, match="NHSA_WEB__AUTH_USER"):
        check_exposure(WebSettings(host=host))
    with pytest.raises(ExposureError):
        check_exposure(WebSettings(host=host, auth_user="field", auth_password=SecretStr("")))


def test_binding_beyond_loopback_with_a_login_is_allowed():
    settings = WebSettings(host="0.0.0.0", auth_user="field", auth_password=SecretStr("pw"))
    assert check_exposure(settings) is None  # no ExposureError


def test_serve_on_a_public_address_without_a_login_exits_at_once_naming_the_settings(nhsa):
    started = time.perf_counter()
    result = nhsa("serve", "--host", "0.0.0.0", "--port", "7999")
    assert result.returncode == 2
    assert "Refusing to start" in result.stdout + result.stderr
    assert "NHSA_WEB__AUTH_PASSWORD" in result.stdout + result.stderr
    assert time.perf_counter() - started < 20
    assert "Loading" not in result.stdout + result.stderr  # refused before loading anything


def test_settings_stored_with_feedback_leave_out_secrets():
    settings = Settings(
        llm={"api_key": "sk-secret"},
        web={"auth_user": "field", "auth_password": "hunter2"},
    )
    snapshot = str(settings_snapshot(settings))
    assert "sk-secret" not in snapshot and "hunter2" not in snapshot
    assert settings_snapshot(settings)["retrieval"]["k"] == settings.retrieval.k


class _NeverAsked:
    """An assistant that fails the test if a question reaches it."""

    def ask(self, *args, **kwargs):
        raise AssertionError("an over-long question must not be answered")


def test_an_over_long_question_gets_a_clear_message_instead_of_an_answer():
    settings = Settings(web={"max_question_chars": 2000})
    session = ChatSession(_NeverAsked(), SimpleNamespace(), settings)  # type: ignore[arg-type]
    *_, (textbox, chat, turns) = session.respond("x" * 20_000, [])
    assert textbox == ""
    assert "20,000 characters" in chat[-1]["content"]
    assert "2,000" in chat[-1]["content"]
    assert turns[0]["answer"] is None
    assert len(chat[0]["content"]) < 1000  # the chat shows the question shortened
