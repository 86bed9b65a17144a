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
               "events_change", "rank_in_category"]  # fmt: skip


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


HEADLINE_COLUMNS = ["iso_week", "events", "stores", "lost_revenue_eur", "estimated_revenue_eur",
                    "events_change_pct", "prev_events"]  # fmt: skip


def test_a_week_without_priced_lost_revenue_names_no_store_and_no_none_share():
    """The chain lost no priced revenue (only estimates): no "None%", no store "lost the most",
    and one store is "1 store"."""
    headline = Table(HEADLINE_COLUMNS, [(WEEK, 2, 1, 0.0, 120.0, None, 0)])
    ranking = Table(
        RANKING_COLUMNS,
        [(WEEK, "S001", "Paris Opera", "R", 2, 0.0, None, 1, 0.5, 0.5, 1, 1, 1)],
    )
    text = " ".join(sections.summary_sentences(
        data(rpt_weekly_headline=headline, rpt_store_ranking=ranking)
    ))  # fmt: skip
    assert "None" not in text and "lost the most" not in text
    assert "No store lost priced revenue this week" in text
    assert "across 1 store (" in text


def test_the_store_with_the_most_lost_revenue_is_named_with_its_share():
    top = dict(zip(RANKING_COLUMNS, (WEEK, "S001", "Paris Opera", "R", 2, 50.0, 62.5, 1, 0.5,
                                     0.5, 1, 1, 1), strict=True))  # fmt: skip
    assert sections.most_lost_sentence(top) == (
        "<b>Paris Opera</b> lost the most: €50 (62.5% of the chain)."
    )


def test_a_category_that_dropped_to_zero_shows_its_fall():
    cats = Table(CATEGORY_COLUMNS, [
        (WEEK, "coat", 1, 0, 1, 10.0, 1, 0, 0, -3, -30.0),
        (WEEK, "dress", 0, 0, 0, 0.0, 0, 0, 0, -8, -170.0),
    ])  # fmt: skip
    top = Table(TOP_COLUMNS, [
        (WEEK, "dress", "color", "green", 0, 0.0, -4, 1),
        (WEEK, "dress", "color", "red", 0, 0.0, -2, 2),
    ])  # fmt: skip
    html = sections.by_category(data(rpt_category_summary=cats, rpt_top_attributes=top))
    dress = html.split("<span class='name'>dress</span>", 1)[1]
    assert "0 events" in dress and "−8 events vs prev. week" in dress
    assert ">green<" in dress and ">-4<" in dress


def test_a_category_at_zero_past_the_cards_shows_its_fall_in_the_summary_table():
    named = [category(f"cat{i}", 20 - i) for i in range(8)]
    gone = (WEEK, "scarf", 0, 0, 0, 0.0, 0, 0, 0, -5, -50.0)
    html = sections.by_category(data(rpt_category_summary=Table(CATEGORY_COLUMNS, [*named, gone])))
    rest = html.split("1 more categories", 1)[1]
    assert ">Change in events<" in rest
    assert re.search(r">scarf<.*?>0<.*?>-5<", rest)
