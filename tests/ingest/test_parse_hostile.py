"""One file's parse on the inputs that used to stop the run (issue 14): every record ends accepted
or quarantined with a short reason in words, and every physical line is accounted for."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import pytest

from pipelines.ingest.parse import MAX_REASON_CHARS, parse_file
from pipelines.ingest.readers import RAW_KEEP_CHARS
from pipelines.ingest.sources import BY_NAME, SourceSpec
from pipelines.ingest.validate import Reference
from schemas.arrow import arrow_schema
from tests.conftest import AS_OF

REF = Reference(AS_OF, frozenset({"S001"}), frozenset({"SKU-1"}))
NOTE = (
    '{{"note_id": "{id}", "store_id": "S001", "channel": "store", '
    '"captured_at": {at}, "text": {text}}}'
)
LOOKUP_HEADER = "lookup_id,store_id,channel,sku,looked_up_at,result,on_hand_qty"
LOOKUP = "{id},S001,store,SKU-1,{at},out_of_stock,0"


def note(id_: str, at: str = '"2026-11-17T14:03:00+01:00"', text: str = '"navy coat in L"') -> str:
    return NOTE.format(id=id_, at=at, text=text)


def parse(tmp_path: Path, source: str | SourceSpec, data: bytes, use_fast: bool = True,
          batch_bytes: int = 32 * 1024 * 1024):  # fmt: skip
    spec = BY_NAME[source] if isinstance(source, str) else source
    path = tmp_path / spec.folder / f"f.{spec.format}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    schema = arrow_schema(spec.staging_model, described=False)
    return parse_file(spec, schema, str(path), f"{spec.folder}/{path.name}", REF, use_fast,
                      batch_bytes)  # fmt: skip


def outcome(parsed) -> tuple[list[str], dict[int, str]]:
    ids = [r[BY_NAME[parsed.stat["source"]].id_field] for r in parsed.rows.to_pylist()]
    return ids, {r["source_line"]: r["reason"] for r in parsed.rejects.to_pylist()}


def assert_accounted(parsed) -> None:
    stat = parsed.stat
    assert stat["records_read"] == parsed.rows.num_rows + parsed.rejects.num_rows
    assert stat["lines_read"] == (
        stat["lines_skipped"] + stat["lines_parsed"] + stat["lines_rejected"]
    ), stat
    for reason in parsed.rejects.column("reason").to_pylist():
        assert len(reason) <= MAX_REASON_CHARS, reason
        assert "NoneType" not in reason and "Expecting" not in reason, reason


NOTES_THAT_STOPPED_THE_RUN = {
    "5,000-digit number": (
        note("B-1").replace("}", ', "customer_consent": ' + "9" * 5000 + "}"),
        "invalid record: a number with 5,000 digits",
    ),
    "nested 100,000 deep": (
        note("B-1", text="[" * 100_000 + "]" * 100_000),
        "invalid record: values nested 100,001 levels deep (at most 32)",
    ),
    "before year 1 in UTC": (
        note("B-1", at='"0001-01-01T00:30:00+01:00"'),
        "captured_at: is before 2000-01-01T00:00:00Z, the earliest time accepted",
    ),
    "after year 9999 in UTC": (
        note("B-1", at='"9999-12-31T23:59:59-01:00"'),
        "captured_at: 9999-12-31T23:59:59-01:00 is out of range",
    ),
    "epoch number": (note("B-1", at="1763380800"), "captured_at: is a number (epoch seconds?)"),
    "epoch text": (note("B-1", at='"1763380800"'), "captured_at: is a number (epoch seconds?)"),
    "100,000-element array as text": (
        note("B-1", text="[" + ",".join(["1"] * 100_000) + "]"),
        "text: Input should be a valid string (got an array of 100,000 items)",
    ),
    "duplicate keys": (
        note("B-1").replace("}", ', "text": "again"}'),
        "invalid record: the key 'text' appears twice in one object",
    ),
    "array top level": ("[1, 2]", "invalid record: expected a JSON object, found an array"),
    "number top level": ("42", "invalid record: expected a JSON object, found a number"),
    "string top level": ('"hi"', "invalid record: expected a JSON object, found a text value"),
    "null top level": ("null", "invalid record: expected a JSON object, found null"),
    "BOM mid-file": ("\ufeff" + note("B-1"), "the record holds a byte order mark (U+FEFF)"),
    "missing comma": (
        note("B-1").replace(', "text"', ' "text"'),
        "invalid JSON at column 103: a comma is missing between two values",
    ),
}


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "exact"])
@pytest.mark.parametrize("case", NOTES_THAT_STOPPED_THE_RUN, ids=str)
def test_a_bad_note_is_one_quarantined_record_and_the_rest_is_read(tmp_path, case, use_fast):
    line, reason = NOTES_THAT_STOPPED_THE_RUN[case]
    data = "\n".join([note("G-1"), line, note("G-3")]) + "\n"
    parsed = parse(tmp_path, "frontline_notes", data.encode(), use_fast)
    ids, rejects = outcome(parsed)
    assert ids == ["G-1", "G-3"]
    assert list(rejects) == [2]
    assert rejects[2].startswith(reason), rejects[2]
    assert_accounted(parsed)
    (raw,) = parsed.rejects.column("raw").to_pylist()
    assert len(raw) <= RAW_KEEP_CHARS + 40
    if len(line) > RAW_KEEP_CHARS:
        assert raw.endswith(f"[cut, {len(line)} characters in all]")


@pytest.mark.parametrize("first", ["null", " null", "null{}"])
def test_a_notes_file_starting_with_null_is_read_not_a_crash(tmp_path, first):
    """pyarrow 25's JSON reader crashed the process (segmentation fault) on these; the fast path
    no longer hands it a line that does not open an object."""
    parsed = parse(tmp_path, "frontline_notes", f"{first}\n{note('G-2')}\n".encode())
    ids, rejects = outcome(parsed)
    assert ids == ["G-2"] and list(rejects) == [1]
    assert_accounted(parsed)


@pytest.mark.parametrize("at", ["1763380800", "1763380800.5", " 1763380800 "])
def test_an_epoch_number_in_a_csv_is_quarantined_not_staged_as_a_date(tmp_path, at):
    data = "\n".join([LOOKUP_HEADER, LOOKUP.format(id="L-1", at="2026-11-17T14:05:12+01:00"),
                      LOOKUP.format(id="L-2", at=at)]) + "\n"  # fmt: skip
    ids, rejects = outcome(parse(tmp_path, "oos_lookups", data.encode()))
    assert ids == ["L-1"]
    assert rejects[3].startswith("looked_up_at: is a number (epoch seconds?), not an ISO 8601")


@pytest.mark.parametrize("batch_bytes", [300, 32 * 1024 * 1024], ids=["batches", "whole"])
@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "exact"])
def test_an_unclosed_quote_quarantines_its_line_and_the_lines_after_are_read(
    tmp_path, use_fast, batch_bytes
):
    good = [LOOKUP.format(id=f"L-{i}", at="2026-11-17T14:05:12+01:00") for i in range(1, 8)]
    lines = [LOOKUP_HEADER, good[0], 'L-X,S001,store,"SKU-1,2026-11-17T14:05:12+01:00,x,0',
             *good[1:], ""]  # fmt: skip
    parsed = parse(tmp_path, "oos_lookups", "\n".join(lines).encode(), use_fast, batch_bytes)
    ids, rejects = outcome(parsed)
    assert ids == [f"L-{i}" for i in range(1, 8)]
    assert rejects == {
        3: "unclosed quote: a quote on line 3 is never closed, so lines 3-9 would be one record; "
        "line 3 is quarantined and the lines after it are read on their own"
    }
    assert parsed.stat["lines_read"] == 9
    assert (parsed.stat["lines_skipped"], parsed.stat["lines_parsed"],
            parsed.stat["lines_rejected"]) == (1, 7, 1)  # fmt: skip
    assert_accounted(parsed)


def test_a_quoted_field_over_lines_counts_all_its_lines(tmp_path):
    data = (
        "sale_id,store_id,sku,reason_code,quantity,unit_price,currency,occurred_at,"
        "substitute_sku,description\n\n"
        'S-1,S001,SKU-1,out_of_stock,1,9.00,EUR,2026-11-17T14:05:12+01:00,,"a\nb\r\nc"\n'
        "S-2,S001,SKU-1,out_of_stock,-1,9.00,EUR,2026-11-17T14:05:12+01:00,,\n"
    )
    parsed = parse(tmp_path, "lost_sales", data.encode())
    assert outcome(parsed) == (["S-1"], {6: "quantity: is not a whole number in digits 0-9 (12): no sign,"
                                            " exponent, separator or other digits (got '-1')"})  # fmt: skip
    stat = parsed.stat
    assert (stat["lines_read"], stat["lines_skipped"], stat["lines_parsed"],
            stat["lines_rejected"]) == (6, 2, 3, 1)  # fmt: skip


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (gzip.compress(b'{"note_id": "N-1"}\n' * 50), "the file is gzip-compressed, not text"),
        ("\ufeff" + note("U-1") + "\n" + note("U-2") + "\n", "the file is UTF-16 text"),
        (b"\x00\x01\x02\x03" * 100, "the file holds NUL bytes"),
    ],
    ids=["gzip", "utf-16", "binary"],
)
def test_a_file_that_is_not_text_is_refused_whole_with_its_lines(tmp_path, data, reason):
    if isinstance(data, str):
        data = data.encode("utf-16-le")  # a byte order mark, then UTF-16 text
    parsed = parse(tmp_path, "frontline_notes", data)
    ids, rejects = outcome(parsed)
    assert ids == [] and list(rejects) == [1]
    assert rejects[1].startswith(reason)
    assert parsed.stat["records_read"] == 1
    assert parsed.stat["note"].startswith("refused whole: " + reason)
    assert (
        parsed.stat["lines_rejected"]
        == parsed.stat["lines_read"]
        == data.count(b"\n")
        + (0 if data.endswith(b"\n") else 1)
        - (data.count(b"\r") - data.count(b"\r\n")) * 0
    )
    assert_accounted(parsed)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_refused_utf16_file_shows_no_contact_detail_in_its_raw_head(tmp_path, encoding):
    # the text first: the raw kept of a refused file is its first 200 bytes
    text = '{"text": "call 06 12 34 56 78 or jane.doe@example.com", "note_id": "U-1"}'
    parsed = parse(tmp_path, "frontline_notes", (text + "\n").encode(encoding))
    raw = parsed.rejects.column("raw")[0].as_py()
    assert "[phone]" in raw and "[email]" in raw
    assert "jane" not in raw and "56" not in raw.replace("\x00", "")


def test_a_nul_byte_in_a_note_is_named_in_its_reason(tmp_path):
    parsed = parse(
        tmp_path, "frontline_notes", (note("U-1", text='"navy\x00coat"') + "\n").encode()
    )
    assert "a NUL byte inside a text value is not escaped" in outcome(parsed)[1][1]


def test_a_file_gone_between_listing_and_reading_is_one_refused_record(tmp_path):
    spec = BY_NAME["oos_lookups"]
    schema = arrow_schema(spec.staging_model, described=False)
    path = tmp_path / "oos_lookups" / "gone.csv"
    parsed = parse_file(spec, schema, str(path), "oos_lookups/gone.csv", REF)
    reason = (
        "the file cannot be read: it no longer exists (removed or renamed after it was listed, "
        "or a link to a missing file)"
    )
    assert outcome(parsed) == ([], {1: reason})
    assert parsed.stat["records_read"] == 1 and parsed.stat["lines_read"] == 0
    assert_accounted(parsed)


def test_a_link_loop_is_one_refused_record(tmp_path):
    spec = BY_NAME["frontline_notes"]
    path = tmp_path / "loop.jsonl"
    path.symlink_to(path)
    schema = arrow_schema(spec.staging_model, described=False)
    parsed = parse_file(spec, schema, str(path), "frontline_notes/loop.jsonl", REF)
    assert outcome(parsed)[1] == {
        1: "the file cannot be read: it is a symbolic link that leads back to itself (a link loop)"
    }


def test_an_unexpected_exception_at_one_record_quarantines_only_that_record(tmp_path):
    """The record boundary: a validation that raises something else than Refused (here a
    KeyError for one id) quarantines that record, names the exception, and the parse goes on."""
    real = BY_NAME["oos_lookups"].row

    def row(fields, ref):
        if fields.get("lookup_id") == "L-2":
            raise KeyError("boom")
        return real(fields, ref)

    spec = dataclasses.replace(BY_NAME["oos_lookups"], row=row)
    lines = [LOOKUP_HEADER] + [
        LOOKUP.format(id=f"L-{i}", at="2026-11-17T14:05:12+01:00") for i in (1, 2, 3)
    ]
    parsed = parse(tmp_path, spec, ("\n".join(lines) + "\n").encode(), use_fast=False)
    ids, rejects = outcome(parsed)
    assert ids == ["L-1", "L-3"]
    assert rejects == {
        3: "could not be validated: unexpected KeyError ('boom'); a bug in unmet to report with "
        "this file and line"
    }
    assert_accounted(parsed)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            "lookup_id;store_id;channel;sku;looked_up_at;result;on_hand_qty",
            "the file separates its fields with semicolons; the format uses commas",
        ),
        (
            "lookup_id,store,channel,sku,looked_up_at,result,on_hand_qty",
            "the file header does not match the expected columns (missing: store_id) "
            "(unexpected: store)",
        ),
    ],  # fmt: skip
    ids=["semicolons", "renamed"],
)
def test_a_csv_header_that_cannot_be_read_refuses_each_line_with_one_short_reason(
    tmp_path, header, reason
):
    row = LOOKUP.format(id="L-1", at="2026-11-17T14:05:12+01:00")
    sep = ";" if ";" in header else ","
    parsed = parse(tmp_path, "oos_lookups", f"{header}\n{row.replace(',', sep)}\n".encode())
    assert outcome(parsed) == ([], {1: reason, 2: reason})
    assert_accounted(parsed)


def test_a_header_with_spaces_and_capitals_is_read(tmp_path):
    header = " LOOKUP_ID , Store_Id,channel,sku,looked_up_at,result,on_hand_qty  "
    row = LOOKUP.format(id="L-1", at="2026-11-17T14:05:12+01:00")
    parsed = parse(tmp_path, "oos_lookups", f"{header}\n{row}\n".encode())
    assert outcome(parsed) == (["L-1"], {})
    assert_accounted(parsed)
