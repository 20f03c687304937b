"""Swedish sentence splitting (abbreviations, law references, list numbers) and tokens."""

import pytest

from assistant.swedish import (
    content_stems,
    lexical_tokens,
    names_section,
    normalize,
    sections_asked,
    sentences_of,
    split_sentences,
    stem,
)


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def assert_exact_offsets(text: str, spans) -> None:
    for span in spans:
        assert text[span.start : span.end] == span.text, span


NORBERG = (
    "Kommunerna har från 1 juli 2006 genom en ändring i socialtjänstlagen skyldighet att rapportera icke "
    "verkställda gynnande beslut enl. 4 kap. 1 § SoL. Rapporteringen skall ske till inspektionen för vård "
    "och omsorg IVO, kommunens revisorer och kommunfullmäktige. Fr.o.m. kvartal 3, 2008 skall även beslut "
    "enl. 9 § LSS finnas med i redovisningen."
)


def test_law_references_and_abbreviations_do_not_split_the_real_norberg_paragraph():
    assert texts(NORBERG) == [
        "Kommunerna har från 1 juli 2006 genom en ändring i socialtjänstlagen skyldighet att rapportera icke "
        "verkställda gynnande beslut enl. 4 kap. 1 § SoL.",
        "Rapporteringen skall ske till inspektionen för vård och omsorg IVO, kommunens revisorer och kommunfullmäktige.",
        "Fr.o.m. kvartal 3, 2008 skall även beslut enl. 9 § LSS finnas med i redovisningen.",
    ]
    assert_exact_offsets(NORBERG, split_sentences(NORBERG))


@pytest.mark.parametrize(
    "sentence",
    [
        "Beslut enl. 4 kap. 1 § SoL ska rapporteras.",
        "Stödet gäller t.ex. daglig verksamhet och boende.",
        "Kommunen erbjuder bl.a. Kontaktperson och ledsagning.",  # abbreviation followed by a capital
        "Det skall framgå hur många av besluten som rör kvinnor resp. män i kommunen.",
        "Kommunen betalar ca. 5 mnkr per år till utjämningssystemet.",
        "Norbergs kommun betalar ca 5 mnkr per år.",
        "Fr.o.m. kvartal 3 ska även dessa beslut redovisas.",
        "Även beslut enligt 9 § LSS ska finnas med.",
        "Kommunen jobbar med tex. Supported employment.",
        "Rätten gäller insatserna i 9 § 1–9 LSS, jfr. 7 § LSS.",
    ],
)
def test_abbreviation_is_not_a_sentence_boundary(sentence):
    assert texts(sentence) == [sentence]


def test_numbered_list_item_is_not_split_after_its_number():
    line = "4. Fritidsaktiviteter: uppföljning av diskussion 2025-05-25."
    assert texts(line) == [line]
    line = "7. Stödpedagoger: hur jobbar de? Både på DV och på boendena?"
    assert texts(line) == ["7. Stödpedagoger: hur jobbar de?", "Både på DV och på boendena?"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Det är brist på kontaktpersoner. Kommunen söker fler.", ["Det är brist på kontaktpersoner.", "Kommunen söker fler."]),
        ("Vad gäller? Så här: läs vidare!  Nu slutar det.", ["Vad gäller?", "Så här: läs vidare!", "Nu slutar det."]),
        ('Han sa "Bli kontaktperson." Sedan ringde han.', ['Han sa "Bli kontaktperson."', "Sedan ringde han."]),
        ("Insatsen beviljades. – Det var bra, sa hon.", ["Insatsen beviljades.", "– Det var bra, sa hon."]),
        ("Beslutet kom 2021. Överklagan följde.", ["Beslutet kom 2021.", "Överklagan följde."]),
    ],
)
def test_real_sentence_boundaries_split(text, expected):
    assert texts(text) == expected
    assert_exact_offsets(text, split_sentences(text))


def test_offsets_are_exact_with_leading_and_inner_whitespace():
    text = "   Första meningen här.    Andra meningen enl. 9 § LSS.  Tredje utan punkt   "
    spans = split_sentences(text)
    assert [s.text for s in spans] == ["Första meningen här.", "Andra meningen enl. 9 § LSS.", "Tredje utan punkt"]
    assert_exact_offsets(text, spans)


