"""The fast (column-at-a-time) ingest path gives exactly what the exact (per-record) path gives.

Every file of the hostile corpus, the tiny golden inputs and the committed sample is parsed both
ways; staging rows, quarantine reasons and file stats must be identical. A second set of cases
checks that the fast path really takes the plain records (else the first proves nothing).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipelines.ingest import fast
from pipelines.ingest.batches import BATCH_BYTES
from pipelines.ingest.parse import parse_file, relative_name
from pipelines.ingest.sources import BY_NAME, FACTS
from pipelines.ingest.validate import Reference
from schemas.arrow import arrow_schema
from schemas.raw import known_zone_name
from tests.conftest import AS_OF, TESTS, TINY

SAMPLE = TESTS.parent / "data" / "sample"
ROOTS = {"bad": TESTS / "data" / "bad", "tiny": TINY, "sample": SAMPLE}


def _ids(root: Path, folder: str, column: str) -> list[str]:
    ids = []
    for path in sorted((root / folder).glob("*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            ids += [row.get(column) or "" for row in csv.DictReader(handle)]
    return ids


def _reference(root: Path) -> dict[str, list[str]]:
    return {"stores": _ids(root, "stores", "store_id"), "catalog": _ids(root, "catalog", "sku")}


def _zones(root: Path) -> dict[str, str]:
    """store id -> its zone, as the ingest's reference side input gives them."""
    zones = {}
    for path in sorted((root / "stores").glob("*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                zone = known_zone_name(row.get("timezone") or None, row.get("country"))
                if zone is not None:
                    zones.setdefault(row.get("store_id") or "", zone)
    return zones


def _parse(root: Path, path: Path, source: str, use_fast: bool, batch_bytes: int = BATCH_BYTES):
    spec = BY_NAME[source]
    ids = _reference(root)
    ref = Reference(AS_OF, frozenset(ids["stores"]), frozenset(ids["catalog"]), _zones(root))
    schema = arrow_schema(spec.staging_model, described=False)
    name = relative_name(str(path), str(root))
    parsed = parse_file(spec, schema, str(path), name, ref, use_fast, batch_bytes)
    accepted = sorted(parsed.rows.to_pylist(), key=lambda r: r["source_line"])
    rejects = sorted(parsed.rejects.to_pylist(), key=lambda r: (r["source_line"], r["reason"]))
    return accepted, rejects, parsed.stat


CASES = [
    pytest.param(root, path, spec.name, id=f"{name}/{spec.folder}/{path.name}")
    for name, root in ROOTS.items()
    for spec in FACTS
    for path in sorted((root / spec.folder).glob(spec.glob))
]


@pytest.mark.parametrize(("root", "path", "source"), CASES)
def test_fast_path_gives_what_the_exact_path_gives(root: Path, path: Path, source: str) -> None:
    assert _parse(root, path, source, True) == _parse(root, path, source, False)


@pytest.mark.parametrize(("root", "path", "source"), CASES)
@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "exact"])
def test_a_file_parsed_in_batches_gives_what_it_gives_whole(
    root: Path, path: Path, source: str, use_fast: bool
) -> None:
    """Batches of ~300 bytes (a few records; the sample's files in 20-160 batches): same rows,
    line numbers, rejects and stats as the whole file in one batch."""
    assert _parse(root, path, source, use_fast, 300) == _parse(root, path, source, use_fast)


@pytest.mark.parametrize("spec", FACTS, ids=lambda s: s.name)
def test_fast_path_takes_every_plain_record_of_the_sample(spec) -> None:
    ref = Reference(AS_OF, *(frozenset(v) for v in _reference(SAMPLE).values()))
    schema = arrow_schema(spec.staging_model, described=False)
    paths = sorted((SAMPLE / spec.folder).glob(spec.glob))
    assert paths
    for path in paths:
        result = fast.parse(spec.name, spec.format, path.read_bytes(), spec.columns, ref, schema)
        assert result is not None, path
        assert result.table.num_rows == result.read > 0
        assert result.slow == []


