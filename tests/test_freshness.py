"""Source freshness: citations carry their date and a "stale" flag; answers from old
sources end with one short Swedish note; the app and the widget mark old sources."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from assistant.answer import is_stale, stale_note
from assistant.config import load_settings
from assistant.types import Citation, Passage
from assistant.web import render

TODAY = date(2026, 11, 23)
OLD_DOC = "oppna-jamforelser-2019-lss.txt"
NEW_DOC = "mjolby-protokoll-samverkan-lss-2025-09-22.txt"
EMBED_JS = Path(__file__).resolve().parent.parent / "assistant" / "web" / "static" / "embed.js"


def citation(n: int, day: str, quote: str = "Det fanns 20 000 barn.", stale: bool = True) -> Citation:
    p = Passage(passage_id=f"p{n}", doc_id="d", source="s.txt", title="T", text=quote, date=day)
    return Citation(id=n, passage=p, quote=quote, stale=stale)


# ------------------------------------------------------------------ the rule


@pytest.mark.parametrize(
    "day, years, stale",
    [
        ("2019", 3, True),
        ("2021-04-23", 3, True),
        ("2025-09-22", 3, False),
        ("2023", 3, False),  # a bare year counts as its last day: 2023-12-31 is within 3 years
        ("2023-11", 3, False),
        ("2023-10", 3, True),
        ("2023-11-22", 3, True),
        ("2023-11-23", 3, False),
        ("2019", 0, False),  # 0 turns the notes off
        ("2019", 10, False),
        ("", 3, False),  # no date: never called old
        ("okänt", 3, False),
        ("2021-13", 3, False),
    ],
)
def test_stale_rule(day, years, stale):
    assert is_stale(day, years, today=TODAY) is stale


def test_stale_years_setting(monkeypatch):
    assert load_settings().stale_years == 3
    monkeypatch.setenv("LSS_STALE_YEARS", "5")
    assert load_settings().stale_years == 5


def test_one_note_covers_every_old_source():
    assert stale_note([citation(1, "2025-09-22", stale=False)]) == ""
    assert stale_note([citation(2, "2019")]) == "Obs: källan [2] är från 2019, så siffrorna kan ha ändrats."
    # no figure in the quote: "uppgifterna"
    assert stale_note([citation(1, "2021-04-23", "Det råder brist på kontaktpersoner.")]).endswith(
        "så uppgifterna kan ha ändrats."
    )
    both = stale_note([citation(1, "2019"), citation(2, "2019")])
    assert both == "Obs: källorna [1] och [2] är från 2019, så siffrorna kan ha ändrats."
    mixed = stale_note([citation(1, "2019"), citation(2, "2021-04-23"), citation(3, "2025", stale=False)])
    assert mixed.count("Obs") == 1 and "[1] från 2019" in mixed and "[2] från 2021" in mixed and "[3]" not in mixed


def test_easy_read_note_uses_short_simple_sentences():
    note = stale_note([citation(1, "2019")], easy_read=True)
    assert note == "Obs! Texten [1] är från 2019.\nDet kan ha ändrats sedan dess."
    assert all(len(line.split()) <= 7 for line in note.splitlines())


def test_citation_json_gains_only_a_stale_flag():
    d = citation(1, "2019").to_dict()
    assert d["stale"] is True and d["date"] == "2019"
    assert citation(1, "2025", stale=False).to_dict()["stale"] is False


# ------------------------------------------------------------------ the app and the widget


def test_source_card_marks_an_old_source_and_escapes():
    old = {"id": 1, "title": "Öppna jämförelser", "date": "2019", "stale": True, "text": "x", "quote": "x"}
    html = render.render_sources({"answered": True, "citations": [old]}, turn=0)
    assert '<p class="lss-stale">Äldre källa (2019)</p>' in html
    fresh = dict(old, date="2025-09-22", stale=False)
    assert "lss-stale" not in render.render_sources({"answered": True, "citations": [fresh]}, turn=0)
    hostile = dict(old, date='<img src=x onerror="alert(1)">', stale=True)
    html = render.render_sources({"answered": True, "citations": [hostile]}, turn=0)
    assert "<img" not in html and "Äldre källa</p>" in html
    # only a real boolean counts (the JSON contract), not a truthy string
    assert "lss-stale" not in render.render_sources({"answered": True, "citations": [dict(old, stale="false")]}, turn=0)


def test_widget_marks_old_sources_as_text():
    js = EMBED_JS.read_text(encoding="utf-8")
    label = re.search(r"if \(c\.stale === true\) \{(.*?)\n    \}", js, re.S)
    assert label, "embed.js must label stale citations"
    assert "innerHTML" not in label.group(1) and 'node("span", "lss-citation-stale"' in label.group(1)
    assert 'staleSource: "Äldre källa"' in js


# ------------------------------------------------------------------ real corpus, real model


@pytest.mark.slow
def test_answer_from_the_2019_document_ends_with_a_note(assistant):
    answer = assistant.ask("Hur många barn och unga har insatser enligt LSS?")
    assert answer.answered, answer.reason
    old = [c for c in answer.citations if c.passage.source == OLD_DOC]
    assert old and all(c.stale for c in old)
    last = answer.answer.strip().splitlines()[-1]
    assert last.startswith("Obs: käll") and "2019" in last and "kan ha ändrats" in last
    for c in old:
        assert f"[{c.id}]" in last
    assert answer.answer.count("Obs") == 1
    d = answer.to_dict()
    assert all(c["stale"] is (c["source"] == OLD_DOC or c["stale"]) for c in d["citations"])

    easy = assistant.ask("Hur många barn och unga har insatser enligt LSS?", easy_read=True)
    assert easy.answered
    assert easy.answer.rstrip().endswith("Det kan ha ändrats sedan dess.") and "Obs! Text" in easy.answer


@pytest.mark.slow
def test_answer_from_the_2025_document_has_no_note(assistant):
    answer = assistant.ask("Hur många stödpedagoger finns i Mjölby?")
    assert answer.answered and "8" in answer.answer
    assert {c.passage.source for c in answer.citations} == {NEW_DOC}
    assert not any(c.stale for c in answer.citations)
    assert "Obs" not in answer.answer
    assert all(c["stale"] is False for c in answer.to_dict()["citations"])


@pytest.mark.slow
def test_stale_years_zero_turns_the_note_off(assistant, monkeypatch):
    monkeypatch.setattr(assistant.answerer, "stale_years", 0)
    answer = assistant.ask("Hur många barn och unga har insatser enligt LSS?")
    assert answer.answered and "Obs" not in answer.answer
    assert not any(c.stale for c in answer.citations)
