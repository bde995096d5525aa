"""The chat app end to end: the real server, a real browser with the network closed, 20 clients.

Each server is ``nhsa serve`` in a subprocess on a free loopback port, on a store made
for this module. The browser is Debian's chromium driven by Playwright (never
``playwright install``); every request that is not to 127.0.0.1 is aborted and recorded,
and each test asserts that none was made. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import NHSA, ROOT, settings_for

pytestmark = pytest.mark.slow

SHOTS = ROOT / "artifacts" / "screenshots"
TIMINGS = ROOT / "artifacts" / "web_timings.json"

QUESTION = "Who manages the day-to-day work of an ICS programme's workstreams?"
FIRST, FOLLOW_UP = "What do High Cost Drug Pharmacists do?", "What do they liaise with?"
UNANSWERABLE = "What is the integrated care board covering Kent called?"
XSS_QUESTION = "What markup did the Testshire formulary panel web page carry?"

# Selectors: a finished reply (answer, abstention or notice), and the first answer text.
DONE = "#chat .answer-done, #chat .notice"
FIRST_TEXT = "#chat .answer .sent, #chat .abstain, #chat .notice"
BOT = '#chat [data-testid="bot"]'
LIVE_MARKUP_PLACES = ("#chat .message-content", "#source-panel", "#library")

# In the page: from the Enter key to the "Searching" line, the first answer text and the
# finished reply, as the DOM changes (a MutationObserver, not polling).
START_TIMER = """([firstSel, doneSel]) => {
  const count = (sel) => document.querySelectorAll(sel).length;
  const first0 = count(firstSel), done0 = count(doneSel), pending0 = count("#chat .pending");
  const t = (window.__timing = { start: null, pending: null, first: null, done: null });
  document.querySelector("#question textarea").addEventListener(
    "keydown", () => { t.start = performance.now(); }, { capture: true, once: true });
  const seen = new MutationObserver(() => {
    if (t.start === null) return;
    const now = performance.now();
    if (t.pending === null && count("#chat .pending") > pending0) t.pending = now;
    if (t.first === null && count(firstSel) > first0) t.first = now;
    if (t.done === null && count(doneSel) > done0) { t.done = now; seen.disconnect(); }
  });
  const changes = { childList: true, subtree: true, characterData: true };
  seen.observe(document.querySelector("#chat"), changes);
}"""

# -- servers -----------------------------------------------------------------------------


@dataclass
class Server:
    """A running ``nhsa serve``; ``netlog`` lists every non-loopback host it looked up."""

    url: str
    data_dir: Path
    process: subprocess.Popen
    log: Path
    netlog: Path


# Loaded by the server's Python at start-up (sitecustomize on PYTHONPATH): records every
# name looked up or address connected to that is not this machine.
NET_GUARD = """
import ipaddress, os, socket

_log = os.environ["NHSA_TEST_NETLOG"]


def _local(host):
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).strip("[]")).is_loopback
    except ValueError:
        return False


def _record(host):
    with open(_log, "a") as out:
        out.write(f"{host}\\n")


_getaddrinfo, _connect = socket.getaddrinfo, socket.socket.connect


def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        _record(host)
    return _getaddrinfo(host, *args, **kwargs)


def connect(self, address):
    if isinstance(address, tuple) and not _local(address[0]):
        _record(address[0])
    return _connect(self, address)


socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ingest(folder: Path, data_dir: Path) -> None:
    result = subprocess.run(
        [str(NHSA), "ingest", str(folder), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Start ``nhsa serve`` on a store; every server started is stopped after the module."""
    started: list[Server] = []

    def start(data_dir: Path) -> Server:
        folder = tmp_path_factory.mktemp("serve")
        log, netlog = folder / "serve.log", folder / "network.log"
        (folder / "sitecustomize.py").write_text(NET_GUARD)
        netlog.touch()
        env = {
            **os.environ,
            "NO_PROXY": "127.0.0.1,localhost",
            "COLUMNS": "200",
            "PYTHONPATH": str(folder),
            "NHSA_TEST_NETLOG": str(netlog),
        }
        with log.open("w") as out:
            process = subprocess.Popen(
                [str(NHSA), "serve", "--port", str(free_port()), "--data-dir", str(data_dir)],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=folder,  # no .env of the checkout
                env=env,
            )
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            found = re.search(r"running at (http://\S+)", log.read_text())
            if found:
                server = Server(found[1], data_dir, process, log, netlog)
                started.append(server)
                return server
            assert process.poll() is None, f"serve exited:\n{log.read_text()}"
            time.sleep(0.2)
        process.kill()
        raise AssertionError(f"serve printed no URL within 240 s:\n{log.read_text()}")

    yield start
    for server in started:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()


@pytest.fixture(scope="module")
def app(serve, tmp_path_factory, corpus_dir: Path) -> Server:
    """The real app on the sample corpus, ingested by the CLI into a store of its own."""
    data_dir = tmp_path_factory.mktemp("web-data")
    ingest(corpus_dir, data_dir)
    return serve(data_dir)


@pytest.fixture(scope="module")
def xss_app(serve, tmp_path_factory, corpus_dir: Path) -> Server:
    """The app on the corpus plus a document whose text and title hold live-looking markup."""
    folder = tmp_path_factory.mktemp("xss-corpus")
    for path in corpus_dir.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "formulary-note.txt").write_text(
        "Testshire formulary note\n\n"
        "The Testshire formulary panel meets monthly to review new medicines for the area.\n"
        "The formulary panel's web page once carried the markup "
        "<script>window.__xss=1</script> which must show as text.\n"
        'A second fragment, <img src=x onerror="window.__xss=2">, appeared in the '
        "panel's minutes as well.\n"
        "Panel decisions are published on the Testshire website within two weeks of each "
        "meeting.\n",
        encoding="utf-8",
    )
    with (folder / "manifest.csv").open("a", encoding="utf-8") as manifest:
        manifest.write(
            'formulary-note.txt,"Formulary note <img src=x onerror=""window.__xss=3"">",'
            "Test <b>Author</b>,Testshire ICB,2024-05,guidance\n"
        )
    data_dir = tmp_path_factory.mktemp("xss-data")
    ingest(folder, data_dir)
    return serve(data_dir)


@pytest.fixture(scope="module")
def reference(app: Server, embedder):
    """The same assistant in this process, to know which passage each citation must show."""
    from assistant.api import Assistant

    return Assistant(settings_for(app.data_dir), embedder=embedder)


# -- the browser -------------------------------------------------------------------------


@dataclass
class Tab:
    """A page whose requests beyond 127.0.0.1 are aborted and recorded."""

    page: object
    blocked: list[str] = field(default_factory=list)


@pytest.fixture
def tab(browser) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(30_000)
    opened = Tab(context.new_page())

    def only_loopback(route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            opened.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    yield opened
    context.close()


def open_app(tab: Tab, server: Server):
    page = tab.page
    page.goto(server.url)
    page.wait_for_selector("#question textarea")
    page.wait_for_selector("#app-header .app-title")
    return page


def ask(page, question: str, timeout_ms: int = 90_000):
    """Type ``question``, press Enter, wait for the reply to finish; the reply's element."""
    before = page.locator(DONE).count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n",
        arg=[DONE, before],
        timeout=timeout_ms,
    )
    return page.locator(BOT).nth(page.locator(BOT).count() - 1)  # fixed, not "the last"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def squash(text: str) -> str:
    return " ".join(text.split())


def open_citation(page, reply, index: int = 0) -> tuple[int, int, int, str]:
    """Click the reply's ``index``-th citation marker; (turn, n, sentence, highlighted text)."""
    marker = reply.locator(".answer-text a.cite").nth(index)
    ref = marker.get_attribute("href").lstrip("#")  # cite-TURN-N-SENTENCE
    marker.click()
    page.wait_for_selector(f'#source-panel .src-panel[data-ref="{ref}"] mark')
    turn, n, sentence = (int(x) for x in ref.split("-")[1:])
    return turn, n, sentence, page.inner_text("#source-panel mark")


# -- the chat ----------------------------------------------------------------------------


def test_a_cited_answer_opens_each_citation_on_its_passage_highlighted_in_the_document(
    app: Server, reference, tab: Tab
):
    page = open_app(tab, app)
    shot(page, "01-start")
    expected = reference.ask(QUESTION)
    assert not expected.abstained

    reply = ask(page, QUESTION)

    assert reply.locator(".answer-text a.cite").count() == sum(
        len(s.citations) for s in expected.sentences
    )
    sources = reply.locator(".sources li")
    assert sources.count() == len(expected.citations)
    first_source = expected.citations[0]
    assert first_source.title in sources.first.inner_text()
    assert (first_source.publisher or first_source.author) in sources.first.inner_text()
    shot(page, "02-answer")

    turn, n, sentence, highlighted = open_citation(page, reply)
    cited = expected.citation(n)
    assert (turn, sentence) == (0, 0)
    assert squash(highlighted) in squash(cited.passage)
    assert squash(highlighted) == squash(expected.sentences[0].text)  # the sentence clicked
    assert cited.title in page.inner_text("#source-panel .src-title")
    # The highlight is scrolled into view inside the panel's text box and the window.
    mark = page.locator("#source-panel mark").bounding_box()
    box = page.locator("#source-panel .src-text").bounding_box()
    assert box["y"] <= mark["y"] < box["y"] + box["height"]
    assert 0 <= mark["y"] < 900
    shot(page, "03-citation-passage")

    page.click("#source-panel button.src-toggle")
    page.wait_for_selector('#source-panel button.src-toggle[data-view="passage"]')
    whole = squash(page.inner_text("#source-panel .src-text"))
    document = squash(reference.document_text(cited.source_id))
    assert whole == document
    assert squash(page.inner_text("#source-panel mark")) == squash(highlighted)
    shot(page, "04-whole-document")
    assert tab.blocked == []


def test_a_follow_up_is_answered_in_the_light_of_the_earlier_question(
    app: Server, reference, tab: Tab
):
    page = open_app(tab, app)
    ask(page, FIRST)
    reply = ask(page, FOLLOW_UP)

    assert reply.locator(".abstain").count() == 0
    assert "High Cost Drug Pharmacist Lead" in reply.inner_text()
    expected = reference.ask(FOLLOW_UP, [FIRST])
    last = reply.locator(".answer-text a.cite").count() - 1
    turn, n, sentence, highlighted = open_citation(page, reply, last)
    assert turn == 1 and sentence == len(expected.sentences) - 1
    assert squash(highlighted) in squash(expected.citation(n).passage)
    assert squash(highlighted) == squash(expected.sentences[sentence].text)
    shot(page, "05-follow-up")
    assert tab.blocked == []


def test_an_unanswerable_question_gets_a_distinct_abstention_naming_what_is_covered(
    app: Server, tab: Tab
):
    page = open_app(tab, app)
    answered = ask(page, QUESTION)
    reply = ask(page, UNANSWERABLE)

    notice = reply.locator(".abstain")
    assert notice.count() == 1
    assert "Not in the documents" in notice.inner_text()
    assert notice.locator("li").count() >= 1  # what the documents do cover
    assert reply.locator("a.cite").count() == 0
    style = "el => getComputedStyle(el).backgroundColor"
    assert notice.evaluate(style) != answered.locator(".answer").evaluate(style)
    notice.scroll_into_view_if_needed()
    shot(page, "06-abstention")
    assert tab.blocked == []


def test_a_twenty_thousand_character_question_gets_a_message_and_the_chat_goes_on(
    app: Server, tab: Tab
):
    page = open_app(tab, app)
    question = ("Who leads an integrated care system? " * 600)[:19_999] + "?"
    reply = ask(page, question)

    assert "20,000 characters" in reply.locator(".notice").inner_text()
    assert "2,000" in reply.inner_text()
    shot(page, "07-too-long")
    assert ask(page, QUESTION).locator(".answer-done").count() == 1
    assert tab.blocked == []


def test_an_example_question_is_asked_with_one_click(app: Server, tab: Tab):
    page = open_app(tab, app)
    page.get_by_text(FIRST, exact=True).click()
    page.wait_for_selector(DONE, timeout=90_000)
    assert FIRST in page.locator('#chat [data-testid="user"]').first.inner_text()
    assert page.locator(f"{BOT} .answer-done a.cite").count() >= 1
    assert tab.blocked == []


def test_new_chat_clears_the_conversation_and_the_source_panel(app: Server, tab: Tab):
    page = open_app(tab, app)
    open_citation(page, ask(page, QUESTION))

    page.click("#clear")

    page.wait_for_function("() => !document.querySelector('#chat [data-testid=\"bot\"]')")
    page.wait_for_selector("#source-panel .src-empty")
    assert page.locator(DONE).count() == 0


def test_thumbs_down_with_a_comment_is_stored_and_exports_as_an_eval_question(
    app: Server, tab: Tab, tmp_path: Path
):
    from evals.dataset import load_questions

    page = open_app(tab, app)
    ask(page, FIRST)
    ask(page, FOLLOW_UP)

    page.locator('#chat button[aria-label="Dislike"]').last.click()
    page.wait_for_selector("#comment-row textarea")
    page.fill("#comment-row textarea", "Should name the ICS lead's role.")
    shot(page, "08-feedback")
    page.click("#send-comment")

    db_path = app.data_dir / "feedback.sqlite3"
    deadline = time.monotonic() + 20
    row = None
    while time.monotonic() < deadline and row is None:
        if db_path.exists():
            with sqlite3.connect(db_path) as db:
                row = db.execute(
                    "SELECT rating, question, history, citations, settings FROM feedback"
                    " WHERE comment = ?",
                    ("Should name the ICS lead's role.",),
                ).fetchone()
        time.sleep(0.2)
    assert row is not None, "the comment never reached the feedback store"
    rating, question, history, citations, settings = row
    assert (rating, question, json.loads(history)) == (-1, FOLLOW_UP, [FIRST])
    assert json.loads(citations)[0]["source_id"] == "pharmatimes-2022-nhs-personas"
    assert json.loads(settings)["web"]["max_question_chars"] == 2000

    out = tmp_path / "from-feedback.jsonl"
    result = subprocess.run(
        [str(NHSA), "feedback-export", "--out", str(out), "--data-dir", str(app.data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    exported = [q for q in load_questions(out) if q.question == FOLLOW_UP]
    assert exported and exported[-1].history == [FIRST]
    assert exported[-1].expected_sources == ["pharmatimes-2022-nhs-personas"]
    assert tab.blocked == []


def test_the_library_lists_every_document_with_chunks_ingest_date_and_the_mode(
    app: Server, reference, tab: Tab
):
    page = open_app(tab, app)
    page.get_by_role("tab", name="Library").click()
    page.wait_for_selector("#library .lib-table")

    records = reference.library()
    rows = page.locator("#library .lib-table tbody tr")
    assert rows.count() == len(records) == 5
    text = page.inner_text("#library")
    assert "Answer mode: extractive" in text
    for record in records:
        assert record.title and record.title in text
        assert record.ingested_at[:10] in text
    chunk_cells = page.locator("#library .lib-table tbody td.num").all_inner_texts()
    assert sorted(map(int, chunk_cells)) == sorted(r.chunk_count for r in records)
    shot(page, "09-library")
    assert tab.blocked == []


def test_answers_appear_quickly_in_the_browser(app: Server, tab: Tab, capsys):
    """Time to first visible answer text and to the complete answer, measured in the page."""
    page = open_app(tab, app)
    questions = [
        QUESTION,
        FIRST,
        "What does an ICS Programme Lead do?",
        UNANSWERABLE,
        "What is a primary care network?",
    ]
    pending_ms, first_ms, done_ms = [], [], []
    for question in questions:
        page.evaluate(START_TIMER, [FIRST_TEXT, DONE])
        ask(page, question)
        timing = page.evaluate("window.__timing")
        assert timing["start"] is not None and timing["first"] is not None
        if timing["pending"] is not None:  # the "Searching" line can be too brief to see
            pending_ms.append(timing["pending"] - timing["start"])
        first_ms.append(timing["first"] - timing["start"])
        done_ms.append(timing["done"] - timing["start"])

    assert all(f <= d for f, d in zip(first_ms, done_ms, strict=True))
    p50_first, p50_done = statistics.median(first_ms), statistics.median(done_ms)
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    TIMINGS.write_text(
        json.dumps(
            {"searching_shown_ms": pending_ms, "first_text_ms": first_ms, "complete_ms": done_ms},
            indent=2,
        )
    )
    with capsys.disabled():
        print(
            f"\nbrowser, {len(questions)} questions: first answer text p50 {p50_first:.0f} ms, "
            f"complete answer p50 {p50_done:.0f} ms"
        )
    assert p50_done < 10_000
    assert tab.blocked == []


# -- safety ------------------------------------------------------------------------------


def test_markup_in_documents_and_questions_is_shown_as_text_and_never_runs(
    xss_app: Server, tab: Tab
):
    page = open_app(tab, xss_app)
    reply = ask(page, XSS_QUESTION)

    assert "<script>window.__xss=1</script>" in reply.inner_text()  # the sentence asked for
    assert '<img src=x onerror="window.__xss=3">' in reply.locator(".sources").inner_text()
    shot(page, "10-xss-answer")

    open_citation(page, reply)
    assert "Test <b>Author</b>" in page.inner_text("#source-panel")
    page.click("#source-panel button.src-toggle")
    page.wait_for_selector('#source-panel button.src-toggle[data-view="passage"]')
    document = page.inner_text("#source-panel .src-text")
    assert "<script>window.__xss=1</script>" in document
    assert '<img src=x onerror="window.__xss=2">' in document
    shot(page, "11-xss-source-panel")

    user_reply = ask(page, '<img src=x onerror="window.__xss=4"> Who chairs the panel?')
    assert (
        '<img src=x onerror="window.__xss=4">'
        in page.locator('#chat [data-testid="user"]').last.inner_text()
    )
    assert user_reply.is_visible()

    page.get_by_role("tab", name="Library").click()
    page.wait_for_selector("#library .lib-table")
    assert 'Formulary note <img src=x onerror="window.__xss=3">' in page.inner_text("#library")

    live = ", ".join(f"{part} :is(img, script)" for part in LIVE_MARKUP_PLACES)
    assert page.locator(live).count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert tab.blocked == []


# -- many users at once ------------------------------------------------------------------


def test_twenty_concurrent_conversations_are_all_answered_without_errors(
    app: Server, capsys, monkeypatch
):
    """gradio_client on loopback: 20 sessions of two turns each, bounded in time."""
    import huggingface_hub.constants
    from gradio_client import Client

    # The client's request headers would otherwise look up huggingface.co.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)

    conversations = [
        (FIRST, FOLLOW_UP),
        (QUESTION, "What does an ICS Programme Lead do?"),
        ("What is a primary care network?", UNANSWERABLE),
        ("What do Transformation Leads do?", "Who do their teams work with?"),
    ]

    def converse(i: int) -> list[tuple[str, float, str]]:
        client = Client(app.url, verbose=False, analytics_enabled=False, download_files=False)
        replies = []
        for question in conversations[i % len(conversations)]:
            started = time.perf_counter()
            job = client.submit(question, api_name="/ask")
            _, chat = job.result(timeout=180)
            content = chat[-1]["content"]
            text = content[0]["text"] if isinstance(content, list) else content
            replies.append((question, time.perf_counter() - started, text))
        return replies

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(converse, i) for i in range(20)]
        done, pending = wait(futures, timeout=600)
        for future in pending:
            future.cancel()
    wall = time.perf_counter() - started
    assert not pending, f"{len(pending)} conversations still running after 600 s"
    errors = [repr(f.exception()) for f in done if f.exception() is not None]
    assert errors == []

    replies = [reply for f in futures for reply in f.result()]
    assert len(replies) == 40
    assert all("answer-done" in text for _, _, text in replies)  # answers or abstentions
    assert not any('class="notice"' in text for _, _, text in replies)
    follow_ups = [text for question, _, text in replies if question == FOLLOW_UP]
    assert len(follow_ups) == 5
    assert all("High Cost Drug Pharmacist Lead" in text for text in follow_ups)

    seconds = sorted(s for _, s, _ in replies)
    p50 = statistics.median(seconds)
    p95 = seconds[int(0.95 * (len(seconds) - 1))]
    with capsys.disabled():
        print(
            f"\ngradio_client, 20 concurrent conversations x 2 questions: p50 {p50:.2f} s, "
            f"p95 {p95:.2f} s, wall {wall:.1f} s, errors {len(errors)}"
        )


def _ask(url: str, question: str) -> str:
    """One question through gradio_client; the reply's HTML."""
    from gradio_client import Client

    client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    _, chat = client.submit(question, api_name="/ask").result(timeout=180)
    content = chat[-1]["content"]
    return content[0]["text"] if isinstance(content, list) else content


def test_an_ingest_while_the_app_serves_is_answered_from_without_a_restart(
    serve, tmp_path_factory, corpus_dir: Path, monkeypatch
):
    """Embedded store: ``nhsa ingest`` in another process adds, then updates, a document
    while ``nhsa serve`` answers questions in a loop; no answer fails, and the served app
    answers from the new text without a restart."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    folder = tmp_path_factory.mktemp("live-docs")
    for path in corpus_dir.iterdir():
        shutil.copy(path, folder / path.name)
    data_dir = tmp_path_factory.mktemp("live-data")
    ingest(folder, data_dir)
    server = serve(data_dir)
    assert "answer-done" in _ask(server.url, "What is a primary care network?")

    note = folder / "zedshire-panel.md"
    question = "Who chairs the Zedshire medicines panel?"
    replies: list[str] = []
    for chair in ("Dr Quentin Ashdown", "Dr Rosalind Pemberton"):
        note.write_text(
            "# Zedshire medicines panel\n\n"
            f"The Zedshire medicines panel is chaired by {chair}, a consultant pharmacist.\n"
        )
        with ThreadPoolExecutor(max_workers=1) as pool:  # questions while the ingest runs
            asking = pool.submit(
                lambda: [_ask(server.url, "What is a primary care network?") for _ in range(4)]
            )
            ingest(folder, data_dir)
            replies += asking.result(timeout=600)
        replies.append(_ask(server.url, "What is a primary care network?"))
        answer = _ask(server.url, question)
        assert chair in answer, answer
    assert server.process.poll() is None
    assert all("answer-done" in r and 'class="notice"' not in r for r in replies), replies
    assert "Error finding id" not in server.log.read_text()


def test_the_servers_reached_for_nothing_beyond_loopback(app: Server, xss_app: Server):
    """Start-up, every answer, click and page load above: no name looked up outside."""
    assert app.process.poll() is None and xss_app.process.poll() is None
    assert app.netlog.read_text() == ""
    assert xss_app.netlog.read_text() == ""


def test_the_briefing_tab_shows_a_cited_pack_and_offers_three_downloads(app: Server, tab: Tab):
    page = open_app(tab, app)
    page.get_by_role("tab", name="Briefing").click()
    page.click("#build-brief")

    page.wait_for_function(
        "() => (document.querySelector('#brief-pack')?.innerText || '').length > 2000",
        timeout=180_000,
    )
    page.wait_for_selector("#brief-files a", timeout=30_000)
    shot(page, "12-briefing")
    text = page.inner_text("#brief-pack")
    files = page.inner_html("#brief-files")
    assert "Sources" in text and "[1]" in text
    assert all(f"briefing-kam.{ext}" in files for ext in ("md", "html", "docx"))
    assert page.locator("#brief-pack script").count() == 0
    assert not tab.blocked


def test_the_chats_aria_labels_are_the_messages_text_not_their_markup(app: Server, tab: Tab):
    """Gradio copies each message's content, our HTML, into its aria-label; a screen reader
    would read the tags aloud. The page rewrites every label to the message's text."""
    page = open_app(tab, app)
    reply = ask(page, QUESTION)
    assert reply.locator(".answer-text a.cite").count() > 0

    labels = page.eval_on_selector_all(
        "#chat [aria-label]", "els => els.map((e) => e.getAttribute('aria-label'))"
    )
    assert [label for label in labels if "'s message: " in label] == [
        f"user's message: {QUESTION}",
        f"bot's message: {squash(reply.inner_text())}",
    ]
    assert not [label for label in labels if re.search(r"<|&lt;|class=|href=", label)], labels
    assert not tab.blocked


# -- the structure map -------------------------------------------------------------------

NODE_GROUPS = "#map-picture g[id^='node-']:not([id$='-label'])"


def open_map(tab: Tab, server: Server):
    page = open_app(tab, server)
    page.get_by_role("tab", name="Map").click()
    page.wait_for_selector(f"{NODE_GROUPS}")
    return page


def drawn_nodes(page) -> list[str]:
    return sorted(page.eval_on_selector_all(NODE_GROUPS, "els => els.map(e => e.id.slice(5))"))


def test_the_map_draws_every_node_and_a_click_opens_its_card_cited_like_a_chat_answer(
    app: Server, reference, tab: Tab
):
    from assistant.web.map_view import build_card
    from ingest.structure_rules import load_rules

    structure = reference.structure_map()
    page = open_map(tab, app)
    assert drawn_nodes(page) == sorted(n.id for n in structure.nodes)
    shot(page, "20-map")

    node = next(n for n in structure.nodes if structure.edges_of(n.id))
    page.click(f"#map-picture g[id='node-{node.id}']")
    page.wait_for_selector(f"#map-card .map-card[data-node='{node.id}']")
    card = build_card(node, structure, load_rules().labels())
    assert node.label in page.inner_text("#map-card .map-card-title")
    assert page.locator("#map-card a.cite").count() == sum(
        1 for _, lines in card.sections for line in lines if line.n
    )
    shot(page, "21-map-card")

    page.locator("#map-card a.cite").first.click()
    page.wait_for_selector("#map-panel .src-panel mark")
    cited = card.cited[0]
    assert squash(page.inner_text("#map-panel mark")) in squash(cited.text)
    assert (cited.title or cited.source_id) in page.inner_text("#map-panel .src-title")
    page.click("#map-panel button.src-toggle")  # the whole document, as in the Ask tab
    page.wait_for_selector('#map-panel button.src-toggle[data-view="passage"]')
    shot(page, "22-map-citation")
    assert tab.blocked == []


def test_the_map_as_of_an_early_year_shows_only_what_the_documents_of_then_say(
    app: Server, reference, tab: Tab
):
    full = reference.structure_map()
    early = min(y for n in full.nodes for y in n.years)
    then = reference.structure_map(early)
    assert 0 < len(then.nodes) < len(full.nodes)

    page = open_map(tab, app)
    page.locator("#map-as-of input").click()
    page.get_by_role("option", name=str(early)).click()
    page.wait_for_function(
        "(year) => (document.querySelector('#map-picture .map-summary')?.innerText || '')"
        ".includes(year)",
        arg=str(early),
    )
    assert drawn_nodes(page) == sorted(n.id for n in then.nodes)
    shot(page, "23-map-as-of")
    assert tab.blocked == []


def test_a_node_found_by_acronym_can_be_asked_about_in_the_chat(app: Server, reference, tab: Tab):
    structure = reference.structure_map()
    node = next(n for n in structure.nodes if n.short)
    page = open_map(tab, app)
    page.locator("#map-search input").click()
    page.keyboard.type(node.short)
    page.get_by_role("option", name=node.label).click()
    page.wait_for_selector(f"#map-card .map-card[data-node='{node.id}']")

    page.click("#map-ask")
    page.wait_for_selector(DONE, timeout=90_000)
    chat = page.inner_text("#chat")
    assert node.name in chat  # the question names it, and an answer or abstention follows
    assert page.locator("#chat .answer-done, #chat .abstain").count() >= 1
    assert tab.blocked == []