@pytest.mark.parametrize(
    ("source", "line", "why"),
    [
        ("oos_lookups", "L-9,S001,store,SKU-1,2026-02-30T10:00:00+01:00,out_of_stock,0", "Feb 30"),
        ("oos_lookups", "L-9,S001,store,SKU-1,2026-11-17T10:00:00.5+01:00,out_of_stock,0", "frac"),
        ("oos_lookups", "L-9,S001,store,SKU-1,2027-01-01T10:00:00Z,out_of_stock,0", "future"),
        ("oos_lookups", "L-9, S001,store,SKU-1,2026-11-17T10:00:00Z,out_of_stock,0", "space"),
        ("oos_lookups", 'L-9,"S001",store,SKU-1,2026-11-17T10:00:00Z,out_of_stock,0', "quoted"),
        ("oos_lookups", "L-9,S001,store,SKU-1,2026-11-17T10:00:00Z,out_of_stock,007", "zeros"),
        (
            "frontline_notes",
            '{"note_id": "N-9", "store_id": "S001", "channel": "store", '
            '"captured_at": "2026-11-17T10:00:00Z", "text": "navy \\u00e9"}',
            "escape",
        ),
        (
            "frontline_notes",
            '{"note_id": "N-9", "store_id": "S001", "channel": "store", '
            '"captured_at": "2026-11-17T10:00:00Z", "text": " navy "}',
            "edge space",
        ),
        (
            "frontline_notes",
            '{"note_id": "N-9", "store_id": "S001", "channel": "store", '
            '"captured_at": "2026-11-17T10:00:00Z", "text": "navy", "customer_consent": null}',
            "null",
        ),
    ],  # fmt: skip
)
def test_fast_path_leaves_unusual_records_to_the_exact_path(source, line, why) -> None:
    spec = BY_NAME[source]
    ref = Reference(AS_OF, frozenset({"S001"}), frozenset({"SKU-1"}))
    header = ",".join(spec.columns) + "\n" if spec.format == "csv" else ""
    plain = (
        "L-8,S001,store,SKU-1,2026-11-17T10:00:00Z,out_of_stock,0"
        if spec.format == "csv"
        else '{"note_id": "N-8", "store_id": "S001", "channel": "store", '
        '"captured_at": "2026-11-17T10:00:00Z", "text": "navy", "customer_consent": false}'
    )
    data = (header + plain + "\n" + line + "\n").encode()
    schema = arrow_schema(spec.staging_model, described=False)
    result = fast.parse(source, spec.format, data, spec.columns, ref, schema)
    assert result is not None, why
    assert result.table.num_rows == 1, why
    assert [r.line for r in result.slow] == [3 if spec.format == "csv" else 2], why


def test_notes_extracted_in_chunks_give_the_same_rows(monkeypatch) -> None:
    monkeypatch.setattr(fast, "_NOTES_CHUNK", 7)
    path = sorted((SAMPLE / "frontline_notes").glob("*.jsonl"))[0]
    assert _parse(SAMPLE, path, "frontline_notes", True) == _parse(
        SAMPLE, path, "frontline_notes", False
    )


def _one_file_root(
    root: Path, name: str, lines: list[str], stores: str = "store_id\nS001\n"
) -> Path:
    """An inputs root with one store (S001), one sku (SKU-1) and the file `name` of `lines`."""
    for folder, text in (("stores", stores), ("catalog", "sku\nSKU-1\n")):
        (root / folder).mkdir()
        (root / folder / f"{folder}.csv").write_text(text)
    path = root / name
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n")
    return path


