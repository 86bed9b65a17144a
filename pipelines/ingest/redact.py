"""Redact personal contact details from free text before it is stored anywhere.

Caught: e-mail addresses (mistyped ones too: `jane.d@example..com`), IBANs (spaced or not, checked
with the ISO 13616 mod-97 checksum and the country's length), phone numbers (7 to 15 digits, with
spaces, dots, dashes, slashes, parentheses or a leading +), and payment card numbers (13 to 19 digits
passing the Luhn check). Kept: dates and times (2026-11-17, 2026-11-17 11:00, 17.11.2026,
17/11/2026), sizes (32x30, 8.5, "36 38 40 42"), prices and sku numbers (SKU-10482). Not caught:
names, street addresses, handles. See docs/privacy.md.

The patterns read a matching copy of the text (`_matching_copy`): each character NFKC-folded
(full-width digits and `＠` become ASCII), Unicode spaces and tabs read as a space, dashes as `-`,
and zero-width, soft-hyphen, bidi and combining characters dropped, so "06\u00a012\u00a034..." or
"jane\u200b@example.com" are read as typed in ASCII. Each detail found is replaced in the original
text (an index maps the copy back): the stored text keeps its own characters everywhere else.
"""

from __future__ import annotations

import datetime
import functools
import html.entities
import itertools
import re
import sys
import unicodedata

from schemas.raw import ID_SEPARATORS

_DIGIT = re.compile(r"\d")
#: Anything shaped like local@domain, however mistyped the domain (`example..com`, no dot at all):
#: over-redacting "M@L" costs little, a leaked address much. The @ URL-encoded too
#: (`jane%40example.com`, review 15), in free text as in the paths of `without_emails`.
EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w.-]*[\w-]")
#: An address with spaces around its @ ("jane @ example.com"): only with a domain that reads as one
#: (a dot, then a top-level domain of letters), so that "2 @ 129.00" stays.
EMAIL_SPACED = re.compile(r"[\w.+-]+ *@ *(?:[\w-]+\.)+[A-Za-z]{2,}\b")
#: An IBAN as typed: country code, check digits, then 11 to 30 letters or digits, in groups or not.
#: No word boundary on either side ("iban_DE89...", "refund:DE89...thanks"): `_iban_spans` judges
#: where it ends and whether what it is glued to allows it.
IBAN = re.compile(r"[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,30}")
#: An ISO date at the start of a run of digits ("2026-11-18 11:00", "2026-11-17-0042"): kept, the
#: rest judged alone.
ISO_DATE_START = re.compile(r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?=[\sT-]|$)")
_AFTER_DATE = re.compile(r"[\sT-]*")
#: A compact date (20261117: 2000-2099, checked against the calendar by `_compact_date`) at the
#: start of a run of digits in an identifier ("POS1-20261117-000044", review 15): kept as the ISO
#: form is, the rest judged alone. In free text an 8-digit run is still judged as a number.
COMPACT_DATE_START = re.compile(r"20\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?=[\sT./:_-]|$)")
_AFTER_COMPACT_DATE = re.compile(r"[\sT./:_-]*")
# A run of digits with common separators (any white space among them: a number broken by a line
# break, "06 12 34\n56 78", is one number), optionally starting with + or (; not the tail of a
# code like SKU-10482.
DIGIT_RUN = re.compile(r"(?<![\w.])(?<![A-Za-z]-)[+(]?\d[\d\s()./-]{5,80}\d(?![\w])")
#: In free text a number may be glued to the word before or after it ("tel06 12 34 56 78",
#: "mob07700900123", "iban_...", "06.12.34.56.78n°"), or to a word and a dot or a dash
#: ("tel.06 98 76 54 32", "No.4111111111111111", "tel-0612345678", review 14): only a digit or a
#: decimal point after a digit ("8.5", "129.00") before it, or a digit after it, keeps a run from
#: being judged. Any other punctuation before it ("tel..", "call me...", "tel .", "(.", "tel-.",
#: an ellipsis, folded to "...") changes nothing (review 15 found those numbers kept whole).
#: After a word and a dot or dash, `_spans` keeps a code's number ("SKU-1048234",
#: "L-0000042": one run of at most 8 digits, CODE_NUMBER). Not used for identifiers, where digits
#: behind letters are an id ("A1234567", docs/privacy.md). (The lookahead first only makes each
#: letter fail fast.)
DIGIT_RUN_IN_TEXT = re.compile(r"(?=[\d+(])(?<!\d)(?<!\d\.)[+(]?\d[\d\s()./-]{5,80}\d(?!\d)")
#: After a word and a dot or dash, one run of at most 8 digits is a code's number (SKU-1048234,
#: N-0000001, the ids of this product's own records): not judged. Grouped digits, or 9 and more
#: in one run, are judged as any number is.
CODE_NUMBER = re.compile(r"\d{1,8}")
#: Units of their own in free text, never part of a phone run (review 15 found "W32 L32 129.00"
#: read as "L[phone]", "17.11.2026 11:00" as "[phone]:00"): a date (17.11.2026, 17/11/2026,
#: 17-11-2026, 2026-11-17), a price (129.00, 0.99: exactly two decimals after a point, no leading zero), a
#: half size (8.5, 42.5) and a size such as 32x32, each standing alone (no digit, and no separator
#: then a digit, on either side: "06.12.34.56.78" holds none). Not after a comma: commas separate
#: values ("CW-2,06 12 34 56 78" is an id and a number). `_units` tells which prices count.
UNIT = re.compile(
    r"(?<!\d)(?<!\d[.,/-])(?:"
    r"(?P<date>(?:0?[1-9]|[12]\d|3[01])([./-])(?:0?[1-9]|1[0-2])\2(?:19|20)\d\d"
    r"|(?:19|20)\d\d([-./])(?:0[1-9]|1[0-2])\3(?:0[1-9]|[12]\d|3[01]))"
    r"|(?P<price>(?:0|[1-9]\d{0,5})\.\d\d)|(?:[1-9]|[1-4]\d)\.5|\d\d[xX]\d\d"
    r")(?!\d)(?![.,/-]\d)"
)
_MAYBE_UNIT = re.compile(r"\d[.,/xX-]\d")  # what every UNIT holds: a quick test first
_UNIT_MASK = "\x00"  # NUL is dropped from the text before matching: no pattern reads it
#: A list of even sizes in ascending steps of two ("36 38 40 42 44", "0 2 4 6 8 10 12"): sizes,
#: not a phone number (none starts with 0 but 0 itself).
_SIZE = re.compile(r"0|[1-9]\d?")
#: A bare round number (1000000): a quantity or a limit, never a phone number.
_ROUND = re.compile(r"[1-9]0+")
# Groups of four digits as card numbers are printed.
CARD_LAYOUT = re.compile(r"\d{4}(?:[\s-]\d{4}){3,4}")
# Dates written with digits only: 2026-11-17, 17.11.2026, 17/11/26.
DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})")

