"""Cutting a file into batches of whole records (pipelines/ingest/batches.py)."""

from __future__ import annotations

import pytest

from pipelines.ingest.batches import Batch, plain_header, split

COLUMNS = ("id", "text")


def _batches(data: bytes, fmt: str, batch_bytes: int) -> list[Batch]:
    chunks = [data[i : i + 5] for i in range(0, len(data), 5)]  # reads return a few bytes
    return list(split(lambda _: chunks.pop(0) if chunks else b"", fmt, COLUMNS, batch_bytes))


def _records(batches: list[Batch], fmt: str) -> list[tuple[int, bytes]]:
    """(file line, line) of every record line of the batches, header lines left out."""
    lines = []
    for batch in batches:
        skip = 1 if fmt == "csv" and not batch.first else 0  # the repeated header
        for n, line in enumerate(batch.data.split(b"\n")[skip:], start=1 + skip):
            if line:
                lines.append((n + batch.line_offset, line))
    return lines


def test_jsonl_batches_keep_line_numbers_and_blank_lines() -> None:
    lines = [b'{"id": "%d"}' % i for i in range(20)]
    lines[7] = b""
    data = b"\n".join(lines) + b"\n"
    batches = _batches(data, "jsonl", 30)
    assert len(batches) > 5
    assert b"".join(b.data for b in batches) == data
    assert _records(batches, "jsonl") == [(i + 1, line) for i, line in enumerate(lines) if line]


def test_jsonl_line_starting_with_a_byte_order_mark_does_not_start_a_batch() -> None:
    data = b'{"id": "1"}\n' * 3 + b'\xef\xbb\xbf{"id": "2"}\n' + b'{"id": "3"}\n' * 3
    for batch in _batches(data, "jsonl", 12)[1:]:
        assert not batch.data.startswith(b"\xef\xbb\xbf")


def test_csv_batches_repeat_the_header_and_never_cut_a_quoted_field() -> None:
    rows = [b"%d,plain" % i for i in range(12)]
    rows[3] = b'3,"two\nlines, ""quoted"""'
    rows[8] = b'8,a"stray quote'  # a quote inside an unquoted field is just a character
    rows[9] = b'9,"three\n\nlines"'
    data = b"\xef\xbb\xbfid,text\r\n" + b"\n".join(rows) + b"\n"
    batches = _batches(data, "csv", 10)
    assert len(batches) > 5
    assert batches[0].data.startswith(b"\xef\xbb\xbfid,text\r\n")
    for batch in batches[1:]:
        assert batch.data.startswith(b"\xef\xbb\xbfid,text\r\n")
        assert batch.data.count(b'"') % 2 == 0 or b"stray" in batch.data
    assert b'3,"two\nlines' in b"".join(b.data for b in batches)
    starts = [line for _, line in _records(batches, "csv") if line[:1].isdigit()]
    assert [int(s.split(b",")[0]) for s in starts] == list(range(12))
    lines = {line: n for n, line in _records(batches, "csv")}
    assert lines[b"4,plain"] == 7  # header, rows 0-2, row 3 on lines 5-6
    assert lines[b"10,plain"] == 15  # row 9 on lines 12-14


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'"id",text\n' + b"1,a\n" * 20, "quoted header"),
        (b"id,txt\n" + b"1,a\n" * 20, "wrong header: every row's reason names it"),
        (b"id,text\n" + b"1,a\r" * 20, "lone carriage returns end lines too"),
    ],
)
def test_csv_files_that_cannot_be_cut_are_one_batch(data: bytes, why: str) -> None:
    assert [b.data for b in _batches(data, "csv", 8)] == [data], why


def test_an_empty_file_is_one_empty_batch() -> None:
    assert _batches(b"", "csv", 8) == [Batch(b"", 0, True)]


@pytest.mark.parametrize(
    ("line", "plain"),
    [(b"id,text", True), (b"\xef\xbb\xbfText , ID\r", True), (b"id", False),
     (b"id,text,id", False), (b'id,"text"', False), (b"\xff,text", False)],
)  # fmt: skip
def test_plain_header(line: bytes, plain: bool) -> None:
    assert plain_header(line, COLUMNS) is plain
