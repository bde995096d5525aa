"""The Gradio app: a chat whose citations open their passages, a library view, feedback.

The assistant (model, store, indexes) is built once by the caller and shared by every
session; each session keeps its own turns in a ``gr.State``.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.answer import Answer, AnswerMode, Citation
from assistant.briefing.plans import load_plans
from assistant.grounded.options import LLMOptions
from assistant.settings import Settings, WebSettings
from assistant.web import render
from assistant.web.exposure import check_exposure
from assistant.web.feedback import FeedbackStore
from assistant.web.map_view import ALL_YEARS, MapView
from ingest.structure_rules import load_rules

if TYPE_CHECKING:  # the facade is built by the caller (the CLI), not imported here
    from assistant.api import Assistant

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent

EXAMPLES = [
    "What does an ICS Programme Lead do?",
    "What do High Cost Drug Pharmacists do?",
    "What is a primary care network?",
    "Who manages the day-to-day work of an ICS programme's workstreams?",
]


def mode_line(mode: AnswerMode, llm: LLMOptions) -> str:
    """How answers are made, in words (the Library tab)."""
    if mode == AnswerMode.LLM:
        s = llm
        return (
            f"Answer mode: LLM, model “{s.model}” at {s.base_url}; every sentence is checked "
            "against the passages it cites."
        )
    return "Answer mode: extractive (offline): answers are sentences quoted from the documents."


def settings_snapshot(settings: Settings) -> dict[str, Any]:
    """The settings stored with feedback, secrets left out."""
    return settings.model_dump(
        mode="json", exclude={"llm": {"api_key"}, "web": {"auth_user", "auth_password"}}
    )


class ChatSession:
    """The event handlers: the shared assistant and feedback store, per-session turns."""

    def __init__(self, assistant: Assistant, feedback: FeedbackStore, settings: Settings) -> None:
        self.assistant = assistant
        self.feedback = feedback
        self.settings = settings
        self.max_chars = settings.web.max_question_chars

    def respond(self, question: str, turns: list[dict]) -> Iterator[tuple]:
        """Answer ``question``; yields (textbox, chat, turns) as the answer is composed."""
        question = (question or "").strip()
        if not question:
            yield "", messages(turns), turns
            return
        turn = len(turns)
        if len(question) > self.max_chars:
            notice = render.notice_html(render.too_long_message(len(question), self.max_chars))
            turns = [*turns, _turn(question, None, notice)]
            yield "", messages(turns), turns
            return
        history = [t["question"] for t in turns if t["answer"] is not None]
        yield "", messages(turns, (question, render.pending_html())), turns
        try:
            answer = None
            for event in self.assistant.ask_stream(question, history or None):
                if isinstance(event, Answer):
                    answer = event
                else:  # the LLM writing: verified sentences so far, and its draft
                    yield "", messages(turns, (question, render.progress_html(event))), turns
            assert answer is not None
        except Exception:
            log.exception("answering %r failed", question[:200])
            notice = render.notice_html(
                "Something went wrong while answering; please try again. "
                "If it keeps happening, tell whoever runs this assistant."
            )
            turns = [*turns, _turn(question, None, notice)]
            yield "", messages(turns), turns
            return
        # Stream the composed answer sentence by sentence; the sources list comes last.
        for shown in range(1, len(answer.sentences)):
            partial = render.answer_html(answer, turn, shown)
            yield "", messages(turns, (question, partial)), turns
        final = render.answer_html(answer, turn)
        turns = [*turns, _turn(question, answer.model_dump(mode="json"), final)]
        yield "", messages(turns), turns

    def open_citation(self, turns: list[dict], evt: gr.EventData) -> str:
        """The source panel for the clicked citation marker."""
        return self._panel(turns, getattr(evt, "ref", None), whole=False)

    def open_whole_document(self, turns: list[dict], evt: gr.EventData) -> str:
        """The source panel showing the cited document in full."""
        return self._panel(turns, getattr(evt, "ref", None), whole=True)

    def _panel(self, turns: list[dict], ref: str | None, whole: bool) -> str:
        found = citation_for(turns, ref)
        if found is None:
            return render.empty_panel_html()
        citation, sentence = found
        text = self.assistant.document_text(citation.source_id)
        return render.source_panel_html(citation, text, ref or "", whole, sentence=sentence)

    def like(self, turns: list[dict], evt: gr.LikeData) -> tuple:
        """Store a thumbs up or down; offer the comment box."""
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        turn_index = index // 2
        if evt.liked not in (True, False) or not 0 <= turn_index < len(turns):
            return None, gr.update(visible=False), ""
        turn = turns[turn_index]
        if turn["answer"] is None:
            return None, gr.update(visible=False), ""
        history = [t["question"] for t in turns[:turn_index] if t["answer"] is not None]
        feedback_id = self.feedback.record(
            liked=bool(evt.liked),
            question=turn["question"],
            history=history,
            answer=turn["answer"],
            settings=settings_snapshot(self.settings),
        )
        if evt.liked:
            thanks = "Thanks. Anything to add? (optional)"
        else:
            thanks = "Thanks. What was wrong or missing? (optional)"
        return feedback_id, gr.update(visible=True), gr.update(value="", label=thanks)

    def comment(self, feedback_id: int | None, text: str) -> tuple:
        """Attach the optional comment to the last thumbs up or down."""
        if feedback_id is not None and (text or "").strip():
            self.feedback.add_comment(feedback_id, text)
            gr.Info("Thank you: your comment was saved with the answer.")
        return None, gr.update(visible=False), ""

    # gr.Progress() as a default is how Gradio hands a handler its progress tracker.
    def briefing(self, audience: str, focus: str, progress=gr.Progress()) -> tuple:  # noqa: B008
        """Build a briefing pack; show it (escaped HTML) and offer it as md, html and docx."""
        from assistant.briefing import (
            build_briefing,
            render_html,
            render_html_fragment,
            render_markdown,
            write_docx,
        )

        def on_progress(step: str, done: int, total: int) -> None:
            progress((done, total or 1), desc=step)

        pack = build_briefing(
            self.assistant.briefing_inputs(),
            audience,
            (focus or "").strip() or None,
            on_progress=on_progress,
        )
        folder = Path(tempfile.mkdtemp(prefix="nhsa-brief-"))
        stem = f"briefing-{audience}"
        (folder / f"{stem}.md").write_text(render_markdown(pack), encoding="utf-8")
        (folder / f"{stem}.html").write_text(render_html(pack), encoding="utf-8")
        write_docx(pack, folder / f"{stem}.docx")
        files = [str(folder / f"{stem}.{ext}") for ext in ("md", "html", "docx")]
        return render_html_fragment(pack), gr.update(value=files, visible=True)

    def overview(self) -> tuple[str, str]:
        """The header and the Library tab, read from the store at page load."""
        documents = self.assistant.library()
        mode = "LLM mode" if self.assistant.mode == AnswerMode.LLM else "extractive mode"
        return (
            render.header_html(len(documents), mode),
            render.library_html(documents, mode_line(self.assistant.mode, self.settings.llm)),
        )


def _turn(question: str, answer: dict | None, html: str) -> dict:
    return {"question": question, "answer": answer, "html": html}


def messages(turns: list[dict], pending: tuple[str, str] | None = None) -> list[dict]:
    """The chat's messages: each turn's question and answer, plus one being composed."""
    shown = [(t["question"], t["html"]) for t in turns]
    if pending:
        shown.append(pending)
    out = []
    for question, answer in shown:
        out.append({"role": "user", "content": render.question_html(question)})
        out.append({"role": "assistant", "content": answer})
    return out


def citation_for(turns: list[dict], ref: str | None) -> tuple[Citation, str | None] | None:
    """The citation a link's reference names and the text of the sentence it follows
    (None for a link in the sources list), if that turn and number exist."""
    parsed = render.parse_ref(ref)
    if parsed is None:
        return None
    turn, n, index = parsed
    if not 0 <= turn < len(turns) or turns[turn]["answer"] is None:
        return None
    answer = Answer.model_validate(turns[turn]["answer"])
    citation = next((c for c in answer.citations if c.n == n), None)
    if citation is None:
        return None
    in_range = index is not None and 0 <= index < len(answer.sentences)
    return citation, answer.sentences[index].text if in_range and index is not None else None


@dataclass
class _AskTab:
    """The Ask tab's components: the chat, the question bar, the comment row, the panel."""

    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    clear: gr.Button
    comment_row: gr.Row
    comment: gr.Textbox
    send_comment: gr.Button
    panel: gr.HTML