#: Any separator an identifier may hold (schemas.raw.ID_SEPARATORS: _ . : / -), as a class.
_ID_SEP = f"[{ID_SEPARATORS}]"
#: An identifier's digits in groups joined by any of its separators, whatever comes before them
#: (a prefix, "C-06.12.34.56.78", "A.06.47.19.83.52", "CC.06/12/34/56/78", "C_06_12_34_56_78", or
#: nothing): judged as one number, a phone number written inside an id. Digits in one run behind
#: a letter prefix ("C-0612345678") are an id (docs/privacy.md: that is how an id made of digits
#: is written); an ISO date leading the groups ("ORD-2026-11-17-0042") is kept and the rest
#: judged alone.
ID_DIGIT_GROUPS = re.compile(rf"(?<!\d)\d+(?:{_ID_SEP}\d+)+")
#: Within an identifier (schemas.raw.ID_PATTERN), what might be a phone or card number (a run of
#: 7+ digits not glued to a word, as DIGIT_RUN reads it; digit groups, ID_DIGIT_GROUPS) or an
#: IBAN: a quick test, looser than `redact`, that clears almost every real id without running it.
#: No look-arounds, so RE2 (the ingest's fast path) runs it too.
ID_MAYBE_CONTACT = re.compile(
    r"(?:^|[:/]|(?:^|[^A-Za-z])-)\d[\d./-]{5,}\d|[A-Za-z]{2}\d{2}(?:-?[A-Za-z0-9]){11}"
    rf"|\d+(?:{_ID_SEP}\d+)+"
)
_ID_SEPS = re.compile(_ID_SEP)
_DATE_GROUPS = re.compile(
    r"(?<![^-])(?:((?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))|\d{8})(?![^-])"
)

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


