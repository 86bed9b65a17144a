"""One store's page for one week: what its customers asked for and did not get, and whom to call.

Written to reports/<week>/stores/<store_id>.html with its CSV files next to it
(<store_id>.<table>.csv); each file is written under a temporary name and os.replace'd in.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import warehouse
from pipelines.reports.layout import card, esc, eur, glossary_section, html_table, page
from pipelines.reports.tables import Table, query, write_csv
from pipelines.reports.weekly_data import week_monday

#: How many of the week's notes the page quotes as examples.
NOTE_EXAMPLES = 8
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ATTRIBUTE_GROUPS = (
    ("color", "Colors"),
    ("pattern", "Patterns"),
    ("size", "Sizes"),
    ("color+size", "Color + size"),
    ("color+pattern", "Color + pattern"),
)


class UnknownStore(ValueError):
    """The store id is not in the published store list."""


@dataclass(frozen=True)
class StoreData:
    week: str
    store: dict[str, object]
    ranking: Table
    attributes: Table
    not_carried: Table
    notes: Table
    followups: Table

    def tables(self) -> dict[str, Table]:
        return {
            "ranking": self.ranking,
            "attributes": self.attributes,
            "not_carried": self.not_carried,
            "notes": self.notes,
            "followups": self.followups,
        }


def known_stores(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0] for r in con.execute("select store_id from stg_stores order by store_id").fetchall()
    ]


def load_store(con: duckdb.DuckDBPyConnection, store_id: str, week: str) -> StoreData:
    stores = query(
        con, "select store_id, name, region, country from stg_stores where store_id = ?", [store_id]
    )
    if not stores.rows or not SAFE_ID.match(store_id):
        known = known_stores(con)
        shown = ", ".join(known[:20]) + (" ..." if len(known) > 20 else "")
        raise UnknownStore(f"unknown store {store_id!r}; known stores: {shown or 'none'}")
    args = [week, store_id]
    where = "where iso_week = ? and store_id = ?"
    return StoreData(
        week=week,
        store=stores.dicts()[0],
        ranking=query(con, f"select * from rpt_store_ranking {where}", args),
        attributes=query(con, f"select * from rpt_store_attributes {where}", args),
        not_carried=query(con, f"select * from rpt_store_not_carried {where}", args),
        notes=query(con, f"select * from rpt_store_notes {where} and events > 0", args),
        followups=query(con, f"select * from rpt_consenting_demand {where}", args),
    )


def _top_attributes(attrs: Table) -> str:
    parts = []
    for attribute, heading in ATTRIBUTE_GROUPS:
        rows = sorted(
            (r for r in attrs.dicts() if r["attribute"] == attribute),
            key=lambda r: (-r["events"], -r["lost_revenue_eur"], r["category"], r["value"]),
        )
        sub = Table(attrs.columns, [tuple(r.values()) for r in rows])
        parts.append(
            f"<div><h3>{esc(heading)}</h3>"
            + html_table(
                sub, ["category", "value", "events", "lost_revenue_eur"], limit=6, bar="events"
            )
            + "</div>"
        )
    return "<div class='grid4'>" + "".join(parts) + "</div>"


def _notes(notes: Table) -> str:
    if not notes.rows:
        return "<p class='empty'>No notes this week.</p>"
    quoted = []
    for n in notes.dicts()[:NOTE_EXAMPLES]:
        meta = (
            f"{n['captured_at']:%a %d %b %H:%M} UTC · {n['channel']} · {n['classifications'] or ''}"
        )
        quoted.append(
            f"<div class='note'><span class='sub'>{esc(meta)}</span>\n"
            f"{esc(n['redacted_text'])}</div>"
        )
    more = len(notes.rows) - NOTE_EXAMPLES
    tail = f"<p class='more'>{more} more notes in the CSV.</p>" if more > 0 else ""
    return "".join(quoted) + tail


def _customers(data: StoreData) -> int:
    return len(set(data.followups.column("customer_ref")))


def render_store_html(data: StoreData) -> str:
    s = data.store
    name = f"{s['store_id']} · {s['name']}"
    rank = data.ranking.dicts()[0] if data.ranking.rows else None
    monday = week_monday(data.week)
    body = [
        "<header class='top'><div class='kicker'>unmet · store page</div>",
        f"<h1>{esc(name)} — {esc(data.week)}</h1>",
        f"<div class='sub'>{esc(s['region'])}, {esc(s['country'])} · week of {monday:%-d %b %Y}"
        " · <a href='../report.html'>chain report</a></div></header>",
    ]
    if rank is None:
        body.append(
            f"<section class='summary'><p>No unmet demand was recorded at this store in "
            f"week {esc(data.week)}.</p></section>"
        )
    else:
        body.append(
            f"<section class='summary'><p>Customers of <b>{esc(s['name'])}</b> left "
            f"<b>{rank['events']:,}</b> times without what they asked for in week "
            f"{esc(data.week)}, worth <b>{esc(eur(rank['lost_revenue_eur']))}</b> "
            f"({rank['lost_revenue_share_pct']}% of "
            f"the chain; rank {rank['rank_by_lost_revenue']} by lost revenue). "
            f"{_customers(data)} of these customers agreed to be contacted.</p></section>"
        )
        rate = rank["capture_rate"]
        body.append(
            "<div class='cards'>"
            + "".join(
                [
                    card("events", f"{rank['events']:,}"),
                    card("lost_revenue_eur", eur(rank["lost_revenue_eur"])),
                    card("not_carried_events", f"{rank['not_carried_events']:,}"),
                    card(
                        "capture_rate",
                        "n/a" if rate is None else f"{rate:.2f}",
                        f"rank {rank['rank_by_capture_rate']}",
                    ),
                    card("customers", f"{_customers(data):,}", "to follow up"),
                ]
            )
            + "</div>"
        )
    body += [
        "<h2>What they asked for</h2>",
        _top_attributes(data.attributes),
        "<h2>Not carried</h2>",
        html_table(
            data.not_carried,
            ["rank", "category", "color", "pattern", "size", "events", "lost_revenue_eur"],
            limit=15,
            bar="events",
        ),
        "<h2>In their words</h2><p class='sub'>The week's most recent notes that became unmet "
        "demand; phone numbers, e-mails and card numbers are redacted.</p>",
        _notes(data.notes),
        "<h2>Customers to follow up</h2><p class='sub'>Only customers who consented to be "
        "contacted.</p>",
        html_table(
            data.followups,
            [
                "customer_ref",
                "category",
                "color",
                "pattern",
                "size",
                "classification",
                "first_demanded_at",
            ],
            limit=50,
        ),
    ]
    used = {c for t in data.tables().values() for c in t.columns}
    body.append(glossary_section(used))
    return page(f"Unmet demand {data.week}: {name}", "".join(body))


def _replace_write(path: Path, write) -> None:  # type: ignore[no-untyped-def]
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)


def write_store(db_path: Path, reports_root: Path, week: str, store_id: str) -> Path:
    """Write reports/<week>/stores/<store_id>.html (+ CSV files); returns the HTML path."""
    con = warehouse.connect_read_only(db_path)
    try:
        data = load_store(con, store_id, week)
    finally:
        con.close()
    folder = reports_root / week / "stores"
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in data.tables().items():
        _replace_write(folder / f"{store_id}.{name}.csv", lambda p, t=table: write_csv(p, t))
    html_path = folder / f"{store_id}.html"
    text = render_store_html(data)
    _replace_write(html_path, lambda p: p.write_text(text, encoding="utf-8"))
    return html_path