@dataclass
class _BriefingTab:
    """The Briefing tab's components: audience, focus, build, the pack and its files."""

    audience: gr.Dropdown
    focus: gr.Textbox
    build: gr.Button
    downloads: gr.File
    pack: gr.HTML


def build_app(assistant: Assistant, feedback: FeedbackStore, settings: Settings) -> gr.Blocks:
    """The chat app around an already-loaded assistant."""
    session = ChatSession(assistant, feedback, settings)
    with gr.Blocks(title="NHS field assistant", analytics_enabled=False) as demo:
        turns = gr.State([])
        feedback_id = gr.State(None)
        header = gr.HTML(session.overview()[0], elem_id="app-header")
        with gr.Tabs() as tabs:
            with gr.Tab("Ask", id="ask"):
                ask = _ask_tab()
            with gr.Tab("Map", id="map"):
                structure = _map_tab()
            with gr.Tab("Briefing", id="briefing"):
                brief = _briefing_tab()
            with gr.Tab("Library", id="library"):
                library = gr.HTML(elem_id="library")
        _wire_asking(session, ask, turns, feedback_id)
        view = MapView(assistant, load_rules().labels())
        _wire_map(demo, view, structure, session, ask, tabs, turns)
        brief.build.click(
            session.briefing,
            [brief.audience, brief.focus],
            [brief.pack, brief.downloads],
            api_visibility="private",
            concurrency_id="answer",
        )
        demo.load(session.overview, None, [header, library], api_visibility="private")
    return demo