def _iban_spans(text: str) -> list[tuple[int, int, str]]:
    """Where the IBANs of `text` are: at each place IBAN matches, the longest prefix of the
    country's length (any length from 15 to 34 elsewhere) that passes the checksum. A country of the
    registry may be glued to anything on either side ("ibanDE89...", "...3000thanks", "...30001"):
    its length and checksum suffice; a code of no known country only stands alone."""
    spans: list[tuple[int, int, str]] = []
    pos = 0
    while match := IBAN.search(text, pos):
        start, found = match.start(), match.group(0)
        alnum = [i for i, ch in enumerate(found) if ch.isalnum()]
        known = IBAN_LENGTHS.get(found[:2].upper())
        glued = start > 0 and text[start - 1].isalnum()
        lengths = [known] if known else [] if glued else range(min(34, len(alnum)), 14, -1)
        end = 0
        for length in lengths:
            if length <= len(alnum) and iban_ok("".join(found[i] for i in alnum[:length])):
                after = start + alnum[length - 1] + 1
                if known or after == len(text) or not text[after].isalnum():
                    end = after
                    break
        if end:
            spans.append((start, end, IBAN_TOKEN))
        pos = end or start + 1
    return spans


def _compact_date(text: str, pos: int = 0) -> re.Match[str] | None:
    """COMPACT_DATE_START at `pos` of `text` when it is a real calendar date (not 20260231)."""
    m = COMPACT_DATE_START.match(text, pos)
    if m is None:
        return None
    try:
        datetime.date(int(m.group()[:4]), int(m.group()[4:6]), int(m.group()[6:8]))
    except ValueError:
        return None
    return m


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
    if len(digits) < 10 and all(len(g) <= 2 for g in groups):
        return True
    # "36 38 40 42 44", "EU 36/38/40/42/44" (the first step tested first: most runs fail it)
    if len(groups) > 1 and len(groups[1]) <= 2 and int(groups[1]) - int(groups[0]) == 2:
        if all(_SIZE.fullmatch(g) for g in groups):
            sizes = [int(g) for g in groups]
            return sizes[0] % 2 == 0 and all(b - a == 2 for a, b in itertools.pairwise(sizes))
    return False


def _units(text: str) -> str:
    """`text` with its dates, prices, half sizes and sizes such as 32x32 (UNIT) masked, so that
    no run of digits takes them in. A price that may end or start a number is not taken for one:
    one or two digits before the point right after a digit and a space or dash
    ("06 12 34 56.78"), or decimals 01 to 09 before a space and a digit ("2.06 12 34 56 78")."""
    found: list[tuple[int, int]] = []
    if not _MAYBE_UNIT.search(text):
        return text
    for m in UNIT.finditer(text):
        start, end = m.span()
        if m.group("price") and end - start <= 5 and start > 1:
            before = text[start - 1]
            glued = (before.isspace() or before == "-") and text[start - 2].isdigit()
            if glued and not (found and found[-1][1] == start - 1):
                continue
        if m.group("price") and text[end - 2] == "0" and text[end - 1] != "0":
            if end + 1 < len(text) and text[end].isspace() and text[end + 1].isdigit():
                continue
        found.append((start, end))
    if not found:
        return text
    out, last = [], 0
    for start, end in found:
        out += [text[last:start], _UNIT_MASK * (end - start)]
        last = end
    return "".join(out) + text[last:]


def _token(candidate: str) -> str | None:
    """The token replacing `candidate` (a card or phone number), or None if it is neither."""
    candidate = candidate.strip()
    digits = re.sub(r"\D", "", candidate)
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        return CARD_TOKEN
    if 17 <= len(digits) <= 19 and digits == candidate:
        if _luhn_ok(digits[:16]) or _luhn_ok(digits[-16:]):
            return CARD_TOKEN  # a 16-digit card glued to a digit or a few ("14111111111111111")
    if _is_size_or_measure(candidate, digits) or len(digits) > 15 or _ROUND.fullmatch(candidate):
        return None
    return PHONE_TOKEN


Span = tuple[int, int, str]  # start, end, token


