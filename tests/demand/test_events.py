from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pipelines.demand.catalog import CatalogEntry, index_catalog
from pipelines.demand.events import build_events, classify, compatible, link, value

CATALOG = index_catalog(
    {
        "SKU-1": CatalogEntry("SKU-1", "coat", "navy", "blue", "solid", "L", 189.0),
        "SKU-2": CatalogEntry("SKU-2", "coat", "black", "black", "solid", "M", 169.0),
        "SKU-5": CatalogEntry("SKU-5", "scarf", "red", "red", "floral", "OS", 49.0),
    }
)
T0 = datetime(2026, 11, 17, 13, 0, tzinfo=UTC)


def sig(signal_id, minutes=0, source="frontline_notes", **attrs):
    base = {
        "signal_id": signal_id, "source": source, "store_id": "S001",
        "occurred_at": T0 + timedelta(minutes=minutes),
        "event_date": date(2026, 11, 17), "iso_week": "2026-W47", "category": None, "color": None,
        "shade": None, "pattern": None, "size": None, "sku": None, "quantity": 1, "unit_price_eur": None,
        "customer_ref": None, "substitute_sku": None, "hint": "note",
    }  # fmt: skip
    return {**base, **attrs}


@pytest.mark.parametrize(
    ("event", "signal", "linked"),
    [
        ({"sku": "SKU-1"}, {"sku": "SKU-1"}, True),
        ({"sku": "SKU-1"}, {"sku": "SKU-2", "category": "coat"}, False),
        ({"category": "coat", "color": "blue"}, {"category": "coat", "size": "L"}, True),
        ({"category": "coat", "color": "blue"}, {"category": "coat", "color": "red"}, False),
        ({"category": "coat"}, {"category": "dress"}, False),
        (
            {"category": "coat", "customer_ref": "C1"},
            {"category": "coat", "customer_ref": "C2"},
            False,
        ),
        ({}, {"category": "coat"}, False),
    ],
)
def test_compatible(event, signal, linked):
    assert (compatible(event, signal) is not None) is linked


def test_traces_of_one_moment_become_one_event_and_a_later_one_does_not():
    signals = [
        sig("N-1#1", 0, category="coat", color="blue", size="L"),
        sig(
            "L-1#1",
            3,
            "oos_lookups",
            sku="SKU-1",
            category="coat",
            color="blue",
            pattern="solid",
            size="L",
        ),
        sig("LS-1#1", 10, "lost_sales", sku="SKU-1", category="coat", color="blue", size="L"),
        sig("L-9#1", 45, "oos_lookups", sku="SKU-1", category="coat", color="blue", size="L"),
    ]
    events = link(signals, timedelta(minutes=30))
    assert [[s["signal_id"] for s in e.signals] for e in events] == [
        ["N-1#1", "L-1#1", "LS-1#1"],
        ["L-9#1"],
    ]
    assert events[0].signals[2]["link_reason"] == "same sku as N-1#1, 10 min later"


def test_a_signal_with_nothing_known_is_its_own_unknown_event():
    signals = [sig("N-1#1", 0, category="coat"), sig("N-2#1", 1)]
    events, _ = build_events(signals, CATALOG)
    assert [(e["event_id"], e["classification"]) for e in events] == [
        ("E-N-1#1", "stockout"),
        ("E-N-2#1", "unknown"),
    ]


@pytest.mark.parametrize(
    ("category", "color", "pattern", "size", "carried"),
    [
        ("coat", "blue", None, None, True),
        ("coat", "blue", "solid", "L", True),
        ("coat", "blue", None, "M", False),
        ("coat", None, "plaid", None, False),
        ("coat", None, None, None, True),
        ("dress", None, None, None, False),
    ],
)
def test_catalog_index_knows_every_carried_combination(category, color, pattern, size, carried):
    assert CATALOG.carries(category, color, pattern, size) is carried


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        ([sig("a", sku="SKU-1", category="coat")], "stockout"),
        ([sig("a", category="coat", pattern="plaid")], "not_carried"),
        ([sig("a", category="coat", color="blue", size="M")], "not_carried"),
        ([sig("a", category="coat", color="black", size="M")], "stockout"),
        ([sig("a", source="lost_sales", hint="sale:not_carried")], "not_carried"),
        ([sig("a", sku="SKU-1", category="coat", substitute_sku="SKU-2")], "substituted"),
        ([sig("a")], "unknown"),
    ],
)
def test_classify(signals, expected):
    attrs = {k: signals[0][k] for k in ("sku", "category", "color", "pattern", "size")}
    assert classify(signals, attrs, CATALOG) == expected


@pytest.mark.parametrize(
    ("signals", "attrs", "expected"),
    [
        ([sig("a", source="lost_sales", quantity=3, unit_price_eur=150.0)], {}, (3, 150.0, "sale")),
        ([sig("a")], {"sku": "SKU-2"}, (1, 169.0, "catalog")),
        ([sig("a")], {"category": "coat"}, (1, 179.0, "category_median")),
        ([sig("a")], {"category": "hat"}, (1, None, "none")),
    ],
)
def test_value_rule(signals, attrs, expected):
    assert CATALOG.medians == {"coat": 179.0, "scarf": 49.0}
    assert value(signals, attrs, CATALOG) == expected


def test_event_revenue_is_units_times_price():
    signals = [
        sig(
            "LS-1#1", 0, "lost_sales", sku="SKU-1", category="coat", quantity=2, unit_price_eur=99.5
        )
    ]
    (event,), linked = build_events(signals, CATALOG)
    assert (event["lost_units"], event["lost_revenue_eur"], event["price_rule"]) == (
        2,
        199.0,
        "sale",
    )
    assert linked[0]["event_id"] == "E-LS-1#1"