def _ask_tab() -> _AskTab:
    with gr.Row(equal_height=False, elem_id="ask-row"):
        with gr.Column(scale=3, min_width=420):
            chatbot = gr.Chatbot(
                elem_id="chat",
                label="Conversation",
                show_label=False,
                height=600,
                sanitize_html=True,
                render_markdown=False,
                line_breaks=False,
                feedback_options=("Like", "Dislike"),
                placeholder=(
                    "<div class='chat-empty'><b>Ask about the NHS in England</b>"
                    "<br>Roles, structures and how to engage. Every sentence of "
                    "an answer cites its source; click a number to read it.</div>"
                ),
                examples=[{"text": q} for q in EXAMPLES],
                buttons=["copy"],
            )
            with gr.Row(elem_id="ask-bar"):
                question = gr.Textbox(
                    elem_id="question",
                    label="Question",
                    show_label=False,
                    placeholder="Ask a question, e.g. Who leads an ICS programme?",
                    lines=1,
                    max_lines=6,
                    scale=8,
                    autofocus=True,
                )
                send = gr.Button("Ask", variant="primary", scale=0, min_width=90, elem_id="ask")
                clear = gr.Button("New chat", scale=0, min_width=110, elem_id="clear")
            with gr.Row(visible=False, elem_id="comment-row") as comment_row:
                comment = gr.Textbox(
                    label="Anything to add? (optional)", lines=2, scale=6, elem_id="comment"
                )
                send_comment = gr.Button("Send", scale=0, min_width=90, elem_id="send-comment")
        with gr.Column(scale=2, min_width=340, elem_id="source-column"):
            panel = gr.HTML(
                render.empty_panel_html(),
                elem_id="source-panel",
                js_on_load=(HERE / "citations.js").read_text(encoding="utf-8"),
            )
    return _AskTab(chatbot, question, send, clear, comment_row, comment, send_comment, panel)


