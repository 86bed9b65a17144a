from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from pipelines.demand.catalog import CatalogEntry, index_catalog
from pipelines.demand.events import (
    ESTIMATED,
    Price,
    build_event_tables,
    classify,
    compatible,
    value,
    value_and_classify,
)
from pipelines.demand.signals import SIGNAL_IN_SCHEMA

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
        "customer_ref": None, "customer_named": False, "substitute_sku": None, "hint": "note",
        "record_id": signal_id.split("#")[0], "item_no": 1, "channel": None,
        "extractor_version": None,
    }  # fmt: skip
    return {**base, **attrs}


def build_events(signals, catalog, window=timedelta(minutes=30)):
    """(events, linked signals) as lists of dicts, through the Arrow implementation."""
    table = pa.Table.from_pylist(signals, schema=SIGNAL_IN_SCHEMA)
    events, linked = build_event_tables(table, catalog, window)
    return events.to_pylist(), linked.to_pylist()


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
    events, linked = build_events(signals, CATALOG, timedelta(minutes=30))
    assert [(s["signal_id"], s["event_id"]) for s in linked] == [
        ("N-1#1", "E-N-1#1"),
        ("L-1#1", "E-N-1#1"),
        ("LS-1#1", "E-N-1#1"),
        ("L-9#1", "E-L-9#1"),
    ]
    assert linked[2]["link_reason"] == "same sku as N-1#1, 10 min later"
    assert [(e["n_signals"], e["n_notes"], e["n_lookups"], e["n_lost_sales"]) for e in events] == [
        (3, 1, 1, 1),
        (1, 0, 1, 0),
    ]


def test_a_customer_named_without_consent_is_never_linked_with_another_customers_note():
    # review 9: her ref was dropped (no consent), his kept: linked as one event, his follow-up
    # offered her navy L coat. Withheld, she is a customer of her own; a lookup still links.
    signals = [
        sig("N-1#1", 0, category="coat", color="blue", size="L", customer_named=True),
        sig("L-1#1", 3, "oos_lookups", sku="SKU-1", category="coat", color="blue", size="L"),
        sig("N-2#1", 12, category="coat", customer_ref="C-2", customer_named=True),
        sig("N-3#1", 14, category="coat", customer_named=True),
        sig("N-4#1", 15, category="coat"),
    ]
    events, linked = build_events(signals, CATALOG, timedelta(minutes=30))
    assert [(s["signal_id"], s["event_id"]) for s in linked] == [
        ("N-1#1", "E-N-1#1"),
        ("L-1#1", "E-N-1#1"),
        ("N-2#1", "E-N-2#1"),
        ("N-3#1", "E-N-3#1"),
        ("N-4#1", "E-N-3#1"),
    ]
    assert [e["customer_ref"] for e in events] == [None, "C-2", None]


def test_a_signal_with_nothing_known_is_its_own_unknown_event():
    signals = [sig("N-1#1", 0, category="coat", hint="note:sold_out"), sig("N-2#1", 1)]
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
        ([sig("a", 0, "oos_lookups", sku="SKU-1", category="coat", hint="lookup:out_of_stock")],
         "stockout"),
        ([sig("a", sku="SKU-1", category="coat")], "unknown"),  # no evidence of a stockout
        ([sig("a", sku="SKU-1", category="coat", hint="note:sold_out")], "stockout"),
        ([sig("a", category="coat", pattern="plaid")], "not_carried"),
        ([sig("a", category="coat", color="blue", size="M")], "not_carried"),
        ([sig("a", category="coat", color="black", size="M", hint="note:sold_out")], "stockout"),
        ([sig("a", category="coat", color="black", hint="note:not_carried")], "not_carried"),
        ([sig("a", source="lost_sales", hint="sale:not_carried")], "not_carried"),
        ([sig("a", source="lost_sales", category="coat", hint="sale:size_unavailable")],
         "stockout"),
        ([sig("a", sku="SKU-1", category="coat", substitute_sku="SKU-2")], "substituted"),
        ([sig("a")], "unknown"),
    ],
)  # fmt: skip
def test_classify(signals, expected):
    (event,), _ = build_events(signals, CATALOG)
    assert event["classification"] == expected
    attrs = {k: signals[0][k] for k in ("sku", "category", "color", "pattern", "size")}
    hint = signals[0]["hint"]
    said = hint in ("sale:not_carried", "note:not_carried")
    sold_out = hint in ("note:sold_out", "lookup:out_of_stock", "sale:size_unavailable")
    substituted = signals[0]["substitute_sku"] is not None
    assert (
        classify(
            attrs, CATALOG, substituted=substituted, said_not_carried=said, said_sold_out=sold_out
        )
        == expected
    )


