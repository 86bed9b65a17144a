"""Turn an input file's text into raw records, one per CSV row or JSON line, with line numbers.

Pure: no Beam, no file systems. A record that cannot even be read as a row (wrong column count, bad
JSON, bytes that are not UTF-8) comes back with an `error`, so the caller can quarantine it; nothing is
skipped silently. Blank lines are not records.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from schemas.raw import MAX_TEXT_CHARS

#: Characters of a raw record kept in the quarantine.
RAW_KEEP_CHARS = 2_000


@dataclass(frozen=True, slots=True)
class RawRecord:
    line: int  # 1-based line where the record starts
    raw: str  # the record as written (CSV row re-joined, or the JSON line)
    fields: dict[str, object] | None  # None when the record could not be read
    error: str | None = None


#: Files are decoded with errors="surrogateescape": undecodable bytes become lone surrogates.
_SURROGATE = re.compile("[\udc80-\udcff]")


def _bad_bytes(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def printable_raw(text: str) -> str:
    """The raw record as it can be stored: undecodable bytes shown as \\xNN, cut to RAW_KEEP_CHARS."""
    if _bad_bytes(text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
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


class _Taken:
    """The lines an iterator hands out, kept until taken, so an unreadable record keeps its text."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._taken: list[str] = []

    def __iter__(self) -> _Taken:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._taken.append(line)
        return line

    def take(self) -> str:
        text = "".join(self._taken).rstrip("\r\n")
        self._taken.clear()
        return text


def _csv_error(err: csv.Error) -> str:
    message = str(err)
    if message.startswith("field larger than field limit"):
        return (
            f"unreadable CSV: a field is longer than {csv.field_size_limit():,} characters "
            f"(free text is kept up to {MAX_TEXT_CHARS:,})"
        )
    return f"unreadable CSV: {message}"


def read_csv(
    lines: Iterable[str], columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[RawRecord]:
    """CSV records with a header row. Quoted fields may span lines (the record's first line is kept).

    The header must name exactly `columns` (in any order), except that those also in `optional`
    may be left out (e.g. stores.csv's timezone). If it does not, every row is returned as
    an error naming the problem, since no field can be trusted. A record the CSV parser cannot read
    (a field over the parser's 128 KiB limit, a stray quote) keeps its raw text and the reason.
    """
    taken = _Taken(lines)
    reader = csv.reader(taken, strict=True)
    header_error: str | None = None
    header: list[str] | None = None
    last_line = 0
    while True:
        start = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            last_line = reader.line_num
            yield RawRecord(start, taken.take(), None, _csv_error(err))
            continue
        taken.take()
        last_line = reader.line_num
        if not row or (len(row) == 1 and row[0].strip() == ""):
            continue
        raw = ",".join(row)
        if header is None:
            header = [name.strip().lower() for name in row]
            missing = [c for c in columns if c not in header and c not in optional]
            extra = [c for c in header if c not in columns]
            if missing or extra or len(set(header)) != len(header):
                header_error = (
                    f"file header {','.join(header)!r} does not match the expected columns "
                    f"{','.join(columns)!r}"
                    + (f" (missing: {', '.join(missing)})" if missing else "")
                    + (f" (unexpected: {', '.join(extra)})" if extra else "")
                )
                yield RawRecord(start, raw, None, header_error)
            continue
        if header_error:
            yield RawRecord(start, raw, None, header_error)
        elif _bad_bytes(raw):
            yield RawRecord(start, raw, None, _not_utf8_reason(raw))
        elif len(row) != len(header):
            yield RawRecord(start, raw, None, f"expected {len(header)} columns, found {len(row)}")
        else:
            yield RawRecord(start, raw, dict(zip(header, row, strict=True)))


def read_jsonl(lines: Iterable[str]) -> Iterator[RawRecord]:
    """JSON Lines: one JSON object per line."""
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if text.strip() == "":
            continue
        if _bad_bytes(text):
            yield RawRecord(number, text, None, _not_utf8_reason(text))
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            # json's messages may end in "at" ("Unterminated string starting at").
            message = err.msg.removesuffix(" at")
            yield RawRecord(number, text, None, f"invalid JSON: {message} at column {err.colno}")
            continue
        if not isinstance(value, dict):
            yield RawRecord(
                number,
                text,
                None,
                f"invalid record: expected a JSON object, found {type(value).__name__}",
            )
            continue
        yield RawRecord(number, text, value)