@dataclass
class _MapTab:
    """The Map tab's components: year, search, picture, card, its panel, the ask button."""

    as_of: gr.Dropdown
    search: gr.Dropdown
    picture: gr.HTML
    card: gr.HTML
    ask_about: gr.Button
    panel: gr.HTML
    selected: gr.State


def _map_tab() -> _MapTab:
    with gr.Row(elem_id="map-bar"):
        as_of = gr.Dropdown(
            choices=[ALL_YEARS], value=ALL_YEARS, label="As of", scale=1, elem_id="map-as-of"
        )
        search = gr.Dropdown(
            choices=[],
            value=None,
            label="Find a body, committee or role (name or acronym)",
            filterable=True,
            scale=3,
            elem_id="map-search",
        )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=480):
            picture = gr.HTML(
                elem_id="map-picture",
                js_on_load=(HERE / "map.js").read_text(encoding="utf-8"),
            )
        with gr.Column(scale=2, min_width=340):
            card = gr.HTML(
                elem_id="map-card",
                js_on_load=(HERE / "map_card.js").read_text(encoding="utf-8"),
            )
            ask_about = gr.Button("Ask about this", elem_id="map-ask", visible=False)
            panel = gr.HTML(
                render.empty_panel_html(),
                elem_id="map-panel",
                js_on_load=(HERE / "map_panel.js").read_text(encoding="utf-8"),
            )
    return _MapTab(as_of, search, picture, card, ask_about, panel, gr.State(None))


def _wire_map(
    demo: gr.Blocks,
    view: MapView,
    tab: _MapTab,
    session: ChatSession,
    ask: _AskTab,
    tabs: gr.Tabs,
    turns: gr.State,
) -> None:
    """Year, search, clicks on boxes and citations, and "Ask about this"."""
    private: dict[str, Any] = {"api_visibility": "private"}

    def load(choice: str) -> tuple:
        return (
            gr.update(choices=view.years()),
            view.picture(choice),
            gr.update(choices=view.search_choices(choice), value=None),
        )

    def shown(node_id: str | None, choice: str) -> tuple:
        return (
            node_id,
            view.card(node_id, choice),
            gr.update(visible=bool(view.question(node_id, choice))),
        )

    card_outputs = [tab.selected, tab.card, tab.ask_about]
    tab.picture.select(view.select, None, tab.selected, **private).then(
        shown, [tab.selected, tab.as_of], card_outputs, **private
    )
    tab.search.input(shown, [tab.search, tab.as_of], card_outputs, **private)
    tab.as_of.input(load, tab.as_of, [tab.as_of, tab.picture, tab.search], **private).then(
        shown, [tab.selected, tab.as_of], card_outputs, **private
    )
    tab.card.cite(view.open_citation, [tab.selected, tab.as_of], tab.panel, **private)
    tab.panel.cite(view.open_citation, [tab.selected, tab.as_of], tab.panel, **private)
    tab.panel.whole(view.open_whole_document, [tab.selected, tab.as_of], tab.panel, **private)

    def to_chat(node_id: str | None, choice: str) -> tuple:
        return view.question(node_id, choice), gr.Tabs(selected="ask")

    tab.ask_about.click(to_chat, [tab.selected, tab.as_of], [ask.question, tabs], **private).then(
        session.respond,
        [ask.question, turns],
        [ask.question, ask.chatbot, turns],
        concurrency_id="answer",
        **private,
    )
    demo.load(load, tab.as_of, [tab.as_of, tab.picture, tab.search], **private)


