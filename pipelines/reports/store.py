"""One store's page for one week: what its customers asked for and did not get, and whom to call.

Written to reports/<week>/stores/<store_id>.html with its CSV files next to it
(<store_id>.<table>.csv); each file is written under a temporary name and os.replace'd in.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from pipelines import warehouse
from pipelines.reports.layout import (
    card,
    esc,
    eur,
    eur_short,
    glossary_section,
    html_table,
    page,
    plural,
    signed,
)
from pipelines.reports.tables import Table, query, write_csv
from pipelines.reports.weekly_data import trend_weeks, week_monday
from schemas.raw import store_zone_name

#: The folder of a week's report folder that holds its store pages.
STORES_FOLDER = "stores"
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


#: The page's timestamp columns, which its CSV files write in the store's local time.
LOCAL_TIMES = {
    "first_demanded_at": (
        "First asked",
        "When the customer first asked, in the store's local time (in the CSV with its UTC offset).",
    ),
    "captured_at": (
        "Written",
        "When the note was written, in the store's local time (in the CSV with its UTC offset).",
    ),
}


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
    reorder: Table
    previous: Table  # rpt_store_ranking of the week before (no row: no unmet demand then)
    consenting_customers: int = 0  # who agreed to be contacted and had unmet demand, item or not

    def tables(self) -> dict[str, Table]:
        return {
            "ranking": self.ranking,
            "attributes": self.attributes,
            "not_carried": self.not_carried,
            "reorder": self.reorder,
            "notes": self.notes,
            "followups": self.followups,
        }

    @property
    def timezone(self) -> ZoneInfo:
        return store_timezone(self.store)

    def local(self, at: datetime | None) -> str:
        """A UTC timestamp as the store's local time: 'Wed 18 Nov 15:47'."""
        return "" if at is None else at.astimezone(self.timezone).strftime("%a %-d %b %H:%M")

    def local_table(self, table: Table) -> Table:
        """The table with its timestamps in the store's local time, with their UTC offset
        (2026-11-18 15:47:00+01:00), as the page shows them: for its CSV files."""
        zone = self.timezone

        def cell(value: object) -> object:
            if isinstance(value, datetime) and value.tzinfo is not None:
                return value.astimezone(zone)
            return value

        return Table(table.columns, [tuple(cell(v) for v in row) for row in table.rows])


def store_timezone(store: dict[str, object]) -> ZoneInfo:
    """The store's time zone: stores.csv's `timezone` if given, else its country's, else UTC
    (schemas.raw.store_zone_name, the rule the ingest dates records by)."""
    timezone, country = store.get("timezone"), store.get("country")
    return ZoneInfo(store_zone_name(None if timezone is None else str(timezone),
                                    None if country is None else str(country)))  # fmt: skip


def known_stores(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0] for r in con.execute("select store_id from stg_stores order by store_id").fetchall()
    ]


