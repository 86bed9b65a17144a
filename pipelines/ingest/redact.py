"""Redact personal contact details from free text before it is stored anywhere.

Caught: e-mail addresses, phone numbers (7 to 15 digits, with spaces, dots, dashes, slashes,
parentheses or a leading +), and payment card numbers (13 to 19 digits passing the Luhn check).
Kept: dates (2026-11-17, 17.11.2026, 17/11/2026), sizes (32x30, 8.5, "36 38 40 42"), prices and
sku numbers (SKU-10482). Not caught: names, street addresses, handles. See docs/privacy.md.
"""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits with common separators, optionally starting with + or (; not the tail of a code
# like SKU-10482.
DIGIT_RUN = re.compile(r"(?<![\w.])(?<![A-Za-z]-)[+(]?\d[\d ()./-]{5,40}\d(?![\w])")
# Groups of four digits as card numbers are printed.
CARD_LAYOUT = re.compile(r"\d{4}(?:[ -]\d{4}){3,4}")
# Dates written with digits only: 2026-11-17, 17.11.2026, 17/11/26.
DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})")

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
    """Short numbers, dates and lists of sizes ("36 38 40 42") are not phone numbers."""
    if len(digits) < 7 or DATE.fullmatch(match.strip()):
        return True
    groups = re.findall(r"\d+", match)
    return len(digits) < 10 and all(len(g) <= 2 for g in groups)


def _token(candidate: str) -> str | None:
    """The token replacing `candidate` (a card or phone number), or None if it is neither."""
    candidate = candidate.strip()
    digits = re.sub(r"\D", "", candidate)
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        return CARD_TOKEN
    if _is_size_or_measure(candidate, digits) or len(digits) > 15:
        return None
    return PHONE_TOKEN


def _redact_run(match: str) -> tuple[str, int]:
    """Redact one run of digits and separators.

    A run that is one card or phone number becomes one token. A longer run holds several things
    ("2026-11-17 0612345678", "0612345678 / 0798765432"): it is cut at spaces and slashes, and
    from left to right the longest stretch that is a date, a card or a phone number is taken.
    """
    whole = _token(match)
    digits = sum(ch.isdigit() for ch in match)
    if whole is not None:
        return whole, 1
    if digits <= 15 or CARD_LAYOUT.fullmatch(match):
        return match, 0  # a card-like code that fails the Luhn check is not a card number
    parts = re.split(r"(\s*/\s*|\s+)", match)  # tokens at even, separators at odd positions
    tokens = parts[0::2]
    out: list[str] = []
    count = 0
    i = 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):
            candidate = "".join(parts[2 * i : 2 * j - 1])
            if DATE.fullmatch(candidate):
                out.append(candidate)
                break
            token = _token(candidate)
            if token is not None:
                out.append(token)
                count += 1
                break
        else:
            j = i + 1
            out.append(tokens[i])
        if j < len(tokens):
            out.append(parts[2 * j - 1])
        i = j
    return "".join(out), count


def redact(text: str) -> tuple[str, int]:
    """The text with e-mails, phone and card numbers replaced by tokens, and how many were replaced."""
    count = 0

    def _email(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return EMAIL_TOKEN

    def _digits(m: re.Match[str]) -> str:
        nonlocal count
        replaced, n = _redact_run(m.group(0))
        count += n
        return replaced

    if "@" in text:
        text = EMAIL.sub(_email, text)
    if len(_DIGIT.findall(text)) >= 7:
        text = DIGIT_RUN.sub(_digits, text)
    return text, count