def _briefing_tab() -> _BriefingTab:
    with gr.Row(elem_id="brief-bar"):
        # The audiences are configuration (prompts/briefing/audiences.toml).
        audiences = [
            (plan.label[:1].upper() + plan.label[1:], key)
            for key, plan in load_plans().audiences.items()
        ]
        audience = gr.Dropdown(choices=audiences, value=audiences[0][1], label="Audience", scale=2)
        focus = gr.Textbox(
            label="Focus (optional)", scale=3, placeholder="e.g. primary care networks"
        )
        build = gr.Button(
            "Build pack", variant="primary", scale=0, min_width=120, elem_id="build-brief"
        )
    downloads = gr.File(
        label="Download", file_count="multiple", visible=False, elem_id="brief-files"
    )
    pack = gr.HTML(elem_id="brief-pack")
    return _BriefingTab(audience, focus, build, downloads, pack)


def _wire_asking(
    session: ChatSession, ask: _AskTab, turns: gr.State, feedback_id: gr.State
) -> None:
    """Questions, new chat, citations, thumbs and comments."""
    # One concurrency group for every way of asking, so the setting bounds them together.
    asking: dict[str, Any] = {"concurrency_id": "answer", "api_visibility": "private"}
    ask_inputs = [ask.question, turns]
    ask_outputs = [ask.question, ask.chatbot, turns]
    asked = [
        ask.question.submit(
            session.respond, ask_inputs, ask_outputs, api_name="ask", concurrency_id="answer"
        ),
        ask.send.click(session.respond, ask_inputs, ask_outputs, **asking),
        ask.chatbot.example_select(
            _example_text, None, ask.question, api_visibility="private", queue=False
        ).then(session.respond, ask_inputs, ask_outputs, **asking),
    ]

    def reset() -> tuple:
        return [], [], render.empty_panel_html(), None, gr.update(visible=False)

    reset_outputs = [ask.chatbot, turns, ask.panel, feedback_id, ask.comment_row]
    for trigger in (ask.clear.click, ask.chatbot.clear):
        trigger(reset, None, reset_outputs, api_visibility="private", cancels=asked)

    ask.panel.cite(session.open_citation, turns, ask.panel, api_visibility="private")
    ask.panel.whole(session.open_whole_document, turns, ask.panel, api_visibility="private")

    comment_done = [feedback_id, ask.comment_row, ask.comment]
    ask.chatbot.like(session.like, turns, comment_done, api_visibility="private")
    for submit in (ask.send_comment.click, ask.comment.submit):
        submit(session.comment, [feedback_id, ask.comment], comment_done, api_visibility="private")


def _example_text(evt: gr.SelectData) -> str:
    value = evt.value
    return value.get("text", "") if isinstance(value, dict) else str(value)


def theme() -> gr.themes.Base:
    """System fonts only, so the page requests nothing from outside."""
    return gr.themes.Default(
        primary_hue="blue",
        neutral_hue="slate",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "monospace"],
    )


def launch(demo: gr.Blocks, web: WebSettings) -> str:
    """Start serving (queue with the configured concurrency) and return the local URL."""
    check_exposure(web)
    auth = None
    if web.auth_user and web.auth_password:
        auth = (web.auth_user, web.auth_password.get_secret_value())
    demo.queue(default_concurrency_limit=web.concurrency_limit)
    _, url, _ = demo.launch(
        server_name=web.host,
        server_port=web.port,
        auth=auth,
        auth_message="NHS field assistant: please sign in." if auth else None,
        share=False,
        inbrowser=False,
        prevent_thread_lock=True,
        quiet=True,
        show_error=False,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        footer_links=[],
        theme=theme(),
        css_paths=[HERE / "style.css"],
        js=(HERE / "aria_labels.js").read_text(encoding="utf-8"),
    )
    return url
