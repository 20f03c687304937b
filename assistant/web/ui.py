"""The Gradio chat page (Swedish): streaming answers, clickable sources, feedback.

State lives in the browser session as a list of "turns" (plain data); the chat
and the source panel are re-rendered from it, so what is shown and what is sent
as history to the assistant can never drift apart. All HTML comes from
``render`` (which escapes every outside string).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Iterator

import gradio as gr

from assistant.config import Settings
from assistant.feedback import FeedbackStore, record_declined
from assistant.redact import redact
from assistant.service import (
    MAX_HISTORY_CHARS,
    MAX_HISTORY_TURNS,
    IndexNotReady,
    QuestionError,
    StoreUnavailable,
    validate_question,
)
from assistant.web import messages as msg
from assistant.web import render
from assistant.web.ratelimit import RateLimiter

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
UI_CSS_PATH = STATIC_DIR / "ui.css"
UI_JS_PATH = STATIC_DIR / "ui.js"

SHOWN_QUESTION_CHARS = 300

# What the generator yields, in this order (must match the `outputs` lists below).
Outputs = tuple[list[dict], str, str, list[dict], str, Any, str]


# --- Turns: the conversation as plain data ---


def answer_turn(question: str, answer: dict) -> dict:
    return {
        "kind": "answer",
        "question": question,
        "answer": answer.get("answer", ""),
        "answered": bool(answer.get("answered")),
        "reply_kind": answer.get("reply_kind", ""),
        "mode": answer.get("mode", ""),
        "citations": answer.get("citations", []),
        "feedback_id": None,
    }


def notice_turn(question: str | None, text: str) -> dict:
    """A message from the app itself (an error or hint); never sent as history."""
    return {"kind": "notice", "question": question, "answer": text, "citations": []}


def history_from(turns: list[dict]) -> list[dict]:
    """The conversation so far in the service's history format (answers only, newest last).

    Long conversations are cut from the oldest end to what the service accepts, so a
    follow-up late in a long chat still works instead of failing on history length.
    """
    pairs = [
        [{"role": "user", "content": t["question"]}, {"role": "assistant", "content": t["answer"]}]
        for t in turns
        if t["kind"] == "answer"
    ]
    pairs = pairs[-MAX_HISTORY_TURNS:]
    while pairs and sum(len(m["content"]) for p in pairs for m in p) > MAX_HISTORY_CHARS:
        pairs.pop(0)
    return [m for p in pairs for m in p]


def render_chat(turns: list[dict], streaming: str | None = None) -> tuple[list[dict], list[int]]:
    """Chat messages for gr.Chatbot, and for each message the index of the turn it belongs to."""
    messages: list[dict] = []
    owners: list[int] = []
    last_answer = max((i for i, t in enumerate(turns) if t["kind"] == "answer"), default=-1)
    for i, t in enumerate(turns):
        if t.get("question") is not None:
            messages.append({"role": "user", "content": render.render_question(t["question"])})
            owners.append(i)
        if t["kind"] == "answer":
            content = render.render_answer(t["answer"], t["citations"], i, linked=i == last_answer)
        elif t["kind"] == "pending":
            content = render.esc(streaming) if streaming else render.render_notice(msg.THINKING)
        else:
            content = render.render_notice(t["answer"])
        messages.append({"role": "assistant", "content": content})
        owners.append(i)
    return messages, owners


def sources_for(turns: list[dict]) -> str:
    if not turns:
        return render.render_sources(None, 0)
    last = len(turns) - 1
    t = turns[last]
    if t["kind"] == "answer":
        return render.render_sources(t, last)
    if t["kind"] == "pending":
        return render.render_sources_notice(msg.THINKING, len(turns), state="pending")
    return render.render_sources_notice(t["answer"], len(turns))


def error_text(exc: Exception, settings: Settings) -> str:
    """A friendly Swedish message for a failure; details go to the log, never to the page."""
    if isinstance(exc, QuestionError):
        return getattr(exc, "message", None) or msg.error_message("invalid_question")
    if isinstance(exc, IndexNotReady):
        return msg.error_message("index_not_ready")
    if isinstance(exc, StoreUnavailable):
        return msg.error_message("store_unavailable")
    return msg.error_message("internal_error")


# --- The page ---


class ChatPage:
    """Event handlers of the page, bound to one provider, feedback store and rate limiter."""

    def __init__(self, settings: Settings, provider: Any, feedback: FeedbackStore, limiter: RateLimiter):
        self.settings = settings
        self.provider = provider
        self.feedback = feedback
        self.limiter = limiter

    def _outputs(self, turns: list[dict], question_box: str, streaming: str | None = None, show_comment: bool | None = None, status: str = "") -> Outputs:
        chat, _owners = render_chat(turns, streaming)
        last = turns[-1] if turns else None
        speak = last["answer"] if last and last["kind"] == "answer" else ""
        comment_update = gr.update() if show_comment is None else gr.update(visible=show_comment)
        return chat, sources_for(turns), question_box, turns, speak, comment_update, status

    def _validate(self, question: Any) -> str | None:
        """The pipeline's Swedish message when the question cannot be asked, else None."""
        try:
            validate_question(question, self.settings)
        except QuestionError as exc:
            return exc.message
        return None

    def kommun_choices(self) -> list[str]:
        """"Alla kommuner" and the kommuner the corpus has documents from (for the drop-down)."""
        try:
            known = list(self.provider.get().kommuner())
        except Exception:  # no index yet, or a test double without kommuner(): no filter offered
            known = []
        return [msg.ALL_KOMMUNER] + known

    def refresh_kommuner(self, current: str | None = None) -> Any:
        choices = self.kommun_choices()
        return gr.update(choices=choices, value=current if current in choices else msg.ALL_KOMMUNER)

    def ask(self, question: str, turns: list[dict] | None, easy_read: bool, kommun: str | None, request: gr.Request) -> Iterator[Outputs]:
        """What the page calls: respond() with the kommun chosen in the drop-down."""
        yield from self.respond(question, turns, easy_read, request, kommun=kommun)

    def respond(self, question: str, turns: list[dict] | None, easy_read: bool, request: gr.Request | None = None,
                kommun: str | None = None) -> Iterator[Outputs]:
        # A stream cut short (page closed, server restart) can leave a pending turn behind.
        turns = [t for t in (turns or []) if t.get("kind") != "pending"]
        problem = self._validate(question)
        if problem:
            shown = question if isinstance(question, str) and question.strip() else None
            if shown and len(shown) > SHOWN_QUESTION_CHARS:  # echo a too-long question briefly;
                shown = shown[:SHOWN_QUESTION_CHARS] + " …"  # the full text stays in the box
            yield self._outputs(turns + [notice_turn(shown, problem)], question or "", show_comment=False)
            return
        decision = self.limiter.hit(_client_ip(request))
        if not decision.allowed:
            text = msg.error_message("rate_limited", retry_after=decision.retry_after)
            yield self._outputs(turns + [notice_turn(question, text)], question, show_comment=False)
            return
        history = history_from(turns)
        pending = turns + [{"kind": "pending", "question": question, "answer": "", "citations": []}]
        yield self._outputs(pending, "", show_comment=False)
        yield from self._stream(question, history, bool(easy_read), turns, pending, _kommun_filter(kommun))

    def _stream(self, question: str, history: list[dict], easy_read: bool, turns: list[dict], pending: list[dict],
                kommun: str | None = None) -> Iterator[Outputs]:
        started = time.monotonic()
        partial = ""
        try:
            assistant = self.provider.get()
            scope = {"kommun": kommun} if kommun else {}
            for kind, payload in assistant.ask_stream(question, history, easy_read, **scope):
                if kind == "delta":
                    partial += payload
                    yield self._outputs(pending, "", streaming=partial)
                elif kind == "replace":  # validation changed the model's text: show the checked one
                    partial = payload
                    yield self._outputs(pending, "", streaming=partial)
                elif kind == "final":
                    record_declined(self.feedback, self.settings, question, payload, "ui")
                    done = turns + [answer_turn(question, payload.to_dict())]
                    log.info(
                        "ui answered=%s in %.0f ms: %r",
                        payload.answered,
                        (time.monotonic() - started) * 1000,
                        redact(question)[:200],
                    )
                    yield self._outputs(done, "")
                    return
        except Exception as exc:  # shown as a friendly message; the trace goes to the log only
            if isinstance(exc, (QuestionError, IndexNotReady, StoreUnavailable)):
                log.info("ui question not answered (%s): %r", type(exc).__name__, redact(question)[:200])
            else:
                log.exception("ui answer failed for %r", redact(question)[:200])
            yield self._outputs(turns + [notice_turn(question, error_text(exc, self.settings))], question)
            return
        # The stream ended without a final answer: treat it as an internal error.
        log.error("ask_stream ended without a final event for %r", redact(question)[:200])
        yield self._outputs(turns + [notice_turn(question, msg.error_message("internal_error"))], question)

    def reset(self) -> Outputs:
        return self._outputs([], "", show_comment=False)

    def on_like(self, turns: list[dict] | None, data: gr.LikeData) -> tuple[list[dict], Any, Any, str]:
        """Store a thumb for the answer that was rated; show the optional comment box."""
        turns = list(turns or [])
        chat, owners = render_chat(turns)
        index = data.index if isinstance(data.index, int) else data.index[0]
        if (
            not 0 <= index < len(owners)
            or chat[index]["role"] != "assistant"
            or turns[owners[index]]["kind"] != "answer"
        ):
            return turns, None, gr.update(visible=False), msg.FEEDBACK_NOT_ANSWER
        if data.liked is True:
            rating = "up"
        elif data.liked is False:
            rating = "down"
        else:  # the thumb was taken back: keep what was stored, say nothing
            return turns, None, gr.update(), ""
        turn = dict(turns[owners[index]])
        try:
            turn["feedback_id"] = self._store_rating(turn, rating)
        except Exception:
            log.exception("could not store feedback")
            return turns, None, gr.update(visible=False), msg.FEEDBACK_FAILED
        turns[owners[index]] = turn
        return turns, turn["feedback_id"], gr.update(visible=True), msg.FEEDBACK_THANKS

    def _store_rating(self, turn: dict, rating: str) -> int:
        if turn.get("feedback_id"):
            self.feedback.set_rating(turn["feedback_id"], rating)
            return turn["feedback_id"]
        return self.feedback.add(
            rating=rating,
            question=turn["question"],
            answer=turn["answer"],
            passage_ids=[c.get("passage_id", "") for c in turn["citations"]],
            mode=turn.get("mode", ""),
            answered=turn.get("answered"),
            channel="ui",
        )

    def on_comment(self, comment: str, feedback_id: int | None) -> tuple[str, str, Any]:
        if not feedback_id:
            return comment, msg.FEEDBACK_NEED_RATING, gr.update()
        if not (comment or "").strip():
            return comment, msg.FEEDBACK_EMPTY_COMMENT, gr.update()
        try:
            self.feedback.set_comment(int(feedback_id), comment)
        except Exception:
            log.exception("could not store feedback comment")
            return comment, msg.FEEDBACK_FAILED, gr.update()
        return "", msg.FEEDBACK_COMMENT_THANKS, gr.update(visible=False)