def test_sentences_of_keeps_offsets_across_lines_and_never_joins_lines():
    text = "Rubrik utan punkt\nFörsta meningen. Andra meningen.\n\nTredje raden t.ex. här"
    spans = sentences_of(text)
    assert [s.text for s in spans] == [
        "Rubrik utan punkt",
        "Första meningen.",
        "Andra meningen.",
        "Tredje raden t.ex. här",
    ]
    assert_exact_offsets(text, spans)


def test_sentences_of_real_corpus_offsets_are_exact():
    from pathlib import Path

    from assistant.load import load_corpus

    docs = load_corpus(Path(__file__).resolve().parent.parent / "corpus").documents
    assert docs
    for doc in docs:
        spans = sentences_of(doc.text)
        assert spans, doc.source
        assert_exact_offsets(doc.text, spans)


def test_empty_and_blank_text_give_no_sentences():
    assert split_sentences("") == []
    assert split_sentences("   \t ") == []
    assert sentences_of("\n\n") == []


def test_normalize_unifies_spaces_and_line_ends():
    assert normalize("a\u00a0b\u2009c\u200bd\r\ne\rf") == "a b cd\ne\nf"
    assert normalize("verksta\u0308llda") == "verkst\u00e4llda"  # NFD -> NFC


def test_lexical_tokens_stem_swedish_and_split_hyphenated_compounds():
    tokens = lexical_tokens("LSS-insatsen kontaktpersoner och kontaktperson")
    assert "lss" in tokens and stem("insatsen") in tokens
    # inflected forms share a stem, stop words are dropped
    assert tokens.count(tokens[-1]) == 2
    assert "och" not in tokens


def test_forms_snowball_leaves_apart_share_a_stem():
    # Snowball alone gives insat/insats, verkställd/verkställ, identifierb/identifier.
    for forms in (("insats", "insatser", "insatsen"), ("resurs", "resurser"),
                  ("personkrets", "personkretsen"), ("verkställd", "verkställt", "verkställs", "verkställa"),
                  ("identifierbar", "identifierbara", "identifiera")):
        assert len({stem(f) for f in forms}) == 1, forms
    # different words stay apart; a double s is not an ending
    assert stem("process") == stem("processer") != stem("proce")
    assert stem("insats") != stem("insikt")


def test_content_stems_drop_question_and_stop_words():
    stems = content_stems("Vem ska kommunen rapportera besluten till?")
    assert "vem" not in stems and "till" not in stems
    assert any(s.startswith("rapport") for s in stems)
    assert any(s.startswith("beslut") for s in stems)
    # "själv" is no function word in LSS: insatser are given when the person asks for them oneself (8 §)
    assert stem("själv") in content_stems("måste jag själv fråga för att få stöd")
    # every form of "få" is a function word, as "får" and "fick" were: "kan man få" asks, it is no topic
    assert content_stems("Vilka insatser kan man få? Har jag fått ett beslut?") == [stem("insatser"), stem("beslut")]
    # function words typed without å, ä and ö are function words too; "far" (får / far) is not one
    assert content_stems("hur manga stöd finns det nar man maste söka") == [stem("stöd"), stem("söka")]
    assert stem("far") in content_stems("kan min far söka åt mig")
    assert "pa" in content_stems("kan jag få PA")  # personlig assistans
    # "enligt LSS" / "enl. 4 kap." name the law a rule is in; the word itself is no topic
    assert content_stems("När har man rätt till insatser enligt LSS?") == [stem("rätt"), stem("insatser"), "lss"]
    # "Vad händer om …" asks what follows; "händer" once matched "händelser" in a film description
    assert content_stems("Vad händer om kommunen är sen med mitt stöd?") == [stem("kommunen"), stem("sen"), stem("stöd")]


def test_abbreviation_endings_are_the_abbreviation_but_numbers_with_colons_stay():
    from assistant.swedish import words

    assert words("MFD:s filmer, LSS:en och IVO:s tillsyn") == ["mfd", "filmer", "lss", "och", "ivo", "tillsyn"]
    assert words("lag (1993:387) och SFS 2025:400, den 1:a") == ["lag", "1993:387", "och", "sfs", "2025:400", "den", "1:a"]


