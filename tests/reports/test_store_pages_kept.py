"""Store pages (`unmet report --store`) outlive the next chain report and the next `unmet run`:
they are rendered again, from the new data, into the new report folder (the issue: the run
published reports/<week>/ without stores/, and a store team's bookmarked page was gone)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from reports_golden import event, make_db

from pipelines import job
from pipelines.reports import render, store
from tests.reports.conftest import golden_rows

WEEK = "2026-W47"


def ranking_events(page: Path) -> int:
    """The store's events this week as its page's ranking CSV says."""
    with page.with_name(page.stem + ".ranking.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    return int(row["events"])


def test_a_run_renders_again_the_store_pages_of_the_published_run(tmp_path):
    data_root = tmp_path / "data"
    published = data_root / "reports"
    old_db = make_db(tmp_path / "old.duckdb", golden_rows())
    render.write_weekly(old_db, published, "2026-W45")
    render.write_weekly(old_db, published, WEEK)
    old_page = store.write_store(old_db, published, WEEK, "s001")
    assert ranking_events(old_page) == 2  # E1, E2
    store.write_store(old_db, published, "2026-W45", "S001")

    # the next run's data has one more event at S001 in week 47
    rows = golden_rows()
    rows["demand_events"].append(event("E9", event_date=date(2026, 11, 19), color="green"))
    run_dir = tmp_path / "runs" / "next"
    run_dir.mkdir(parents=True)
    make_db(run_dir / "unmet.duckdb", rows)
    job._reports(data_root, run_dir, "2026-W48")

    reports = run_dir / "reports"
    assert sorted(p.name for p in reports.iterdir()) == ["2026-W45", "2026-W47", "2026-W48"]
    page = reports / WEEK / "stores" / "S001.html"
    assert ranking_events(page) == 3  # from the new data, not a copy of the old page
    assert sorted(p.name for p in page.parent.iterdir()) == sorted(
        p.name for p in old_page.parent.iterdir()
    )  # the page and every CSV of it, no temporary file
    assert (reports / "2026-W45" / "stores" / "S001.html").is_file()
    assert not (reports / "2026-W48" / "stores").exists()  # no page was made for that week


def test_rendering_the_chain_report_again_keeps_the_week_s_store_pages(tmp_path):
    """`unmet report --week` (and an up-to-date run's report) swaps the week's folder too."""
    db = make_db(tmp_path / "unmet.duckdb", golden_rows())
    reports = tmp_path / "reports"
    render.write_weekly(db, reports, WEEK)
    page = store.write_store(db, reports, WEEK, "S002")
    before = page.read_text()
    render.write_weekly(db, reports, WEEK)
    assert page.read_text() == before
    assert store.store_pages(reports / WEEK) == ["S002"]


def test_a_store_no_longer_in_the_store_list_loses_its_page(tmp_path, caplog):
    db = make_db(tmp_path / "old.duckdb", golden_rows())
    reports = tmp_path / "reports"
    store.write_store(db, reports, WEEK, "S002")
    rows = golden_rows()
    rows["stg_stores"] = [s for s in rows["stg_stores"] if s["store_id"] != "S002"]
    new_db = make_db(tmp_path / "new.duckdb", rows)
    render.write_weekly(new_db, reports, WEEK)
    assert store.store_pages(reports / WEEK) == []
    assert "S002 no longer in the store list" in caplog.text


def test_a_week_without_data_now_is_not_rendered_again(tmp_path):
    """review 11: the inputs of a week were removed; the next run rendered its page again from
    data without it ("No unmet demand was recorded in week ..."), a page `unmet report --week`
    refuses to write. Only the weeks the run has data for are rendered again."""
    data_root = tmp_path / "data"
    published = data_root / "reports"
    old_db = make_db(tmp_path / "old.duckdb", golden_rows())
    render.write_weekly(old_db, published, "2026-W45")
    render.write_weekly(old_db, published, WEEK)
    (published / "2026-W30").mkdir()  # a week the next run's data does not have
    run_dir = tmp_path / "runs" / "next"
    run_dir.mkdir(parents=True)
    make_db(run_dir / "unmet.duckdb", golden_rows())
    job._reports(data_root, run_dir, WEEK)
    assert sorted(p.name for p in (run_dir / "reports").iterdir()) == ["2026-W45", WEEK]
