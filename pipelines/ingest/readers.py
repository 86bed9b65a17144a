"""Turn an input file's text into raw records, one per CSV row or JSON line, with line numbers.

Pure: no Beam, no file systems. A record that cannot even be read as a row (wrong column count, bad
JSON, bytes that are not UTF-8) comes back with an `error` in words an on-call data engineer can act
on, so the caller can quarantine it; nothing is skipped silently. Blank lines (and a CSV file's
header line) are not records: they are counted in a `LineTally`, so that every physical line of a
file is either in a record (`RawRecord.lines`) or counted as skipped.

A physical line ends at `\\n`, `\\r\\n` or a lone `\\r` (what Python's text reader splits on with
`newline=""`): the lines the readers are given are physical lines.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from schemas.raw import MAX_TEXT_CHARS

#: Characters of a raw record kept in the quarantine.
RAW_KEEP_CHARS = 2_000
#: Deepest nesting of JSON arrays and objects read (a note is one object of plain values: depth 1).
MAX_JSON_DEPTH = 32
#: Longest JSON integer read, in digits (no field of any input holds a number near this long).
MAX_JSON_DIGITS = 40


@dataclass(frozen=True, slots=True)
class RawRecord:
    line: int  # 1-based line where the record starts
    raw: str  # the record as written (CSV row re-joined, or the JSON line)
    fields: dict[str, object] | None  # None when the record could not be read
    error: str | None = None
    lines: int = 1  # physical lines the record spans (more for a quoted multi-line CSV field)


class LineTally:
    """Physical lines a reader read that are not part of any record: blank lines, a CSV header."""

    def __init__(self) -> None:
        self.skipped = 0


#: Files are decoded with errors="surrogateescape": undecodable bytes become lone surrogates.
_SURROGATE = re.compile("[\udc80-\udcff]")
_ANY_SURROGATE = re.compile("[\ud800-\udfff]")
_BOM = "\ufeff"


def _bad_bytes(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def printable(text: str) -> str:
    """Text that can be written as UTF-8: undecodable bytes shown as \\xNN, a lone surrogate (a
    JSON \\ud800 escape) as \\ud800."""
    if _bad_bytes(text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if _ANY_SURROGATE.search(text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def printable_raw(text: str) -> str:
    """The raw record as it can be stored: printable(), cut to RAW_KEEP_CHARS."""
    text = printable(text)
    if len(text) > RAW_KEEP_CHARS:
        return text[:RAW_KEEP_CHARS] + f"... [cut, {len(text)} characters in all]"
    return text


def _not_utf8_reason(text: str) -> str:
    data = text.encode("utf-8", "surrogateescape")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return (
            f"not valid UTF-8: byte 0x{data[err.start]:02x} at position {err.start} of the record"
        )
    return "not valid UTF-8"


_BOM_REASON = (
    "the record holds a byte order mark (U+FEFF), which only the start of a file may have "
    "(were two files joined?)"
)


class _Lines:
    """The physical lines handed to the CSV parser: kept until taken, so that an unreadable record
    keeps its text and its line count; lines can be put back to be read again."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._back: list[str] = []
        self._taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._back.pop() if self._back else next(self._lines)
        self._taken.append(line)
        return line

    def take(self) -> list[str]:
        taken, self._taken = self._taken, []
        return taken

    def put_back(self, lines: list[str]) -> None:
        self._back.extend(reversed(lines))


def _joined(lines: list[str]) -> str:
    return "".join(lines).rstrip("\r\n")


def _csv_error(err: csv.Error) -> str:
    message = str(err)
    if message.startswith("field larger than field limit"):
        return (
            f"unreadable CSV: a field is longer than {csv.field_size_limit():,} characters "
            f"(free text is kept up to {MAX_TEXT_CHARS:,})"
        )
    if "expected after '\"'" in message:
        return (
            "unreadable CSV: text follows a closing quote in a field "
            '(a quote inside a quoted field must be doubled: "")'
        )
    return f"unreadable CSV: {message}"


