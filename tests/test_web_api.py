"""HTTP API of the web app (in-process, real index): answers, validation, errors, limits, headers."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from fastapi.testclient import TestClient

from assistant.feedback import FeedbackStore
from assistant.service import StoreUnavailable
from assistant.web.app import create_app
from assistant.web.ratelimit import RateLimiter


pytestmark = pytest.mark.slow

ALLOWED = "http://kommun.example:8080"
QUESTION = "Till vem ska kommunen rapportera beslut som inte har verkställts?"


@pytest.fixture
def settings(built_index, tmp_path):
    return dataclasses.replace(
        built_index, feedback_db=tmp_path / "feedback.sqlite", allowed_origins=(ALLOWED,), rate_limit=1000
    )


@pytest.fixture
def client(settings, assistant):
    return TestClient(create_app(settings, assistant=assistant))


def assert_error(resp, status: int, code: str):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert message and "Traceback" not in message
    return message


# --- Answers ---


def test_ask_returns_answer_with_citations(client):
    resp = client.post("/api/ask", json={"question": QUESTION})
    assert resp.status_code == 200
    data = resp.json()
    assert set(data) >= {"question", "answer", "answered", "reply_kind", "mode", "citations", "passages", "timings_ms"}
    assert data["answered"] is True and data["citations"]
    ids = {c["id"] for c in data["citations"]}
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", data["answer"])}
    assert markers and markers <= ids
    for c in data["citations"]:
        assert c["quote"] and c["quote"] in c["text"]
        assert c["title"] and c["passage_id"]


def test_a_citation_of_the_guidance_says_which_law_it_summarises(client):
    data = client.post("/api/ask", json={"question": "Kan jag överklaga ett beslut om insatser enligt LSS?"}).json()
    assert data["answered"] is True, data
    guidance = [c for c in data["citations"] if c["source"].startswith("guidance/")]
    assert guidance, data["citations"]
    for c in guidance:
        assert c["kind"] == "vägledning" and c["law"].startswith("Lag (1993:387)")
        assert "i lydelse t.o.m. SFS" in c["law"]  # the version the summary was checked against
    for c in data["citations"]:
        assert set(c) >= {"kind", "law", "register"}  # the documented contract, empty when not set
        if not c["source"].startswith("guidance/"):
            assert c["law"] == "" and c["register"] == ""


def test_follow_up_uses_history_and_easy_read(client):
    first = client.post("/api/ask", json={"question": QUESTION}).json()
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": first["answer"]}]
    resp = client.post("/api/ask", json={"question": "Hur ofta ska det göras?", "history": history, "easy_read": True})
    assert resp.status_code == 200
    assert isinstance(resp.json()["answer"], str)


def test_declined_answer_has_no_citations(client):
    data = client.post("/api/ask", json={"question": "Vad kostar en pizza i Rom?"}).json()
    assert data["answered"] is False
    assert data["citations"] == []
    assert data["reply_kind"] == "not_covered"


def test_reply_kind_tells_an_answer_a_gap_and_guidance_apart(client):
    # a widget must not say "no support found in the documents" under "Hej!"
    for question, kind in (("hej", "guidance"), ("tack", "guidance"), ("Vem kan hjälpa mig?", "guidance"),
                           ("Vad är en kontaktperson?", "answer")):
        data = client.post("/api/ask", json={"question": question}).json()
        assert data["reply_kind"] == kind, question
        assert data["answered"] is (kind == "answer")


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_stream_sends_deltas_then_final(client):
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(resp.read().decode())
    kinds = [k for k, _ in events]
    assert kinds[-1] == "final" and kinds.count("final") == 1
    assert set(kinds[:-1]) == {"delta"}
    final = events[-1][1]
    assert "".join(d["text"] for _, d in events[:-1]).strip() == final["answer"].strip()
    assert final["citations"]


def test_health_ready(client):
    resp = client.get("/api/health")
    assert resp.status_code == 200
    body = resp.json()
    assert body["ready"] is True and body["passages"] > 0 and body["store"] == "ok"


# --- Validation: every bad request is a 4xx JSON error with a Swedish message, never a 500 ---

LONG = "a" * 1001

BAD_BODIES = [
    ({}, "question_missing"),
    ({"history": []}, "question_missing"),
    ({"question": 5}, "question_not_string"),
    ({"question": None}, "question_not_string"),
    ({"question": ["Vad är LSS?"]}, "question_not_string"),
    ({"question": {"text": "x"}}, "question_not_string"),
    ({"question": ""}, "question_empty"),
    ({"question": "   \n\t "}, "question_empty"),
    ({"question": LONG}, "question_too_long"),
    ({"question": "Vad är LSS?", "history": "tidigare"}, "history_invalid"),
    ({"question": "Vad är LSS?", "history": [{"content": "hej"}]}, "history_invalid"),
    ({"question": "Vad är LSS?", "history": [{"role": "system", "content": "hej"}]}, "history_invalid"),
    ({"question": "Vad är LSS?", "history": [{"role": "user", "content": 3}]}, "history_invalid"),
    ({"question": "Vad är LSS?", "history": ["hej"]}, "history_invalid"),
    ({"question": "Vad är LSS?", "history": [{"role": "user", "content": "x"}] * 41}, "history_too_long"),
    ({"question": "Vad är LSS?", "history": [{"role": "user", "content": "x" * 15000}] * 2}, "history_too_long"),
    ({"question": "Vad är LSS?", "easy_read": "ja"}, "invalid_easy_read"),
    ({"question": "Vad är LSS?", "easy_read": 1}, "invalid_easy_read"),
    ([{"question": "Vad är LSS?"}], "invalid_body"),
    ("Vad är LSS?", "invalid_body"),
]


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
@pytest.mark.parametrize("body,code", BAD_BODIES, ids=[f"{c}-{i}" for i, (_, c) in enumerate(BAD_BODIES)])
def test_invalid_requests(client, path, body, code):
    assert_error(client.post(path, json=body), 400, code)


def test_too_long_message_names_the_limit(client, settings):
    message = assert_error(client.post("/api/ask", json={"question": LONG}), 400, "question_too_long")
    assert str(settings.max_question_chars) in message


@pytest.mark.parametrize(
    "content,headers,code",
    [
        (b"{not json", {"content-type": "application/json"}, "invalid_json"),
        (b"", {"content-type": "application/json"}, "invalid_body"),
        (b'{"question": "Vad \xc3\xa4r LSS?"}', {"content-type": "text/plain"}, "invalid_body"),
    ],
)
def test_unreadable_bodies(client, content, headers, code):
    assert_error(client.post("/api/ask", content=content, headers=headers), 400, code)


def test_oversized_body_is_refused_before_parsing(client):
    body = json.dumps({"question": "x" * 600_000})
    assert_error(client.post("/api/ask", content=body, headers={"content-type": "application/json"}), 413, "body_too_large")


# --- Service failures become friendly errors ---


def test_index_not_ready(tmp_path, settings):
    empty = dataclasses.replace(settings, data_dir=tmp_path / "empty-data", feedback_db=tmp_path / "fb.sqlite")
    client = TestClient(create_app(empty))
    resp = client.get("/api/health")
    assert resp.status_code == 503 and resp.json()["ready"] is False
    assert_error(client.post("/api/ask", json={"question": QUESTION}), 503, "index_not_ready")
    assert_error(client.post("/api/ask/stream", json={"question": QUESTION}), 503, "index_not_ready")
    # validation still comes first: a bad question is the client's problem either way
    assert_error(client.post("/api/ask", json={"question": ""}), 400, "question_empty")


def test_store_unavailable(client, assistant, monkeypatch):
    def unreachable(*args, **kwargs):
        raise StoreUnavailable("chroma unreachable")

    monkeypatch.setattr(assistant.retriever, "retrieve", unreachable)
    resp = client.post("/api/ask", json={"question": QUESTION})
    assert_error(resp, 503, "store_unavailable")
    assert resp.headers["retry-after"]
    assert_error(client.post("/api/ask/stream", json={"question": QUESTION}), 503, "store_unavailable")


def test_unexpected_failure_is_json_without_trace(client, assistant, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(assistant.retriever, "retrieve", broken)
    message = assert_error(client.post("/api/ask", json={"question": QUESTION}), 500, "internal_error")
    assert "secret" not in message


# --- Rate limit ---


def test_rate_limit_per_client(settings, assistant):
    app = create_app(dataclasses.replace(settings, rate_limit=3), assistant=assistant)
    client = TestClient(app)
    for _ in range(3):
        assert client.post("/api/ask", json={"question": ""}).status_code == 400  # counted too
    resp = client.post("/api/ask", json={"question": QUESTION})
    message = assert_error(resp, 429, "rate_limited")
    retry = int(resp.headers["retry-after"])
    assert 1 <= retry <= 60 and str(retry) in message
    assert client.post("/api/ask/stream", json={"question": QUESTION}).status_code == 429
    assert client.get("/api/health").status_code == 200  # monitoring is not limited
    other = TestClient(app, client=("10.1.2.3", 5000))  # another client has its own window
    assert other.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_rate_limiter_window_slides():
    now = [1000.0]
    limiter = RateLimiter(2, window_seconds=60, clock=lambda: now[0])
    assert limiter.hit("a").allowed and limiter.hit("a").allowed
    denied = limiter.hit("a")
    assert not denied.allowed and denied.retry_after == 60
    now[0] += 30
    assert limiter.hit("b").allowed
    assert limiter.hit("a").retry_after == 30
    now[0] += 30.5
    assert limiter.hit("a").allowed
    assert RateLimiter(0).hit("a").allowed  # 0 disables the limit


# --- Docs, CORS, framing, widget files ---


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/ask", "/api/ask/stream", "/api/health", "/api/feedback"):
        assert path in spec["paths"]
    ask_schema = spec["components"]["schemas"]["AskRequest"]
    assert {"question", "history", "easy_read"} <= set(ask_schema["properties"])
    citation_schema = spec["components"]["schemas"]["CitationOut"]
    assert {"stale", "kind", "law", "register"} <= set(citation_schema["properties"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_cors_only_for_allowed_origins(client):
    ok = client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": ALLOWED})
    assert ok.headers.get("access-control-allow-origin") == ALLOWED
    other = client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options(
        "/api/ask",
        headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == ALLOWED
    refused = client.options(
        "/api/ask", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in refused.headers


def test_frame_policy_and_widget_files(client):
    embed = client.get("/embed")
    assert embed.status_code == 200 and embed.headers["content-type"].startswith("text/html")
    csp = embed.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {ALLOWED}" in csp and "script-src 'self'" in csp
    assert client.get("/").headers["content-security-policy"] == "frame-ancestors 'self'"
    widget = client.get("/widget.js")
    assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
    for path in ("/embed.js", "/embed.css"):
        assert client.get(path).status_code == 200
    # no secrets or keys in what host pages load
    for text in (widget.text, embed.text, client.get("/embed.js").text):
        assert not re.search(r"(api[_-]?key|secret|token\s*[:=]\s*['\"])", text, re.I)


# --- Feedback API (used by the widget) ---


def test_feedback_api_stores_redacted(client, settings):
    resp = client.post(
        "/api/feedback",
        json={"rating": "down", "question": "Jag har pnr 850709-9805", "answer": "Svar [1]", "passage_ids": ["p#1"], "answered": True},
    )
    assert resp.status_code == 200
    fid, token = resp.json()["id"], resp.json()["token"]
    assert_error(client.post(f"/api/feedback/{fid}", json={"token": "x" * 32, "comment": "hack"}), 400, "invalid_feedback")
    assert client.post(f"/api/feedback/{fid}", json={"token": token, "comment": "Mejla mig på a@b.se"}).status_code == 200
    rec = FeedbackStore.from_settings(settings).get(fid)
    assert rec.question == "Jag har pnr [personnummer]" and rec.comment == "Mejla mig på [e-post]"
    assert rec.rating == "down" and rec.channel == "widget"
    assert_error(client.post("/api/feedback", json={"rating": "meh"}), 400, "invalid_feedback")


def test_unknown_paths_and_methods_are_json(client):
    resp = client.get("/api/ask")
    assert_error(resp, 405, "method_not_allowed")
    assert resp.headers["allow"] == "POST"
    assert_error(client.get("/api/finns-inte"), 404, "not_found")
