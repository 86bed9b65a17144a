"""Demand signals: one row per demanded item per source record, in one shape for all three sources.

Pure functions over Arrow tables and plain rows. Attributes of lookups and lost sales come from the
catalog by sku; a lost sale without a sku but with a description is extracted like a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pyarrow as pa

from pipelines.demand.catalog import Catalog, CatalogEntry
from pipelines.extract import EXTRACTOR_VERSION, extract
from schemas.enums import UNMET_REASONS, UNMET_RESULTS
from schemas.marts import DemandSignal

SIGNAL_FIELDS = tuple(DemandSignal.model_fields)


def _base(
    source: str, record_id: str, item_no: int, row: dict[str, Any], at: datetime
) -> dict[str, Any]:
    return {
        "signal_id": f"{record_id}#{item_no}",
        "source": source,
        "record_id": record_id,
        "item_no": item_no,
        "store_id": row["store_id"],
        "channel": row.get("channel"),
        "occurred_at": at,
        "event_date": row["event_date"],
        "iso_week": row["iso_week"],
        "category": None,
        "color": None,
        "shade": None,
        "pattern": None,
        "size": None,
        "sku": None,
        "quantity": 1,
        "unit_price_eur": None,
        "customer_ref": None,
        "substitute_sku": None,
        "hint": None,
        "extractor_version": None,
    }


def _from_catalog(signal: dict[str, Any], entry: CatalogEntry | None) -> None:
    if entry is None:
        return
    for name, value in (
        ("category", entry.category),
        ("color", entry.color_family),
        ("shade", entry.color),
        ("pattern", entry.pattern),
        ("size", entry.size),
    ):
        if signal[name] is None:
            signal[name] = value


def note_signals(row: dict[str, Any], catalog: Catalog) -> Iterator[dict[str, Any]]:
    """One signal per demanded item of a note; one without attributes when the note expresses
    demand but says nothing of what (or only names a sku); none when it asks for nothing."""
    items = row["demanded"] or []
    if not items and row.get("sku") is None and not row.get("demand_expressed"):
        return
    # A note that asks for something without saying what still counts: one `unknown` signal.
    for number, item in enumerate(items or [{}], start=1):
        signal = _base("frontline_notes", row["note_id"], number, row, row["captured_at"])
        signal.update({k: item.get(k) for k in ("category", "color", "shade", "pattern", "size")})
        signal["customer_ref"] = row["customer_ref"]
        signal["hint"] = "note"
        signal["extractor_version"] = row["extractor_version"]
        if row.get("sku"):
            signal["sku"] = row["sku"]
            _from_catalog(signal, catalog.get(row["sku"]))
        yield signal


def lookup_signals(row: dict[str, Any], catalog: Catalog) -> Iterator[dict[str, Any]]:
    """A lookup is demand when the item was out of stock or not carried."""
    if row["result"] not in UNMET_RESULTS:
        return
    signal = _base("oos_lookups", row["lookup_id"], 1, row, row["looked_up_at"])
    signal["sku"] = row["sku"]
    signal["hint"] = f"lookup:{row['result']}"
    _from_catalog(signal, catalog.get(row["sku"]))
    yield signal


def lost_sale_signals(row: dict[str, Any], catalog: Catalog) -> Iterator[dict[str, Any]]:
    """A lost sale is demand when its reason says the item was not there (not price or other)."""
    if row["reason_code"] not in UNMET_REASONS:
        return
    signal = _base("lost_sales", row["sale_id"], 1, row, row["occurred_at"])
    signal["quantity"] = row["quantity"]
    signal["unit_price_eur"] = row["unit_price"]
    signal["substitute_sku"] = row["substitute_sku"]
    signal["hint"] = f"sale:{row['reason_code']}"
    if row["sku"]:
        signal["sku"] = row["sku"]
        _from_catalog(signal, catalog.get(row["sku"]))
    elif row.get("description"):
        found = extract(row["description"])
        item = found.items[0] if found.items else None
        if item is not None:
            for name in ("category", "color", "shade", "pattern", "size"):
                signal[name] = getattr(item, name)
        if signal["category"] is None:
            signal["category"] = found.category
        signal["extractor_version"] = EXTRACTOR_VERSION
    yield signal


SIGNALS_OF = {
    "frontline_notes": note_signals,
    "oos_lookups": lookup_signals,
    "lost_sales": lost_sale_signals,
}


def signals_of_table(source: str, table: pa.Table, catalog: Catalog) -> list[dict[str, Any]]:
    make = SIGNALS_OF[source]
    return [s for row in table.to_pylist() for s in make(row, catalog)]
