from __future__ import annotations

import pytest

from pipelines.ingest.readers import RAW_KEEP_CHARS, printable_raw, read_csv, read_jsonl

COLUMNS = ("a", "b", "c")


def lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def test_csv_rows_keep_their_line_numbers_and_skip_blank_lines():
    records = list(read_csv(lines("a,b,c\n1,2,3\n\n4,5,6\n"), COLUMNS))
    assert [(r.line, r.fields) for r in records] == [
        (2, {"a": "1", "b": "2", "c": "3"}),
        (4, {"a": "4", "b": "5", "c": "6"}),
    ]


def test_csv_header_may_be_in_any_order_and_case():
    (record,) = read_csv(lines("C,A,B\n3,1,2\n"), COLUMNS)
    assert record.fields == {"a": "1", "b": "2", "c": "3"}


def test_csv_quoted_field_spanning_lines_is_one_record_starting_where_it_starts():
    records = list(read_csv(lines('a,b,c\n1,"two\nlines",3\n4,5,6\n'), COLUMNS))
    assert [(r.line, r.fields["b"]) for r in records] == [(2, "two\nlines"), (4, "5")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a,b,c\n1,2\n", "expected 3 columns, found 2"),
        ("a,b,c\n1,2,3,4\n", "expected 3 columns, found 4"),
        ("a,b\n1,2\n", "missing: c"),
        ("a,b,c,d\n1,2,3,4\n", "unexpected: d"),
    ],
)
def test_csv_rows_that_cannot_be_read_come_back_with_a_reason(text, reason):
    bad = [r for r in read_csv(lines(text), COLUMNS) if r.error]
    assert bad and reason in bad[-1].error


def test_csv_undecodable_bytes_are_one_bad_record_not_a_bad_file():
    text = b"a,b,c\n1,\xff\xfe,3\n4,5,6\n".decode("utf-8", "surrogateescape")
    records = list(read_csv(lines(text), COLUMNS))
    assert records[0].error.startswith("not valid UTF-8: byte 0xff")
    assert records[1].fields == {"a": "4", "b": "5", "c": "6"}


def test_jsonl_reads_objects_and_explains_what_is_not_one():
    text = '{"x": 1}\n\n{broken\n[1, 2]\n{"x": 2}\n'
    records = list(read_jsonl(lines(text)))
    assert [(r.line, r.fields, r.error is None) for r in records] == [
        (1, {"x": 1}, True),
        (3, None, False),
        (4, None, False),
        (5, {"x": 2}, True),
    ]
    assert records[1].error.startswith("invalid JSON")
    assert records[2].error == "invalid record: expected a JSON object, found an array"


def test_printable_raw_cuts_long_records_and_shows_bad_bytes():
    assert printable_raw("x" * (RAW_KEEP_CHARS + 5)).endswith(
        f"[cut, {RAW_KEEP_CHARS + 5} characters in all]"
    )
    assert printable_raw(b"a\xffb".decode("utf-8", "surrogateescape")) == "a\\xffb"
