"""The sections of the weekly report page: summary, cards, trend charts, categories, stores.

Each function takes the report's `WeeklyData` and returns an HTML fragment; every value from the
data is escaped (`esc`) or formatted as a number.
"""

from __future__ import annotations

from datetime import timedelta

from pipelines.reports import charts
from pipelines.reports.layout import card, esc, eur, eur_short, html_table, plural, signed
from pipelines.reports.tables import Table
from pipelines.reports.weekly_data import WeeklyData, week_monday

#: Categories shown as full cards (by events); the others share one summary table.
CARD_CATEGORIES = 8
#: Attribute sections per category: (attribute names in mart_unmet_demand, heading).
ATTRIBUTE_GROUPS = (
    (("color",), "Colors"),
    (("pattern",), "Patterns"),
    (("size",), "Sizes"),
    (("color+size", "color+pattern"), "Combinations"),
)


#: The category of events whose item is unknown (rpt_category_summary): shown last, collapsed.
UNKNOWN_CATEGORY = "(unknown)"
#: The capture-rate tables show the whole list up to this many stores, else the top and bottom.
CAPTURE_ALL, CAPTURE_TOP, CAPTURE_BOTTOM = 15, 5, 10


def _signed_short(value: object) -> str:
    if not isinstance(value, int | float):
        return "n/a"
    return ("+" if value > 0 else "±" if value == 0 else "") + charts.money(value)


def _pct_class(value: object) -> str:
    if not isinstance(value, int | float) or value == 0:
        return ""
    return "up" if value > 0 else "down"


def week_span(week: str) -> str:
    monday = week_monday(week)
    sunday = monday + timedelta(days=6)
    return f"{monday:%-d %b} – {sunday:%-d %b %Y}"


def summary_sentences(data: WeeklyData) -> list[str]:
    """The plain-language summary at the top (HTML-escaped fragments)."""
    h = data.headline()
    if not h:
        return [f"No unmet demand was recorded in week {esc(data.week)}."]
    change = h.get("events_change_pct")
    trend = (
        f"{'up' if change > 0 else 'down'} {abs(change):.0f}% on the week before"  # type: ignore[operator]
        if isinstance(change, int | float) and change != 0
        else "no previous week to compare with"
        if not h.get("prev_events")
        else "flat on the week before"
    )
    out = [
        f"In week <b>{esc(data.week)}</b> customers left "
        f"<b>{h['events']:,}</b> {'time' if h['events'] == 1 else 'times'} without "
        f"what they asked for, across {plural(h['stores'], 'store')} ({trend}), worth "
        f"<b>{esc(eur(h['lost_revenue_eur']))}</b> in lost revenue priced from skus and sales"
        f" (and an estimated {esc(eur(h['estimated_revenue_eur']))} more where only the category"
        " and attributes were known)."
    ]
    not_carried = data.tables["rpt_not_carried_by_attribute"].dicts()
    if not_carried:
        top = not_carried[0]
        out.append(
            f"Most-asked gap in what we carry: <b>{esc(top['category'])}</b> in "
            f"{esc(top['value'])} ({esc(top['attribute'])}; {plural(top['events'], 'request')} at "
            f"{plural(top['stores'], 'store')})."
        )
    rising = [
        r
        for r in data.tables["rpt_attribute_trend"].dicts()
        if r["iso_week"] == data.week and r["trend"] == "rising"
    ]
    if rising:
        best = max(rising, key=lambda r: (r["slope_events_per_week"] or 0, r["events"]))
        out.append(
            f"Rising fastest: <b>{esc(best['value'])}</b> ({esc(best['attribute'])}), "
            f"{best['events']} events, up about {best['slope_events_per_week']:g} a week over "
            f"{best['trend_weeks']} weeks ({signed(best['trend_change_pct'], '%')})."
        )
    stores = data.tables["rpt_store_ranking"].dicts()
    if stores:
        out.append(most_lost_sentence(stores[0]))
    return out