def _unclosed_quote(start: int, swallowed: int) -> str:
    if swallowed <= 1:
        return f"unclosed quote: a quote on line {start} is never closed (the file ends first)"
    return (
        f"unclosed quote: a quote on line {start} is never closed, so lines {start}-"
        f"{start + swallowed - 1} would be one record; line {start} is quarantined and the "
        "lines after it are read on their own"
    )


_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _header_error(
    header: list[str], columns: tuple[str, ...], line: str, optional: tuple[str, ...] = ()
) -> str | None:
    """Why a CSV header does not name exactly `columns` (in any order, any case; those also in
    `optional` may be left out), or None."""
    missing = [c for c in columns if c not in header and c not in optional]
    extra = [c for c in header if c not in columns]
    if not missing and not extra and len(set(header)) == len(header):
        return None
    for delimiter, name in _DELIMITERS.items():
        names = sorted(name.strip().lower() for name in line.split(delimiter))
        if len(header) == 1 and names == sorted(columns):
            return f"the file separates its fields with {name}; the format uses commas"
    if len(set(header)) != len(header):
        return "the file header names a column twice"
    shown = [c[:30] for c in missing[:3]] + (["..."] if len(missing) > 3 else [])
    found = [c[:30] for c in extra[:3]] + (["..."] if len(extra) > 3 else [])
    return (
        "the file header does not match the expected columns"
        + (f" (missing: {', '.join(shown)})" if missing else "")
        + (f" (unexpected: {', '.join(found)})" if extra else "")
    )


def read_csv(
    lines: Iterable[str],
    columns: tuple[str, ...],
    optional: tuple[str, ...] = (),
    tally: LineTally | None = None,
) -> Iterator[RawRecord]:
    """CSV records with a header row. Quoted fields may span lines (the record's first line is kept).

    The header must name exactly `columns` (in any order and case, spaces around names ignored),
    except that those also in `optional` may be left out (e.g. stores.csv's timezone). If
    it does not, every row is returned as an error naming the problem, since no field can be
    trusted. A record the CSV parser cannot read (a field over the parser's 128 KiB limit, a stray
    quote) keeps its raw text and the reason. A quote that is never closed would make the rest of
    the file one record: only its first line is refused, and the lines after it are read again.
    """
    tally = tally or LineTally()
    taken = _Lines(lines)
    reader = csv.reader(taken, strict=True)
    header_error: str | None = None
    header: list[str] | None = None
    line = 1  # the file line the next record starts on
    while True:
        start = line
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            text = taken.take()
            if str(err) == "unexpected end of data":
                taken.put_back(text[1:])
                line += 1
                error = _unclosed_quote(start, len(text))
                if header is None:
                    header, header_error = [], "the file's header line cannot be read: " + error
                yield RawRecord(start, _joined(text[:1]), None, error, 1)
                continue
            line += len(text)
            error = _csv_error(err)
            if header is None:
                header, header_error = [], "the file's header line cannot be read: " + error
            yield RawRecord(start, _joined(text), None, error, len(text))
            continue
        span = len(taken.take())
        line += span
        if not row or (len(row) == 1 and row[0].strip() == ""):
            tally.skipped += span
            continue
        raw = ",".join(row)
        if header is None:
            header = [name.strip().lower() for name in row]
            header_error = _header_error(header, columns, raw, optional)
            if header_error:
                yield RawRecord(start, raw, None, header_error, span)
            else:
                tally.skipped += span
            continue
        if header_error:
            yield RawRecord(start, raw, None, header_error, span)
        elif _bad_bytes(raw):
            yield RawRecord(start, raw, None, _not_utf8_reason(raw), span)
        elif _BOM in raw:
            yield RawRecord(start, raw, None, _BOM_REASON, span)
        elif len(row) != len(header):
            yield RawRecord(
                start, raw, None, f"expected {len(header)} columns, found {len(row)}", span
            )
        else:
            yield RawRecord(start, raw, dict(zip(header, row, strict=True)), None, span)


