"""The data of one weekly report: every report table it shows, read from the DuckDB file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from pipelines.reports.tables import Table, query
from schemas.weeks import iso_week

#: How many weeks (ending with the report week) the trend charts show.
TREND_WEEKS = 12
#: SQL of the tables: the report week only, or the trend weeks (first ?, report week ?).
WEEK_FILTER = "select * from {model} where iso_week = ?"
TREND_FILTER = "select * from {model} where iso_week between ? and ?"


def week_monday(week: str) -> date:
    return datetime.strptime(week + "-1", "%G-W%V-%u").date()


def trend_weeks(week: str, n: int = TREND_WEEKS) -> list[str]:
    """The n ISO weeks ending with `week`, oldest first."""
    monday = week_monday(week)
    return [iso_week(monday - timedelta(weeks=k)) for k in range(n - 1, -1, -1)]


class NoDataForWeek(ValueError):
    """The week asked for has no demand events; the message lists the weeks that have."""


def weeks_with_data(con: duckdb.DuckDBPyConnection) -> list[str]:
    sql = "select distinct iso_week from demand_events order by 1"
    return [r[0] for r in con.execute(sql).fetchall()]


def check_week(con: duckdb.DuckDBPyConnection, week: str) -> None:
    """Raise NoDataForWeek unless `week` has demand events (a typo such as 2020-W10 must not give
    an empty report that looks like a quiet week)."""
    weeks = weeks_with_data(con)
    if week in weeks:
        return
    if not weeks:
        raise NoDataForWeek(f"no demand events in week {week}: the database holds none yet")
    shown = weeks if len(weeks) <= 12 else [*weeks[:3], "...", *weeks[-8:]]
    raise NoDataForWeek(
        f"no demand events in week {week}; weeks with data: {', '.join(shown)} "
        f"({len(weeks)} weeks, {weeks[0]} to {weeks[-1]})"
    )


@dataclass(frozen=True)
class WeeklyData:
    week: str
    weeks: list[str]
    tables: dict[str, Table]

    def headline(self) -> dict[str, object]:
        rows = [r for r in self.tables["rpt_weekly_headline"].dicts() if r["iso_week"] == self.week]
        return rows[0] if rows else {}


def load_weekly(con: duckdb.DuckDBPyConnection, week: str) -> WeeklyData:
    weeks = trend_weeks(week)
    tables = {}
    for model in ("rpt_weekly_headline", "rpt_attribute_trend"):
        tables[model] = query(con, TREND_FILTER.format(model=model), [weeks[0], week])
    for model in (
        "rpt_category_summary",
        "rpt_top_attributes",
        "rpt_not_carried",
        "rpt_not_carried_by_attribute",
        "rpt_oos_styles",
        "rpt_substitutes",
        "rpt_store_ranking",
    ):
        tables[model] = query(con, WEEK_FILTER.format(model=model), [week])
    # charts start at the first week with data (a new chain has fewer than TREND_WEEKS weeks)
    with_data = set(tables["rpt_weekly_headline"].column("iso_week"))
    first = next((i for i, w in enumerate(weeks) if w in with_data), len(weeks) - 1)
    return WeeklyData(week, weeks[first:], tables)