@pytest.mark.parametrize(
    ("attrs", "units", "sale_price", "expected"),
    [
        ({}, 3, 150.0, Price(3, 150.0, "unit_price_paid", "sale")),
        ({"sku": "SKU-2"}, None, None, Price(1, 169.0, "sku_price", "catalog")),
        ({"category": "coat"}, None, None, Price(1, 179.0, ESTIMATED, "category_median", 2)),
        ({"category": "hat"}, None, None, Price(1, None, "none", "none")),
    ],
)
def test_value_rule(attrs, units, sale_price, expected):
    assert CATALOG.medians == {"coat": 179.0, "scarf": 49.0}
    assert value(attrs, CATALOG, units, sale_price) == expected


def test_an_estimate_uses_the_demanded_attributes_before_the_category_alone():
    coats = [e for e in CATALOG.skus.values() if e.category == "coat"]
    some = coats[0]
    same_color = [e.list_price for e in coats if e.color_family == some.color_family]
    got = value({"category": "coat", "color": some.color_family, "size": "no such size"}, CATALOG)
    assert (got.basis, got.rule, got.comparables) == (
        ESTIMATED,
        "similar_attributes",
        len(same_color),
    )
    assert got.unit_price_eur == statistics.median(same_color)


def test_a_substitute_is_counted_net_of_what_the_customer_paid_and_estimates_apart():
    assert Price(2, 100.0, "sku_price", "catalog").revenue(substitute_price=70.0) == (60.0, 0.0)
    assert Price(1, 100.0, "sku_price", "catalog").revenue(substitute_price=130.0) == (0.0, 0.0)
    assert Price(3, 50.0, ESTIMATED, "category_median", 4).revenue() == (0.0, 150.0)
    assert Price(1, None, "none", "none").revenue() == (0.0, 0.0)


def test_event_units_are_the_largest_lost_sale_and_price_the_first():
    signals = [
        sig("LS-1#1", 0, "lost_sales", sku="SKU-1", category="coat", quantity=2,
            unit_price_eur=99.5),
        sig("LS-2#1", 5, "lost_sales", sku="SKU-1", category="coat", quantity=4,
            unit_price_eur=89.0),
    ]  # fmt: skip
    (event,), _ = build_events(signals, CATALOG)
    assert (event["lost_units"], event["unit_price_eur"], event["price_basis"]) == (
        4,
        99.5,
        "unit_price_paid",
    )


def test_event_revenue_is_units_times_price():
    signals = [
        sig(
            "LS-1#1", 0, "lost_sales", sku="SKU-1", category="coat", quantity=2, unit_price_eur=99.5
        )
    ]
    (event,), linked = build_events(signals, CATALOG)
    assert (event["lost_units"], event["lost_revenue_eur"], event["price_basis"]) == (
        2,
        199.0,
        "unit_price_paid",
    )
    assert linked[0]["event_id"] == "E-LS-1#1"


def _column_events(rows):
    """Event columns (merged attributes) and what their signals said, for value_and_classify."""
    names = ("sku", "category", "color", "pattern", "size", "substitute_sku")
    events = {name: pa.array([r.get(name) for r in rows], pa.string()) for name in names}
    said = {
        "said_not_carried": [r.get("said", False) for r in rows],
        "said_sold_out": [r.get("sold_out", False) for r in rows],
        "units": pa.array([r.get("units") for r in rows], pa.int64()),
        "sale_price": pa.array([r.get("price") for r in rows], pa.float64()),
    }
    return events, said


GRID = [
    {"sku": sku, "category": category, "color": color, "pattern": pattern, "size": size,
     "substitute_sku": substitute, "said": said, "sold_out": sold_out, "units": units,
     "price": price}
    for sku in (None, "", "SKU-1", "SKU-404")
    for category in (None, "", "coat", "hat")
    for color in (None, "blue", "black", "green")
    for pattern in (None, "solid", "plaid")
    for size in (None, "L", "M")
    for sold_out in (False, True)
    for substitute, said, units, price in (
        (None, False, None, None), ("SKU-5", False, 2, 99.5), ("", True, 3, None),
        ("SKU-404", False, None, 10.0),
    )
]  # fmt: skip