def _run_spans(match: str, at: int, run: re.Pattern[str]) -> list[Span]:
    """Where the cards and phone numbers are in one run of digits and separators (found by `run`
    at offset `at`).

    A run that is one card or phone number becomes one token. A longer run holds several things
    ("2026-11-17 0612345678", "0612345678 / 0798765432"): it is cut at spaces and slashes, and
    from left to right the longest stretch that is a date, a card or a phone number is taken.
    """
    date, after = ISO_DATE_START.match(match), _AFTER_DATE
    if date is None and run is DIGIT_RUN:  # an identifier's compact date
        date, after = _compact_date(match), _AFTER_COMPACT_DATE
        if date and date.end() == len(match):
            return []
    if date and date.end() < len(match):
        skip = after.match(match, date.end()).end()
        inner = match[skip:]
        return _run_spans(inner, at + skip, run) if run.fullmatch(inner) else []
    whole = _token(match)
    if whole is not None:
        return [(at, at + len(match), whole)]
    if sum(ch.isdigit() for ch in match) <= 15 or CARD_LAYOUT.fullmatch(match):
        return []  # a card-like code that fails the Luhn check is not a card number
    parts = re.split(r"(\s*/\s*|\s+)", match)  # tokens at even, separators at odd positions
    starts = [0]
    for part in parts:
        starts.append(starts[-1] + len(part))
    n = (len(parts) + 1) // 2
    digits = [0]  # digits in the groups before each group
    for group in parts[::2]:
        digits.append(digits[-1] + sum(ch.isdigit() for ch in group))
    # best[i]: (digits covered by tokens, cards among them, the spans) for the groups from i on.
    # A longest first token took "06 12 34 56 78 06 98" (14 digits, a phone) out of two numbers
    # and left "76 54 32" (review 14): the cut that covers the most digits wins, then the one
    # with more cards (a Luhn-valid stretch is rarely chance), then the longest first stretch. A
    # date stops the stretches from its first group, as it did. A token holds 7 to 19 digits, so
    # only such stretches are judged (a long run of single digits stays linear).
    best: list[tuple[int, int, list[Span]]] = [(0, 0, [])] * (n + 1)
    for i in range(n - 1, -1, -1):
        choice = None
        last = i + 1
        while last < n and digits[last + 1] - digits[i] <= 19:
            last += 1
        for j in range(last, i, -1):
            begin, end = starts[2 * i], starts[2 * j - 1]
            candidate = match[begin:end]
            if DATE.fullmatch(candidate):
                if choice is None or best[j][:2] > choice[:2]:
                    choice = best[j]
                break
            token = _token(candidate) if digits[j] - digits[i] >= 7 else None
            if token is not None:
                then = best[j]
                found = (digits[j] - digits[i] + then[0], then[1] + (token == CARD_TOKEN))
                if choice is None or found > choice[:2]:
                    choice = (*found, [(at + begin, at + end, token), *then[2]])
        else:
            if choice is None or best[i + 1][:2] > choice[:2]:
                choice = best[i + 1]
        best[i] = choice
    return best[0][2]


@functools.lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    """What the patterns read for one character that is not plain ASCII (see the module's doc)."""
    if ch == "\t":
        return " "
    category = unicodedata.category(ch)
    if category in ("Cf", "Mn", "Me", "Cs"):  # zero-width, soft hyphen, bidi; combining accents
        return ""
    if category == "Zs":  # no-break, narrow no-break, thin, ideographic spaces
        return " "
    if category == "Pd" or ch == "\u2212":  # en and em dashes, minus sign
        return "-"
    return unicodedata.normalize("NFKC", ch)


Index = list[tuple[int, int]]  # for each character of a matching copy: where it comes from


def _matching_copy(text: str) -> tuple[str, Index | None]:
    """The text as the patterns read it, and for each of its characters the span of `text` it
    comes from (None when that is the same position)."""
    if text.isascii() and "\t" not in text:
        return text, None
    table = {}
    for ch in set(text):
        if ch > "\x7f" or ch == "\t":
            folded = _fold(ch)
            if folded != ch:
                table[ord(ch)] = folded
    if not table:
        return text, None
    copy = text.translate(table)
    if all(len(v) == 1 for v in table.values()):
        return copy, None
    index = [(i, i + 1) for i, ch in enumerate(text) for _ in table.get(ord(ch), ch)]
    return copy, index


#: A character, or an escape as repr() or JSON writes one ("\\xa0", "\\u200b", "\\u0040", "\\n",
#: "\\t", "\\\\"), an HTML character reference ("&#64;", "&#x40;", "&nbsp;") or a percent-encoded
#: ASCII character ("%40", "%20": a web form's or a URL's encoding).
_CHAR_OR_ESCAPE = re.compile(
    r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[ntrfbv/\"'\\])"
    r"|&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});|&[A-Za-z][A-Za-z0-9]{1,31};|%[0-7][0-9a-fA-F]|.",
    re.S,
)
_ESCAPE_HINT = re.compile(r"\\|&#|&[A-Za-z][A-Za-z0-9]{1,31};|%[0-7][0-9a-fA-F]")


def _has_escape(text: str) -> bool:
    """Whether `text` holds anything `_CHAR_OR_ESCAPE` reads as an escape (the slow path runs only
    then; the plain `in` tests spare most notes the regex)."""
    return ("\\" in text or "&" in text or "%" in text) and _ESCAPE_HINT.search(text) is not None


#: What a one-letter escape stands for (the others stand for themselves: \\/ \\" \\' \\\\).
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "b": "\b", "v": "\v"}