EDGE_TIMES = [
    "2026-11-17T14:09:40+01:00",  # plain
    "2026-02-29T10:00:00+01:00",  # not a leap year
    "2024-02-29T10:00:00+01:00",  # a leap year
    "2025-02-30T10:00:00Z",  # strptime would roll it over to March 2
    "2026-04-31T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-00-10T00:00:00Z",
    "2026-11-00T00:00:00Z",
    "2026-11-17T24:00:00Z",
    "2026-11-17T23:60:00Z",
    "2026-11-17T23:59:60Z",
    "0000-01-01T00:00:00Z",
    "0999-12-31T23:59:59Z",
    "1000-01-01T00:00:00Z",
    "2026-11-17T23:59:59-23:59",
    "2026-11-17T14:09:40+24:00",
    # the earliest time accepted (schemas.raw.EARLIEST_TIME), compared as an instant
    "1970-01-01T00:00:00Z",  # E-16: epoch 0, a null date
    "1999-12-31T23:59:59Z",  # E-17: just before
    "2000-01-01T00:00:00Z",  # E-18: the floor itself
    "2000-01-01T00:30:00+01:00",  # E-19: 1999-12-31T23:30Z
    "1999-12-31T23:30:00-01:00",  # E-20: 2000-01-01T00:30Z
]


def test_fast_path_reads_edge_timestamps_as_the_exact_path_does(tmp_path: Path) -> None:
    header = "sale_id,store_id,sku,reason_code,quantity,unit_price,currency,occurred_at,"
    lines = [header + "substitute_sku,description"]
    lines += [
        f"E-{n},S001,SKU-1,size_unavailable,1,129.00,EUR,{when},,"
        for n, when in enumerate(EDGE_TIMES)
    ]
    path = _one_file_root(tmp_path, "lost_sales/edge.csv", lines)
    fast_rows, fast_rejects, _ = _parse(tmp_path, path, "lost_sales", True)
    exact_rows, exact_rejects, _ = _parse(tmp_path, path, "lost_sales", False)
    assert (fast_rows, fast_rejects) == (exact_rows, exact_rejects)
    accepted = {r["sale_id"] for r in exact_rows}
    assert {"E-0", "E-2", "E-18", "E-20"} <= accepted  # the test must see both outcomes
    assert not {"E-1", "E-3", "E-4", "E-8", "E-13", "E-16", "E-17", "E-19"} & accepted


#: A store in Rome (UTC+1 in winter, +2 in summer) and one in Lisbon with its own zone, and times
#: written with the store's offset or another (a web system's UTC): the week is the store's.
ZONED_TIMES = [  # (sale, store, occurred_at, ISO week of the store's local date)
    ("Z-0", "S001", "2026-11-22T23:30:00+01:00", "2026-W47"),  # Sunday 23:30 in Rome
    ("Z-1", "S001", "2026-11-22T23:30:00Z", "2026-W48"),  # Monday 00:30 in Rome
    ("Z-2", "S001", "2026-11-23T00:30:00+01:00", "2026-W48"),  # the same time, Rome's offset
    ("Z-3", "S001", "2026-11-22T21:30:00-01:00", "2026-W47"),  # 22:30Z: Sunday 23:30 in Rome
    ("Z-4", "S001", "2026-03-30T00:30:00+02:00", "2026-W14"),  # Monday, summer time in Rome
    ("Z-5", "S001", "2026-03-29T21:59:00Z", "2026-W13"),  # Sunday 23:59 summer time in Rome
    ("Z-6", "S002", "2026-11-22T23:30:00Z", "2026-W47"),  # Lisbon is at UTC in winter
    ("Z-7", "S002", "2026-11-23T00:10:00+01:00", "2026-W47"),  # 23:10Z: Sunday in Lisbon
    # a Brussels store: BE has no zone of its own here and stores.csv gives none, so the offset
    # written decides (Monday 00:30 at +01:00), not UTC (which would say Sunday 23:30)
    ("Z-8", "S003", "2026-11-23T00:30:00+01:00", "2026-W48"),
]


