"""The weekly unmet-demand report: CSV files of every report table and one self-contained HTML page.

Written to reports/.<week>.tmp-<pid> and swapped in place of reports/<week> only when complete.
"""

from __future__ import annotations

import csv
import html
import os
from pathlib import Path

from pipelines import publish, warehouse

#: Report tables filtered to one week: (model, title).
WEEKLY_TABLES = (
    ("rpt_weekly_headline", "Headline"),
    ("rpt_top_attributes", "Top unmet attributes by category"),
    ("rpt_not_carried", "Not carried: the long tail"),
    ("rpt_substitutes", "What customers took instead"),
    ("rpt_store_ranking", "Stores by lost revenue"),
    ("rpt_attribute_trend", "Attribute trends"),
)

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """Neutralise spreadsheet formula injection: text starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def fetch(con, model: str, week: str) -> tuple[list[str], list[tuple]]:  # type: ignore[no-untyped-def]
    cur = con.execute(f"select * from {model} where iso_week = ?", [week])
    columns = [d[0] for d in cur.description]
    return columns, cur.fetchall()


def write_csv(path: Path, columns: list[str], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([[csv_safe(v) for v in row] for row in rows])


def html_table(columns: list[str], rows: list[tuple], limit: int = 25) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in rows[:limit]
    )
    more = f"<p class='more'>{len(rows) - limit} more rows in the CSV.</p>" if len(rows) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def render_html(week: str, sections: list[tuple[str, str, list[str], list[tuple]]]) -> str:
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Unmet demand {html.escape(week)}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}"
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;"
        "padding:.2rem .5rem;font-size:.85rem}th{background:#f3f3f3}</style></head><body>",
        f"<h1>Unmet demand, week {html.escape(week)}</h1>",
    ]
    for _, title, columns, rows in sections:
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts.append(html_table(columns, rows) if rows else "<p>No rows this week.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_weekly(db_path: Path, reports_root: Path, week: str) -> Path:
    """Write reports/<week>/ (report.html and one CSV per table); returns the folder."""
    reports_root.mkdir(parents=True, exist_ok=True)
    tmp = reports_root / f".{week}.tmp-{os.getpid()}"
    tmp.mkdir()
    con = warehouse.connect_read_only(db_path)
    try:
        sections = []
        for model, title in WEEKLY_TABLES:
            columns, rows = fetch(con, model, week)
            write_csv(tmp / f"{model}.csv", columns, rows)
            sections.append((model, title, columns, rows))
    finally:
        con.close()
    (tmp / "report.html").write_text(render_html(week, sections), encoding="utf-8")
    target = reports_root / week
    publish.swap_dir(tmp, target)
    return target