#: Jeans by waist x leg and by waist alone, tops of two kinds, and an `other` sku.
WIDE = index_catalog(
    {
        "J-1": CatalogEntry("J-1", "jeans", "navy", "blue", "solid", "32x32", 80.0),
        "J-2": CatalogEntry("J-2", "jeans", "navy", "blue", "solid", "34x32", 90.0),
        "J-3": CatalogEntry("J-3", "jeans", "black", "black", "solid", "30", 60.0),
        "H-1": CatalogEntry("H-1", "hoodie", "grey", "grey", "solid", "M", 60.0),
        "T-1": CatalogEntry("T-1", "t-shirt", "grey", "grey", "striped", "M", 20.0),
        "O-1": CatalogEntry("O-1", "other", "black", "black", "solid", "41", 30.0),
    }
)
WIDE_GRID = [
    {"sku": sku, "category": category, "color": color, "pattern": pattern, "size": size,
     "substitute_sku": None, "said": False, "sold_out": sold_out, "units": None, "price": None}
    for sku in (None, "H-1", "J-1")
    for category in (None, "jeans", "top", "hoodie", "other", "jumpsuit")
    for color in (None, "blue", "grey", "black")
    for pattern in (None, "solid", "striped")
    for size in (None, "32", "32x30", "32x32", "30x30", "M", "41")
    for sold_out in (False, True)
]  # fmt: skip


@pytest.mark.parametrize(("catalog", "grid"), [(CATALOG, GRID), (WIDE, WIDE_GRID)])
def test_column_rules_match_classify_and_value_for_every_combination(catalog, grid):
    events, said = _column_events(grid)
    out = value_and_classify(events, catalog, said)
    for i, row in enumerate(grid):
        attrs = {k: row[k] for k in ("sku", "category", "color", "pattern", "size")}
        substitute = row["substitute_sku"] or None
        expected = classify(
            attrs,
            catalog,
            substituted=substitute is not None,
            said_not_carried=row["said"],
            said_sold_out=row["sold_out"],
        )
        price = value(attrs, catalog, row["units"], row["price"])
        sub = catalog.get(substitute)
        lost, estimated = price.revenue(sub.list_price if sub else None)
        got = {name: out[name][i].as_py() for name in out}
        assert got == {
            "classification": expected,
            "lost_units": price.units,
            "unit_price_eur": price.unit_price_eur,
            "price_basis": price.basis,
            "price_rule": price.rule,
            "price_comparables": price.comparables,
            "substitute_price_eur": sub.list_price if sub else None,
            "lost_revenue_eur": lost,
            "estimated_revenue_eur": estimated,
            "substitute_color": sub.color_family if sub else None,
            "substitute_pattern": sub.pattern if sub else None,
            "substitute_size": sub.size if sub else None,
        }, row


def test_the_window_counts_from_the_event_latest_signal_not_its_first():
    signals = [
        sig("N-1#1", 0, category="coat", color="blue"),
        sig("N-2#1", 5, category="dress"),
        sig("N-3#1", 20, category="coat", color="blue"),
        sig("N-4#1", 40, category="dress"),  # 35 min after N-2: a new event
        sig("N-5#1", 45, category="coat"),  # 25 min after N-3: still N-1's event
    ]
    _, linked = build_events(signals, CATALOG)
    assert [(s["signal_id"], s["event_id"]) for s in linked] == [
        ("N-1#1", "E-N-1#1"),
        ("N-2#1", "E-N-2#1"),
        ("N-3#1", "E-N-1#1"),
        ("N-4#1", "E-N-4#1"),
        ("N-5#1", "E-N-1#1"),
    ]
    assert linked[4]["link_reason"] == "same category and attributes as N-1#1, 45 min later"


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        # review 14b: a waist alone is met by any leg length of that waist
        ({"category": "jeans", "color": "blue", "size": "32"}, "stockout"),
        ({"category": "jeans", "color": "blue", "size": "32x30"}, "not_carried"),
        ({"category": "jeans", "color": "black", "size": "30x30"}, "stockout"),  # J-3: waist 30
        ({"category": "jeans", "color": "blue", "size": "36"}, "not_carried"),
        # a top is met by a hoodie or a t-shirt with the demanded attributes
        ({"category": "top", "color": "grey", "size": "M"}, "stockout"),
        ({"category": "top", "color": "grey", "pattern": "striped"}, "stockout"),
        ({"category": "top", "color": "black", "size": "M"}, "not_carried"),
        ({"category": "hoodie", "color": "grey", "pattern": "striped"}, "not_carried"),
        # `other` is never compared with the catalog: the evidence decides (rows 5 and 6)
        ({"category": "other", "color": "pink", "size": "41"}, "stockout"),
        ({"category": "jumpsuit", "color": "black"}, "not_carried"),  # never carried
    ],
)
def test_what_the_catalog_carries_follows_the_matching_rule(attrs, expected):
    (event,), _ = build_events([sig("N-1#1", hint="note:sold_out", **attrs)], WIDE)
    assert event["classification"] == expected
    assert classify(attrs, WIDE, said_sold_out=True) == expected


def test_other_without_evidence_is_unknown_and_never_estimated():
    (event,), _ = build_events([sig("N-1#1", category="other", color="black", size="41")], WIDE)
    assert (event["classification"], event["price_basis"]) == ("unknown", "none")


