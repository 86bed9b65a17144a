"""Pure helpers of the reports: charts, formats, formula-safe CSV, read-only SQL check."""

from __future__ import annotations

import re

import pytest

from pipelines.reports import charts, layout
from pipelines.reports.query import MAX_CELL, QueryError, check_read_only, format_csv, format_table
from pipelines.reports.tables import Table, csv_cell, csv_safe


@pytest.mark.parametrize(
    ("value", "top", "step"),
    [
        (0, 1, 1),  # an empty week: 0 and 1, not 0, 0.25, 0.5, ...
        (1, 1, 1),
        (3, 3, 1),
        (7, 8, 2),
        (12, 15, 5),
        (180, 200, 50),
        (250, 250, 50),  # counts never get 62.5-event ticks
        (201, 250, 50),
        (26643.6, 30000, 10000),
    ],
)
def test_nice_axis_has_whole_ticks(value, top, step):
    assert charts.nice_axis(value) == (top, step)
    assert float(step).is_integer() and top >= value


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "€0"), (950, "€950"), (8.5, "€8"), (9999, "€9,999"), (23_400, "€23.4k"),
     (234_567, "€235k"), (2_334_630, "€2.33M"), (-1500, "−€1,500")],
)  # fmt: skip
def test_money_is_compact(value, text):
    assert charts.money(value) == text


def test_axis_labels_get_room_and_empty_charts_whole_ticks():
    svg = charts.line_chart(
        ["2026-W46", "2026-W47"], {"x": [0.0, 0.0]}, title="t", fmt=charts.money
    )
    ticks = re.findall(r"text-anchor='end'[^>]*>([^<]+)<", svg)
    assert ticks == ["€0", "€1"]
    big = charts.line_chart(["a", "b"], {"x": [0.0, 2_334_630.0]}, title="t", fmt=charts.money)
    left = float(re.search(r"<line x1='(\d+)'", big).group(1))
    assert left >= 7 * len("€2.5M")  # the longest tick label fits left of the axis


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@me", "'@me"),
        ("ok", "ok"),
        (-3, -3),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_charts_escape_labels_and_carry_tooltips():
    svg = charts.hbar_chart([("S003 Lille <Centre>", 12.0)], title="a & b")
    assert "<Centre>" not in svg and "&lt;Centre&gt;" in svg and "a &amp; b" in svg
    line = charts.line_chart(["2026-W46", "2026-W47"], {"<b>": [1.0, None]}, title="t")
    assert "<b>" not in line and "&lt;b&gt;" in line
    assert "<title>&lt;b&gt;, 2026-W46: 1</title>" in line


def test_html_table_escapes_cells_and_labels_headers():
    html = layout.html_table(Table(["value", "events"], [("<script>x</script>", 3)]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<th class='' title='The attribute value asked for" in html


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        ("lost_revenue_eur", 26643.6, "€26,644"),
        ("lost_revenue_change_eur", -280.0, "−€280"),
        ("events_change_pct", 2.4, "+2.4%"),
        ("lost_revenue_share_pct", 36.1, "36.1%"),
        ("capture_rate", 0.683, "0.68"),
        ("events", 1234, "1,234"),
        ("events", None, ""),
        ("classification", "not_carried", "not carried"),
    ],
)
def test_cell_formats(column, value, text):
    assert layout.cell(column, value) == text


@pytest.mark.parametrize("sql", ["select 1", "with a as (select 1) select * from a", "describe x"])
def test_read_only_statements_pass(sql):
    check_read_only(sql)


@pytest.mark.parametrize(
    "sql", ["insert into t values (1)", "attach 'x.db'", "set threads = 1", ""]
)
def test_other_statements_are_refused(sql):
    with pytest.raises(QueryError):
        check_read_only(sql)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("-", ""),
        (None, ""),
        ("-x", "'-x"),
        ("=1+1", "'=1+1"),
        ("grey, solid", "grey, solid"),
        (0, 0),
    ],
)
def test_csv_cell_writes_not_stated_as_an_empty_cell(value, cell):
    assert csv_cell(value) == cell


def test_query_csv_and_table_output():
    table = Table(["size", "text"], [("-", "x" * 100), (None, "short")])
    assert format_csv(table).splitlines()[1:] == [f",{'x' * 100}", ",short"]
    lines = format_table(table).splitlines()
    assert lines[2].endswith("x" * (MAX_CELL - 1) + "…") and len(lines[2].split()[-1]) == MAX_CELL
    assert lines[3].endswith("short")


@pytest.mark.parametrize("sql", ["install httpfs", "load httpfs", "force install httpfs"])
def test_extensions_are_refused_with_the_reason(sql):
    with pytest.raises(QueryError, match="extensions cannot be installed or loaded here"):
        check_read_only(sql)


@pytest.mark.parametrize(
    ("store", "zone"),
    [
        ({"country": "DE", "timezone": "Europe/Berlin"}, "Europe/Berlin"),
        ({"country": "FR", "timezone": None}, "Europe/Paris"),  # blank: the country's zone
        ({"country": "FR", "timezone": "America/Martinique"}, "America/Martinique"),
        ({"country": "US"}, "UTC"),  # a country without a documented zone
    ],
)
def test_store_timezone(store, zone):
    from pipelines.reports.store import store_timezone

    assert store_timezone(store).key == zone


def test_store_page_times_are_local(golden_con):
    from datetime import UTC, datetime

    from pipelines.reports.store import load_store

    data = load_store(golden_con, "s001", "2026-W47")  # any letter case
    assert data.store["store_id"] == "S001" and data.timezone.key == "Europe/Paris"
    # 14:47 UTC on Sunday 22 Nov 2026 is 15:47 in Paris (winter time, UTC+1)
    assert data.local(datetime(2026, 11, 22, 14, 47, tzinfo=UTC)) == "Sun 22 Nov 15:47"


def test_a_store_whose_id_cannot_name_a_file_is_said_so_not_called_unknown(tmp_path):
    """A store id accepted from stores.csv with a '/' in it used to get 'unknown store ...;
    known stores: <that very id>, ...': it has no page, and the message says why."""
    import duckdb
    from reports_golden import STORES, make_db

    from pipelines.reports.store import UnknownStore, load_store

    odd = {"store_id": "S/../x", "name": "Odd", "region": "North", "country": "FR"}
    db = make_db(tmp_path / "unmet.duckdb", {"stg_stores": [*STORES, odd]})
    con = duckdb.connect(str(db), read_only=True)
    try:
        with pytest.raises(UnknownStore, match=r"store 'S/\.\./x' has no page: its id holds"):
            load_store(con, "S/../x", "2026-W47")
        with pytest.raises(UnknownStore, match=r"unknown store 'S999'; known stores: S/\.\./x"):
            load_store(con, "S999", "2026-W47")
    finally:
        con.close()
