"""The store page says what it counts, and its CSV files show the times the page shows."""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from reports_golden import event, make_db, signal

from pipelines.reports import store
from tests.reports.conftest import golden_rows

WEEK = "2026-W47"


def _rows_with_a_consenting_customer_who_named_no_item() -> dict[str, list[dict]]:
    """The golden rows (C1 consented and asked for a blue plaid coat at S001) plus C3, who
    consented at S001 but named neither a sku nor a category."""
    rows = golden_rows()
    e10 = event("E10", event_date=date(2026, 11, 19), category=None, customer_ref="C3",
                classification="unknown", lost_revenue_eur=0.0)  # fmt: skip
    rows["demand_events"].append(e10)
    rows["demand_signals"].append(signal("N10#1", e10, source="frontline_notes"))
    note = dict(rows["stg_frontline_notes"][0])
    note.update(note_id="N10", captured_at=e10["first_at"], customer_ref="C3", text="call me back")
    rows["stg_frontline_notes"].append(note)
    return rows


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_page_counts_consenting_customers_and_those_it_lists(tmp_path):
    db = make_db(tmp_path / "unmet.duckdb", _rows_with_a_consenting_customer_who_named_no_item())
    page = store.write_store(db, tmp_path / "reports", WEEK, "S001").read_text()
    summary = re.sub(r"<[^>]+>", "", page.split("<section class='summary'>", 1)[1].split("</p>")[0])
    assert summary.endswith(
        "2 customers with unmet demand this week agreed to be contacted; 1 of them named an item "
        "(a sku or a category), listed below to follow up; 1 named none."
    )
    # S002's only customer (C2) did not consent
    other = store.write_store(db, tmp_path / "reports", WEEK, "S002").read_text()
    assert "No customer with unmet demand this week agreed to be contacted." in other


def test_the_csv_files_show_the_store_s_local_time_as_the_page_does(tmp_path):
    db = make_db(tmp_path / "unmet.duckdb", golden_rows())
    page = store.write_store(db, tmp_path / "reports", WEEK, "S001")  # Lyon: Europe/Paris
    # N1 / E1 were captured at 10:00 UTC on 16 Nov: 11:00 in Lyon
    (note,) = [n for n in read_csv(page.with_name("S001.notes.csv")) if n["note_id"] == "N1"]
    (follow,) = read_csv(page.with_name("S001.followups.csv"))
    assert note["captured_at"] == follow["first_demanded_at"] == "2026-11-16 11:00:00+01:00"
    assert datetime.fromisoformat(note["captured_at"]) == datetime(2026, 11, 16, 10, tzinfo=UTC)
    assert "Mon 16 Nov 11:00" in page.read_text()
    text = page.read_text()
    assert "times in Europe/Paris (the CSV files too, with their UTC offset)" in text
    assert "UTC." not in text.split("id='glossary'")[1]  # its glossary says local time too


@pytest.mark.parametrize(
    ("given", "found"),
    [
        ("S001", "S001"),
        ("s001", "s001"),  # two stores that differ only in case: the exact id names each
        (" S002 ", "S002"),
        ("s002", "S002"),  # one store, written in another case
        ("s_10", "S_10"),
        ("S003", "unknown store"),
        ("S001A", "unknown store"),
        ("s_1x", "differ only in letter case"),  # neither S_1x nor s_1X is it exactly
    ],
)
def test_a_store_id_is_exact_first_then_in_any_letter_case_if_that_names_one(given, found):
    # review 9: with S001 and s001 both in stores.csv, `--store s001` wrote S001's page
    known = ["S001", "S002", "S_10", "S_1x", "s001", "s_1X"]
    if found.startswith(("S", "s")) and " " not in found:
        assert store.resolve_store(known, given) == found
    else:
        with pytest.raises(store.UnknownStore, match=found):
            store.resolve_store(known, given)


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (62.5, "(62.5% of the chain; rank 2 by lost revenue)"),
        (None, "in priced lost revenue (the chain lost none this week: no share or rank to give)"),
    ],
)
def test_the_store_s_share_of_the_chain_is_never_none_percent(share, expected):
    rank = {"lost_revenue_share_pct": share, "rank_by_lost_revenue": 2}
    assert store.share_of_chain(rank) == expected
