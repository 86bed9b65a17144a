"""The long tail (rpt_not_carried_by_attribute, rpt_not_carried) and how the weekly page shows it,
on hand-made rows: a catalog whose only coats are black, solid, M and L."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from reports_golden import STORES, event, make_db, mart_rows, signal

from pipelines.reports import render

WEEK = "2026-W47"


def _coat(sku: str, size: str) -> dict:
    return {"sku": sku, "style": "Wool overcoat", "category": "coat", "color": "black",
            "color_family": "black", "pattern": "solid", "size": size, "list_price": 200.0,
            "source_file": "catalog.csv", "source_line": 1}  # fmt: skip


def _not_carried(event_id: str, **kw: object) -> dict:
    kw = {"classification": "not_carried", "lost_revenue_eur": 0.0, "price_basis":
          "estimated_from_similar", "price_rule": "similar_attributes", **kw}  # fmt: skip
    return event(event_id, **kw)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events = [
        # black and M are carried: only the pattern is a gap
        _not_carried("E1", color="black", pattern="plaid", size="M", estimated_revenue_eur=150.0),
        # priced by its lost sale: lost revenue, no estimate; ranked first by what is shown
        _not_carried("E2", color="black", pattern="houndstooth", size="M", store_id="S002",
                     lost_revenue_eur=310.0, price_basis="unit_price_paid", price_rule="sale"),
        # a lookup said "not carried" though the catalog has it: no value is a gap
        _not_carried("E3", color="black", pattern="solid", size="L", estimated_revenue_eur=0.0,
                     lost_revenue_eur=200.0, price_basis="sku_price", price_rule="catalog"),
        # green and XL are gaps (every coat is black, M or L)
        _not_carried("E4", color="green", size="XL", estimated_revenue_eur=200.0),
        # not carried, but no category: in no long-tail table
        _not_carried("E5", category=None, color="green", estimated_revenue_eur=0.0),
        event("E6", color="black", pattern="solid", size="M"),  # a stockout
    ]  # fmt: skip
    rows = {
        "demand_events": events,
        "demand_signals": [signal(f"L{e['event_id']}#1", e) for e in events],
        "mart_unmet_demand": mart_rows(events),
        "stg_catalog": [_coat("K1", "M"), _coat("K2", "L")],
        "stg_stores": STORES,
    }
    return make_db(tmp_path_factory.mktemp("long_tail") / "unmet.duckdb", rows)


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_roll_up_counts_an_event_only_under_the_values_no_sku_of_the_category_has(db):
    got = _rows(
        db,
        "select category, attribute, value, events, lost_revenue_eur, estimated_revenue_eur, rank "
        "from rpt_not_carried_by_attribute order by rank",
    )
    assert got == [
        # ranked by events, then lost revenue, then estimated revenue (as the page shows them)
        ("coat", "pattern", "houndstooth", 1, 310.0, 0.0, 1),
        ("coat", "color", "green", 1, 0.0, 200.0, 2),
        ("coat", "size", "XL", 1, 0.0, 200.0, 3),
        ("coat", "pattern", "plaid", 1, 0.0, 150.0, 4),
    ]  # no black, no M, no L, no solid: the catalog's coats have them


def test_the_drill_down_holds_every_not_carried_event_with_a_category_ranked_as_shown(db):
    got = _rows(
        db,
        "select color, pattern, size, events, lost_revenue_eur, estimated_revenue_eur, rank "
        "from rpt_not_carried order by rank",
    )
    assert got == [
        ("black", "houndstooth", "M", 1, 310.0, 0.0, 1),
        ("black", "solid", "L", 1, 200.0, 0.0, 2),  # said to be not carried; the catalog has it
        ("green", "-", "XL", 1, 0.0, 200.0, 3),
        ("black", "plaid", "M", 1, 0.0, 150.0, 4),  # the same events and lost: less estimated
    ]


def test_the_page_names_the_gap_shows_both_revenues_and_the_events_left_out(db, tmp_path):
    html = (render.write_weekly(db, tmp_path, WEEK) / "report.html").read_text()
    assert "Most-asked gap in what we carry: <b>coat</b> in houndstooth (pattern;" in html
    tail = html.split("id='not-carried'", 1)[1].split("id='substitutes'", 1)[0]
    for table in tail.split("<table")[1:3]:  # the roll-up and the exact combinations
        assert ">Lost revenue (EUR)<" in table and ">Estimated revenue (EUR)<" in table
        assert ">€310<" in table and ">€200<" in table
    assert "1 not-carried event of the week's 5 has no category and is not in this table" in tail
