"""HTML building blocks shared by the reports: page shell, KPI cards, tables, number formats.

Everything that comes from data goes through `esc` (notes may contain `<script>`). Pages are
self-contained: system fonts, inline CSS, inline SVG; no scripts, no network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from html import escape
from typing import Any

from pipelines.reports import charts
from pipelines.reports.glossary import GLOSSARY, definition, label
from pipelines.reports.tables import Table

CSS = """
:root{--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--accent:#0072B2;--bad:#b91c1c;--good:#047857}
*{box-sizing:border-box}
body{margin:0;background:#f8fafc;color:var(--ink);
 font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}
main{max-width:1080px;margin:0 auto;padding:32px 28px 64px;background:#fff;min-height:100vh}
header.top{border-bottom:3px solid var(--accent);padding-bottom:14px;margin-bottom:20px}
header.top .kicker{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--accent);
 font-weight:600}
h1{font-size:28px;line-height:1.2;margin:4px 0 4px}
h2{font-size:19px;margin:36px 0 10px;padding-top:8px;border-top:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 6px;color:#374151}
.sub{color:var(--muted);font-size:13px}
.summary{background:#f1f5f9;border-left:4px solid var(--accent);padding:12px 16px;margin:18px 0;
 font-size:15.5px}
.summary p{margin:4px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:16px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;min-width:0;
 overflow-wrap:anywhere}
.card .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;
 cursor:help}
.card .v{font-size:26px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px}
.card .d{font-size:12.5px;color:var(--muted)}
.up{color:var(--bad)} .down{color:var(--good)}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(420px,100%),1fr));gap:18px}
.grid4{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(440px,100%),1fr));
 gap:4px 24px}
.grid2>*,.grid4>*{min-width:0}
figure{margin:8px 0 12px}
figcaption{font-size:13px;color:var(--muted);margin-bottom:4px}
svg.chart{width:100%;height:auto;display:block}
table{border-collapse:collapse;width:100%;margin:6px 0 4px;font-size:13px}
th{text-align:left;font-weight:600;color:#374151;border-bottom:2px solid var(--line);
 padding:5px 8px;cursor:help;vertical-align:bottom}
td{border-bottom:1px solid var(--line);padding:5px 8px;vertical-align:top;overflow-wrap:break-word}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#fafafa}
.bar{display:inline-block;height:8px;background:var(--accent);border-radius:2px;margin-right:6px;
 vertical-align:middle;opacity:.75}
.more,.empty{font-size:12.5px;color:var(--muted);margin:2px 0 10px}
.cat{border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:12px 0}
.cat h3{margin-top:2px} .cat .name{text-transform:capitalize}
.note{font-size:13px;border-left:3px solid var(--line);padding:4px 10px;margin:6px 0;
 white-space:pre-wrap;word-break:break-word}