def _reference(piece: str) -> str:
    """The character an HTML character reference stands for ("&#64;", "&#x40;", "&nbsp;"); one the
    HTML standard does not name, or a code point that is no character, stands for itself."""
    if piece[1] == "#":
        code = int(piece[3:-1], 16) if piece[2] in "xX" else int(piece[2:-1])
        return chr(code) if code <= sys.maxunicode and not 0xD800 <= code <= 0xDFFF else piece
    return html.entities.html5.get(piece[1:], piece)


def _unescaped_copy(text: str) -> tuple[str, Index]:
    """As `_matching_copy`, reading each escape repr() or JSON writes as the character it stands
    for: a value shown with repr() in a message ('06\\xa098\\xa076...') or a quarantined JSON
    line as written ('06\\u00a098...', 'jane\\u0040example.com', '06 12 34\\n56 78') hides
    nothing behind it."""
    out: list[str] = []
    index: Index = []
    for m in _CHAR_OR_ESCAPE.finditer(text):
        piece = m.group(0)
        if len(piece) == 1:
            ch = piece
        elif piece[0] == "%":
            ch = chr(int(piece[1:], 16))
        elif piece[0] == "&":
            ch = _reference(piece)
        elif len(piece) == 2:
            ch = _ESCAPED.get(piece[1], piece[1])
        else:
            ch = chr(int(piece[2:], 16))
        folded = "".join(_fold(c) if c > "\x7f" or c == "\t" else c for c in ch)
        out.append(folded)
        index += [m.span()] * len(folded)
    return "".join(out), index


def _mask(text: str, spans: list[Span]) -> str:
    """`text` with each span replaced by as many characters that no pattern reads, so that later
    patterns see a token there (as if it had been replaced) and positions stay the same."""
    out, last = [], 0
    for start, end, _ in spans:
        out += [text[last:start], "[" + "x" * (end - start - 2) + "]" if end - start > 1 else "x"]
        last = end
    return "".join(out) + text[last:]


def _in_code(text: str, start: int) -> bool:
    """Whether the run at `start` ends a code of letters and digits ("GB82WEST1234569876543",
    "A1B2345678"): glued to a word that itself holds a digit, it is not a number after a word."""
    i = start
    while i > 0 and (text[i - 1].isalpha() or text[i - 1] == "_"):
        i -= 1
    return 0 < i < start and text[i - 1].isdigit()


_LONE_LAST_DIGIT = re.compile(r"[\s()./-]+\d$")


def _spans(text: str, in_text: bool) -> list[Span]:
    """Every contact detail of `text` (a matching copy), in order. in_text: free text, where a
    number may be glued to a word (DIGIT_RUN_IN_TEXT); else an identifier (DIGIT_RUN)."""
    spans: list[Span] = []
    if "@" in text or "%40" in text:
        for pattern, token in ((EMAIL, EMAIL_TOKEN), (EMAIL_SPACED, EMAIL_TOKEN)):
            found = [(m.start(), m.end(), token) for m in pattern.finditer(text)]
            text = _mask(text, found)
            spans += found
    if len(_DIGIT.findall(text)) >= 7:
        found = _iban_spans(text)
        text = _mask(text, found)
        spans += found
        run = DIGIT_RUN_IN_TEXT if in_text else DIGIT_RUN
        text = _units(text) if in_text else text
        for m in run.finditer(text):
            found, start = m.group(0), m.start()
            if m.end() < len(text) and (text[m.end()].isalpha() or text[m.end()] == "_"):
                # glued to the word after: a lone last digit is that word's ("375988. 3rd")
                lone = _LONE_LAST_DIGIT.search(found)
                found = found[: lone.start()] if lone else found
            # after a word and a dot or dash ("tel.", "No.", "tel-"; in_text only): the word
            # decides as if glued, and a code's number ("SKU-1048234") stays
            dotted = start > 1 and text[start - 1] in ".-" and text[start - 2].isalpha()
            if dotted and CODE_NUMBER.fullmatch(found):
                continue
            if not _in_code(text, start - 1 if dotted else start):
                spans += _run_spans(found, start, run)
    return sorted(spans)