class _Unreadable(ValueError):
    """A JSON line that is valid JSON but not a record this project can read."""


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_JSON_DIGITS:
        raise _Unreadable(f"invalid record: a number with {digits:,} digits (no field holds one)")
    return int(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _Unreadable(f"invalid record: the key {twice[:40]!r} appears twice in one object")
    return value


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _too_deep(text: str) -> int:
    """The nesting depth of a JSON text if it is over MAX_JSON_DEPTH (checked only when it has
    that many brackets), else 0. Python's parser recurses once per level and would run out of
    stack on a value nested 100,000 deep."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return 0
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest if deepest > MAX_JSON_DEPTH else 0


#: json's error messages, in words.
_JSON_MESSAGES = {
    "Expecting value": "a value is missing or is not JSON (text needs double quotes)",
    "Expecting ',' delimiter": "a comma is missing between two values",
    "Expecting ':' delimiter": "a colon is missing after a key",
    "Expecting property name enclosed in double quotes": (
        "a key is not in double quotes, or a comma comes before a closing brace"
    ),
    "Unterminated string starting at": "a text value is never closed (its quote is missing)",
    "Invalid control character at": "a tab or line break inside a text value is not escaped",
    "Invalid \\escape": "a backslash escape in a text value is not valid",
    "Invalid \\uXXXX escape": "a \\u escape in a text value is not valid",
    "Extra data": "more than one JSON value on the line",
}

#: Control characters by name, for the reason of a record that holds one unescaped.
_CONTROL_NAMES = {
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
    "\x00": "a NUL byte",
}


def _control_name(char: str) -> str:
    return _CONTROL_NAMES.get(char, f"the control character U+{ord(char):04X}")


#: JSON types in words.
_KINDS = {
    list: "an array",
    str: "a text value",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}


def kind(value: object) -> str:
    """A JSON value's type in words: 'an array', 'a number', 'null'..."""
    return _KINDS.get(type(value), "an object" if isinstance(value, dict) else "a value")


def _json_record(number: int, text: str) -> RawRecord:
    if _bad_bytes(text):
        return RawRecord(number, text, None, _not_utf8_reason(text))
    if text.startswith(_BOM):
        return RawRecord(number, text, None, _BOM_REASON)
    if depth := _too_deep(text):
        return RawRecord(
            number, text, None,
            f"invalid record: values nested {depth:,} levels deep (at most {MAX_JSON_DEPTH})",
        )  # fmt: skip
    try:
        value = json.loads(text, parse_int=_int, object_pairs_hook=_object)
    except json.JSONDecodeError as err:
        words = _JSON_MESSAGES.get(err.msg, err.msg)
        if err.msg.startswith("Invalid control character") and err.pos < len(text):
            words = f"{_control_name(text[err.pos])} inside a text value is not escaped"
        return RawRecord(number, text, None, f"invalid JSON at column {err.colno}: {words}")
    except _Unreadable as err:
        return RawRecord(number, text, None, str(err))
    if not isinstance(value, dict):
        return RawRecord(
            number, text, None, f"invalid record: expected a JSON object, found {kind(value)}"
        )
    if "\\u" in text.lower() and any(
        isinstance(v, str) and _ANY_SURROGATE.search(v) for v in (*value, *value.values())
    ):
        return RawRecord(
            number, text, None, "invalid record: a \\u escape stands for half a character"
        )
    return RawRecord(number, text, value)


def read_jsonl(lines: Iterable[str], tally: LineTally | None = None) -> Iterator[RawRecord]:
    """JSON Lines: one JSON object per line."""
    tally = tally or LineTally()
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if text.strip() == "":
            tally.skipped += 1
            continue
        yield _json_record(number, text)
