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


def _sku(sku: str, category: str, color: str, pattern: str, size: str) -> dict:
    return {"sku": sku, "style": f"{category} style", "category": category, "color": color,
            "color_family": color, "pattern": pattern, "size": size, "list_price": 50.0,
            "source_file": "catalog.csv", "source_line": 1}  # fmt: skip


@pytest.fixture(scope="module")
def matched_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Not-carried demand the catalog meets only by pipelines/demand/matching.py's rule: a generic
    `top`, a waist-only size, and the unchecked category `other`."""
    events = [
        # black t-shirts are carried, and a t-shirt meets a top: only the stripes are a gap
        _not_carried("T1", category="top", color="black", pattern="striped", size="M",
                     estimated_revenue_eur=40.0),
        # a waist "32" is met by the 32x30 jeans: only green is a gap
        _not_carried("J1", category="jeans", color="green", size="32", estimated_revenue_eur=60.0),
        # two waist x leg sizes never meet: 32x32 is a gap beside the carried 32x30
        _not_carried("J2", category="jeans", color="blue", size="32x32",
                     estimated_revenue_eur=70.0),
        # `other` is never compared with the catalog (a note said not carried): no value is a gap
        _not_carried("O1", category="other", color="black", pattern="plaid",
                     estimated_revenue_eur=30.0),
    ]  # fmt: skip
    rows = {
        "demand_events": events,
        "demand_signals": [signal(f"L{e['event_id']}#1", e) for e in events],
        "mart_unmet_demand": mart_rows(events),
        "stg_catalog": [
            _sku("K1", "t-shirt", "black", "solid", "M"),
            _sku("K2", "jeans", "blue", "solid", "32x30"),
            _sku("K3", "other", "black", "solid", "M"),  # exact equality would call black carried
        ],
        "stg_stores": STORES,
    }
    return make_db(tmp_path_factory.mktemp("long_tail_matched") / "unmet.duckdb", rows)


def test_a_value_is_a_gap_only_if_no_sku_meeting_the_category_has_it_by_the_matching_rule(
    matched_db,
):
    got = _rows(
        matched_db,
        "select category, attribute, value, events from rpt_not_carried_by_attribute "
        "order by category, attribute, value",
    )
    assert got == [
        ("jeans", "color", "green", 1),  # no jeans in green
        ("jeans", "size", "32x32", 1),  # 32x30 does not meet 32x32
        ("top", "pattern", "striped", 1),  # no striped top of any kind
    ]  # not top/black, not jeans/32 (met by 32x30), not jeans/blue, nothing of `other`


def test_a_category_never_compared_with_the_catalog_is_only_in_the_drill_down(matched_db):
    """`other` meets no sku, so "no sku has it" would hold of every value it states: it is not
    checked against the catalog instead, as the classification does not check it."""
    rolled = _rows(matched_db, "select distinct category from rpt_not_carried_by_attribute")
    drilled = _rows(matched_db, "select distinct category from rpt_not_carried")
    assert sorted(rolled) == [("jeans",), ("top",)]
    assert sorted(drilled) == [("jeans",), ("other",), ("top",)]


def test_the_match_tables_pair_every_demand_and_catalog_value_that_meet(matched_db):
    """What the roll-up joins on: the pairs matching.py's rule gives over the values of
    demand_events and stg_catalog (built as the warehouse builds them)."""
    categories = _rows(matched_db, "select asked, offered from match_categories order by all")
    assert categories == [
        ("jeans", "jeans"),
        ("t-shirt", "t-shirt"),
        ("top", "t-shirt"),
        ("top", "top"),
    ]  # `other` meets nothing, not even the catalog's `other` sku
    sizes = _rows(matched_db, "select asked, offered from match_sizes order by all")
    assert sizes == [
        ("32", "32"),
        ("32", "32x30"),  # a waist alone is met by any leg length of it
        ("32", "32x32"),
        ("32x30", "32"),  # a waist x leg by a sku sold by the waist alone
        ("32x30", "32x30"),
        ("32x32", "32"),
        ("32x32", "32x32"),  # and never by another waist x leg
        ("M", "M"),
    ]  # every value of either side, so both directions are there