def most_lost_sentence(top: dict) -> str:
    """Which store lost the most (the first row of rpt_store_ranking); when the chain lost no
    priced revenue (no share to give), says so instead of naming a store."""
    share = top["lost_revenue_share_pct"]
    if share is None:
        return (
            "No store lost priced revenue this week: no event had a price of its own (a lost "
            "sale's or a sku's)."
        )
    return (
        f"<b>{esc(top['store_name'] or top['store_id'])}</b> lost the most: "
        f"{esc(eur(top['lost_revenue_eur']))} ({share:g}% of the chain)."
    )


def cards(data: WeeklyData) -> str:
    h = data.headline()
    if not h:
        return ""
    return (
        "<div class='cards'>"
        + "".join(
            [
                card(
                    "events",
                    f"{h['events']:,}",
                    f"{signed(h['events_change'])} ({signed(h['events_change_pct'], '%')}) "
                    "vs prev. week",
                    _pct_class(h["events_change"]),
                ),
                card(
                    "lost_revenue_eur",
                    eur_short(h["lost_revenue_eur"]),
                    f"{_signed_short(h['lost_revenue_change_eur'])} vs prev. week",
                    _pct_class(h["lost_revenue_change_eur"]),
                ),
                card(
                    "estimated_revenue_eur",
                    eur_short(h["estimated_revenue_eur"]),
                    "not included in lost revenue",
                ),
                card("lost_units", f"{h['lost_units']:,}"),
                card(
                    "not_carried_events",
                    f"{h['not_carried_events']:,}",
                    f"{100 * h['not_carried_events'] / h['events']:.0f}% of events",
                ),  # type: ignore[operator]
                card(
                    "stockout_events",
                    f"{h['stockout_events']:,}",
                    f"{100 * h['stockout_events'] / h['events']:.0f}% of events",
                ),  # type: ignore[operator]
                card("customers", f"{h['customers']:,}", "can be contacted"),
            ]
        )
        + "</div>"
    )


def trend_charts(data: WeeklyData) -> str:
    by_week = {r["iso_week"]: r for r in data.tables["rpt_weekly_headline"].dicts()}

    def series(col: str) -> list[float]:
        return [float(by_week[w][col]) if w in by_week else 0.0 for w in data.weeks]  # type: ignore[arg-type]

    revenue = charts.line_chart(
        data.weeks,
        {"Lost revenue": series("lost_revenue_eur")},
        title="Lost revenue per week (EUR)",
        fmt=charts.money,
    )
    outcomes = charts.stacked_bar_chart(
        data.weeks,
        {
            "Stockout": series("stockout_events"),
            "Not carried": series("not_carried_events"),
            "Substituted": series("substituted_events"),
            "Unclassified": series("unknown_events"),
        },
        title="Unmet events per week, by outcome",
    )
    trend = data.tables["rpt_attribute_trend"].dicts()
    this_week = sorted(
        (
            r
            for r in trend
            if r["iso_week"] == data.week and r["attribute"] == "color" and r["events"]
        ),
        key=lambda r: (-r["events"], r["value"]),
    )[:5]
    lines: dict[str, list[float | None]] = {}
    for top in this_week:
        points = {
            r["iso_week"]: r["events"]
            for r in trend
            if r["attribute"] == "color" and r["value"] == top["value"]
        }
        lines[top["value"]] = [float(points.get(w, 0)) for w in data.weeks]
    colors = charts.line_chart(
        data.weeks,
        lines,
        title="Unmet events per week, top 5 colors this week",
        width=760,
        height=260,
    )
    return (
        "<div class='grid2'>"
        f"<figure><figcaption title='Lost units x unit price, EUR'>Lost revenue (EUR)</figcaption>"
        f"{revenue}</figure>"
        f"<figure><figcaption>Unmet events by outcome</figcaption>{outcomes}</figure>"
        "</div>"
        f"<figure><figcaption>Top 5 colors this week, over {plural(len(data.weeks), 'week')}"
        "</figcaption>"
        f"{colors}</figure>"
    )