def test_synonyms_are_symmetric_stems():
    from assistant.swedish import stem, synonyms

    table = synonyms()
    assert stem("tidigare") in table[stem("förut")]
    assert stem("förut") in table[stem("tidigare")]
    assert stem("granska") in table[stem("kolla")]
    # "ber" is the form the easy-read text uses ("om du själv ber om det"); "be" alone is an English stop word
    assert stem("ber") in table[stem("fråga")]
    # a member writes "om kommunen är sen", the guidance "Ibland dröjer stödet"
    assert stem("dröjer") in table[stem("sen")] and stem("sen") in table[stem("dröja")]
    # "Kan IVO ge kommunen böter?": the law's word is "särskild avgift" (it got the duty to report to IVO)
    assert stem("avgift") in table[stem("böter")] and stem("böter") in table[stem("avgiften")]


@pytest.mark.parametrize("question, sections", [
    ("Vad är 28 f §?", ["28 f"]),
    ("Vad säger 28f§ LSS?", ["28 f"]),
    ("Vad står det i 9 § LSS?", ["9"]),
    ("beslut enligt LSS 9§9", ["9"]),
    ("Vad innebär 4 kap. 1 § SoL?", []),  # a chapter of another law
    ("Vad säger paragraf 9 a i LSS?", ["9 a"]),
    ("Vad står i paragrafen 7?", ["7"]),
    ("Vad är en kontaktperson?", []),
])
def test_sections_asked(question, sections):
    assert sections_asked(question) == sections


def test_a_quote_names_a_section_by_its_reference_not_by_the_number_alone():
    assert names_section("9", "Det finns tio insatser (9 § LSS).") and names_section("9", "(9 § 10 LSS)")
    assert names_section("9", "(1 och 9 §§ LSS)")
    assert not names_section("9", "(9 e § LSS)") and not names_section("9", "(19 § LSS)")
    assert names_section("28 f", "rapportera det (28 f § LSS)") and not names_section("28 f", "(28 c § LSS)")
    assert not names_section("12", "skolungdom över 12 år (9 § 7 LSS)")
    assert names_section("9", "(9 § LSS)", whole=True) and names_section("9", "(1 och 9 §§ LSS)", whole=True)
    assert not names_section("9", "(9 § 6 LSS)", whole=True)


def test_god_man_is_one_term_and_not_the_word_god():
    assert "godman" in content_stems("Vad gör en god man?")
    assert content_stems("din gode man") == content_stems("gode män") == ["godman"]
    # "goda levnadsvillkor" shares no token with the guardian any more
    assert not set(content_stems("goda levnadsvillkor")) & set(content_stems("Vad gör en god man?"))


@pytest.mark.parametrize(("text", "tokens"), [
    ("Vad är 28 f §?", ["§28f"]),
    ("(9 § 10 LSS)", ["§9", "10", "lss"]),  # the section and its item: the item stays a number
    ("(1 och 9 §§ LSS)", ["1", "§9", "lss"]),
    ("enl. 4 kap. 1 § SoL", ["kap4§1", "sol"]),
    ("Vad säger paragraf 9 a?", ["säg", "§9a"]),
    ("barn över 12 år", ["barn", "12", "år"]),
])
def test_a_section_reference_is_one_lexical_token(text, tokens):
    assert lexical_tokens(text) == tokens


def test_chat_spellings_of_a_questions_first_words_are_written_out():
    from assistant.swedish import with_chat_spellings

    assert with_chat_spellings("va e lss") == "vad är lss"
    assert with_chat_spellings("Va e en kontaktperson?") == "Vad är en kontaktperson?"
    assert with_chat_spellings("hur e det med assistans") == "hur är det med assistans"
    # only at the start: "e" is also a section's letter, "va" and "e" nothing else there
    assert with_chat_spellings("Vad säger 9 e §?") == "Vad säger 9 e §?"
    assert with_chat_spellings("Vad är LSS?") == "Vad är LSS?"
    assert with_chat_spellings("Kan jag få e-tjänst?") == "Kan jag få e-tjänst?"
