"""Stage 1: loaders for every supported format, broken files reported by name, cleaning of the real seeds."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assistant.load import clean_text, doc_id_for, load_corpus

REAL_CORPUS = Path(__file__).resolve().parent.parent / "corpus"

LONG_PARAGRAPH = (
    "En kontaktperson är ett medmänskligt stöd för att bryta social isolering och ge möjlighet "
    "till fritidsaktiviteter utifrån egna önskemål."
)


# ------------------------------------------------------------------ helpers


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


def make_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Om kontaktperson", level=1)
    d.add_paragraph(LONG_PARAGRAPH)
    d.add_heading("Ansökan", level=2)
    d.add_paragraph("Du ansöker om insatsen hos kommunens LSS-handläggare, som utreder behovet och fattar beslut.")
    d.save(str(path))
    return path


HTML = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Daglig verksamhet i Exempelby</title>
<style>body { color: red; } .stilregel { display: none }</style>
<script>var hemligt = "skriptinnehåll ska bort";</script></head>
<body>
<nav><ul><li>Startsida</li><li>Navigeringslänk</li></ul></nav>
<header><p>Sidhuvudtext</p></header>
<main>
<h1>Daglig verksamhet</h1>
<p>Daglig verksamhet är en insats enligt LSS för personer i personkrets 1 och 2 som är i yrkesverksam ålder och saknar förvärvsarbete.</p>
<ul><li>Arbete i grupp</li><li>Praktik på ett företag</li></ul>
</main>
<footer><p>Sidfot med kontaktuppgifter</p></footer>
<script>console.log("mer skript")</script>
</body></html>
"""


def by_source(result):
    return {d.source: d for d in result.documents}


def problems_by_path(result):
    return {p.path: p.message for p in result.problems}


# ------------------------------------------------------------------ good files


def test_txt_and_markdown_with_front_matter_merged_over_sources_yaml(tmp_path, make_corpus):
    corpus = make_corpus(
        tmp_path / "corpus",
        {
            "vanlig.txt": "Rubriken\n\n" + LONG_PARAGRAPH + "\n",
            "med-front.md": (
                "---\n"
                "title: Titel från front matter\n"
                "date: 2024-05-01\n"
                "kommun: Norberg\n"
                "---\n"
                "# Kontaktperson\n\n"
                "Det här är **viktigt**: " + LONG_PARAGRAPH + "\n"
            ),
        },
        sources={
            "vanlig.txt": {"title": "Vanlig text", "publisher": "Testkommunen", "date": "2023", "kind": "nyhet"},
            "med-front.md": {"title": "Titel från sources.yaml", "publisher": "Förlaget", "kommun": "Sala"},
        },
    )
    result = load_corpus(corpus)
    assert result.problems == []
    docs = by_source(result)
    assert set(docs) == {"vanlig.txt", "med-front.md"}

    txt = docs["vanlig.txt"]
    assert txt.title == "Vanlig text" and txt.publisher == "Testkommunen" and txt.date == "2023" and txt.kind == "nyhet"
    assert LONG_PARAGRAPH in txt.text
    assert txt.doc_id == "vanlig" and txt.language == "sv"

    md = docs["med-front.md"]
    # front matter wins where both give a field; sources.yaml fills the rest
    assert md.title == "Titel från front matter"
    assert md.kommun == "Norberg"
    assert md.date == "2024-05-01"
    assert md.publisher == "Förlaget"
    assert "---" not in md.text and "title:" not in md.text
    assert md.text.split("\n")[0] == "# Kontaktperson"
    assert "**" not in md.text and "Det här är viktigt:" in md.text


def test_title_falls_back_to_first_line_without_metadata(tmp_path, make_corpus):
    corpus = make_corpus(tmp_path / "c", {"utan-metadata.txt": "Om ledsagarservice\n\n" + LONG_PARAGRAPH})
    (doc,) = load_corpus(corpus).documents
    assert doc.title == "Om ledsagarservice"
    assert doc.publisher == "" and doc.date == ""


def test_pdf_generated_with_reportlab_is_read(tmp_path, make_corpus):
    corpus = make_corpus(tmp_path / "c", {}, sources={"rapport.pdf": {"title": "PDF-rapport", "publisher": "IVO"}})
    make_pdf(
        corpus / "rapport.pdf",
        [
            "Kontaktperson är en insats enligt LSS för att bryta social isolering.",
            "Kommunen ska rapportera ej verkställda beslut till IVO varje kvartal.",
        ],
    )
    result = load_corpus(corpus)
    assert result.problems == []
    (doc,) = result.documents
    assert doc.source == "rapport.pdf" and doc.title == "PDF-rapport" and doc.publisher == "IVO"
    assert "Kontaktperson är en insats enligt LSS för att bryta social isolering." in doc.text
    assert "rapportera ej verkställda beslut till IVO varje kvartal" in doc.text


