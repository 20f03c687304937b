"""Remove personal data from free text before it is stored or logged.

What is replaced:
- Swedish personnummer and samordningsnummer -> ``[personnummer]``
- e-mail addresses -> ``[e-post]``
- Swedish phone numbers -> ``[telefon]``

Design decision on personnummer: anything *shaped* like one (YYMMDD or YYYYMMDD,
then ``-``, ``+``, a space or nothing, then four digits) whose date part is
plausible (month 01-12, day 01-31, or 61-91 for a samordningsnummer) is
redacted, whether or not its Luhn check digit is right. A mistyped number is
still personal data, and a false positive only costs a few digits of a
question. Ten digits written without a separator and starting with "07" are
treated as a mobile number instead (still redacted, as ``[telefon]``). ``luhn_valid`` is kept for callers that want to tell real numbers
apart (and for tests), but it is deliberately not a condition for redaction.
"""

from __future__ import annotations

import re

PERSONNUMMER_TOKEN = "[personnummer]"
EMAIL_TOKEN = "[e-post]"
PHONE_TOKEN = "[telefon]"

# Local part and domain allow Unicode letters (å, ä, ö) since people type them.
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")

# Century is optional; the separator may be "-", "+" (person over 100), a space or nothing.
# Groups: century, yy, mm, dd, separator, last four.
_PNR_RE = re.compile(
    r"(?<![\d\w])"
    r"(1[89]|20)?(\d{2})(\d{2})(\d{2})"
    r"([-+ ]?)"
    r"(\d{4})"
    r"(?![\d\w])"
)

# A Swedish number starts with the trunk 0 (or +46 / 0046 and an optional "(0)"),
# then an area code starting 1-9 and 5-8 more digits, each optionally preceded by
# one space or hyphen: "070-123 45 67", "+46 70 123 45 67", "08-123 456 78".
_PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)46[ -]?(?:\(0\)[ -]?)?|\(?0)"
    r"[1-9]\d{0,3}\)?"
    r"(?:[ -]?\d){5,8}"
    r"(?![\d\w])"
)


def luhn_valid(digits10: str) -> bool:
    """Luhn check over the ten digits YYMMDDNNNC of a personnummer."""
    if len(digits10) != 10 or not digits10.isdigit():
        return False
    total = 0
    for i, ch in enumerate(digits10):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _plausible_date(month: str, day: str) -> bool:
    m, d = int(month), int(day)
    if not 1 <= m <= 12:
        return False
    # Samordningsnummer add 60 to the day of birth.
    return 1 <= d <= 31 or 61 <= d <= 91


def _phone_digit_count_ok(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    if digits.startswith("0046"):
        digits = "0" + digits[4:]
    elif digits.startswith("46") and match.lstrip().startswith("+"):
        digits = "0" + digits[2:]
    if "(0)" in match:
        # "+46 (0)70..." counted the trunk zero twice.
        digits = digits.replace("00", "0", 1)
    # Trunk 0 plus 7-9 digits: the shortest Stockholm numbers to mobile numbers.
    return 8 <= len(digits) <= 10


def redact_personnummer(text: str) -> str:
    def repl(m: re.Match) -> str:
        century, yy, _mm, _dd, sep, _last = m.groups()
        # "0701234567" is far more often a mobile number than the personnummer of a
        # child born 2007 written without separator: leave it to redact_phone.
        if not century and not sep and yy.startswith("07"):
            return m.group(0)
        return PERSONNUMMER_TOKEN if _plausible_date(m.group(3), m.group(4)) else m.group(0)

    return _PNR_RE.sub(repl, text)


def redact_email(text: str) -> str:
    return _EMAIL_RE.sub(EMAIL_TOKEN, text)


def redact_phone(text: str) -> str:
    def repl(m: re.Match) -> str:
        return PHONE_TOKEN if _phone_digit_count_ok(m.group(0)) else m.group(0)

    return _PHONE_RE.sub(repl, text)


def redact(text: str | None) -> str:
    """Redact all kinds of personal data this module knows about.

    Order matters: e-mail first (addresses may hold digits), then personnummer
    (a number born in the 2000s starts with 0 and would look like a phone number).
    """
    if not text:
        return ""
    out = redact_email(str(text))
    out = redact_personnummer(out)
    return redact_phone(out)