def test_a_waist_alone_is_estimated_from_the_skus_of_that_waist():
    got = value({"category": "jeans", "color": "blue", "size": "32"}, WIDE)
    assert (got.unit_price_eur, got.rule, got.comparables) == (80.0, "similar_attributes", 1)
    got = value({"category": "top", "color": "grey"}, WIDE)
    assert (got.unit_price_eur, got.comparables) == (40.0, 2)  # the hoodie and the t-shirt


def test_a_waist_and_its_waist_x_leg_link_and_the_event_keeps_the_precise_one():
    signals = [
        sig("N-1#1", 0, category="jeans", size="32"),
        sig("N-2#1", 5, category="jeans", size="32x30"),
        sig("N-3#1", 10, category="jeans", size="32x32"),  # conflicts with 32x30 now
    ]
    events, linked = build_events(signals, WIDE)
    assert [s["event_id"] for s in linked] == ["E-N-1#1", "E-N-1#1", "E-N-3#1"]
    assert [e["size"] for e in events] == ["32x30", "32x32"]


def test_a_top_links_with_a_hoodie_and_the_sku_gives_the_event_its_category():
    signals = [
        sig("N-1#1", 0, category="top", color="grey", size="M", hint="note:sold_out"),
        sig("L-1#1", 3, "oos_lookups", sku="H-1", category="hoodie", color="grey", size="M",
            hint="lookup:out_of_stock"),
        sig("N-2#1", 4, category="top", color="grey"),
        sig("N-3#1", 5, category="shirt", color="grey"),  # a shirt is not a hoodie
    ]  # fmt: skip
    events, linked = build_events(signals, WIDE)
    assert [s["event_id"] for s in linked] == ["E-N-1#1", "E-N-1#1", "E-N-1#1", "E-N-3#1"]
    assert linked[1]["link_reason"] == "covering category and attributes as N-1#1, 3 min later"
    assert [(e["category"], e["sku"], e["classification"]) for e in events] == [
        ("hoodie", "H-1", "stockout"),
        ("shirt", None, "not_carried"),
    ]


def test_a_top_alone_keeps_its_category():
    (event,), _ = build_events([sig("N-1#1", category="top", color="grey", size="M")], WIDE)
    assert (event["category"], event["classification"]) == ("top", "unknown")


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        # "wanted this in black" on SKU-1 (a blue coat in L): no black coat in L is carried; the
        # estimate is of the black coats (SKU-2)
        ({"color": "black", "size": "L"}, ("not_carried", ESTIMATED, 169.0, 0.0, 169.0)),
        # "wanted this in M": no blue coat in M (estimated from the blue coats)
        ({"color": "blue", "size": "M"}, ("not_carried", ESTIMATED, 189.0, 0.0, 189.0)),
        ({"color": "blue", "pattern": "plaid", "size": "L"},
         ("not_carried", ESTIMATED, 189.0, 0.0, 189.0)),
        # "in black, size M": SKU-2 is one, so it is carried (no evidence: unknown), priced
        # from the skus that are what was asked, not from SKU-1
        ({"color": "black", "size": "M"}, ("unknown", ESTIMATED, 169.0, 0.0, 169.0)),
        # the text names nothing SKU-1 lacks: the sku's classification and price
        ({"color": "blue", "pattern": "solid", "size": "L"},
         ("unknown", "sku_price", 189.0, 189.0, 0.0)),
        ({}, ("unknown", "sku_price", 189.0, 189.0, 0.0)),
    ],
)  # fmt: skip
def test_a_sku_whose_color_pattern_or_size_the_text_overrides_is_not_what_was_asked(
    attrs, expected
):
    signal = sig("N-8#1", sku="SKU-1", category="coat", **attrs)
    (event,), _ = build_events([signal], CATALOG)
    got = tuple(
        event[k]
        for k in ("classification", "price_basis", "unit_price_eur", "lost_revenue_eur",
                  "estimated_revenue_eur")
    )  # fmt: skip
    assert got == expected
    merged = {k: signal[k] for k in ("sku", "category", "color", "pattern", "size")}
    assert classify(merged, CATALOG) == expected[0]
    assert (value(merged, CATALOG).basis, value(merged, CATALOG).unit_price_eur) == expected[1:3]


def test_a_lost_sale_price_stays_what_was_lost_when_the_text_overrides_the_sku():
    signals = [
        sig("N-8#1", 0, sku="SKU-1", category="coat", color="black", size="L"),
        sig("LS-1#1", 5, "lost_sales", sku="SKU-1", category="coat", color="blue", size="L",
            unit_price_eur=150.0, hint="sale:out_of_stock"),
    ]  # fmt: skip
    (event,), _ = build_events(signals, CATALOG)
    assert (event["classification"], event["price_basis"], event["lost_revenue_eur"]) == (
        "not_carried",
        "unit_price_paid",
        150.0,
    )