def _category_card(cat: dict, top: Table) -> str:
    c = {name: i for i, name in enumerate(top.columns)}
    name = cat["category"]
    cols = []
    for attributes, heading in ATTRIBUTE_GROUPS:
        rows = sorted(
            (r for r in top.rows if r[c["category"]] == name and r[c["attribute"]] in attributes),
            key=lambda r: (-r[c["events"]], -r[c["lost_revenue_eur"]], r[c["value"]]),
        )
        sub = Table(top.columns, rows)
        shown = ["value", "events", "events_change", "lost_revenue_eur"]
        cols.append(
            f"<div><h3>{esc(heading)}</h3>{html_table(sub, shown, limit=5, bar='events')}</div>"
        )
    return (
        f"<div class='cat'><h3><span class='name'>{esc(name)}</span> <span class='sub'>· "
        f"{plural(cat['events'], 'event')} · {esc(eur(cat['lost_revenue_eur']))} lost · "
        f"{cat['not_carried_events']:,} not carried · "
        f"{signed(cat['events_change'])} events vs prev. week</span></h3>"
        f"<div class='grid4'>{''.join(cols)}</div></div>"
    )


def by_category(data: WeeklyData) -> str:
    """A card per named category (most events first), the rest in one table, and the events of
    unknown category last, collapsed, with their share of the week stated."""
    top = data.tables["rpt_top_attributes"]
    everything = data.tables["rpt_category_summary"].dicts()
    categories = [r for r in everything if r["category"] != UNKNOWN_CATEGORY]
    unknown = [r for r in everything if r["category"] == UNKNOWN_CATEGORY]
    parts = [_category_card(cat, top) for cat in categories[:CARD_CATEGORIES]]
    rest = categories[CARD_CATEGORIES:]
    if rest:
        best: dict[tuple[str, str], str] = {}
        for r in top.dicts():
            if r["rank_in_category"] == 1 and r["events"]:  # a value at 0 is no most-asked
                best[(r["category"], r["attribute"])] = r["value"]
        rows = [
            (
                r["category"],
                r["events"],
                r["events_change"],
                r["lost_revenue_eur"],
                r["not_carried_events"],
                best.get((r["category"], "color")),
                best.get((r["category"], "pattern")),
                best.get((r["category"], "size")),
            )
            for r in rest
        ]
        table = Table(
            [
                "category",
                "events",
                "events_change",
                "lost_revenue_eur",
                "not_carried_events",
                "color",
                "pattern",
                "size",
            ],
            rows,
        )
        parts.append(
            f"<h3>{len(rest)} more categories</h3><p class='sub'>With the most-asked "
            "color, pattern and size of each.</p>" + html_table(table, limit=len(rows))
        )
    if unknown:
        u = unknown[0]
        total = sum(r["events"] for r in everything)
        parts.append(
            "<details class='collapsed'><summary>Category not known: "
            f"{plural(u['events'], 'event')} ({100 * u['events'] / total:.0f}% of the week's "
            "events) where neither a sku nor a category was recorded</summary>"
            + _category_card(u, top)
            + "</details>"
        )
    return "".join(parts) or "<p class='empty'>Nothing this week.</p>"


def not_carried_intro() -> str:
    """What the long tail's roll-up (rpt_not_carried_by_attribute) counts."""
    return (
        "<p class='sub'>Gaps in the assortment: attribute values customers asked for that no "
        "sku of the category has (every plaid coat, whatever its color or size), with the "
        "not-carried events that asked for each. An event counts under each such value it "
        "states; values the category has are not counted, by the classification's rule (a top "
        "is met by t-shirts, a waist 32 by 32x30 jeans). Lost revenue (priced by a sale or a "
        "sku) and estimated revenue are shown side by side, never added; rows are ranked by "
        "events, then lost, then estimated revenue.</p>"
    )


