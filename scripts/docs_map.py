"""Retake docs/map/: the `nhsa map` outputs and the browser screenshots of the Map tab.

Runs against the store the settings name (ingest the default library first, `make
ingest`): starts `nhsa serve` on a free loopback port, opens it in Debian's chromium
through Playwright, and photographs the map as of 2019 and 2025 and one node's card.

    .venv/bin/python scripts/docs_map.py --card "University Hospitals Sussex NHS Foundation Trust"
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Annotated

import typer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "map"
NHSA = Path(sys.executable).parent / "nhsa"
NODES = "#map-picture g[id^='node-']:not([id$='-label'])"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli_outputs() -> None:
    for fmt, year in (("svg", 2025), ("png", 2025), ("json", 2025), ("png", 2019)):
        out = OUT / f"nhsa-map-{year}.{fmt}"
        subprocess.run(
            [str(NHSA), "map", "--format", fmt, "--as-of", str(year), "--out", str(out)],
            check=True,
        )


def _wait_up(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("nhsa serve exited before it was ready")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"nhsa serve did not answer at {url} within {timeout:.0f} s")


def _as_of(page, year: int) -> None:
    page.locator("#map-as-of input").click()
    page.get_by_role("option", name=str(year)).click()
    page.wait_for_function(
        "(year) => (document.querySelector('#map-picture .map-summary')?.innerText || '')"
        ".includes(year)",
        arg=str(year),
    )


def main(
    card: Annotated[str, typer.Option(help="The node whose card is photographed.")],
) -> None:
    """Write docs/map/'s files from the current store."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    _cli_outputs()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    server = subprocess.Popen([str(NHSA), "serve", "--port", str(port)], env=env)
    try:
        _wait_up(url, server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(url)
            page.get_by_role("tab", name="Map").click()
            page.wait_for_selector(NODES)
            for year in (2019, 2025):
                _as_of(page, year)
                page.screenshot(path=str(OUT / f"map-{year}.png"), full_page=True)
            page.locator("#map-search input").click()
            page.keyboard.type(card)
            page.get_by_role("option", name=card).first.click()
            page.wait_for_selector("#map-card .map-card")
            page.locator("#map-card").scroll_into_view_if_needed()
            page.screenshot(path=str(OUT / "map-card.png"), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    typer.run(main)
