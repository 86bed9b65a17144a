"""The gate validates the exported report marts (mart_weekly_headline, ...) before anything is
published: a report model's bug (a capture rate above 1, a negative lost revenue, a repeated row)
stops the run like any failed rule, naming the mart and the rule.

No input makes a report model write such a row (the SQL promises what the models declare), so the
test plants the rows in the mart files the run in progress exported, at the job's public `marts`
boundary (exported, not yet validated), with pyarrow's public API, as tests/break_staged.py does
for a staged file."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines import job
from tests.checks.test_gate import EXIT_CHECKS, run_cli

pytestmark = pytest.mark.slow  # one whole job on the tiny inputs


def _rewrite(path: Path, change: Callable[[list[dict]], list[dict]]) -> None:
    """Rewrite a mart file with `change` applied to its rows, in the file's own schema."""
    table = pq.read_table(path, partitioning=None)
    pq.write_table(pa.Table.from_pylist(change(table.to_pylist()), table.schema), path)


def _first(run_dir: Path, mart: str) -> Path:
    return sorted((run_dir / mart).rglob("*.parquet"))[0]


def plant_bad_rows(run_dir: Path) -> None:
    """A capture rate of 1.2, a negative lost revenue and a repeated row, one in each of three
    marts."""

    def capture(rows: list[dict]) -> list[dict]:
        return [{**rows[0], "capture_rate": 1.2}, *rows[1:]]

    def headline(rows: list[dict]) -> list[dict]:
        return [{**rows[0], "lost_revenue_eur": -5.0}, *rows[1:]]

    def repeated(rows: list[dict]) -> list[dict]:
        return [rows[0], *rows]

    _rewrite(_first(run_dir, "mart_store_capture"), capture)
    _rewrite(_first(run_dir, "mart_weekly_headline"), headline)
    _rewrite(_first(run_dir, "mart_not_carried"), repeated)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def gate_run(tiny_job, tmp_path):
    """A copy of the session's tiny run (tests/conftest.py) and its inputs, to run again."""
    shutil.copytree(tiny_job.inputs, tmp_path / "inputs")
    shutil.copytree(tiny_job.data_root, tmp_path / "data", symlinks=True)
    return tmp_path / "data", tmp_path / "inputs"


def test_the_tiny_runs_marts_pass_the_gate(tiny_job):
    report = json.loads((tiny_job.data_root / "published" / "validation.json").read_text())
    marts = {s["dataset"]: s for s in report["suites"] if s["dataset"].startswith("mart_")}
    assert sorted(marts) == sorted([
        "mart_unmet_demand", "mart_weekly_headline", "mart_attribute_trend",
        "mart_store_capture", "mart_not_carried", "mart_substitutes",
    ])  # fmt: skip
    assert all(s["success"] and s["rows"] > 0 for s in marts.values())
    files = report["files"]
    assert any(rel.startswith("mart_store_capture/iso_week=") for rel in files)


def test_a_bad_mart_row_stops_the_run_naming_the_mart_and_the_rule(gate_run, monkeypatch):
    data_root, inputs = gate_run
    published = os.readlink(data_root / "published")
    db = data_root / "unmet.duckdb"
    db_before = (db.stat().st_ino, _digest(db))

    def hook(name: str, boundary=job.boundary) -> None:
        if name == "marts":
            (run_dir,) = (data_root.resolve() / "runs").glob("*.partial")
            plant_bad_rows(run_dir)
        boundary(name)

    monkeypatch.setattr(job, "boundary", hook)
    result = run_cli(data_root, inputs, "--full-refresh")  # same inputs: rebuild anyway

    assert result.exit_code == EXIT_CHECKS, result.output
    assert "data-quality checks failed; nothing was published" in result.output
    assert "3 of " in result.output and "(3 failed, 0 errored) in 3 dataset(s)" in result.output
    assert (
        "- mart_store_capture: capture_rate is between 0 and 1 "
        "[expect_column_values_to_be_between(capture_rate)]: 1 of 2 rows unexpected; e.g. 1.2"
    ) in result.output
    assert (
        "- mart_weekly_headline: lost_revenue_eur is >= 0 "
        "[expect_column_values_to_be_between(lost_revenue_eur)]: 1 of 1 rows unexpected; "
        "e.g. -5.0"
    ) in result.output
    assert (
        "- mart_not_carried: (iso_week, category, color, pattern, size) is unique "
        "[expect_column_values_to_be_null(chk_duplicate_key)]: 2 of 3 rows unexpected"
    ) in result.output
    assert "Traceback" not in result.output
    assert os.readlink(data_root / "published") == published
    assert (db.stat().st_ino, _digest(db)) == db_before
    (partial,) = (data_root / "runs").glob("*.partial")
    failed = json.loads((partial / "validation.json").read_text())
    refused = [(s["dataset"], e["why"]) for s in failed["suites"] for e in s["expectations"]
               if not e["success"]]  # fmt: skip
    assert refused == [
        ("mart_weekly_headline", "lost_revenue_eur is >= 0"),
        ("mart_store_capture", "capture_rate is between 0 and 1"),
        ("mart_not_carried", "(iso_week, category, color, pattern, size) is unique"),
    ]
