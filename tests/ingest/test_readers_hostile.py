"""Readers on hostile input found with the corpus in tests/data/bad: readable reasons, raw kept."""

from __future__ import annotations

import io

from pipelines.ingest.readers import read_csv, read_jsonl

COLUMNS = ("a", "b", "c")


def test_a_csv_field_over_the_parser_limit_is_one_readable_reject_and_the_rest_is_read():
    big = "x" * 1_000_000
    text = f'a,b,c\n1,2,3\n4,"{big}",6\n7,8,9\n'
    records = list(read_csv(io.StringIO(text, newline=""), COLUMNS))
    assert [(r.line, r.error) for r in records] == [
        (2, None),
        (3, "unreadable CSV: a field is longer than 131,072 characters "
            "(free text is kept up to 10,000)"),
        (4, None),
    ]  # fmt: skip
    assert records[1].raw.startswith('4,"xxx') and len(records[1].raw) > 1_000_000
    assert records[2].fields == {"a": "7", "b": "8", "c": "9"}


def test_an_unreadable_csv_record_keeps_its_raw_text():
    records = list(read_csv(io.StringIO('a,b,c\n7,"8"z,9\n10,11,12\n', newline=""), COLUMNS))
    assert (records[0].raw, records[0].error) == (
        '7,"8"z,9',
        "unreadable CSV: text follows a closing quote in a field "
        '(a quote inside a quoted field must be doubled: "")',
    )
    assert records[1].fields == {"a": "10", "b": "11", "c": "12"}


def test_json_syntax_errors_are_said_in_words_with_their_column():
    (record,) = read_jsonl(['{"note_id": "N-1", "text": "cut off\n'])
    assert record.error == (
        "invalid JSON at column 28: a text value is never closed (its quote is missing)"
    )
