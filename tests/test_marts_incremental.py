"""The exported report marts week by week (pipelines/marts.py): which weeks an incremental run
rebuilds, and that what it rebuilds and carries is byte-identical to a full export of the same
run. No job runs: the run folders are made by hand (a mart_unmet_demand of a few weeks; every
other dataset empty). tests/test_incremental.py checks the same through whole runs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from pipelines import io, marts, warehouse
from schemas.arrow import dataset_schema

TREND = next(m for m in warehouse.EXPORTS if m.name == "mart_attribute_trend")
HEADLINE = next(m for m in warehouse.EXPORTS if m.name == "mart_weekly_headline")
RANKING = next(m for m in warehouse.EXPORTS if m.name == "mart_store_capture")
WEEKS = [f"2026-W{n}" for n in range(40, 48)]


@pytest.mark.parametrize(
    ("week", "weeks", "expected"),
    [
        ("2026-W47", 1, "2026-W48"),
        ("2026-W52", 1, "2026-W53"),  # 2026 has 53 ISO weeks
        ("2026-W53", 1, "2027-W01"),
        ("2027-W01", -2, "2026-W52"),
        ("2026-W40", 0, "2026-W40"),
    ],
)
def test_weeks_shift_by_the_calendar(week, weeks, expected):
    assert marts.shifted(week, weeks) == expected


def test_the_weeks_a_week_reads_are_it_and_its_lookback():
    assert marts.weeks_read("2027-W01", 1) == {"2027-W01", "2026-W53"}
    assert marts.weeks_read("2026-W47", 0) == {"2026-W47"}


@pytest.mark.parametrize(
    ("mart", "touched", "expected"),
    [
        (RANKING, {"2026-W47"}, {"2026-W47"}),
        (HEADLINE, {"2026-W47"}, {"2026-W47"}),  # no week after it yet
        (HEADLINE, {"2026-W42", "2026-W47"}, {"2026-W42", "2026-W43", "2026-W47"}),
        (TREND, {"2026-W41"}, {f"2026-W{n}" for n in range(41, 47)}),
        (TREND, {"2026-W30"}, set()),  # a week without ledger rows is nobody's input here
    ],
)
def test_rebuilt_weeks_are_the_touched_ones_and_those_that_read_them(mart, touched, expected):
    assert marts.rebuilt(mart, WEEKS, touched) == expected


def test_a_series_whose_first_week_moved_is_rebuilt_in_every_week():
    now = {("color", "red"): WEEKS, ("color", "teal"): ["2026-W40", "2026-W45", "2026-W47"]}
    before = {("color", "red"): "2026-W40", ("color", "teal"): "2026-W45"}
    # teal's first week is now week 40 (touched): its weeks 45 and 47 count from there
    assert marts.rebuilt(TREND, WEEKS, {"2026-W40"}, now, before) == {
        *(f"2026-W{n}" for n in range(40, 46)),
        "2026-W47",
    }
    # red was there in week 40 already, teal is new in week 47: nothing more
    now = {("color", "red"): WEEKS, ("color", "teal"): ["2026-W47"]}
    before = {("color", "red"): "2026-W40"}
    assert marts.rebuilt(TREND, WEEKS, {"2026-W40", "2026-W47"}, now, before) == {
        *(f"2026-W{n}" for n in range(40, 46)),
        "2026-W47",
    }


def _chain_rows(week: str, values: dict[str, int]) -> pa.Table:
    rows = [
        {
            "iso_week": week,
            "level": "chain",
            "store_id": "ALL",
            "category": "dresses",
            "attribute": "color",
            "value": value,
            "events": events,
            "customers": events,
            "lost_units": events,
            "lost_revenue_eur": 19.99 * events,
            "estimated_revenue_eur": 0.0,
            "stockout_events": events,
            "not_carried_events": 0,
            "substituted_events": 0,
            "unknown_events": 0,
        }  # fmt: skip
        for value, events in values.items()
    ]
    return pa.Table.from_pylist(rows, schema=dataset_schema("mart_unmet_demand"))


def _write_ledger(run_dir: Path, weeks: dict[str, dict[str, int]]) -> None:
    for week, values in weeks.items():
        path = run_dir / "mart_unmet_demand" / f"iso_week={week}" / "part-00000.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        io.write_parquet(str(path), _chain_rows(week, values))


def _digests(run_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(run_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for m in warehouse.EXPORTED_MARTS
        for p in sorted((run_dir / m).rglob("*.parquet"))
    }


def test_a_late_week_that_moves_a_values_first_week_rebuilds_its_later_trend_rows(tmp_path):
    """Teal was first asked for in week 45; a late file adds teal in week 40, so its trend in
    week 47 (outside week 40's six-week window) now runs over six calendar weeks, not three.
    The incremental export rebuilds that week, carries the others, and matches a full export."""
    weeks = [f"2026-W{n}" for n in range(40, 50)]
    history = {week: {"red": 3 + i % 2} for i, week in enumerate(weeks)}
    for week, events in (("2026-W45", 2), ("2026-W46", 4), ("2026-W47", 6)):
        history[week]["teal"] = events
    base = tmp_path / "base"
    _write_ledger(base, history)
    assert marts.export(base) == []  # a full export carries nothing
    late = {**history, "2026-W40": {**history["2026-W40"], "teal": 1}}
    inc, full = tmp_path / "inc", tmp_path / "full"
    _write_ledger(inc, late)
    _write_ledger(full, late)

    carried = marts.export(inc, base, {"2026-W40"})
    marts.export(full)

    assert _digests(inc) == _digests(full)
    trend = "mart_attribute_trend/iso_week={}/part-00000.parquet"
    # week 40's window reaches week 45; teal's weeks 46 to 48 are rebuilt as its series (week
    # 48 has a row with 0 events: teal fell from 6)
    assert sorted(carried) == [trend.format("2026-W49")]
    for rel in carried:  # the base's own file, linked
        assert (inc / rel).stat().st_ino == (base / rel).stat().st_ino
    before, after = _digests(base), _digests(inc)
    assert after[trend.format("2026-W47")] != before[trend.format("2026-W47")]
    con = duckdb.connect()
    rows = con.execute(
        "select iso_week, trend_weeks from read_parquet(?) where value = 'teal' order by 1",
        [str(inc / "mart_attribute_trend" / "*" / "*.parquet")],
    ).fetchall()
    # weeks 41 and 48: 0 events, a fall from the week before
    assert rows == [("2026-W40", 1), ("2026-W41", 2), ("2026-W45", 6), ("2026-W46", 6),
                    ("2026-W47", 6), ("2026-W48", 6)]  # fmt: skip


def test_a_mart_without_rows_has_no_files_and_an_empty_view(tmp_path):
    """Only the trend has rows here (no demand events): the other marts get no week files, and
    the DuckDB file still has each of them, empty, with the model's columns."""
    _write_ledger(tmp_path, {"2026-W40": {"red": 1}})
    marts.export(tmp_path)
    written = {rel.split("/")[0] for rel in _digests(tmp_path)}
    assert written == {"mart_attribute_trend"}
    db = warehouse.build(tmp_path, tmp_path / "unmet.duckdb")
    con = warehouse.connect_read_only(db)
    try:
        for mart in warehouse.EXPORTED_MARTS:
            (count,) = con.execute(f"select count(*) from {mart}").fetchone()
            assert count == (1 if mart == "mart_attribute_trend" else 0), mart
        columns = [r[0] for r in con.execute("describe mart_weekly_headline").fetchall()]
        assert columns[:2] == ["iso_week", "week_start_date"]
    finally:
        con.close()
