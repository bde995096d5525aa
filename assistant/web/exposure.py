"""Who can reach the app: loopback by default, a login required for any other address.

Kept apart from the Gradio app so ``nhsa serve`` refuses at once, before loading anything.
"""

from __future__ import annotations

import ipaddress

from assistant.settings import WebSettings


class ExposureError(ValueError):
    """The app would be reachable from other machines without a login."""


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(web: WebSettings) -> None:
    """Refuse to bind beyond loopback unless a user name and password are set."""
    if is_loopback(web.host):
        return
    if not web.auth_user or not web.auth_password or not web.auth_password.get_secret_value():
        raise ExposureError(
            f"web.host is {web.host!r}, which other machines can reach: set "
            "NHSA_WEB__AUTH_USER and NHSA_WEB__AUTH_PASSWORD to require a login, "
            "or bind to 127.0.0.1."
        )
