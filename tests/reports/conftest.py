"""Report test fixtures: a golden DuckDB of hand-written rows, a synthetic one for the HTML."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from reports_golden import event, make_db, signal, synthetic_rows

STORES = [
    {"store_id": "S001", "name": "Lyon", "region": "South-East", "country": "FR"},
    {"store_id": "S002", "name": "Paris", "region": "North", "country": "FR"},
]


def _mart(
    week: str,
    category: str,
    attribute: str,
    value: str,
    events: int,
    revenue: float,
    level: str = "chain",
    store_id: str = "ALL",
) -> dict:
    return {
        "iso_week": week,
        "level": level,
        "store_id": store_id,
        "category": category,
        "attribute": attribute,
        "value": value,
        "events": events,
        "customers": 0,
        "lost_units": events,
        "lost_revenue_eur": revenue,
        "stockout_events": events,
        "not_carried_events": 0,
        "substituted_events": 0,
        "unknown_events": 0,
    }


def golden_rows() -> dict[str, list[dict]]:
    """8 events over weeks 45, 47 and 48 (week 46 has none) at two stores."""
    d = date
    e = {
        "E1": event(
            "E1",
            event_date=d(2026, 11, 16),
            color="blue",
            pattern="plaid",
            size="L",
            classification="not_carried",
            customer_ref="C1",
            lost_revenue_eur=150.0,
        ),
        "E2": event("E2", event_date=d(2026, 11, 17), color="blue", size="M"),
        "E3": event(
            "E3",
            event_date=d(2026, 11, 18),
            store_id="S002",
            color="blue",
            pattern="plaid",
            size="L",
            classification="not_carried",
            customer_ref="C2",
            lost_revenue_eur=50.0,
        ),
        "E4": event(
            "E4",
            event_date=d(2026, 11, 18),
            store_id="S002",
            category="dress",
            color="red",
            size="38",
            classification="substituted",
            lost_revenue_eur=80.0,
            substitute_color="black",
            substitute_size="38",
        ),
        "E5": event(
            "E5",
            event_date=d(2026, 11, 19),
            store_id="S002",
            category=None,
            classification="unknown",
            lost_revenue_eur=0.0,
        ),
        "E6": event(
            "E6",
            event_date=d(2026, 11, 4),
            color="blue",
            pattern="plaid",
            size="L",
            classification="not_carried",
        ),
        "E7": event(
            "E7",
            event_date=d(2026, 11, 5),
            category="dress",
            color="red",
            size="38",
            customer_ref="C1",
            lost_revenue_eur=60.0,
        ),
        "E8": event("E8", event_date=d(2026, 11, 23), color="blue", pattern="plaid", size="L"),
    }
    signals = [
        signal("N1#1", e["E1"], source="frontline_notes"),
        signal("L1#1", e["E1"]),
        signal("L2#1", e["E2"]),
        signal("N3#1", e["E3"], source="frontline_notes"),
        signal("LS4#1", e["E4"], source="lost_sales"),
        signal("N5#1", e["E5"], source="frontline_notes"),
    ]

    def note(note_id: str, ev: dict, text: str, ref: str | None, consent: bool,
             associate: str | None = "A00011") -> dict:  # fmt: skip
        return {
            "note_id": note_id,
            "store_id": ev["store_id"],
            "channel": "store" if associate else "app",
            "associate_id": associate,
            "captured_at": ev["first_at"],
            "event_date": ev["event_date"],
            "iso_week": ev["iso_week"],
            "text": text,
            "redactions": 0,
            "customer_ref": ref,
            "customer_consent": consent,
            "category": ev["category"],
            "demanded": [],
            "rejected_colors": [],
            "extractor_version": "t",
            "source_file": "n.jsonl",
            "source_line": 1,
        }

    notes = [
        note("N1", e["E1"], "blue plaid coat L <script>x</script>", "C1", True),
        # a consent flag of false with a customer_ref: must never be listed
        note("N3", e["E3"], "blue plaid coat size L", "C2", False),
        # written by the customer in the app: not an associate's capture (rpt_store_ranking)
        note("N5", e["E5"], "something warm", None, False, associate=None),
        note("N9", e["E2"], "just browsing", None, False),
    ]
    mart = [
        _mart("2026-W45", "coat", "color", "blue", 1, 100.0),
        _mart("2026-W45", "coat", "pattern", "plaid", 2, 200.0),
        _mart("2026-W46", "coat", "color", "blue", 2, 200.0),
        _mart("2026-W47", "coat", "color", "blue", 3, 300.0),
        _mart("2026-W47", "coat", "color", "black", 3, 250.0),
        _mart("2026-W47", "coat", "pattern", "plaid", 2, 200.0),
        _mart("2026-W47", "dress", "color", "red", 1, 80.0),
        _mart("2026-W48", "coat", "color", "blue", 6, 600.0),
        _mart("2026-W47", "coat", "color", "blue", 2, 250.0, "store", "S001"),
        _mart("2026-W47", "coat", "color", "black", 2, 100.0, "store", "S001"),
    ]
    return {
        "demand_events": list(e.values()),
        "demand_signals": signals,
        "stg_frontline_notes": notes,
        "mart_unmet_demand": mart,
        "stg_stores": STORES,
    }


@pytest.fixture(scope="session")
def golden_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_db(tmp_path_factory.mktemp("golden") / "unmet.duckdb", golden_rows())


@pytest.fixture
def golden_con(golden_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(golden_db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def synthetic_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data root whose unmet.duckdb holds ten weeks of synthetic ledger rows (no Beam run)."""
    root = tmp_path_factory.mktemp("synthetic")
    rows = synthetic_rows()
    rows["stg_frontline_notes"][-1]["text"] = "<script>alert('x')</script> =HYPERLINK(\"evil\")"
    make_db(root / "unmet.duckdb", rows)
    return root
