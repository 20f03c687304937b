"""Redaction of personnummer, samordningsnummer, e-mail addresses and phone numbers."""

import pytest

from assistant.redact import luhn_valid, redact

PNR = "[personnummer]"


@pytest.mark.parametrize(
    "text",
    [
        "850709-9805",  # valid, no century, hyphen
        "850709+9805",  # valid, "+" (over 100 years old)
        "8507099805",  # valid, no separator
        "850709 9805",  # space as separator
        "19850709-9805",  # valid, with century
        "198507099805",  # with century, no separator
        "20050101-1234",  # born 2005 (starts with 0 without century)
        "050101-1234",
        "850769-9808",  # samordningsnummer: day + 60
        "850709-9804",  # fails the Luhn check: still redacted (a typo is still personal data)
    ],
)
def test_personnummer_shapes_are_redacted(text):
    assert redact(f"Mitt nummer är {text}, tack.") == f"Mitt nummer är {PNR}, tack."


@pytest.mark.parametrize(
    "text",
    [
        "851309-9805",  # month 13
        "850700-9805",  # day 00
        "850732-9805",  # day 32 (and not a samordningsnummer day either)
        "850792-9805",  # day 92: beyond samordningsnummer range
        "1993:387",  # SFS number of LSS
        "2021-03-15",  # a date
        "12 345 678 kr",  # an amount
        "år 2019",
    ],
)
def test_non_personnummer_are_kept(text):
    assert redact(f"Se {text} här") == f"Se {text} här"


def test_luhn_check_digit():
    assert luhn_valid("8507099805")
    assert not luhn_valid("8507099804")
    assert not luhn_valid("85070998")
    assert not luhn_valid("abcdefghij")


@pytest.mark.parametrize(
    "text",
    [
        "070-123 45 67",
        "0701234567",
        "070-1234567",
        "+46 70 123 45 67",
        "+46701234567",
        "0046 70 123 45 67",
        "+46 (0)70-123 45 67",
        "08-123 456 78",
        "08-12 34 56",
        "021-12 54 89",
        "0980-123 45",
    ],
)
def test_phone_numbers_are_redacted(text):
    assert redact(f"Ring {text} i dag") == "Ring [telefon] i dag"


@pytest.mark.parametrize(
    "text",
    ["anna.svensson@kommun.se", "per+lss@exempel.org", "åsa.öberg@norberg.se", "A_B-c@sub.domain.nu"],
)
def test_email_addresses_are_redacted(text):
    assert redact(f"Mejla {text}.") == "Mejla [e-post]."


def test_mixed_text_and_empty_input():
    text = "Jag (19850709-9805) nås på anna@ex.se eller 070-123 45 67 om 9 § LSS."
    assert redact(text) == "Jag ([personnummer]) nås på [e-post] eller [telefon] om 9 § LSS."
    assert redact("") == ""
    assert redact(None) == ""
