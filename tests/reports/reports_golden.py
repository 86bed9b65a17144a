"""Hand-written ledger rows in a throwaway DuckDB file, with the report models as views on them.

`make_db` creates every published dataset as a table with its real columns (from the pydantic
models), fills in the rows given (missing columns are NULL) and adds the match tables and every
report model, exactly as the warehouse does. `synthetic_events` makes a few hundred plausible events
over several weeks for the HTML and browser tests.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipelines.demand import aggregate
from pipelines.warehouse import DATASETS, create_report_models
from schemas.arrow import arrow_schema


def make_db(path: Path, rows: dict[str, list[dict[str, Any]]]) -> Path:
    con = duckdb.connect(str(path))
    try:
        for name, (_, model) in DATASETS.items():
            schema = arrow_schema(model)
            data = rows.get(name, [])
            table = pa.Table.from_pylist(
                [{f.name: r.get(f.name) for f in schema} for r in data], schema=schema
            )
            con.register("_rows", table)
            con.execute(f"create table {name} as select * from _rows")
            con.unregister("_rows")
        create_report_models(con)  # as the warehouse does: the match tables, then the views
    finally:
        con.close()
    return path


def event(event_id: str, **kw: Any) -> dict[str, Any]:
    """A demand_events row with sensible defaults (2026-11-18, week 2026-W47, store S001)."""
    day = kw.pop("event_date", date(2026, 11, 18))
    at = kw.pop("first_at", datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC))
    year, week, _ = day.isocalendar()
    row = {
        "event_id": event_id,
        "store_id": "S001",
        "event_date": day,
        "iso_week": f"{year}-W{week:02d}",
        "first_at": at,
        "last_at": at,
        "category": "coat",
        "classification": "stockout",
        "n_signals": 1,
        "n_notes": 0,
        "n_lookups": 1,
        "n_lost_sales": 0,
        "lost_units": 1,
        "unit_price_eur": 100.0,
        "price_basis": "sku_price",
        "price_rule": "catalog",
        "lost_revenue_eur": 100.0,
        "estimated_revenue_eur": 0.0,
    }
    row.update(kw)
    return row


def signal(signal_id: str, event_row: dict[str, Any], **kw: Any) -> dict[str, Any]:
    row = {
        "signal_id": signal_id,
        "source": "oos_lookups",
        "record_id": signal_id.split("#")[0],
        "item_no": 1,
        "store_id": event_row["store_id"],
        "occurred_at": event_row["first_at"],
        "event_date": event_row["event_date"],
        "iso_week": event_row["iso_week"],
        "quantity": 1,
        "event_id": event_row["event_id"],
        "link_reason": "first signal",
    }
    row.update(kw)
    return row


def mart_rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """mart_unmet_demand for `events`, computed by the real aggregation code."""
    schema = arrow_schema(DATASETS["demand_events"][1])
    table = pa.Table.from_pylist([{f.name: e.get(f.name) for f in schema} for e in events], schema)
    long = pa.concat_tables(aggregate.long_rows(table, a) for a in aggregate.DEFAULT_ATTRIBUTES)
    return aggregate.aggregate(long).to_pylist()


STORES = [
    {"store_id": "S001", "name": "Lyon Part-Dieu", "region": "South-East", "country": "FR"},
    {"store_id": "S002", "name": "Paris Rivoli", "region": "North", "country": "FR"},
    {"store_id": "S003", "name": "Lille <Centre>", "region": "North", "country": "FR"},
    {"store_id": "S004", "name": "Bordeaux", "region": "South-West", "country": "FR"},
]


def synthetic_rows(weeks: int = 10, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Plausible ledger rows for `weeks` weeks ending with 2026-W47 (plaid coats rising)."""
    rng = random.Random(seed)
    colors, patterns = ["black", "blue", "green", "red", "beige"], ["solid", "plaid", "striped"]
    cats = {"coat": ["S", "M", "L", "XL"], "dress": ["36", "38", "40"], "jeans": ["32x30", "34x32"]}
    events, signals, notes = [], [], []
    last_monday = date(2026, 11, 16)
    for w in range(weeks):
        monday = last_monday - timedelta(weeks=weeks - 1 - w)
        for i in range(20 + 3 * w):
            cat = rng.choice(list(cats))
            day = monday + timedelta(days=rng.randrange(7))
            pattern = "plaid" if cat == "coat" and rng.random() < 0.1 * w else rng.choice(patterns)
            cls = rng.choices(["stockout", "not_carried", "substituted", "unknown"], [5, 3, 2, 1])[
                0
            ]
            eid = f"E{w:02d}{i:03d}"
            consent = rng.random() < 0.3
            e = event(
                eid,
                event_date=day,
                store_id=rng.choice(STORES)["store_id"],
                category=cat,
                color=rng.choice(colors),
                pattern=pattern if rng.random() < 0.7 else None,
                size=rng.choice(cats[cat]),
                classification=cls,
                customer_ref=f"C{rng.randrange(500):04d}" if consent else None,
                lost_revenue_eur=round(rng.uniform(20, 200), 2),
                n_notes=1,
            )
            if cls == "substituted":
                e.update(substitute_color=rng.choice(colors), substitute_size=e["size"])
            events.append(e)
            note_id = f"N{eid}"
            signals.append(signal(f"{note_id}#1", e, source="frontline_notes", record_id=note_id))
            signals.append(signal(f"L{eid}#1", e))
            notes.append(
                {
                    "note_id": note_id,
                    "store_id": e["store_id"],
                    "channel": "store",
                    "captured_at": e["first_at"],
                    "event_date": day,
                    "iso_week": e["iso_week"],
                    "text": f"wanted {e['color']} {pattern} {cat} size {e['size']}",
                    "redactions": 0,
                    "customer_ref": e["customer_ref"],
                    "customer_consent": consent,
                    "category": cat,
                    "demanded": [],
                    "rejected_colors": [],
                    "extractor_version": "test",
                    "source_file": "notes.jsonl",
                    "source_line": 1,
                }
            )
    return {
        "demand_events": events,
        "demand_signals": signals,
        "stg_frontline_notes": notes,
        "mart_unmet_demand": mart_rows(events),
        "stg_stores": STORES,
    }