def test_a_record_is_dated_in_its_stores_zone_whatever_offset_it_was_written_with(tmp_path):
    header = "sale_id,store_id,sku,reason_code,quantity,unit_price,currency,occurred_at,"
    lines = [header + "substitute_sku,description"]
    lines += [f"{sale},{store},SKU-1,size_unavailable,1,129.00,EUR,{when},,"
              for sale, store, when, _ in ZONED_TIMES]  # fmt: skip
    stores = ("store_id,name,region,country,timezone\nS001,Roma,South,IT,\n"
              "S002,Lisboa,West,PT,Europe/Lisbon\nS003,Bruxelles,Centre,BE,\n")  # fmt: skip
    path = _one_file_root(tmp_path, "lost_sales/zoned.csv", lines, stores)
    fast_rows, fast_rejects, _ = _parse(tmp_path, path, "lost_sales", True)
    exact_rows, exact_rejects, _ = _parse(tmp_path, path, "lost_sales", False)
    assert (fast_rows, fast_rejects) == (exact_rows, exact_rejects)
    assert exact_rejects == []
    assert {r["sale_id"]: r["iso_week"] for r in exact_rows} == {
        sale: week for sale, _, _, week in ZONED_TIMES
    }
    # the fast path keeps only the times written with their store's own offset
    ids = _reference(tmp_path)
    ref = Reference(AS_OF, frozenset(ids["stores"]), frozenset(ids["catalog"]), _zones(tmp_path))
    spec = BY_NAME["lost_sales"]
    schema = arrow_schema(spec.staging_model, described=False)
    result = fast.parse("lost_sales", "csv", path.read_bytes(), spec.columns, ref, schema)
    assert result is not None
    assert sorted(result.table.column("sale_id").to_pylist()) == [
        "Z-0", "Z-2", "Z-4", "Z-6", "Z-8"
    ]  # fmt: skip


def test_a_store_given_two_zones_has_none_and_the_first_row_of_a_file_decides() -> None:
    from pipelines.ingest.transforms import store_zones

    assert store_zones(["S001=Europe/Paris", "S002=Europe/Rome", "S001=America/New_York",
                        "S002=Europe/Rome"]) == {"S002": "Europe/Rome"}  # fmt: skip


def test_repeated_note_texts_are_extracted_once_with_the_same_fields(tmp_path, monkeypatch):
    texts = ["navy coat in L, sold out", "fitting rooms busy", "navy coat in L, sold out",
             "wanted plaid scarf", "fitting rooms busy", "navy coat in L, sold out"]  # fmt: skip
    lines = [
        json.dumps(
            {
                "note_id": f"N-{n}",
                "store_id": "S001",
                "channel": "store",
                "associate_id": "A1",
                "captured_at": "2026-11-17T10:00:00Z",
                "text": text,
                "sku": None,
                "customer_ref": None,
                "customer_consent": False,
            }
        )  # fmt: skip
        for n, text in enumerate(texts)
    ]
    path = _one_file_root(tmp_path, "frontline_notes/repeats.jsonl", lines)
    exact = _parse(tmp_path, path, "frontline_notes", False)
    seen: list[str] = []
    counted = fast.note_text_fields

    def counting(text: str):
        seen.append(text)
        return counted(text)

    monkeypatch.setattr(fast, "note_text_fields", counting)
    assert _parse(tmp_path, path, "frontline_notes", True) == exact
    assert sorted(seen) == sorted(set(texts))  # one call per distinct text, on the fast path
    rows = exact[0]
    assert rows[0]["demanded"] == rows[2]["demanded"] == rows[5]["demanded"] != []


#: Numbers at and around the bounds the input models declare (quantity 1..1000, unit_price
#: 0..100,000 with 2 decimals, on_hand_qty 0..1,000,000).
BOUND_VALUES = {
    "quantity": ["0", "1", "999", "1000", "1001", "9999", "10000"],
    "unit_price": ["0", "0.5", "99999.99", "100000", "100000.00", "100000.01", "1.234"],
}


