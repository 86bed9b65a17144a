from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.demand.aggregate import (
    aggregate,
    chain_level,
    chain_partial,
    long_rows,
    sort_mart,
    store_level,
)


def events(rows):
    base = {"iso_week": "2026-W47", "store_id": "S001", "category": "coat", "color": None, "pattern": None,
            "size": None, "event_id": None, "customer_ref": None, "lost_units": 1, "lost_revenue_eur": 10.0,
            "estimated_revenue_eur": 0.0, "classification": "stockout"}  # fmt: skip
    return pa.Table.from_pylist([{**base, **r} for r in rows])


def test_long_rows_leave_out_events_missing_a_part_of_the_attribute():
    t = events(
        [{"event_id": "E1", "color": "blue", "size": "L"}, {"event_id": "E2", "color": "red"}]
    )
    assert long_rows(t, "color").column("value").to_pylist() == ["blue", "red"]
    assert long_rows(t, "color+size").column("value").to_pylist() == ["blue|L"]
    assert long_rows(t, "pattern").num_rows == 0


def test_total_rows_count_every_event_once_so_headlines_are_one_sum():
    t = events(
        [
            {"event_id": "E1", "color": "blue", "size": "L", "lost_revenue_eur": 20.0},
            {"event_id": "E2", "color": "red", "estimated_revenue_eur": 7.5},
            {"event_id": "E3", "category": None, "lost_revenue_eur": 0.0},
        ]
    )
    long = pa.concat_tables(long_rows(t, a) for a in ("total", "color", "size"))
    mart = aggregate(long).to_pylist()
    totals = [r for r in mart if r["attribute"] == "total" and r["level"] == "chain"]
    assert sum(r["events"] for r in totals) == t.num_rows
    assert sum(r["lost_revenue_eur"] for r in totals) == 30.0
    assert sum(r["estimated_revenue_eur"] for r in totals) == 7.5
    assert {r["value"] for r in totals} == {"all"}
    colors = [r for r in mart if r["attribute"] == "color" and r["level"] == "chain"]
    assert sum(r["events"] for r in colors) == 2  # an event without a color is in no color row


def test_aggregate_sums_per_store_and_chain_and_counts_distinct_customers():
    t = events(
        [
            {
                "event_id": "E1",
                "color": "blue",
                "customer_ref": "C1",
                "lost_units": 2,
                "lost_revenue_eur": 20.0,
            },
            {
                "event_id": "E2",
                "color": "blue",
                "customer_ref": "C1",
                "classification": "not_carried",
            },
            {
                "event_id": "E3",
                "color": "blue",
                "store_id": "S002",
                "classification": "substituted",
            },
        ]
    )
    rows = aggregate(long_rows(t, "color")).to_pylist()
    picked = [
        (
            r["level"],
            r["store_id"],
            r["events"],
            r["customers"],
            r["lost_units"],
            r["lost_revenue_eur"],
            r["stockout_events"],
            r["not_carried_events"],
            r["substituted_events"],
        )  # fmt: skip
        for r in rows
    ]
    assert picked == [
        ("chain", "ALL", 3, 1, 4, 40.0, 1, 1, 1),
        ("store", "S001", 2, 1, 3, 30.0, 1, 1, 0),
        ("store", "S002", 1, 0, 1, 10.0, 0, 0, 1),
    ]


def test_chain_level_from_store_groups_equals_the_whole_week():
    """A customer who asked in two stores of different groups is still one customer."""
    t = events(
        [
            {"event_id": "E1", "color": "blue", "customer_ref": "C1", "lost_revenue_eur": 20.5},
            {"event_id": "E2", "color": "blue", "customer_ref": "C1", "store_id": "S002"},
            {
                "event_id": "E3",
                "color": "blue",
                "customer_ref": "C2",
                "store_id": "S003",
                "classification": "substituted",
            },  # fmt: skip
            {"event_id": "E4", "color": "red", "store_id": "S002", "lost_units": 3},
        ]
    )
    long = long_rows(t, "color")
    whole = aggregate(long)
    groups = [long.filter(pc.is_in(long.column("store_id"), pa.array(stores)))
              for stores in (["S001"], ["S002", "S003"])]  # fmt: skip
    split = sort_mart(
        pa.concat_tables(
            [chain_level([chain_partial(g) for g in groups]), *[store_level(g) for g in groups]]
        )
    )
    assert split.equals(whole)
    chain = [r for r in whole.to_pylist() if r["level"] == "chain"]
    assert [(r["value"], r["events"], r["customers"], r["lost_units"]) for r in chain] == [
        ("blue", 3, 2, 3),
        ("red", 1, 0, 3),
    ]
