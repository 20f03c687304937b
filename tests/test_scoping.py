"""Municipality scoping: places named in a question rank their documents first, local
answers say where they are from, comparisons quote both places, and an optional kommun
filter (service, CLI, API, app) keeps only that kommun's and national sources."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.scoping import Places, boost, in_scope
from assistant.service import QuestionError, validate_kommun
from assistant.types import Passage, ScoredPassage

MJOLBY_DOC = "mjolby-protokoll-samverkan-lss-2025-09-22.txt"
HALLSTA_DOC = "fub-vastmanland-basta-lss-kommun-2024.md"
NORBERG_DOC = "norberg-interpellationssvar-lss-2021.md"


def passage(pid: str, kommun: str = "", lan: str = "") -> Passage:
    return Passage(passage_id=pid, doc_id=pid, source=f"{pid}.txt", title=pid, text="x", kommun=kommun, lan=lan)


PASSAGES = [
    passage("mjolby", "Mjölby", "Östergötland"),
    passage("hallsta", "Hallstahammar", "Västmanland"),
    passage("norberg", "Norberg", "Västmanland"),
    passage("lan", "", "Västmanland"),  # a regional document without a kommun
    passage("national"),
]
PLACES = Places.of(PASSAGES)


# ------------------------------------------------------------------ units (no model)


@pytest.mark.parametrize(
    "question, named",
    [
        ("Hur många stödpedagoger finns i Mjölby?", {"Mjölby"}),
        ("hur många stödpedagoger finns i mjölby", {"Mjölby"}),  # lower case
        ("Vad gäller hos oss i Västmanland?", {"Västmanland"}),
        ("Vad står i Norbergs interpellationssvar?", {"Norberg"}),  # genitive
        ("Hur många stödpedagoger har Mjölby jämfört med Hallstahammar?", {"Mjölby", "Hallstahammar"}),
        ("Vad är en kontaktperson?", set()),
    ],
)
def test_places_named_in_a_question(question, named):
    assert PLACES.named_in(question) == named


def test_known_kommuner_and_their_names():
    assert PLACES.sorted_kommuner() == ["Hallstahammar", "Mjölby", "Norberg"]
    assert PLACES.kommun("mjölby") == PLACES.kommun("Mjölby kommun") == "Mjölby"
    assert PLACES.kommun("Norbergs kommun") == "Norberg"
    assert PLACES.kommun("Stockholm") is None
    assert PLACES.lan_of["Hallstahammar"] == "Västmanland"


def test_filter_keeps_the_kommun_its_lan_and_national_sources():
    kept = {p.passage_id for p in PASSAGES if in_scope(p, "Hallstahammar", "Västmanland")}
    assert kept == {"hallsta", "lan", "national"}
    kept = {p.passage_id for p in PASSAGES if in_scope(p, "Mjölby", "Östergötland")}
    assert kept == {"mjolby", "national"}


def test_boost_is_small_and_only_for_the_named_place():
    scored = [ScoredPassage(p, s) for p, s in zip(PASSAGES, [0.18, 0.15, 0.10, 0.09, 0.08])]
    out = boost(scored, {"Norberg"}, 0.03)
    assert [sp.passage.passage_id for sp in out] == ["mjolby", "hallsta", "norberg", "lan", "national"]
    out = boost(scored, {"Norberg"}, 0.06)
    assert [sp.passage.passage_id for sp in out][:3] == ["mjolby", "norberg", "hallsta"]  # passes one, not all
    assert boost(scored, set(), 0.03) == scored and boost(scored, {"Norberg"}, 0.0) == scored


def test_validate_kommun():
    assert validate_kommun(None, PLACES) is None
    assert validate_kommun("  ", PLACES) is None
    assert validate_kommun("mjölby", PLACES) == "Mjölby"
    for bad in (7, ["Mjölby"], "x" * 101):
        with pytest.raises(QuestionError) as exc:
            validate_kommun(bad, PLACES)
        assert exc.value.code == "kommun_invalid"
    with pytest.raises(QuestionError) as exc:
        validate_kommun("Stockholm", PLACES)
    assert exc.value.code == "unknown_kommun"
    assert "Stockholm" in exc.value.message and "Hallstahammar, Mjölby, Norberg" in exc.value.message


def test_place_boost_setting(monkeypatch):
    from assistant.config import load_settings

    assert load_settings().place_boost == pytest.approx(0.03)
    monkeypatch.setenv("LSS_PLACE_BOOST", "0")
    assert load_settings().place_boost == 0.0


# ------------------------------------------------------------------ real corpus, real model


@pytest.mark.slow
@pytest.mark.parametrize(
    "question, first",
    [
        ("Hur många stödpedagoger har Mjölby jämfört med Hallstahammar?", MJOLBY_DOC),
        ("Hur många stödpedagoger har Hallstahammar jämfört med Mjölby?", HALLSTA_DOC),
    ],
)
def test_comparison_gives_both_figures_with_both_citations(assistant, question, first):
    answer = assistant.ask(question)
    assert answer.answered, answer.reason
    assert "8 stödpedagoger" in answer.answer and "27 anställda Stödpedagoger" in answer.answer
    sources = [c.passage.source for c in answer.citations]
    assert len(answer.citations) == 2 and set(sources) == {MJOLBY_DOC, HALLSTA_DOC}
    assert sources[0] == first  # in the order the question names the places
    assert "[1]" in answer.answer and "[2]" in answer.answer
    # Mjölby's own minutes; FUB Västmanland's text about Hallstahammar names its publisher, then the place
    assert "Från Mjölby kommun (2025): " in answer.answer
    assert "Från Länsförbundet FUB Västmanland (2024), om Hallstahammar: " in answer.answer


@pytest.mark.slow
def test_local_answer_says_where_it_is_from(assistant):
    answer = assistant.ask("Hur många stödpedagoger finns i Mjölby?")
    assert answer.answer.startswith("Från Mjölby kommun (2025): ")


@pytest.mark.slow
def test_a_named_lan_keeps_other_places_out_of_the_answer(assistant):
    answer = assistant.ask("Hur många stödpedagoger finns hos oss i Västmanland?")
    assert answer.answered and "27" in answer.answer
    assert {c.passage.source for c in answer.citations} == {HALLSTA_DOC}
    assert "Mjölby" not in answer.answer


@pytest.mark.slow
def test_named_place_ranks_its_passages_first_without_hiding_national_ones(assistant, monkeypatch):
    question = "Vad gör en kontaktperson i Norberg?"
    parsed = assistant.answerer.parse(question, [])
    qvec = assistant.embedder.query_vector(parsed.retrieval_query)
    boosted = assistant.candidates(parsed, qvec)
    monkeypatch.setattr(assistant, "settings", dataclasses.replace(assistant.settings, place_boost=0.0))
    plain = assistant.candidates(parsed, qvec)

    def local_in_top(ps, r):
        return sum(1 for sp in ps[:r] if sp.passage.kommun == "Norberg")

    assert boosted[0].passage.kommun == "Norberg" and len(boosted) == len(plain)
    # at every depth at least as many of Norberg's passages as without the boost
    assert all(local_in_top(boosted, r) >= local_in_top(plain, r) for r in range(1, len(plain) + 1))
    assert any(not sp.passage.kommun for sp in boosted[:5])  # national passages are still near the top


@pytest.mark.slow
def test_kommun_filter_keeps_that_kommun_and_national_sources(assistant):
    answer = assistant.ask("Hur många stödpedagoger finns det?", kommun="mjölby")
    assert answer.answered, answer.reason
    assert "8 stödpedagoger" in answer.answer and "27" not in answer.answer
    for sp in answer.passages:
        assert sp.passage.kommun in ("Mjölby", ""), sp.passage.source
        assert sp.passage.kommun or sp.passage.lan in ("", "Östergötland")
    other = assistant.ask("Hur många stödpedagoger finns det?", kommun="Hallstahammar")
    assert "27" in other.answer and "Mjölby" not in other.answer
    # a national question is still answered under a filter
    national = assistant.ask("Vad är en kontaktperson?", kommun="Mjölby")
    assert national.answered
    assert assistant.kommuner() == ["Hallstahammar", "Mjölby", "Norberg"]


@pytest.mark.slow
def test_unknown_kommun_is_refused_in_swedish(assistant):
    with pytest.raises(QuestionError) as exc:
        assistant.ask("Hur många stödpedagoger finns det?", kommun="Atlantis")
    assert exc.value.code == "unknown_kommun" and "Mjölby" in exc.value.message


# ------------------------------------------------------------------ the API and the app


@pytest.fixture
def client(built_index, assistant, tmp_path):
    from fastapi.testclient import TestClient

    from assistant.web.app import create_app

    settings = dataclasses.replace(built_index, feedback_db=tmp_path / "feedback.sqlite", rate_limit=1000)
    return TestClient(create_app(settings, assistant=assistant))


@pytest.mark.slow
def test_api_kommun_field(client):
    resp = client.post("/api/ask", json={"question": "Hur många stödpedagoger finns det?", "kommun": "Hallstahammar"})
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert "27" in data["answer"] and {c["source"] for c in data["citations"]} == {HALLSTA_DOC}
    assert client.post("/api/ask", json={"question": "Vad är en kontaktperson?", "kommun": ""}).status_code == 200

    for bad in (12, "x" * 101, ["Mjölby"]):
        resp = client.post("/api/ask", json={"question": "Vad är en kontaktperson?", "kommun": bad})
        assert resp.status_code == 400 and resp.json()["error"]["code"] == "kommun_invalid", resp.text
    resp = client.post("/api/ask", json={"question": "Vad är en kontaktperson?", "kommun": "Atlantis"})
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["code"] == "unknown_kommun" and "Hallstahammar, Mjölby, Norberg" in err["message"]
    # the streaming endpoint refuses it before the stream starts
    resp = client.post("/api/ask/stream", json={"question": "Vad är en kontaktperson?", "kommun": "Atlantis"})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "unknown_kommun"
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "kommun" in schema["AskRequest"]["properties"] and "stale" in schema["CitationOut"]["properties"]


@pytest.mark.slow
def test_app_offers_the_kommuner_and_passes_the_choice_on(built_index, assistant, tmp_path):
    from assistant.feedback import FeedbackStore
    from assistant.web import messages as msg
    from assistant.web.provider import AssistantProvider
    from assistant.web.ratelimit import RateLimiter
    from assistant.web.ui import ChatPage

    page = ChatPage(built_index, AssistantProvider(built_index, assistant), FeedbackStore(tmp_path / "f.sqlite"), RateLimiter(0))
    assert page.kommun_choices() == [msg.ALL_KOMMUNER, "Hallstahammar", "Mjölby", "Norberg"]
    *_, turns, _speak, _comment, _status = list(page.respond("Hur många stödpedagoger finns det?", [], False, None, kommun="Mjölby"))[-1]
    assert "8 stödpedagoger" in turns[-1]["answer"] and "27" not in turns[-1]["answer"]
    *_, turns, _speak, _comment, _status = list(page.respond("Hur många stödpedagoger finns det?", [], False, None, kommun=msg.ALL_KOMMUNER))[-1]
    assert turns[-1]["kind"] == "answer"