def test_fast_path_takes_a_number_exactly_when_the_model_bounds_allow_it(tmp_path: Path) -> None:
    """Every value the exact path (pydantic) accepts within the bounds is taken by the fast path;
    every value outside them is left to the exact path, which refuses it: same rows either way."""
    header = "sale_id,store_id,sku,reason_code,quantity,unit_price,currency,occurred_at,"
    lines = [header + "substitute_sku,description"]
    cases = [("quantity", v, f"{v},129.00") for v in BOUND_VALUES["quantity"]]
    cases += [("unit_price", v, f"1,{v}") for v in BOUND_VALUES["unit_price"]]
    lines += [
        f"B-{n},S001,SKU-1,size_unavailable,{fields},EUR,2026-11-17T14:09:40+01:00,,"
        for n, (_, _, fields) in enumerate(cases)
    ]
    path = _one_file_root(tmp_path, "lost_sales/bounds.csv", lines)
    exact_rows, exact_rejects, _ = _parse(tmp_path, path, "lost_sales", False)
    assert _parse(tmp_path, path, "lost_sales", True)[:2] == (exact_rows, exact_rejects)
    accepted = {int(r["sale_id"].removeprefix("B-")) for r in exact_rows}
    spec = BY_NAME["lost_sales"]
    ref = Reference(AS_OF, frozenset({"S001"}), frozenset({"SKU-1"}))
    schema = arrow_schema(spec.staging_model, described=False)
    result = fast.parse("lost_sales", "csv", path.read_bytes(), spec.columns, ref, schema)
    assert result is not None
    taken = {int(i.removeprefix("B-")) for i in result.table.column("sale_id").to_pylist()}
    assert taken == accepted  # the fast path takes every in-bounds record, and no other
    inside = {("quantity", "1"), ("quantity", "1000"), ("unit_price", "100000.00")}
    outside = {("quantity", "0"), ("quantity", "1001"), ("unit_price", "100000.01")}
    shown = {(column, value): n for n, (column, value, _) in enumerate(cases)}
    assert {shown[c] for c in inside} <= accepted
    assert not {shown[c] for c in outside} & accepted


def test_the_fast_path_reads_its_bounds_and_values_from_the_model() -> None:
    """A model with other bounds and another enumeration gives other verdicts: nothing about
    them is written into fast.py."""
    from enum import StrEnum
    from typing import Annotated

    import pyarrow as pa
    from pydantic import BaseModel, Field, StringConstraints

    class Size(StrEnum):
        SMALL = "S"
        LARGE = "L"

    class Model(BaseModel):
        n: int = Field(ge=5, le=50)
        price: float | None = Field(default=None, gt=0, le=20, decimal_places=1)
        size: Size
        code: Annotated[str, StringConstraints(max_length=3)]

    table = pa.table(
        {
            "n": ["4", "5", "50", "51", "007", "5", "5", "5", "5"],
            "price": ["1", "1", "1", "1", "1", "0", "20.0", "2.25", "1"],
            "size": ["S", "S", "L", "S", "S", "S", "M", "S", "S"],
            "code": ["A", "AB", "ABC", "A", "A", "A", "A", "A", "ABCD"],
        }
    )
    rows = fast._Rows(table, Model)
    rows.integer("n")
    rows.price("price")
    rows.member("size")
    rows.id("code")
    assert rows.ok.to_pylist() == [False, True, True, False, False, False, False, False, False]


def test_consent_is_a_json_boolean_or_the_note_is_refused(tmp_path: Path) -> None:
    """Consent written as "yes", "on", 1 or "TRUE" used to be read as consent (pydantic's lax
    bool) and kept the customer's ref for follow-ups: only JSON true and false are consent."""
    given = ["true", "false", '"yes"', '"on"', '"t"', '"1"', "1", '"TRUE"', '"no"', "0"]
    note = (
        '{{"note_id": "CO-{}", "store_id": "S001", "channel": "store", "captured_at": '
        '"2026-11-17T10:00:00+01:00", "text": "navy coat", "customer_ref": "C-000123", '
        '"customer_consent": {}}}'
    )
    lines = [note.format(n, value) for n, value in enumerate(given)]
    path = _one_file_root(tmp_path, "frontline_notes/consent.jsonl", lines)
    fast_rows, fast_rejects, _ = _parse(tmp_path, path, "frontline_notes", True)
    exact_rows, exact_rejects, _ = _parse(tmp_path, path, "frontline_notes", False)
    assert (fast_rows, fast_rejects) == (exact_rows, exact_rejects)
    assert [(r["note_id"], r["customer_ref"], r["customer_consent"]) for r in exact_rows] == [
        ("CO-0", "C-000123", True),
        ("CO-1", None, False),
    ]
    assert len(exact_rejects) == len(given) - 2
    assert all("customer_consent: Input should be a valid boolean" in r["reason"]
               for r in exact_rejects)  # fmt: skip
