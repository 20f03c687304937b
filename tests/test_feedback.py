"""The SQLite feedback store: redaction before storing, updates, CSV export."""

import csv
import dataclasses

import pytest

from assistant.config import load_settings
from assistant.feedback import FeedbackStore, feedback_db_path


@pytest.fixture
def store(tmp_path):
    return FeedbackStore(tmp_path / "fb" / "feedback.sqlite")


def test_add_redacts_and_keeps_fields(store):
    fid = store.add(
        rating="down",
        question="Mitt personnummer är 850709-9805, vad gäller?",
        answer="Ring 070-123 45 67 eller mejla handlaggare@kommun.se [1]",
        passage_ids=["norberg#3", "mfd#1"],
        mode="extractive",
        comment="Fel svar, jag heter 19850709-9805",
        answered=True,
        channel="ui",
    )
    rec = store.get(fid)
    assert rec.rating == "down"
    assert rec.question == "Mitt personnummer är [personnummer], vad gäller?"
    assert rec.answer == "Ring [telefon] eller mejla [e-post] [1]"
    assert rec.comment == "Fel svar, jag heter [personnummer]"
    assert rec.passage_ids == ["norberg#3", "mfd#1"]
    assert rec.mode == "extractive" and rec.answered is True and rec.channel == "ui"
    assert rec.created_at.endswith("+00:00")


def test_rating_and_comment_can_be_changed(store):
    fid = store.add(rating="up", question="q", answer="a")
    assert store.set_rating(fid, "down")
    assert store.set_comment(fid, "Kontakta mig: 08-123 456 78")
    rec = store.get(fid)
    assert rec.rating == "down" and rec.comment == "Kontakta mig: [telefon]"
    assert not store.set_comment(fid + 100, "x")


def test_invalid_rating_is_rejected(store):
    with pytest.raises(ValueError):
        store.add(rating="meh", question="q", answer="a")


def test_export_csv(store, tmp_path):
    store.add(rating="up", question="Vad är LSS?", answer="En lag [1]", passage_ids=["a#1"], answered=True)
    store.add(rating="down", question="=HYPERLINK(\"x\")", answer="", comment="Tel 0701234567")
    out = tmp_path / "export" / "feedback.csv"
    assert store.export_csv(out) == 2
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["rating"] for r in rows] == ["up", "down"]
    assert rows[0]["question"] == "Vad är LSS?" and rows[0]["passage_ids"] == "a#1" and rows[0]["answered"] == "1"
    assert rows[1]["question"].startswith("'=")  # a spreadsheet must not run it as a formula
    assert rows[1]["comment"] == "Tel [telefon]"


def test_default_path_is_in_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LSS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LSS_FEEDBACK_DB", raising=False)
    settings = load_settings()
    assert feedback_db_path(settings) == tmp_path / "data" / "feedback.sqlite"
    monkeypatch.setenv("LSS_FEEDBACK_DB", str(tmp_path / "other.sqlite"))
    assert feedback_db_path(load_settings()) == tmp_path / "other.sqlite"
    assert feedback_db_path(dataclasses.replace(settings, feedback_db=None)) == tmp_path / "data" / "feedback.sqlite"


def test_cli_exports_feedback_to_csv(tmp_path, monkeypatch):
    """`lss-assistant feedback export FILE` writes the (redacted) store as CSV."""
    import csv

    from assistant.cli import main
    from assistant.feedback import FeedbackStore

    monkeypatch.setenv("LSS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LSS_FEEDBACK_DB", raising=False)
    (tmp_path / "data").mkdir()
    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite")
    store.add(question="Mitt nummer är 070-123 45 67", answer="Svar", rating="down", passage_ids=["a:1"], mode="extractive")
    out = tmp_path / "fb.csv"
    assert main(["feedback", "export", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "[telefon]" in text and "070-123 45 67" not in text
    assert len(list(csv.reader(text.splitlines()))) == 2
