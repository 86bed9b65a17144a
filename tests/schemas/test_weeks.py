"""The ISO week label: one writer, the year always in four digits (review 14, D5: a record dated
in year 1 made the label '1-W01', and the marts step, reading the year as the first four
characters, stopped every run)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipelines import marts
from pipelines.generate.stores import iso_week as file_week
from schemas.weeks import iso_week, monday


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 11, 17), "2026-W47"),
        (date(2027, 1, 1), "2026-W53"),  # the ISO year, not the calendar year
        (date(1, 1, 1), "0001-W01"),
        (date(450, 6, 30), "0450-W26"),
        (date(999, 12, 20), "0999-W51"),
    ],
)
def test_the_label_pads_the_year_and_reads_back_to_its_monday(day, label):
    assert iso_week(day) == label
    assert file_week(day) == label  # the generator's file names say the same
    assert monday(label) == day - timedelta(days=day.isoweekday() - 1)
    assert marts.shifted(label, 0) == label


@pytest.mark.parametrize("day", [date(1, 1, 1), date(450, 6, 30), date(2026, 11, 17)])
def test_every_writer_of_a_week_label_pads_the_year(day):
    """The labels written outside schemas.weeks: the week of a staged file's partition, the
    report's trend weeks and the job's last complete week."""
    from datetime import UTC, datetime, timedelta

    from pipelines.demand.run import week_of
    from pipelines.job import last_complete_week
    from pipelines.reports.weekly_data import trend_weeks

    label = iso_week(day)
    assert week_of(f"stg_oos_lookups/event_date={day.isoformat()}/part-00000.parquet") == label
    assert trend_weeks(label, 1) == [label]
    next_week = datetime.combine(day + timedelta(days=7), datetime.min.time(), UTC)
    assert last_complete_week(next_week) == label
