"""The Gradio page's handlers and HTML rendering, without a browser (real index)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from assistant.feedback import FeedbackStore
from assistant.service import StoreUnavailable
from assistant.web import render
from assistant.web.provider import AssistantProvider
from assistant.web.ratelimit import RateLimiter
from assistant.web.ui import ChatPage, history_from, render_chat


QUESTION = "Till vem ska kommunen rapportera beslut som inte har verkställts?"


# --- Rendering: everything from outside is escaped ---


def test_answer_markers_become_links_and_text_is_escaped():
    citations = [{"id": 1}, {"id": 2}]
    html = render.render_answer("A <b>x</b> [1] och [2] men inte [7].\nNy rad", citations, turn=3, linked=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html
    assert 'href="#lss-kalla-3-1"' in html and 'href="#lss-kalla-3-2"' in html
    assert "[7]" in html and "lss-kalla-3-7" not in html
    assert "<br>" in html
    plain = render.render_answer("Svar [1]", citations, turn=0, linked=False)
    assert "<a " not in plain and "[1]" in plain


def test_source_card_escapes_and_highlights_quote():
    citation = {
        "id": 1,
        "title": "<script>alert(1)</script>",
        "publisher": "Kommun & co",
        "date": "2021-04-23",
        "text": 'Före. Citatet "<img src=x onerror=alert(1)>" här. Efter.',
        "quote": 'Citatet "<img src=x onerror=alert(1)>" här.',
    }
    html = render.render_sources({"answered": True, "citations": [citation]}, turn=0)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "Kommun &amp; co · 2021-04-23" in html
    assert '<mark>Citatet &quot;&lt;img src=x onerror=alert(1)&gt;&quot; här.</mark>' in html
    assert 'id="lss-kalla-0-1"' in html and 'data-state="answered"' in html


def test_source_card_says_a_summary_is_not_the_law_text():
    law = "Lag (1993:387) om stöd och service till vissa funktionshindrade"
    guidance = {"id": 1, "title": "LSS i korthet", "publisher": "LSS-assistenten (sammanställning)",
                "date": "2026-11-23", "kind": "vägledning", "law": law, "text": "x (27 § LSS).", "quote": "x (27 § LSS)."}
    html = render.render_sources({"answered": True, "citations": [guidance]}, turn=0)
    assert ('<p class="lss-summary-of">Sammanfattning av lag (1993:387) om stöd och service till vissa '
            "funktionshindrade, inte lagtexten</p>") in html
    seed = dict(guidance, law="", kind="protokoll")
    assert "lss-summary-of" not in render.render_sources({"answered": True, "citations": [seed]}, turn=0)
    hostile = dict(guidance, law="<b>LSS</b>")
    html = render.render_sources({"answered": True, "citations": [hostile]}, turn=0)
    assert "<b>" not in html and "Sammanfattning av &lt;b&gt;LSS&lt;/b&gt;, inte lagtexten" in html
    assert render.summary_label("SoL") == "Sammanfattning av SoL, inte lagtexten"  # an abbreviation keeps its case


def test_declined_answer_panel_says_why():
    html = render.render_sources({"answered": False, "citations": []}, turn=0)
    assert "Inga källor" in html and "lss-source" not in html.replace("lss-sources", "")
    assert "hittade inget stöd" in html and 'data-state="declined"' in html


def test_a_greeting_or_hint_is_not_called_a_lack_of_support_in_the_sources():
    html = render.render_sources({"answered": False, "reply_kind": "guidance", "citations": []}, turn=0)
    assert 'data-state="guidance"' in html and "hittade inget stöd" not in html
    assert "hälsning eller ett tips" in html


def test_history_keeps_answers_only_and_fits_the_service_limits():
    turns = [
        {"kind": "answer", "question": "q1", "answer": "a1", "citations": []},
        {"kind": "notice", "question": "", "answer": "Skriv en fråga först.", "citations": []},
        {"kind": "answer", "question": "q2", "answer": "a2", "citations": []},
    ]
    assert history_from(turns) == [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
        {"role": "assistant", "content": "a2"},
    ]
    long_turns = [{"kind": "answer", "question": "q", "answer": "x" * 3000, "citations": []}] * 30
    history = history_from(long_turns)
    assert len(history) <= 40 and sum(len(m["content"]) for m in history) <= 20000


def test_render_chat_maps_messages_to_turns():
    turns = [
        {"kind": "notice", "question": None, "answer": "Skriv en fråga först.", "citations": []},
        {"kind": "answer", "question": "<i>q</i>", "answer": "a [1]", "citations": [{"id": 1}]},
    ]
    messages, owners = render_chat(turns)
    assert [m["role"] for m in messages] == ["assistant", "user", "assistant"]
    assert owners == [0, 1, 1]
    assert messages[1]["content"] == "&lt;i&gt;q&lt;/i&gt;"
    assert "lss-cite" in messages[2]["content"]


# --- Handlers against the real assistant ---


@pytest.fixture
def page(built_index, assistant, tmp_path):
    settings = dataclasses.replace(built_index, feedback_db=tmp_path / "fb.sqlite")
    return ChatPage(settings, AssistantProvider(settings, assistant), FeedbackStore.from_settings(settings), RateLimiter(100))


REQUEST = SimpleNamespace(client=SimpleNamespace(host="127.0.0.1"))


def final(outputs):
    *_, last = outputs
    chat, sources, question_box, turns, speak, _comment, _status = last
    return chat, sources, question_box, turns, speak


@pytest.mark.slow
def test_respond_streams_then_shows_answer_with_sources(page):
    steps = list(page.respond(QUESTION, [], False, REQUEST))
    assert len(steps) >= 3  # pending, at least one delta, final
    assert "Söker i källorna" in steps[0][0][-1]["content"]
    chat, sources, question_box, turns, speak = final(steps)
    assert question_box == ""
    assert turns[-1]["kind"] == "answer" and turns[-1]["citations"]
    assert "lss-cite" in chat[-1]["content"] and "<mark>" in sources
    assert speak == turns[-1]["answer"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "question,expected",
    [("", "Skriv en fråga"), ("   ", "Skriv en fråga"), ("x" * 5000, "för lång")],
)
def test_respond_explains_bad_questions(page, question, expected):
    chat, sources, question_box, turns, _ = final(page.respond(question, [], False, REQUEST))
    assert expected in chat[-1]["content"] and turns[-1]["kind"] == "notice"


@pytest.mark.slow
def test_respond_friendly_when_store_or_index_fails(page, assistant, monkeypatch, tmp_path):
    def unreachable(*a, **kw):
        raise StoreUnavailable("down")

    monkeypatch.setattr(assistant.retriever, "retrieve", unreachable)
    chat, *_ = final(page.respond(QUESTION, [], False, REQUEST))
    assert "dokumentdatabas" in chat[-1]["content"] and "Traceback" not in chat[-1]["content"]
    monkeypatch.undo()

    empty = dataclasses.replace(page.settings, data_dir=tmp_path / "no-index")
    no_index = ChatPage(empty, AssistantProvider(empty), page.feedback, RateLimiter(100))
    chat, *_ = final(no_index.respond(QUESTION, [], False, REQUEST))
    assert "inte redo" in chat[-1]["content"]


@pytest.mark.slow
def test_respond_rate_limited(page):
    page.limiter = RateLimiter(1)
    final(page.respond(QUESTION, [], False, REQUEST))
    chat, *_ = final(page.respond(QUESTION, [], False, REQUEST))
    assert "Vänta" in chat[-1]["content"]


@pytest.mark.slow
def test_like_and_comment_store_redacted_feedback(page):
    question = "Vad gör en kontaktperson? Mitt pnr är 850709-9805"
    *_, turns, _ = final(page.respond(question, [], False, REQUEST))
    _messages, owners = render_chat(turns)
    like = SimpleNamespace(index=len(owners) - 1, liked=False, value=None)
    turns, feedback_id, _box, status = page.on_like(turns, like)
    assert feedback_id and "Tack" in status
    _, status, _ = page.on_comment("Mejla anna@example.se", feedback_id)
    assert "sparad" in status
    rec = page.feedback.get(feedback_id)
    assert rec.rating == "down" and "[personnummer]" in rec.question and rec.comment == "Mejla [e-post]"
    # rating the user's own message is refused politely
    _t, fid, _b, status = page.on_like(turns, SimpleNamespace(index=0, liked=True, value=None))
    assert fid is None and "bara" in status