def test_docx_heading_becomes_hash_line(tmp_path, make_corpus):
    corpus = make_corpus(tmp_path / "c", {})
    make_docx(corpus / "vagledning.docx")
    result = load_corpus(corpus)
    assert result.problems == []
    (doc,) = result.documents
    lines = doc.text.split("\n")
    assert "# Om kontaktperson" in lines
    assert "# Ansökan" in lines
    assert LONG_PARAGRAPH in lines
    assert lines.index("# Om kontaktperson") < lines.index(LONG_PARAGRAPH) < lines.index("# Ansökan")
    assert doc.title == "Om kontaktperson"  # first line, without the "# "


def test_html_drops_script_style_nav_and_uses_title(tmp_path, make_corpus):
    corpus = make_corpus(tmp_path / "c", {"sida.html": HTML})
    result = load_corpus(corpus)
    assert result.problems == []
    (doc,) = result.documents
    assert doc.title == "Daglig verksamhet i Exempelby"
    assert "# Daglig verksamhet" in doc.text.split("\n")
    assert "personkrets 1 och 2" in doc.text
    assert "Arbete i grupp" in doc.text and "Praktik på ett företag" in doc.text
    for debris in ("skriptinnehåll", "console.log", "color: red", "stilregel", "Navigeringslänk", "Startsida", "Sidhuvudtext", "Sidfot"):
        assert debris not in doc.text, debris


# ------------------------------------------------------------------ broken files


def test_broken_files_are_reported_by_name_in_swedish_and_the_rest_loads(tmp_path, make_corpus):
    rng = random.Random(1234)
    corpus = make_corpus(
        tmp_path / "corpus",
        {
            "bra.txt": "Bra dokument\n\n" + LONG_PARAGRAPH,
            "undermapp/ocksa-bra.md": "# Ledsagning\n\nLedsagarservice är en insats som gör det lättare att delta i samhällslivet och umgås med andra.",
            "anteckning.xyz": "Något i ett okänt format.",
            "trasig.pdf": bytes(rng.getrandbits(8) for _ in range(3000)),
            "tom.txt": "",
            "binar.txt": b"LSS\x00\x01\x02\x00\xff\xfe binary " * 20,
            "latin1.txt": ("Ansökan om kontaktperson enligt LSS. Handläggaren utreder behovet av stöd "
                           "och fattar beslut om insatsen.").encode("latin-1"),
        },
        sources={"bra.txt": {"title": "Bra"}, "saknas.pdf": {"title": "Finns inte"}},
    )
    result = load_corpus(corpus)
    docs = by_source(result)
    assert set(docs) == {"bra.txt", "undermapp/ocksa-bra.md"}
    assert docs["undermapp/ocksa-bra.md"].doc_id == "undermapp-ocksa-bra"

    problems = problems_by_path(result)
    assert set(problems) == {"anteckning.xyz", "trasig.pdf", "tom.txt", "binar.txt", "latin1.txt", "saknas.pdf"}
    assert "filtypen .xyz stöds inte" in problems["anteckning.xyz"]
    assert "PDF-filen går inte att läsa" in problems["trasig.pdf"]
    assert "tom" in problems["tom.txt"]
    assert "binärdata" in problems["binar.txt"]
    assert "inte UTF-8-kodad" in problems["latin1.txt"]
    assert "nämns i sources.yaml men filen finns inte" in problems["saknas.pdf"]


