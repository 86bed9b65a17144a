"""The weekly unmet-demand report: one self-contained HTML page plus a CSV of every table in it.

Written to reports/.<week>.tmp-<pid> and swapped in place of reports/<week> only when complete.
The numbers come from the report models in pipelines/reports/sql (views of the DuckDB file); the
page's sections are built in sections.py, its layout and styles in layout.py.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from pipelines import publish, warehouse
from pipelines.reports import sections as sec
from pipelines.reports import store
from pipelines.reports.layout import esc, glossary_section, html_table, page
from pipelines.reports.tables import Table, csv_safe, write_csv
from pipelines.reports.weekly_data import WeeklyData, load_weekly, week_monday

log = logging.getLogger("unmet.report")

__all__ = ["WeeklyData", "csv_safe", "load_weekly", "render_html", "week_monday", "write_weekly"]


def render_html(data: WeeklyData, as_of: datetime | None = None) -> str:
    """The weekly page; `as_of` is the run's as-of (the page says what data it shows, not when
    it was drawn, so a rerun draws the same bytes)."""
    shown_as_of = (as_of or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    trend = data.tables["rpt_attribute_trend"]
    rising = Table(
        trend.columns,
        sorted(
            (
                tuple(r.values())
                for r in trend.dicts()
                if r["iso_week"] == data.week and r["trend"] == "rising"
            ),
            key=lambda r: (-(r[trend.columns.index("slope_events_per_week")] or 0), r[1], r[2]),
        ),
    )
    sections = [
        ("trends", "Trends", sec.trend_charts(data)),
        ("out-of-stock", "Out of stock: styles to re-order", sec.out_of_stock(data)),
        (
            "categories",
            "Top unmet colors, patterns, sizes and combinations by category",
            "<p class='sub'>Chain-wide, this week. Combinations count events that named both "
            "attributes.</p>" + sec.by_category(data),
        ),
        (
            "rising",
            "Rising this week",
            html_table(
                rising,
                [
                    "attribute",
                    "value",
                    "events",
                    "slope_events_per_week",
                    "trend_change_pct",
                    "trend_weeks",
                    "events_change",
                ],
                limit=10,
                csv_name="rpt_attribute_trend.csv",
            ),
        ),
        (
            "not-carried",
            "Not carried: the long tail",
            sec.not_carried_intro()
            + html_table(
                data.tables["rpt_not_carried_by_attribute"],
                [
                    "rank",
                    "category",
                    "attribute",
                    "value",
                    "events",
                    "stores",
                    "lost_revenue_eur",
                    "estimated_revenue_eur",
                ],
                limit=15,
                bar="events",
                csv_name="rpt_not_carried_by_attribute.csv",
            )
            + "<h3>Exact combinations</h3>"
            + sec.exact_combinations_intro(data)
            + html_table(
                data.tables["rpt_not_carried"],
                [
                    "rank",
                    "category",
                    "color",
                    "pattern",
                    "size",
                    "events",
                    "stores",
                    "lost_revenue_eur",
                    "estimated_revenue_eur",
                ],
                limit=20,
                bar="events",
                csv_name="rpt_not_carried.csv",
            ),
        ),
        (
            "substitutes",
            "What customers took instead",
            html_table(
                data.tables["rpt_substitutes"],
                data.tables["rpt_substitutes"].columns[1:],
                limit=15,
                bar="events",
                csv_name="rpt_substitutes.csv",
            ),
        ),
        ("stores", "Stores", sec.stores(data)),
    ]
    toc = "".join(f"<a href='#{key}'>{esc(title.split(':')[0])}</a>" for key, title, _ in sections)
    body = [
        "<header class='top'><div class='kicker'>unmet · weekly demand report</div>",
        f"<h1>What customers asked for and did not get — {esc(data.week)}</h1>",
        f"<div class='sub'>{esc(sec.week_span(data.week))} · data as of {esc(shown_as_of)}</div>",
        f"<nav class='toc'>{toc}<a href='#glossary'>Glossary</a></nav></header>",
        "<section class='summary' id='summary'>"
        + "".join(f"<p>{s}</p>" for s in sec.summary_sentences(data))
        + "</section>",
        sec.cards(data),
    ]
    for key, title, content in sections:
        body.append(f"<h2 id='{key}'>{esc(title)}</h2>{content}")
    used = {c for t in data.tables.values() for c in t.columns}
    body.append(glossary_section(used))
    body.append(
        "<footer>Every table is also a CSV file next to this page. Numbers come from the views "
        "of unmet.duckdb (see docs/data-dictionary.md).</footer>"
    )
    return page(f"Unmet demand {data.week}", "".join(body))


def run_as_of(run_dir: Path) -> datetime | None:
    """The as-of of the run whose folder is `run_dir` (its manifest), None without one."""
    try:
        return datetime.fromisoformat(json.loads((run_dir / "manifest.json").read_text())["as_of"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_weekly(
    db_path: Path,
    reports_root: Path,
    week: str,
    *,
    stores: list[str] | None = None,
) -> Path:
    """Write reports/<week>/ (report.html and one CSV per table); returns the folder.

    The swap replaces the whole folder, store pages included; so the store pages are rendered
    again, from `db_path`, into the new folder before the swap: those of `stores` (store ids), by
    default those reports/<week>/stores/ holds now. A store page is never left stale next to new
    numbers, nor lost. A store the store list no longer has loses its page (logged).
    """
    reports_root.mkdir(parents=True, exist_ok=True)
    publish.recover_swaps(reports_root)
    target = reports_root / week
    if stores is None:
        stores = store.store_pages(target)
    tmp = reports_root / f".{week}.tmp-{os.getpid()}"
    tmp.mkdir()
    con = warehouse.connect_read_only(db_path)
    try:
        data = load_weekly(con, week)
    finally:
        con.close()
    for name, table in data.tables.items():
        write_csv(tmp / f"{name}.csv", table)
    as_of = run_as_of(Path(os.path.realpath(db_path)).parent)
    (tmp / "report.html").write_text(render_html(data, as_of), encoding="utf-8")
    if stores:
        gone = store.write_store_pages(db_path, tmp / store.STORES_FOLDER, week, stores)
        if gone:
            log.warning("store pages of %s not rendered again: %s no longer in the store list",
                        week, ", ".join(gone))  # fmt: skip
    publish.swap_dir(tmp, target)
    return target