def _kommun_filter(choice: Any) -> str | None:
    """The drop-down's value as a filter: None for "Alla kommuner" or nothing chosen."""
    if not isinstance(choice, str) or not choice.strip() or choice == msg.ALL_KOMMUNER:
        return None
    return choice


def _client_ip(request: gr.Request | None) -> str:
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"


def header_html() -> str:
    return (
        '<header class="lss-header">'
        f"<h1>{render.esc(msg.TITLE)}</h1>"
        f'<p class="lss-intro">{render.esc(msg.INTRO)}</p>'
        f'<p class="lss-disclaimer" role="note"><strong>Observera:</strong> {render.esc(msg.DISCLAIMER)}</p>'
        f'<p class="lss-privacy">{render.esc(msg.PRIVACY)}</p>'
        "</header>"
    )


def build_blocks(settings: Settings, provider: Any, feedback: FeedbackStore, limiter: RateLimiter) -> gr.Blocks:
    page = ChatPage(settings, provider, feedback, limiter)
    with gr.Blocks(title=msg.TITLE, analytics_enabled=False) as demo:
        turns = gr.State([])
        feedback_id = gr.State(None)
        gr.HTML(header_html(), elem_id="lss-header")
        with gr.Row(equal_height=False, elem_id="lss-main"):
            with gr.Column(scale=3, min_width=300):
                chat = gr.Chatbot(
                    label="Samtal",
                    elem_id="lss-chat",
                    render_markdown=False,  # we send escaped HTML; no Markdown surprises in user text
                    sanitize_html=True,
                    latex_delimiters=[],
                    buttons=["copy"],
                    feedback_options=("Like", "Dislike"),
                    height="min(60vh, 640px)",
                    autoscroll=True,
                    placeholder="Ställ en fråga nedan, eller välj en av exempelfrågorna.",
                )
                question = gr.Textbox(
                    label="Din fråga",
                    placeholder="Skriv din fråga om LSS här …",
                    lines=1,  # one line: Enter submits (Shift+Enter still adds a line)
                    max_lines=6,
                    elem_id="lss-question",
                    info=f"Tryck Enter för att skicka, Skift+Enter för ny rad. Högst {settings.max_question_chars} tecken.",
                )
                with gr.Row(elem_id="lss-actions"):
                    send = gr.Button("Skicka", variant="primary", elem_id="lss-send", min_width=100)
                    new = gr.Button("Ny fråga", elem_id="lss-new", min_width=100)
                    speak_btn = gr.Button("Läs upp svaret", elem_id="lss-speak", min_width=120)
                    easy = gr.Checkbox(label="Lättläst", value=False, elem_id="lss-easy", min_width=100)
                kommun_choices = page.kommun_choices()
                kommun = gr.Dropdown(
                    choices=kommun_choices,
                    value=msg.ALL_KOMMUNER,
                    label=msg.KOMMUN_LABEL,
                    info=msg.KOMMUN_INFO,
                    interactive=True,
                    elem_id="lss-kommun",
                )
                with gr.Group(visible=False, elem_id="lss-comment-box") as comment_box:
                    comment = gr.Textbox(label="Vill du berätta mer? Kommentar (valfritt)", lines=2, max_lines=5, max_length=2000, elem_id="lss-comment")
                    send_comment = gr.Button("Skicka kommentar", elem_id="lss-send-comment")
                status = gr.Markdown("", elem_id="lss-feedback-status")
                gr.HTML('<h2 class="lss-examples-heading">Exempel på frågor</h2>')
                with gr.Row(elem_id="lss-examples"):
                    example_buttons = [gr.Button(q, size="sm", elem_classes=["lss-example"]) for q in msg.EXAMPLE_QUESTIONS]
            with gr.Column(scale=2, min_width=280):
                sources = gr.HTML(render.render_sources(None, 0), elem_id="lss-sources")
        speak_text = gr.Textbox(visible=False, elem_id="lss-speak-text")

        outputs = [chat, sources, question, turns, speak_text, comment_box, status]
        # always_last: a question sent while the previous answer is still streaming is kept
        # and answered next, instead of being silently dropped (Gradio's default).
        ask_kwargs = dict(
            outputs=outputs,
            api_visibility="private",
            concurrency_limit=4,
            show_progress="minimal",
            trigger_mode="always_last",
        )
        question.submit(page.ask, [question, turns, easy, kommun], **ask_kwargs)
        send.click(page.ask, [question, turns, easy, kommun], **ask_kwargs)
        for button, text in zip(example_buttons, msg.EXAMPLE_QUESTIONS):
            button.click(_example_handler(page, text), [turns, easy, kommun], **ask_kwargs)
        new.click(None, js="() => { window.lssStopSpeaking && window.lssStopSpeaking(); }")
        new.click(page.reset, None, outputs, api_visibility="private").then(
            None, js="() => { document.querySelector('#lss-question textarea')?.focus(); }"
        )
        # The chat's own trash button must forget the conversation too, not just hide it.
        chat.clear(page.reset, None, outputs, api_visibility="private")
        speak_btn.click(None, [speak_text], js="(text) => { window.lssSpeak && window.lssSpeak(text); }")
        easy.change(None, [easy], js="(on) => { document.documentElement.classList.toggle('lss-easy-read', !!on); }")
        # The corpus can grow (lss-assistant add, admin upload): offer its kommuner as of page load.
        demo.load(page.refresh_kommuner, [kommun], [kommun], api_visibility="private")
        chat.like(page.on_like, [turns], [turns, feedback_id, comment_box, status], api_visibility="private")
        send_comment.click(page.on_comment, [comment, feedback_id], [comment, status, comment_box], api_visibility="private")
    return demo


def _example_handler(page: ChatPage, text: str):
    # A named closure (not functools.partial) so Gradio still sees the gr.Request parameter.
    def ask_example(turns: list[dict] | None, easy_read: bool, kommun: str | None, request: gr.Request) -> Iterator[Outputs]:
        yield from page.respond(text, turns, easy_read, request, kommun=kommun)

    return ask_example


def head_html() -> str:
    """Page-level script (speech, citation links, lang=sv); static, contains no user data."""
    return f"<script>{UI_JS_PATH.read_text(encoding='utf-8')}</script>"


def page_css() -> str:
    return UI_CSS_PATH.read_text(encoding="utf-8")