def test_truncated_pdf_and_pdf_without_text_are_reported(tmp_path, make_corpus):
    corpus = make_corpus(tmp_path / "c", {"ok.txt": LONG_PARAGRAPH})
    good = make_pdf(tmp_path / "good.pdf", ["Daglig verksamhet enligt LSS ska vara meningsfull."])
    data = good.read_bytes()
    (corpus / "halv.pdf").write_bytes(data[: len(data) // 2])
    make_pdf(corpus / "bild.pdf", [])  # a page without any text, like a scanned image
    result = load_corpus(corpus)
    assert [d.source for d in result.documents] == ["ok.txt"]
    problems = problems_by_path(result)
    assert "PDF-filen går inte att läsa" in problems["halv.pdf"]
    assert "ingen text" in problems["bild.pdf"]


def test_zip_that_is_not_a_word_file_is_reported(tmp_path, make_corpus):
    import zipfile

    corpus = make_corpus(tmp_path / "c", {"ok.txt": LONG_PARAGRAPH})
    with zipfile.ZipFile(corpus / "inte-word.docx", "w") as z:
        z.writestr("hej.txt", "hej")
    result = load_corpus(corpus)
    assert [d.source for d in result.documents] == ["ok.txt"]
    assert "Word-filen går inte att läsa" in problems_by_path(result)["inte-word.docx"]


def test_corrupt_docx_with_random_bytes_is_reported(tmp_path, make_corpus):
    rng = random.Random(99)
    corpus = make_corpus(
        tmp_path / "c", {"ok.txt": LONG_PARAGRAPH, "trasig.docx": bytes(rng.getrandbits(8) for _ in range(3000))}
    )
    result = load_corpus(corpus)
    assert [d.source for d in result.documents] == ["ok.txt"]
    assert "Word-filen går inte att läsa" in problems_by_path(result)["trasig.docx"]


def test_invalid_front_matter_is_reported(tmp_path, make_corpus):
    corpus = make_corpus(
        tmp_path / "c",
        {"ok.txt": LONG_PARAGRAPH, "fel.md": "---\ntitle: [inte stängd\n---\n" + LONG_PARAGRAPH},
    )
    result = load_corpus(corpus)
    assert [d.source for d in result.documents] == ["ok.txt"]
    assert "front matter" in problems_by_path(result)["fel.md"]


def test_missing_corpus_folder_is_reported(tmp_path):
    result = load_corpus(tmp_path / "finns-inte")
    assert result.documents == []
    assert [p.message for p in result.problems] == ["korpusmappen finns inte"]


def test_hidden_files_and_sources_yaml_are_not_documents(tmp_path, make_corpus):
    corpus = make_corpus(
        tmp_path / "c",
        {"ok.txt": LONG_PARAGRAPH, ".dold.txt": LONG_PARAGRAPH, ".git/config.txt": LONG_PARAGRAPH},
        sources={"ok.txt": {"title": "OK"}},
    )
    result = load_corpus(corpus)
    assert [d.source for d in result.documents] == ["ok.txt"]
    assert result.problems == []


def test_doc_id_is_a_stable_slug_of_the_path():
    assert doc_id_for("guidance/lss-i-korthet.md") == "guidance-lss-i-korthet"
    assert doc_id_for("Mjölby Protokoll 2025.TXT") == "mjölby-protokoll-2025"
    assert doc_id_for("guidance/lss-i-korthet.md") == doc_id_for("guidance/lss-i-korthet.md")


# ------------------------------------------------------------------ cleaning of the real seeds


@pytest.fixture(scope="module")
def real_docs():
    result = load_corpus(REAL_CORPUS)
    assert result.problems == []
    return by_source(result)


def test_real_corpus_loads_with_metadata(real_docs):
    assert {
        "fub-vastmanland-basta-lss-kommun-2024.md",
        "mfd-filmer-kontaktperson.txt",
        "mjolby-protokoll-samverkan-lss-2025-09-22.txt",
        "norberg-interpellationssvar-lss-2021.md",
        "oppna-jamforelser-2019-lss.txt",
        "guidance/lss-i-korthet.md",
        "guidance/lss-lattlast.md",
    } <= set(real_docs)
    norberg = real_docs["norberg-interpellationssvar-lss-2021.md"]
    assert norberg.publisher == "Norbergs kommun, kommunstyrelsens ordförande"
    assert norberg.date == "2021-04-23" and norberg.kommun == "Norberg" and norberg.kind == "interpellationssvar"
    guide = real_docs["guidance/lss-i-korthet.md"]  # metadata from front matter only
    assert guide.title == "LSS i korthet" and guide.kind == "vägledning"
    assert "checked_against" not in guide.text
    for doc in real_docs.values():
        assert doc.title and doc.text.strip()


def test_markdown_emphasis_is_removed(real_docs):
    for source in ("fub-vastmanland-basta-lss-kommun-2024.md", "norberg-interpellationssvar-lss-2021.md"):
        text = real_docs[source].text
        assert "**" not in text and "__" not in text
    fub = real_docs["fub-vastmanland-basta-lss-kommun-2024.md"].text
    assert "Hallstahammar har idag 27 anställda Stödpedagoger som är ansvariga" in fub
    assert "*Detta år" not in fub and "Detta år har det varit extra svårt" in fub
    assert "margareta.hallner@fub.se" in fub and "mailto:" not in fub  # a link keeps its label


def test_web_debris_lines_are_removed(real_docs):
    all_lines = [line for d in real_docs.values() for line in d.text.split("\n")]
    for line in all_lines:
        assert "(Obligatoriskt fält)" not in line
        assert line != "Related posts"
        assert not line.startswith("Stillbild från")
        assert not line.startswith("Illustration med")
        assert not line.lower().startswith("illustration:")
        assert not line.startswith("Ikon för")
        assert not line.endswith(", mer information")
    oppna = real_docs["oppna-jamforelser-2019-lss.txt"].text
    assert "Centrum för sällsynta diagnoser (CSD) finns vid universitetssjukhusen." in oppna


def test_repeated_lead_paragraph_appears_once(real_docs):
    mfd = real_docs["mfd-filmer-kontaktperson.txt"].text
    lead = (
        "Kommuner har under lång tid haft svårt att rekrytera och behålla kontaktpersoner till personer med "
        "funktionsnedsättning. Ett nytt material från Myndigheten för delaktighet (MFD) ska stötta kommunerna "
        "och bidra till att bryta social isolering."
    )
    raw = (REAL_CORPUS / "mfd-filmer-kontaktperson.txt").read_text(encoding="utf-8")
    assert raw.count(lead) == 3  # the seed really repeats it
    assert mfd.count(lead) == 1
    # the different paragraph that starts the same way is kept
    assert "Kommuner har under lång tid haft svårt att rekrytera och behålla kontaktpersoner. Bristen" in mfd


def test_headings_are_kept_as_hash_lines(real_docs):
    fub_lines = real_docs["fub-vastmanland-basta-lss-kommun-2024.md"].text.split("\n")
    norberg_lines = real_docs["norberg-interpellationssvar-lss-2021.md"].text.split("\n")
    mfd_lines = real_docs["mfd-filmer-kontaktperson.txt"].text.split("\n")
    assert "# Förklaringar" in fub_lines
    assert "# Rapportering till kommunfullmäktige" in norberg_lines  # a plain short line before a paragraph
    assert "# Bakgrund" in norberg_lines  # a bold line, colon dropped
    assert "# Kunskapsstödet ska underlätta arbetet" in mfd_lines
    # a sentence is never made a heading
    assert not any(line.startswith("# ") and line.endswith(".") for line in norberg_lines)


def test_page_break_split_sentence_is_joined(real_docs):
    norberg = real_docs["norberg-interpellationssvar-lss-2021.md"].text
    lines = norberg.split("\n")
    joined = [line for line in lines if "inte varit nöjd med den kontaktperson som erbjudits" in line]
    assert len(joined) == 1
    assert not any(line.startswith("kontaktperson som erbjudits") for line in lines)


def test_clean_text_directly():
    raw = (
        "**Rubrik i fetstil**\n\n"
        "Stillbild från en film om LSS.\n"
        "Första stycket är ett ganska långt stycke som handlar om kontaktperson enligt LSS och som slutar mitt i\n\n\n"
        "en mening som fortsätter här.\n"
        "(Obligatoriskt fält) (Obligatoriskt fält)\n"
        "· En punkt i en lista\n"
        "Related posts\n"
        "## Sista rubriken utan innehåll\n"
    )
    assert clean_text(raw).split("\n") == [
        "# Rubrik i fetstil",
        "Första stycket är ett ganska långt stycke som handlar om kontaktperson enligt LSS och som slutar mitt i "
        "en mening som fortsätter här.",
        "En punkt i en lista",
    ]


def test_register_marks_the_easy_read_guidance_and_accepts_other_spellings(tmp_path, make_corpus):
    docs = {d.source: d for d in load_corpus(REAL_CORPUS).documents}
    assert docs["guidance/lss-lattlast.md"].register == "lättläst"
    assert docs["guidance/lss-i-korthet.md"].register == ""
    corpus = make_corpus(
        tmp_path,
        {"a.txt": LONG_PARAGRAPH, "b.txt": LONG_PARAGRAPH + " Två.", "c.txt": LONG_PARAGRAPH + " Tre."},
        {"a.txt": {"register": "Lattlast"}, "b.txt": {"register": "easy-read"}, "c.txt": {"register": "formell"}},
    )
    loaded = {d.source: d.register for d in load_corpus(corpus).documents}
    # every spelling of easy-read becomes "lättläst"; another value is kept as written (it has no effect)
    assert loaded == {"a.txt": "lättläst", "b.txt": "lättläst", "c.txt": "formell"}