def resolve_store(known: list[str], given: str) -> str:
    """The store id as the stores file writes it: `given` (spaces around it ignored) exactly, else
    the one id equal to it in another letter case. Two ids that differ only in case (S001 and
    s001) are two stores: then only the exact id names one."""
    wanted = given.strip()
    if wanted in known:
        return wanted
    matches = [k for k in known if k.casefold() == wanted.casefold()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownStore(
            f"store {given!r} matches {len(matches)} stores that differ only in letter case "
            f"({', '.join(matches)}): give the id exactly"
        )
    shown = ", ".join(known[:20]) + (" ..." if len(known) > 20 else "")
    raise UnknownStore(f"unknown store {given!r}; known stores: {shown or 'none'}")


def load_store(con: duckdb.DuckDBPyConnection, store_id: str, week: str) -> StoreData:
    """One store's tables for one week; the store id is matched as `resolve_store` does."""
    store_id = resolve_store(known_stores(con), store_id)
    if not SAFE_ID.match(store_id):  # a real store, a name no page can have
        raise UnknownStore(
            f"store {store_id!r} has no page: its id holds characters a file name cannot "
            "(only letters, digits, '.', '-' and '_'); query its rows with `unmet query` instead"
        )
    store = query(con, "select * from stg_stores where store_id = ?", [store_id]).dicts()[0]
    args = [week, store["store_id"]]
    where = "where iso_week = ? and store_id = ?"
    previous_week = trend_weeks(week, 2)[0]
    return StoreData(
        week=week,
        store=store,
        ranking=query(con, f"select * from rpt_store_ranking {where}", args),
        attributes=query(con, f"select * from rpt_store_attributes {where}", args),
        not_carried=query(con, f"select * from rpt_store_not_carried {where}", args),
        notes=query(con, f"select * from rpt_store_notes {where} and events > 0", args),
        followups=query(con, f"select * from rpt_store_followups {where}", args),
        reorder=query(con, f"select * from rpt_store_oos_skus {where}", args),
        previous=query(
            con, f"select * from rpt_store_ranking {where}", [previous_week, store["store_id"]]
        ),
        consenting_customers=con.execute(
            f"select count(distinct customer_ref) from rpt_consenting_demand {where}", args
        ).fetchall()[0][0],
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


def _notes(data: StoreData) -> str:
    notes = data.notes
    if not notes.rows:
        return "<p class='empty'>No notes this week.</p>"
    quoted = []
    for n in notes.dicts()[:NOTE_EXAMPLES]:
        outcome = (n["classifications"] or "").replace("_", " ")
        meta = f"{data.local(n['captured_at'])} · {n['channel']} · {outcome}"
        quoted.append(
            f"<div class='note'><span class='sub'>{esc(meta)}</span>\n"
            f"{esc(n['redacted_text'])}</div>"
        )
    more = len(notes.rows) - NOTE_EXAMPLES
    tail = f"<p class='more'>{more} more notes in the CSV.</p>" if more > 0 else ""
    return "".join(quoted) + tail


def _customers(data: StoreData) -> int:
    return len(set(data.followups.column("customer_ref")))


def _consent_sentence(data: StoreData) -> str:
    """Who can be called: consenting customers whose ask names an item (the list below), and how
    many more consented but named no sku or category (nothing to offer them)."""
    listed, consenting = _customers(data), data.consenting_customers
    if consenting == 0:
        return "No customer with unmet demand this week agreed to be contacted."
    said = f"{plural(consenting, 'customer')} with unmet demand this week agreed to be contacted"
    if listed == consenting:
        return f"{said} and named an item (a sku or a category): listed below to follow up."
    return (
        f"{said}; {listed:,} of them named an item (a sku or a category), listed below to follow "
        f"up; {consenting - listed:,} named none."
    )


def _followups(data: StoreData) -> str:
    """Whom to call: the customer, what they asked for in their words, when (local time)."""
    rows = [
        (
            r["customer_ref"],
            r["asked_for"],
            ", ".join(str(v) for v in (r["category"], r["color"], r["pattern"], r["size"]) if v),
            r["style"] or r["sku"],
            r["classification"],
            data.local(r["first_demanded_at"]),
        )
        for r in data.followups.dicts()
    ]
    table = Table(
        ["customer_ref", "asked_for", "demanded", "style", "classification", "first_asked_local"],
        rows,
    )
    return html_table(table, limit=50)


def _change(now: object, before: object) -> str:
    if not isinstance(now, int | float):
        return ""
    return f"{signed(now - (before if isinstance(before, int | float) else 0))} vs prev. week"


def _cards(data: StoreData, rank: dict[str, object]) -> str:
    prev = data.previous.dicts()[0] if data.previous.rows else {}
    rate, median = rank["capture_rate"], rank["chain_median_capture_rate"]
    beside = (
        f"chain median {median:.2f} · rank {rank['rank_by_capture_rate']}"
        if isinstance(median, float)
        else f"rank {rank['rank_by_capture_rate']}"
    )
    lost, lost_before = rank["lost_revenue_eur"], prev.get("lost_revenue_eur", 0.0)
    lost_change = ""
    if isinstance(lost, float) and isinstance(lost_before, float):
        delta = lost - lost_before
        lost_change = f"{'+' if delta > 0 else '±' if delta == 0 else ''}{eur_short(delta)}"
    return (
        "<div class='cards'>"
        + "".join(
            [
                card("events", f"{rank['events']:,}", _change(rank["events"], prev.get("events"))),
                card(
                    "lost_revenue_eur",
                    eur_short(lost),
                    f"{lost_change} vs prev. week" if lost_change else "",
                ),
                card(
                    "not_carried_events",
                    f"{rank['not_carried_events']:,}",
                    _change(rank["not_carried_events"], prev.get("not_carried_events")),
                ),
                card(
                    "capture_rate",
                    "n/a" if not isinstance(rate, float) else f"{rate:.2f}",
                    beside,
                    "down"
                    if isinstance(rate, float) and isinstance(median, float) and rate >= median
                    else "up",
                ),  # fmt: skip
                card("customers", f"{_customers(data):,}", "to follow up"),
            ]
        )
        + "</div>"
    )


def share_of_chain(rank: dict) -> str:
    """The store's lost revenue against the chain's (its rpt_store_ranking row); no share and no
    rank when the chain lost no priced revenue that week."""
    share = rank["lost_revenue_share_pct"]
    if share is None:
        return "in priced lost revenue (the chain lost none this week: no share or rank to give)"
    return f"({share:g}% of the chain; rank {rank['rank_by_lost_revenue']} by lost revenue)"


def render_store_html(data: StoreData) -> str:
    s = data.store
    name = f"{s['store_id']} · {s['name']}"
    rank = data.ranking.dicts()[0] if data.ranking.rows else None
    monday = week_monday(data.week)
    zone = data.timezone.key
    body = [
        "<header class='top'><div class='kicker'>unmet · store page</div>",
        f"<h1>{esc(name)} — {esc(data.week)}</h1>",
        f"<div class='sub'>{esc(s['region'])}, {esc(s['country'])} · week of {monday:%-d %b %Y}"
        f" · times in {esc(zone)} (the CSV files too, with their UTC offset)"
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
            f"<b>{rank['events']:,}</b> {'time' if rank['events'] == 1 else 'times'} without "
            f"what they asked for in week {esc(data.week)}, worth "
            f"<b>{esc(eur(rank['lost_revenue_eur']))}</b> {share_of_chain(rank)}. "
            f"{_consent_sentence(data)}</p></section>"
        )
        body.append(_cards(data, rank))
    body += [
        "<h2>Out of stock: re-order or transfer</h2><p class='sub'>Skus customers asked for and "
        "the store had none of. <i>In stock elsewhere</i> counts the other stores whose stock "
        "lookups found the sku this week.</p>",
        html_table(
            data.reorder,
            [
                "rank",
                "sku",
                "style",
                "sku_color",
                "sku_size",
                "events",
                "lost_revenue_eur",
                "stores_in_stock",
            ],
            limit=15,
            bar="events",
        ),  # fmt: skip
        "<h2>What they asked for</h2>",
        _top_attributes(data.attributes),
        "<h2>Not carried</h2>",
        html_table(
            data.not_carried,
            [
                "rank",
                "category",
                "color",
                "pattern",
                "size",
                "events",
                "lost_revenue_eur",
                "estimated_revenue_eur",
            ],
            limit=15,
            bar="events",
        ),
        "<h2>In their words</h2><p class='sub'>The week's most recent notes that became unmet "
        "demand; phone numbers, e-mails and card numbers are redacted.</p>",
        _notes(data),
        "<h2>Customers to follow up</h2><p class='sub'>Only customers who consented to be "
        "contacted, and only where we know the item they wanted; in their own words (redacted).</p>",
        _followups(data),
    ]
    used = {c for t in data.tables().values() for c in t.columns}
    used |= {"asked_for", "first_asked_local", "demanded"}
    body.append(glossary_section(used, LOCAL_TIMES))
    return page(f"Unmet demand {data.week}: {name}", "".join(body))


def _replace_write(path: Path, write) -> None:  # type: ignore[no-untyped-def]
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)


def _write_page(data: StoreData, folder: Path) -> Path:
    """Write one store's page and CSV files into `folder`; returns the HTML path."""
    store_id = str(data.store["store_id"])  # as the store list spells it
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in data.tables().items():
        local = data.local_table(table)
        _replace_write(folder / f"{store_id}.{name}.csv", lambda p, t=local: write_csv(p, t))
    html_path = folder / f"{store_id}.html"
    text = render_store_html(data)
    _replace_write(html_path, lambda p: p.write_text(text, encoding="utf-8"))
    return html_path


def write_store(db_path: Path, reports_root: Path, week: str, store_id: str) -> Path:
    """Write reports/<week>/stores/<store_id>.html (+ CSV files); returns the HTML path."""
    con = warehouse.connect_read_only(db_path)
    try:
        data = load_store(con, store_id, week)
    finally:
        con.close()
    return _write_page(data, reports_root / week / STORES_FOLDER)


def store_pages(week_folder: Path) -> list[str]:
    """The store ids of the store pages in a week's report folder (reports/<week>/stores/*.html)."""
    folder = week_folder / STORES_FOLDER
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.html") if SAFE_ID.match(p.stem))


def write_store_pages(db_path: Path, folder: Path, week: str, store_ids: list[str]) -> list[str]:
    """Write the pages of these stores for `week` into `folder` (a week's stores/ folder), from
    `db_path`'s data; returns the stores not written because the store list no longer has them."""
    gone = []
    con = warehouse.connect_read_only(db_path)
    try:
        for store_id in store_ids:
            try:
                data = load_store(con, store_id, week)
            except UnknownStore:
                gone.append(store_id)
                continue
            _write_page(data, folder)
    finally:
        con.close()
    return gone