dl.glossary{display:grid;grid-template-columns:220px 1fr;gap:4px 16px;font-size:13px}
dl.glossary dt{font-weight:600} dl.glossary dd{margin:0;color:#374151}
nav.toc{font-size:13px;margin:8px 0 0} nav.toc a{color:var(--accent);margin-right:12px;
 text-decoration:none}
footer{margin-top:40px;font-size:12px;color:var(--muted)}
.collapsed summary{cursor:pointer;color:var(--muted);font-size:13.5px}
@media (max-width:720px){
 main{padding:18px 14px 40px} h1{font-size:22px}
 table.t,table.t tbody,table.t tr,table.t td{display:block;width:100%}
 table.t thead{display:none}
 table.t tr{border-bottom:1px solid var(--line);padding:4px 0}
 table.t td{border:0;padding:1px 4px;text-align:left}
 table.t td::before{content:attr(data-label) ": ";color:var(--muted);font-size:12px}
 dl.glossary{grid-template-columns:1fr} dl.glossary dd{margin-bottom:6px}
}
@media print{body{background:#fff} main{padding:0} h2{break-after:avoid}
 .cat,figure{break-inside:avoid}}
"""


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}"


def eur(value: Any) -> str:
    return "" if value is None else f"€{value:,.0f}"


def eur_short(value: Any) -> str:
    """Compact euros for cards and sentences: €950, €23.4k, €2.33M."""
    return "" if value is None else charts.money(value)


def plural(count: int, noun: str) -> str:
    """'1 week', '3 weeks', '1,204 events'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def signed(value: Any, suffix: str = "", money: bool = False) -> str:
    if value is None:
        return "n/a"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    body = (
        f"€{abs(value):,.0f}"
        if money
        else f"{abs(value):,.1f}{suffix}"
        if suffix
        else f"{abs(value):,}"
    )
    return sign + body


def cell(column: str, value: Any) -> str:
    """Display text of one value, formatted by its column name."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if column.endswith("_eur") and isinstance(value, int | float):
        return signed(value, money=True) if column.endswith("change_eur") else eur(value)
    if column.endswith("_pct") and isinstance(value, int | float):
        return signed(value, "%") if "change" in column else f"{value:.1f}%"
    if column == "capture_rate":
        return f"{value:.2f}"
    if column in ("classification", "classifications"):
        return str(value).replace("_", " ")  # not carried, not not_carried
    if isinstance(value, int | float):
        return num(value)
    return str(value)


def _is_numeric(table: Table, column: str) -> bool:
    values = [v for v in table.column(column) if v is not None]
    return bool(values) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    )


def html_table(
    table: Table,
    columns: Sequence[str] | None = None,
    *,
    limit: int = 25,
    bar: str | None = None,
    csv_name: str | None = None,
) -> str:
    """A table of `columns` (default: all), headers labelled with glossary tooltips.

    `bar` names a numeric column drawn as a small inline bar next to its value.
    """
    if not table.rows:
        return "<p class='empty'>Nothing this week.</p>"
    columns = list(columns or table.columns)
    idx = [table.columns.index(c) for c in columns]
    numeric = {c: _is_numeric(table, c) for c in columns}
    top = max((abs(v or 0) for v in table.column(bar)), default=0) if bar else 0
    head = "".join(
        f"<th class='{'n' if numeric[c] else ''}' title='{esc(definition(c))}'>{esc(label(c))}</th>"
        for c in columns
    )
    body = []
    for row in table.rows[:limit]:
        tds = []
        for c, i in zip(columns, idx, strict=True):
            text = esc(cell(c, row[i]))
            if c == bar and top:
                width = round(60 * abs(row[i] or 0) / top)
                text = f"<span class='bar' style='width:{width}px'></span>{text}"
            tds.append(
                f"<td class='{'n' if numeric[c] else ''}' data-label='{esc(label(c))}'>{text}</td>"
            )
        body.append("<tr>" + "".join(tds) + "</tr>")
    more = ""
    if len(table.rows) > limit:
        where = f" in {esc(csv_name)}" if csv_name else " in the CSV"
        more = f"<p class='more'>Top {limit} of {len(table.rows):,} rows; all rows{where}.</p>"
    return f"<table class='t'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def card(column: str, value: str, delta: str = "", delta_class: str = "") -> str:
    return (
        f"<div class='card'><div class='k' title='{esc(definition(column))}'>{esc(label(column))}"
        f"</div><div class='v'>{esc(value)}</div>"
        f"<div class='d {delta_class}'>{esc(delta)}</div></div>"
    )


def glossary_section(
    columns: Iterable[str], instead: Mapping[str, tuple[str, str]] | None = None
) -> str:
    """A <dl> with the definition of every glossary column used on the page, in glossary order;
    `instead`: (label, text) of columns that mean something else on this page."""
    used = set(columns)
    entries = GLOSSARY | dict(instead or {})
    items = [
        f"<dt>{esc(lbl)} <span class='sub'>({esc(col)})</span></dt><dd>{esc(text)}</dd>"
        for col, (lbl, text) in entries.items()
        if col in used
    ]
    return "<h2 id='glossary'>Glossary</h2><dl class='glossary'>" + "".join(items) + "</dl>"


def page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>{body}</main>"
        "</body></html>\n"
    )
