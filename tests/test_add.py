"""`lss-assistant add`: check a document, copy it into the corpus under a safe name, append
its metadata to sources.yaml (keeping the rest of the file), ingest incrementally, and the
new document is cited in answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assistant.cli import main

FACT = "Ekbacka kommun har 17 ledsagare som arbetar med ledsagarservice enligt LSS."


def make_pdf(path: Path, lines: list[str]) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    y = 760
    for line in lines:
        c.drawString(72, y, line)
        y -= 20
    c.showPage()
    c.save()
    return path


@pytest.fixture
def small_corpus(tmp_path, make_corpus, settings_for):
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": "Ett dokument om kontaktpersoner enligt LSS. " * 5})
    (corpus / "sources.yaml").write_text("# Våra källor\na.txt:\n  title: \"A\"  # behåll mig\n", encoding="utf-8")
    settings_for(corpus, tmp_path / "data")
    return corpus


# ------------------------------------------------------------------ refusals (nothing written, no model)


def test_refuses_a_missing_file(small_corpus, tmp_path, capsys):
    assert main(["add", str(tmp_path / "finns-inte.pdf")]) == 2
    assert "filen finns inte" in capsys.readouterr().err


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("tabell.csv", b"a;b\n1;2\n", "Filtypen stöds inte"),
        ("tom.txt", b"", "filen är tom"),
        ("blank.md", b"   \n\n  ", "ingen läsbar text"),
        ("falsk.pdf", b"det har ar ingen pdf", "stämmer inte med filändelsen .pdf"),
        ("binar.txt", b"\x00\x01\x02binary", "binärdata"),
    ],
)
def test_refuses_files_the_loader_cannot_use(small_corpus, tmp_path, capsys, name, content, expected):
    before = sorted(p.name for p in small_corpus.iterdir())
    sources = (small_corpus / "sources.yaml").read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["add", str(path), "--title", "X"]) == 2
    assert expected in capsys.readouterr().err
    assert sorted(p.name for p in small_corpus.iterdir()) == before  # nothing copied, no temp files left
    assert (small_corpus / "sources.yaml").read_text(encoding="utf-8") == sources


def test_refuses_bad_metadata_and_existing_names(small_corpus, tmp_path, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text("Ett annat dokument om ledsagarservice enligt LSS.", encoding="utf-8")
    assert main(["add", str(doc)]) == 2
    err = capsys.readouterr().err
    assert "redan en fil som heter a.txt" in err and "--force" in err
    assert (small_corpus / "a.txt").read_text(encoding="utf-8").startswith("Ett dokument om kontaktpersoner")
    other = tmp_path / "b.txt"
    other.write_text("Ett annat dokument om ledsagarservice enligt LSS.", encoding="utf-8")
    assert main(["add", str(other), "--date", "2026-13-01"]) == 2
    assert "date" in capsys.readouterr().err
    assert main(["add", str(other), "--language", "svenska!"]) == 2
    assert not (small_corpus / "b.txt").exists()


# ------------------------------------------------------------------ a new PDF, then cited (real model)


@pytest.mark.slow
def test_added_pdf_is_ingested_and_cited(built_index, tmp_path, settings_for, capsys):
    from assistant.service import Assistant

    corpus, data = tmp_path / "corpus", tmp_path / "data"
    shutil.copytree(built_index.corpus_dir, corpus)
    shutil.copytree(built_index.data_dir, data)
    settings = settings_for(corpus, data)
    original_sources = (corpus / "sources.yaml").read_text(encoding="utf-8")
    pdf = make_pdf(
        tmp_path / "Ekbacka Ledsagare 2026.pdf",
        [
            "Rapport om ledsagarservice i Ekbacka kommun",
            FACT,
            "Under året fick 64 personer i Ekbacka beslut om ledsagarservice.",
            "Kommunen planerar att anställa fler ledsagare under nästa år.",
        ],
    )
    args = [
        "add", str(pdf), "--title", "Ledsagarservice i Ekbacka 2026", "--publisher", "Ekbacka kommun",
        "--date", "2026-10-01", "--kommun", "Ekbacka", "--lan", "Testlän", "--kind", "rapport",
        "--language", "sv", "--quiet",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    name = "ekbacka-ledsagare-2026.pdf"  # a safe file name
    assert f"Lade till {name}" in out
    assert "Dokument: 8" in out and "Nya: " in out and "Hoppade över" not in out
    assert (corpus / name).read_bytes() == pdf.read_bytes()

    # sources.yaml: the old text (comments too) untouched, the new entry appended as a block
    sources = (corpus / "sources.yaml").read_text(encoding="utf-8")
    assert sources.startswith(original_sources.rstrip("\n"))
    entry = yaml.safe_load(sources)[name]
    assert entry == {
        "title": "Ledsagarservice i Ekbacka 2026", "publisher": "Ekbacka kommun", "date": "2026-10-01",
        "kind": "rapport", "kommun": "Ekbacka", "lan": "Testlän", "language": "sv",
    }
    assert yaml.safe_load(original_sources).items() <= yaml.safe_load(sources).items()

    assistant = Assistant.open(settings)
    answer = assistant.ask("Hur många ledsagare har Ekbacka kommun?")
    assert answer.answered, answer.reason
    assert "17" in answer.answer and answer.answer.startswith("Från Ekbacka kommun (2026): ")
    cited = [c for c in answer.citations if c.passage.source == name]
    assert cited and cited[0].passage.title == "Ledsagarservice i Ekbacka 2026" and not cited[0].stale
    assert "Ekbacka" in assistant.kommuner()

    # the same name again: refused without --force, replaced (no new passages) with it
    assert main(args) == 2
    assert "--force" in capsys.readouterr().err
    assert main(args + ["--force"]) == 0
    out = capsys.readouterr().out
    assert f"Ersatte {name}" in out and "Nya: 0, uppdaterade: 0" in out
    assert yaml.safe_load((corpus / "sources.yaml").read_text(encoding="utf-8"))[name] == entry
