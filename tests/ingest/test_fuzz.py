"""Fuzzing the three input parsers (notes JSON Lines, lookups CSV, lost sales CSV) with Hypothesis.

Whatever a file holds, its parse (readers -> validation, fast and exact paths, in one batch or
many) never raises; every record ends accepted or quarantined, and every physical line is
accounted for. Derandomized with a bounded number of examples, so CI runs the same cases each
time and stays fast (about 10 s); `UNMET_FUZZ_EXAMPLES=5000` runs a deeper round by hand, and
`--hypothesis-show-statistics` shows how many examples had records accepted and quarantined.
"""

from __future__ import annotations

import json
import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipelines.ingest.parse import MAX_REASON_CHARS, parse_file
from pipelines.ingest.sources import BY_NAME
from pipelines.ingest.validate import Reference
from schemas.arrow import arrow_schema
from tests.conftest import AS_OF

SOURCES = ("frontline_notes", "oos_lookups", "lost_sales")
REF = Reference(AS_OF, frozenset({"S001"}), frozenset({"SKU-1", "SKU-2"}))
FUZZ = settings(
    max_examples=int(os.environ.get("UNMET_FUZZ_EXAMPLES", "120")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check_parse(folder: Path, source: str, data: bytes, use_fast: bool, batch_bytes: int) -> None:
    spec = BY_NAME[source]
    path = folder / f"{source}.{spec.format}"
    path.write_bytes(data)
    schema = arrow_schema(spec.staging_model, described=False)
    parsed = parse_file(spec, schema, str(path), path.name, REF, use_fast, batch_bytes)
    stat = parsed.stat
    assert stat["records_read"] == parsed.rows.num_rows + parsed.rejects.num_rows
    assert stat["records_parsed"] == parsed.rows.num_rows
    assert stat["lines_read"] == len(data.splitlines())
    assert stat["lines_read"] == (
        stat["lines_skipped"] + stat["lines_parsed"] + stat["lines_rejected"]
    )
    assert all(len(r) <= MAX_REASON_CHARS for r in parsed.rejects.column("reason").to_pylist())
    event(f"records accepted: {parsed.rows.num_rows > 0}")
    event(f"records quarantined: {parsed.rejects.num_rows > 0}")
    lines = parsed.rows.column("source_line").to_pylist()
    assert all(1 <= n <= max(stat["lines_read"], 1) for n in lines)


# -- arbitrary bytes --------------------------------------------------------------------------

#: Bytes that matter to the parsers, so that short random files hit them often.
_SPECIAL = [b"\n", b"\r", b"\r\n", b",", b'"', b"{", b"}", b"[", b"]", b":", b"\\", b"\x00",
            b"\xef\xbb\xbf", b"\xff", b"\x1f\x8b", b"\xc3\xa9", b"null", b"1e999"]  # fmt: skip
chunks = st.one_of(st.binary(max_size=40), st.sampled_from(_SPECIAL))
any_bytes = st.lists(chunks, max_size=40).map(b"".join)


@pytest.mark.parametrize("source", SOURCES)
@FUZZ
@given(data=any_bytes, use_fast=st.booleans(), batch_bytes=st.sampled_from([64, 1 << 25]))
def test_arbitrary_bytes_never_stop_the_parse(folder, source, data, use_fast, batch_bytes):
    header = ",".join(BY_NAME[source].columns).encode() + b"\n"
    if BY_NAME[source].format == "csv" and data[:1] == b"h":  # a valid header, then junk
        data = header + data[1:]
    check_parse(folder, source, data, use_fast, batch_bytes)


# -- structured but wrong ---------------------------------------------------------------------

timestamps = st.one_of(
    st.sampled_from([
        "2026-11-17T14:03:00+01:00", "2026-11-17T14:03:00Z", "2026-02-30T10:00:00+01:00",
        "2026-11-17T14:03:00", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-01:00",
        "2027-01-05T09:00:00+01:00", "1763380800", "1763380800.5", "", " ", "2026-11-17",
        "2026-11-17T25:00:00+01:00", "2026-11-17T14:03:00+24:00", "0999-01-01T00:00:00Z",
    ]),
    st.datetimes().map(lambda d: d.isoformat()),
    st.text(max_size=30),
)  # fmt: skip
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**40, max_value=10**60),
    st.floats(), st.text(max_size=30), timestamps,
    st.sampled_from(["S001", "SKU-1", "store", "out_of_stock", "EUR", "1", "-2", "129.00"]),
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)  # fmt: skip