def exact_combinations_intro(data: WeeklyData) -> str:
    """What the drill-down (rpt_not_carried) holds, and how many of the week's not-carried
    events it leaves out (those without a category), so that its sum meets the card's."""
    text = (
        "Every not-carried event with a known category, by the exact combination asked for: "
        "combinations no sku of the category has, and items a lookup, a lost sale or a note "
        "said are not carried."
    )
    h = data.headline()
    total = h.get("not_carried_events") or 0
    combos = data.tables["rpt_not_carried"]
    listed = sum(combos.column("events")) if "events" in combos.columns else 0
    if isinstance(total, int) and total > listed:
        text += (
            f" {plural(total - listed, 'not-carried event')} of the week's {total:,} "
            f"{'has' if total - listed == 1 else 'have'} no category and "
            f"{'is' if total - listed == 1 else 'are'} not in this table."
        )
    return f"<p class='sub'>{text}</p>"


def out_of_stock(data: WeeklyData) -> str:
    """The styles customers most often found out of stock: what a buyer re-orders first."""
    styles = data.tables["rpt_oos_styles"]
    h = data.headline()
    intro = "<p class='sub'>Stockouts that name a sku, grouped by catalog style."
    if h and h.get("stockout_events"):
        named = sum(styles.column("events"))
        intro += (
            f" {plural(named, 'event')} of the week's {h['stockout_events']:,} stockouts name a "
            "sku; the skus of each style are in rpt_oos_styles.csv."
        )
    return (
        intro
        + "</p>"
        + html_table(
            styles,
            ["rank", "style", "category", "skus", "events", "stores", "lost_revenue_eur"],
            limit=15,
            bar="events",
            csv_name="rpt_oos_styles.csv",
        )
    )


def stores(data: WeeklyData) -> str:
    ranking = data.tables["rpt_store_ranking"]
    rows = ranking.dicts()
    bars = charts.hbar_chart(
        [
            (f"{r['store_id']} {r['store_name'] or ''}".strip(), float(r["lost_revenue_eur"]))
            for r in rows[:15]
        ],
        title="Lost revenue by store (EUR), top 15",
        fmt=charts.money,
        width=760,
    )
    by_capture = sorted(
        ranking.rows, key=lambda r: r[ranking.columns.index("rank_by_capture_rate")]
    )
    capture_columns = [
        "rank_by_capture_rate",
        "store_id",
        "store_name",
        "events",
        "noted_events",
        "capture_rate",
        "chain_median_capture_rate",
        "notes",
    ]
    median = rows[0]["chain_median_capture_rate"] if rows else None
    capture = (
        "<h3>By capture rate</h3><p class='sub'>The share of each store's unmet events an "
        "associate wrote down"
        + (f"; the chain median is {median:.2f}" if median is not None else "")
        + ". The stores at the bottom are the ones whose customers' wishes go unheard.</p>"
    )
    if len(by_capture) <= CAPTURE_ALL:
        capture += html_table(
            Table(ranking.columns, by_capture), capture_columns, limit=CAPTURE_ALL,
            bar="capture_rate",
        )  # fmt: skip
    else:
        capture += (
            f"<h3>Highest {CAPTURE_TOP}</h3>"
            + html_table(
                Table(ranking.columns, by_capture[:CAPTURE_TOP]),
                capture_columns,
                bar="capture_rate",
            )  # fmt: skip
            + f"<h3>Lowest {CAPTURE_BOTTOM} of {len(by_capture):,}</h3>"
            + html_table(
                Table(ranking.columns, by_capture[-CAPTURE_BOTTOM:]),
                capture_columns,
                bar="capture_rate",
            )  # fmt: skip
            + "<p class='more'>All stores in rpt_store_ranking.csv.</p>"
        )
    return (
        "<h3>By lost revenue</h3>"
        f"<figure>{bars}</figure>"
        + html_table(
            ranking,
            [
                "rank_by_lost_revenue",
                "store_id",
                "store_name",
                "region",
                "events",
                "lost_revenue_eur",
                "lost_revenue_share_pct",
            ],
            limit=15,
            csv_name="rpt_store_ranking.csv",
        )
        + capture
    )
