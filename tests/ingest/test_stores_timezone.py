"""stores.csv's optional timezone column: files with or without it are read; a zone that is not an
IANA name is quarantined with a reason; a blank one is null (the reports then use the country's)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from pipelines.ingest import readers, validate
from pipelines.ingest.sources import BY_NAME

STORES = BY_NAME["stores"]

REF = validate.Reference(as_of=datetime(2026, 11, 25, tzinfo=UTC))


def stores(text: str) -> list[dict]:
    out = []
    for record in readers.read_csv(text.splitlines(keepends=True), STORES.columns, STORES.optional):
        assert record.error is None, record.error
        out.append(validate.store_row(record.fields, REF))
    return out


def test_the_timezone_column_may_be_left_out():
    (row,) = stores("store_id,name,region,country\nS001,Lyon,South-East,FR\n")
    assert row["timezone"] is None and row["country"] == "FR"


def test_a_given_timezone_is_kept_and_a_blank_one_is_null():
    rows = stores(
        "store_id,name,region,country,timezone\nS003,Berlin,East,DE,Europe/Berlin\nS004,X,Y,DE,\n"
    )
    assert [r["timezone"] for r in rows] == ["Europe/Berlin", None]


def test_an_unknown_zone_is_refused_with_a_reason():
    text = "store_id,name,region,country,timezone\nS009,Nowhere,X,DE,Mars/Olympus\n"
    (record,) = readers.read_csv(text.splitlines(keepends=True), STORES.columns, STORES.optional)
    with pytest.raises((ValidationError, ValueError), match="unknown time zone 'Mars/Olympus'"):
        validate.store_row(record.fields, REF)


def test_other_columns_stay_required():
    text = "store_id,name,region\nS001,Lyon,South-East\n"
    records = list(
        readers.read_csv(text.splitlines(keepends=True), STORES.columns, STORES.optional)
    )
    assert records and all("(missing: country)" in (r.error or "") for r in records)
