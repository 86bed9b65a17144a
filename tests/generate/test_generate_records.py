"""Every generated record validates against schemas/raw.py and follows the file layout."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from pipelines.generate.vocab import SHADES
from schemas.enums import Pattern
from schemas.raw import CatalogItem, FrontlineNote, LostSale, OosLookup, Store

WEEKS = [f"2026-W{week}" for week in range(40, 48)]
OFFSETS = {
    "FR": ("+01:00", "+02:00"),
    "DE": ("+01:00", "+02:00"),
    "ES": ("+01:00", "+02:00"),
    "IT": ("+01:00", "+02:00"),
    "NL": ("+01:00", "+02:00"),
    "GB": ("+00:00", "+01:00"),
    "IE": ("+00:00", "+01:00"),
}


@pytest.mark.parametrize(
    ("attr", "model"),
    [
        ("catalog", CatalogItem),
        ("stores", Store),
        ("notes", FrontlineNote),
        ("lookups", OosLookup),
        ("lost_sales", LostSale),
    ],
)
def test_every_record_validates(dataset, attr, model) -> None:
    rows = getattr(dataset, attr)
    assert rows
    for row in rows:
        model.model_validate(row)


def test_note_keys_are_exactly_the_model_fields(dataset) -> None:
    assert all(list(note) == list(FrontlineNote.model_fields) for note in dataset.notes)


@pytest.mark.parametrize(
    ("folder", "prefix", "suffix"),
    [
        ("frontline_notes", "notes-", ".jsonl"),
        ("oos_lookups", "lookups-", ".csv"),
        ("lost_sales", "lost_sales-", ".csv"),
    ],
)
def test_one_file_per_iso_week(dataset, folder, prefix, suffix) -> None:
    names = sorted(path.name for path in (dataset.root / folder).iterdir())
    assert names == [f"{prefix}{week}{suffix}" for week in WEEKS]


@pytest.mark.parametrize(
    ("attr", "key", "pattern"),
    [
        ("notes", "note_id", r"^N-\d{7}$"),
        ("lookups", "lookup_id", r"^L-\d{7}$"),
        ("lost_sales", "sale_id", r"^LS-\d{7}$"),
        ("events", "event_id", r"^E-\d{7}$"),
    ],
)
def test_ids_unique_and_well_formed(dataset, attr, key, pattern) -> None:
    ids = [row[key] for row in getattr(dataset, attr)]
    assert len(set(ids)) == len(ids)
    assert all(re.match(pattern, value) for value in ids)


def test_timestamps_carry_the_store_offset(dataset) -> None:
    country = {store["store_id"]: store["country"] for store in dataset.stores}
    stamped = (
        [(n["store_id"], n["captured_at"]) for n in dataset.notes]
        + [(r["store_id"], r["looked_up_at"]) for r in dataset.lookups]
        + [(r["store_id"], r["occurred_at"]) for r in dataset.lost_sales]
    )
    for store_id, stamp in stamped:
        assert stamp[-6:] in OFFSETS[country[store_id]], (store_id, stamp)
    assert {stamp[-6:] for _, stamp in stamped} >= {"+00:00", "+01:00", "+02:00"}


def test_currency_is_always_eur(dataset) -> None:
    assert {row["currency"] for row in dataset.lost_sales} == {"EUR"}


def test_catalog_vocabulary(dataset) -> None:
    assert {row["pattern"] for row in dataset.catalog} <= {p.value for p in Pattern}
    assert {row["color"] for row in dataset.catalog} <= set(SHADES)
    shoes = {row["size"] for row in dataset.catalog if row["category"] == "shoes"}
    assert "39.5" in shoes and "40" in shoes
    assert {row["size"] for row in dataset.catalog if row["category"] == "bag"} == {"OS"}
    assert all(
        re.match(r"^\d+x\d+$", row["size"]) for row in dataset.catalog if row["category"] == "jeans"
    )


def test_source_mix_and_noise(dataset) -> None:
    summary = dataset.summary
    assert summary.notes / summary.rows == pytest.approx(0.45, abs=0.04)
    assert summary.lookups / summary.rows == pytest.approx(0.35, abs=0.04)
    assert summary.lost_sales / summary.rows == pytest.approx(0.20, abs=0.04)
    results = Counter(row["result"] for row in dataset.lookups)
    assert results["in_stock"] / len(dataset.lookups) == pytest.approx(0.30, abs=0.06)
    reasons = Counter(row["reason_code"] for row in dataset.lost_sales)
    noise = (reasons["price"] + reasons["other"]) / len(dataset.lost_sales)
    assert noise == pytest.approx(0.10, abs=0.05)


def test_some_notes_carry_pii(dataset) -> None:
    by_id = {note["note_id"]: note["text"] for note in dataset.notes}
    assert 0.01 <= len(dataset.pii) / len(dataset.notes) <= 0.04
    for row in dataset.pii:
        assert row["value"] in by_id[row["note_id"]]
