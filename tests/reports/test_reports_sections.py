"""Sections of the weekly page on hand-made tables: category order, capture-rate top and bottom,
re-order styles, and what an empty week looks like."""

from __future__ import annotations

import re

from pipelines.reports import sections
from pipelines.reports.tables import Table
from pipelines.reports.weekly_data import WeeklyData

WEEK = "2026-W47"
CATEGORY_COLUMNS = ["iso_week", "category", "events", "customers", "lost_units",
                    "lost_revenue_eur", "stockout_events", "not_carried_events",
                    "substituted_events", "events_change", "lost_revenue_change_eur"]  # fmt: skip
TOP_COLUMNS = ["iso_week", "category", "attribute", "value", "events", "lost_revenue_eur",
               "rank_in_category"]  # fmt: skip


def data(**tables: Table) -> WeeklyData:
    empty = {
        name: Table(["iso_week"], [])
        for name in ("rpt_weekly_headline", "rpt_attribute_trend", "rpt_not_carried",
                     "rpt_not_carried_by_attribute", "rpt_substitutes", "rpt_oos_styles")
    }  # fmt: skip
    empty["rpt_top_attributes"] = Table(TOP_COLUMNS, [])
    return WeeklyData(WEEK, [WEEK], {**empty, **tables})


def category(name: str, events: int) -> tuple:
    return (WEEK, name, events, 0, events, 10.0 * events, events, 0, 0, 0, 0.0)


def test_named_categories_come_first_and_unknown_last_collapsed_with_its_share():
    cats = Table(
        CATEGORY_COLUMNS, [category("(unknown)", 60), category("coat", 30), category("dress", 10)]
    )
    html = sections.by_category(data(rpt_category_summary=cats))
    names = re.findall(r"<span class='name'>([^<]+)</span>", html)
    assert names == ["coat", "dress", "(unknown)"]
    assert (
        "<details class='collapsed'><summary>Category not known: 60 events (60% of the week" in html
    )


RANKING_COLUMNS = ["iso_week", "store_id", "store_name", "region", "events", "lost_revenue_eur",
                   "lost_revenue_share_pct", "noted_events", "capture_rate",
                   "chain_median_capture_rate", "notes", "rank_by_lost_revenue",
                   "rank_by_capture_rate"]  # fmt: skip


def test_capture_rate_shows_the_bottom_stores_beside_the_chain_median():
    rows = [
        (WEEK, f"S{i:03d}", f"Store {i}", "R", 10, 100.0 - i, 1.0, 10 - i // 3,
         round(1 - i / 30, 3), 0.683, 5, i, i)
        for i in range(1, 21)
    ]  # fmt: skip
    html = sections.stores(data(rpt_store_ranking=Table(RANKING_COLUMNS, rows)))
    capture = html.split("<h3>By capture rate</h3>", 1)[1]
    assert "the chain median is 0.68" in capture
    shown = re.findall(r">(S\d{3})<", capture)
    assert shown == [f"S{i:03d}" for i in [1, 2, 3, 4, 5, *range(11, 21)]]
    assert "Lowest 10 of 20" in capture and capture.count(">0.68<") == 15


def test_styles_to_reorder_say_how_many_stockouts_name_a_sku():
    headline = Table(["iso_week", "events", "stockout_events"], [(WEEK, 50, 40)])
    styles = Table(
        ["iso_week", "category", "style", "skus", "events", "stores", "lost_units",
         "lost_revenue_eur", "sku_list", "rank"],
        [(WEEK, "coat", "Wool coat", 2, 30, 4, 30, 3000.0, "K1, K2", 1)],
    )  # fmt: skip
    html = sections.out_of_stock(data(rpt_weekly_headline=headline, rpt_oos_styles=styles))
    assert "30 events of the week's 40 stockouts name a sku" in html
    assert "Wool coat" in html and "€3,000" in html


def test_one_week_of_history_is_singular():
    html = sections.trend_charts(data(rpt_weekly_headline=Table(["iso_week"], [])))
    assert "over 1 week<" in html and "over 1 weeks" not in html