def _redact(text: str, in_text: bool = True, escapes: bool = False) -> tuple[str, int]:
    if "\x00" in text:
        text = text.replace("\x00", "")
    if escapes and _has_escape(text):
        folded, index = _unescaped_copy(text)
        for _ in range(2):  # an escaped escape: jane\\u0040example.com as a JSON line holds it
            if not _has_escape(folded):
                break
            again, inner = _unescaped_copy(folded)
            if len(again) == len(folded):
                break
            folded, index = again, [(index[a][0], index[b - 1][1]) for a, b in inner]
    else:
        folded, index = _matching_copy(text)
    spans = _spans(folded, in_text)
    if not spans:
        return text, 0
    out, last = [], 0
    for start, end, token in spans:
        if index is not None:
            start, end = index[start][0], index[end - 1][1]
        if end <= last:  # both ends within one character folded into several
            continue
        out += [text[last : max(start, last)], token]
        last = end
    return "".join(out) + text[last:], len(spans)


def redact(text: str) -> tuple[str, int]:
    """The text with e-mails, IBANs, phone and card numbers replaced by tokens, and how many were
    replaced. NUL characters are dropped first: text read from a UTF-16 file has one between
    every two characters, which would hide a phone number or an address from every pattern below.
    Escapes written out in the text are read as `redact_raw` reads them (a feed that escaped its
    JSON twice stages 'jane\\u0040example.com', review 15)."""
    return _redact(text, escapes=True)


def redact_raw(text: str) -> str:
    """A quarantined record's raw text as stored (`rejects.raw`): redacted as free text, read
    through its escapes (JSON's `\\u00a0`, `\\u0040`, `\\n`; repr()'s `\\xa0`, as
    `scrub_message`), so that a contact detail written with escapes is found. Only what was found
    is replaced, escapes and all ("06\\u00a012..." -> "[phone]"); the rest stays as written."""
    return _redact(text, escapes=True)[0]


def scrub(text: str) -> str:
    """The text with every contact detail replaced by its token (for messages and reasons)."""
    return _redact(text)[0]


def scrub_message(text: str) -> str:
    """A message of ours (a quarantine reason) with no contact detail, wherever it sits: the whole
    message is scrubbed as free text, since a value may be shown unquoted (a CSV header's names).
    A limit such as 1000000 stays: a bare round number is not a phone number (`_token`). A value
    shown with repr() is read through its escapes ("\\xa0" as the no-break space it stands for)."""
    return _redact(text, escapes=True)[0]


def identifier_contact_kinds(value: str) -> list[str]:
    """What contact details an identifier holds, in words: what `contact_kinds` finds in it, or
    a phone or card number written in digit groups (ID_DIGIT_GROUPS), each separator read as a
    dash."""
    kinds = _kinds(value, in_text=False)
    for match in ID_DIGIT_GROUPS.finditer(value) if not kinds else ():
        groups = _ID_SEPS.sub("-", match.group(0))
        # a date among the groups ("ORD-2026-11-17-0042", "POS1-20261117-000044") cuts them:
        # each piece is judged alone
        for piece in _cut_at_dates(groups):
            kinds = _kinds(piece, in_text=False)
            if kinds:
                return kinds
    return kinds


def _cut_at_dates(groups: str) -> list[str]:
    """Digit groups joined by dashes, cut at each ISO (2026-11-17) or compact (20261117) date that
    is a group or three of them."""
    pieces, last = [], 0
    for m in _DATE_GROUPS.finditer(groups):
        if m.group(1) or _compact_date(m.group(0)):
            pieces.append(groups[last : m.start()].strip("-"))
            last = m.end()
    pieces.append(groups[last:].strip("-"))
    return [p for p in pieces if p]


def contact_kinds(text: str) -> list[str]:
    """What contact details `text` holds, in words ("an e-mail address", ...); [] if none."""
    return _kinds(text, in_text=True)


def _kinds(text: str, in_text: bool) -> list[str]:
    redacted, count = _redact(text, in_text)
    if not count:
        return []
    return [words for token, words in TOKENS.items() if token in redacted]


#: How an e-mail address in a file or folder name starts once replaced (`[email-3c1f0a9e]`; in
#: free text an address becomes EMAIL_TOKEN).
