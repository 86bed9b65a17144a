"""Redact personal contact details from free text before it is stored anywhere.

Caught: e-mail addresses, phone numbers (7 to 15 digits, with spaces, dots, dashes, parentheses or a
leading +), and payment card numbers (13 to 19 digits passing the Luhn check). Not caught: names,
street addresses, handles. See docs/privacy.md.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits with common separators, optionally starting with + or (.
DIGIT_RUN = re.compile(r"(?<![\w.])[+(]?\d[\d ().-]{5,24}\d(?![\w])")

EMAIL_TOKEN = "[email]"
PHONE_TOKEN = "[phone]"
CARD_TOKEN = "[card]"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _is_size_or_measure(match: str, digits: str) -> bool:
    # "32x30", "8.5", "2026-11-17" and short numbers are not phone numbers.
    return len(digits) < 7 or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", match.strip()))


def redact(text: str) -> tuple[str, int]:
    """The text with e-mails, phone and card numbers replaced by tokens, and how many were replaced."""
    count = 0

    def _email(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return EMAIL_TOKEN

    def _digits(m: re.Match[str]) -> str:
        nonlocal count
        match = m.group(0)
        digits = re.sub(r"\D", "", match)
        if _is_size_or_measure(match, digits) or len(digits) > 19:
            return match
        count += 1
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return CARD_TOKEN
        if len(digits) > 15:
            return match
        return PHONE_TOKEN

    if "@" in text:
        text = EMAIL.sub(_email, text)
    if sum(ch.isdigit() for ch in text) >= 7:
        text = DIGIT_RUN.sub(_digits, text)
    return text, count
