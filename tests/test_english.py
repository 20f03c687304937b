"""English questions put in the texts' words (assistant/english.py)."""

from __future__ import annotations

import pytest

from assistant.english import as_swedish

KNOWN = {"lss", "ivo", "mjölby", "kontaktperson"}


def known(word: str) -> bool:
    return word in KNOWN


@pytest.mark.parametrize(
    "english, swedish",
    [
        ("What is a contact person?", "Vad är en kontaktperson?"),
        ("Who has the right to LSS?", "Vem har rätt till LSS?"),
        # "do" before the subject: Swedish puts the verb first, which the rules on payments look for
        ("Do I have to pay for daily activities?", "Måste jag betala för daglig verksamhet?"),
        ("How do I apply for LSS?", "Hur söker jag LSS?"),
        ("What happens if the municipality says no?", "Vad händer om kommunen säger nej?"),
        ("What does IVO do?", "Vad IVO gör?"),
        ("And Mjölby?", "Och Mjölby?"),  # a name the texts hold keeps its case
        ("Who's the contact person?", "Vem är kontaktperson?"),
        # "do I have" before the subject like "do I have to"; "want a" wants to have one
        ("Do I have the right to a contact person?", "Har jag rätt till en kontaktperson?"),
        ("I want a contact person", "Jag vill ha en kontaktperson"),
        ("Can I cancel my contact person?", "Kan jag säga upp min kontaktperson?"),
    ],
)
def test_an_english_question_in_the_glossarys_words_is_put_in_swedish(english, swedish):
    assert as_swedish(english, known) == swedish


def test_a_question_with_a_word_neither_the_glossary_nor_the_texts_know_keeps_its_english():
    # half a translation would be answered on the half: "share" and "routines" are not in the glossary
    assert as_swedish("What share of municipalities have routines for daily activities?", known) is None
    assert as_swedish("What is the capital of Australia?", known) is None
    assert as_swedish("", known) is None


def test_a_contraction_does_not_hide_an_english_question():
    from assistant.answer import is_english

    # "What's LSS?" split into "what", "s", "lss", and "s" and "lss" are as Swedish as English: it was declined
    assert is_english("What's LSS?") and is_english("Don't I have the right to LSS?")
    assert not is_english("Vad är LSS?")


@pytest.mark.slow
def test_english_rights_questions_are_answered_from_the_guidance(assistant):
    # before, "What happens if the municipality says no?" got the guidance's "Texten kan inte ersätta
    # kommunens beslut", "Who has the right to LSS?" the särskild avgift, and "Can I appeal a decision?"
    # was declined
    for question, needle in (("What happens if the municipality says no?", "27 §"), ("Who has the right to LSS?", "7 §"),
                             ("Can I appeal a decision?", "27 §"), ("Who supervises LSS?", "25 §")):
        answer = assistant.ask(question)
        assert answer.answered and needle in answer.citations[0].quote, (question, answer.answer)
    assert not assistant.ask("Can I get help at night?").answered
