"""The ISO week label every dataset, partition, file name and report uses: `2026-W47`.

One writer of the label, so that every place writes the same text for the same week: the year
always in four digits and the week in two. An unpadded label (`1-W1` for a date in year 1) broke
the marts step, which reads the year as the first four characters (review 14, D5); the ingest
also quarantines times before `schemas.raw.EARLIEST_TIME`, so no real record reaches such a week.
"""

from __future__ import annotations

from datetime import date


def iso_week(day: date) -> str:
    """The ISO week of `day`: 2026-11-17 -> '2026-W47', 0001-01-01 -> '0001-W01'."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def monday(week: str) -> date:
    """The Monday of an ISO week label like 2026-W47."""
    return date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
