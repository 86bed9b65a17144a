"""Redact personal contact details from free text before it is stored anywhere.

Caught: e-mail addresses (mistyped ones too: `jane.d@example..com`), IBANs (spaced or not, checked
with the ISO 13616 mod-97 checksum and the country's length), phone numbers (7 to 15 digits, with
spaces, dots, dashes, slashes, parentheses or a leading +), and payment card numbers (13 to 19 digits
passing the Luhn check). Kept: dates and times (2026-11-17, 2026-11-17 11:00, 17.11.2026,
17/11/2026), sizes (32x30, 8.5, "36 38 40 42"), prices and sku numbers (SKU-10482). Not caught:
names, street addresses, handles. See docs/privacy.md.
"""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")
#: Anything shaped like local@domain, however mistyped the domain (`example..com`, no dot at all):
#: over-redacting "M@L" costs little, a leaked address much.
EMAIL = re.compile(r"[\w.+-]+@[\w.-]*[\w-]")
#: An IBAN as typed: country code, check digits, then 11 to 30 letters or digits, in groups or not.
IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,30}\b")
#: An ISO date at the start of a run of digits ("2026-11-18 11:00"): kept, the rest judged alone.
ISO_DATE_START = re.compile(r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?=[ T]|$)")
# A run of digits with common separators, optionally starting with + or (; not the tail of a code
# like SKU-10482.
DIGIT_RUN = re.compile(r"(?<![\w.])(?<![A-Za-z]-)[+(]?\d[\d ()./-]{5,40}\d(?![\w])")
# Groups of four digits as card numbers are printed.
CARD_LAYOUT = re.compile(r"\d{4}(?:[ -]\d{4}){3,4}")
# Dates written with digits only: 2026-11-17, 17.11.2026, 17/11/26.
DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})")

#: Within an identifier (schemas.raw.ID_PATTERN: letters, digits, - _ . : /), what might be a phone
#: or card number (a run of 7+ digits not glued to a word, as DIGIT_RUN reads it) or an IBAN: a
#: quick test, looser than `redact`, that clears almost every real id without running it. No
#: look-arounds, so RE2 (the ingest's fast path) runs it too.
ID_MAYBE_CONTACT = re.compile(
    r"(?:^|[:/]|(?:^|[^A-Za-z])-)\d[\d./-]{5,}\d|[A-Za-z]{2}\d{2}(?:-?[A-Za-z0-9]){11}"
    r"|[A-Za-z][-_:]\d+(?:[./-]\d+)+"
)
#: An identifier's digits after a letter prefix, in groups ("C-06.12.34.56.78", "C-07700.900123"):
#: a phone number written behind a prefix. Digits in one run behind a prefix ("C-0612345678") are
#: an id (docs/privacy.md: that is how an id made of digits is written); an ISO date leading the
#: groups ("ORD-2026-11-17-0042") is kept and the rest judged alone.
PREFIXED_GROUPS = re.compile(r"[A-Za-z][-_:](\d+(?:[./-]\d+)+)")
_ISO_DATE_DASH = re.compile(r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])-")

EMAIL_TOKEN = "[email]"
PHONE_TOKEN = "[phone]"
CARD_TOKEN = "[card]"
IBAN_TOKEN = "[iban]"
TOKENS = {EMAIL_TOKEN: "an e-mail address", PHONE_TOKEN: "a phone number",
          CARD_TOKEN: "a card number", IBAN_TOKEN: "an IBAN"}  # fmt: skip

#: IBAN length by country (ISO 13616 registry); elsewhere any length from 15 to 34 is accepted.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def iban_ok(compact: str) -> bool:
    """The ISO 13616 check: country and check digits moved to the end, letters as 10-35, mod 97 = 1."""
    compact = compact.upper()
    if not (15 <= len(compact) <= 34 and compact.isalnum() and compact.isascii()):
        return False
    if IBAN_LENGTHS.get(compact[:2], len(compact)) != len(compact):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _iban(match: str) -> tuple[str, int]:
    """Redact the IBAN at the start of `match` (which may run into the next word), if there is one:
    the longest prefix of the right length that passes the checksum."""
    alnum = [i for i, ch in enumerate(match) if ch.isalnum()]
    known = IBAN_LENGTHS.get(match[:2].upper())
    for length in [known] if known else range(min(34, len(alnum)), 14, -1):
        if length <= len(alnum) and iban_ok("".join(match[i] for i in alnum[:length])):
            end = alnum[length - 1] + 1
            if end == len(match) or not match[end].isalnum():
                return IBAN_TOKEN + match[end:], 1
    return match, 0


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
    date = ISO_DATE_START.match(match)
    if date and date.end() < len(match):
        rest = match[date.end() :]
        inner = rest.lstrip(" T")
        replaced, n = _redact_run(inner) if DIGIT_RUN.fullmatch(inner) else (inner, 0)
        return match[: date.end()] + rest[: len(rest) - len(inner)] + replaced, n
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
    """The text with e-mails, IBANs, phone and card numbers replaced by tokens, and how many were
    replaced. NUL characters are dropped first: text read from a UTF-16 file has one between
    every two characters, which would hide a phone number or an address from every pattern below."""
    count = 0
    if "\x00" in text:
        text = text.replace("\x00", "")

    def _email(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return EMAIL_TOKEN

    def _digits(m: re.Match[str]) -> str:
        nonlocal count
        replaced, n = _redact_run(m.group(0))
        count += n
        return replaced

    def _ibans(m: re.Match[str]) -> str:
        nonlocal count
        replaced, n = _iban(m.group(0))
        count += n
        return replaced

    if "@" in text:
        text = EMAIL.sub(_email, text)
    if len(_DIGIT.findall(text)) >= 7:
        text = IBAN.sub(_ibans, text)
        text = DIGIT_RUN.sub(_digits, text)
    return text, count


def scrub(text: str) -> str:
    """The text with every contact detail replaced by its token (for messages and reasons)."""
    return redact(text)[0]


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def scrub_message(text: str) -> str:
    """A message of ours (a quarantine reason) with no contact detail: e-mails and IBANs anywhere,
    phone and card numbers inside quotes (a value shown), so that a limit such as 1000000 stays."""
    if "@" in text:
        text = EMAIL.sub(EMAIL_TOKEN, text)
    text = IBAN.sub(lambda m: _iban(m.group(0))[0], text)
    return _QUOTED.sub(lambda m: scrub(m.group(0)), text)


def identifier_contact_kinds(value: str) -> list[str]:
    """What contact details an identifier holds, in words: what `contact_kinds` finds in it, or
    a phone or card number written in groups behind a letter prefix (PREFIXED_GROUPS)."""
    kinds = contact_kinds(value)
    for match in PREFIXED_GROUPS.finditer(value) if not kinds else ():
        groups = match.group(1)
        date = _ISO_DATE_DASH.match(groups)  # "ORD-2026-11-17-0042": "0042" judged alone
        kinds = contact_kinds(groups[date.end() :] if date else groups)
        if kinds:
            break
    return kinds


def contact_kinds(text: str) -> list[str]:
    """What contact details `text` holds, in words ("an e-mail address", ...); [] if none."""
    redacted, count = redact(text)
    if not count:
        return []
    return [words for token, words in TOKENS.items() if token in redacted]