def mostly(valid: object, wrong: st.SearchStrategy) -> st.SearchStrategy:
    """`valid` 7 times in 8, else a value of `wrong`: records are mostly right, so that the
    accepted path (fast and exact) is fuzzed as well as the refusals."""
    return st.tuples(st.integers(0, 7), wrong).map(lambda t: t[1] if t[0] == 0 else valid)


def _note_line(fields: dict, extra: dict, drop: list[str]) -> str:
    record = {**fields, **extra}
    for key in drop:
        record.pop(key, None)
    return json.dumps(record, ensure_ascii=False, allow_nan=True)


VALID_NOTE = {"note_id": "N-1", "store_id": "S001", "channel": "store",
              "captured_at": "2026-11-17T14:03:00+01:00", "text": "navy coat in L",
              "customer_consent": False}  # fmt: skip
notes = st.builds(
    _note_line,
    st.fixed_dictionaries({
        "note_id": mostly("N-1", st.one_of(st.text(max_size=70), json_values)),
        "store_id": mostly("S001", st.sampled_from(["S999", "", " S001 "])),
        "channel": mostly("store", st.sampled_from(["web", "fax", "", "STORE"])),
        "captured_at": mostly(VALID_NOTE["captured_at"], st.one_of(timestamps, json_values)),
        "text": mostly("navy coat in L", st.one_of(st.text(max_size=60), json_values)),
        "customer_consent": mostly(False, st.one_of(st.booleans(), json_values)),
    }),
    mostly({}, st.dictionaries(st.sampled_from(["sku", "customer_ref", "associate_id", "colour",
                                                ""]), json_values, max_size=2)),
    mostly([], st.lists(st.sampled_from(["note_id", "text", "captured_at"]), max_size=1)),
)  # fmt: skip


@FUZZ
@given(lines=st.lists(notes, max_size=6), use_fast=st.booleans())
def test_wrong_notes_never_stop_the_parse(folder, lines, use_fast):
    data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"
    check_parse(folder, "frontline_notes", data, use_fast, 1 << 25)


csv_fields = st.one_of(
    timestamps,
    st.sampled_from(["S001", "SKU-1", "SKU-9", "store", "out_of_stock", "in_stock", "EUR",
                     "USD", "0", "-1", "1000001", "129.00", "1e3", "", '"', '""', "a\nb",
                     "=cmd|' /C calc'!A0"]),
    st.text(alphabet=string.printable + "é\ufeff\x00", max_size=20),
)  # fmt: skip


def _csv(source: str, header: list[str], rows: list[list[str]], quote_all: bool) -> bytes:
    def cell(value: str) -> str:
        if quote_all or any(c in value for c in ',"\n\r'):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [",".join(header)] + [",".join(cell(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


VALID_ROWS = {
    "oos_lookups": ["L-1", "S001", "store", "SKU-1", "2026-11-17T14:05:12+01:00",
                    "out_of_stock", "0"],
    "lost_sales": ["LS-1", "S001", "SKU-1", "out_of_stock", "1", "129.00", "EUR",
                   "2026-11-17T14:09:40+01:00", "", "wanted navy coat"],
}  # fmt: skip


def _resize(row: list[str], change: int) -> list[str]:
    return row[:-1] if change < 0 else row + ["x"] * change


def csv_files(source: str) -> st.SearchStrategy[bytes]:
    columns = list(BY_NAME[source].columns)
    header = mostly(columns, st.one_of(
        st.permutations(columns),
        st.just(columns[:-1]),
        st.just([c.upper() + " " for c in columns]),
    ))  # fmt: skip
    row = st.builds(
        _resize,
        st.tuples(*(mostly(value, csv_fields) for value in VALID_ROWS[source])).map(list),
        mostly(0, st.sampled_from([-1, 1])),
    )
    return st.builds(_csv, st.just(source), header, st.lists(row, max_size=6), st.booleans())


@pytest.mark.parametrize("source", ["oos_lookups", "lost_sales"])
@FUZZ
@given(data=st.data(), use_fast=st.booleans(), batch_bytes=st.sampled_from([64, 1 << 25]))
def test_wrong_csv_records_never_stop_the_parse(folder, source, data, use_fast, batch_bytes):
    check_parse(folder, source, data.draw(csv_files(source)), use_fast, batch_bytes)
