"""`make bench` end to end on a tiny size: both systems run, the figures and the ratio are printed
and written to the results JSON, and the baseline really produced its outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

#: tools/ is not installed: `python -m tools.bench` runs from the repository root, as make does
ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_bench_prints_and_records_both_systems_and_the_ratio(tmp_path):
    env = {
        **os.environ,
        "BENCH_DIR": str(tmp_path),
        "BENCH_ROWS": "1500",
        "BENCH_REPEATS": "1",
        "BENCH_SYSTEMS": "unmet,duckdb_baseline",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tools.bench"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ratio unmet / duckdb_baseline wall time:" in done.stdout
    assert "unmet steps (median): " in done.stdout

    (results_file,) = tmp_path.glob("results-*.json")
    report = json.loads(results_file.read_text())
    (row,) = report["results"]
    assert row["rows"] == 1500
    assert row["records"] >= 1500
    unmet, base = row["unmet"], row["duckdb_baseline"]
    for system in (unmet, base):
        assert system["wall_s"] > 0 and system["peak_rss_mib"] > 0
        assert len(system["runs"]) == 1
        assert system["cpu_s"] == system["runs"][0]["cpu_s"] > 0  # the command's own CPU time
    assert unmet["cpu_s"] > base["cpu_s"]  # Beam does more work than one DuckDB query
    assert row["ratio_wall_unmet"] == round(unmet["wall_s"] / base["wall_s"], 2)
    assert set(unmet["steps_median_s"]) >= {"ingest", "demand", "checks"}
    # each step's peak comes from the samples taken while it ran: positive, at most the run's
    step_peaks = unmet["runs"][0]["steps_peak_rss_mib"]
    assert set(step_peaks) >= {"ingest", "demand", "checks"}
    assert all(0 < step_peaks[k] <= unmet["runs"][0]["peak_rss_mib"] for k in step_peaks)
    assert max(step_peaks.values()) == unmet["runs"][0]["peak_rss_mib"]
    assert base["runs"][0]["steps_peak_rss_mib"] == {"start": base["runs"][0]["peak_rss_mib"]}
    assert unmet["pipelines_s"] == round(
        unmet["steps_median_s"]["ingest"] + unmet["steps_median_s"]["demand"], 2
    )
    mart = pq.read_table(tmp_path / "baseline-out" / "mart_unmet_demand.parquet")
    assert mart.num_rows > 0


def test_bench_names_an_unknown_system_without_a_traceback(tmp_path):
    env = {**os.environ, "BENCH_DIR": str(tmp_path), "BENCH_ROWS": "1500", "BENCH_SYSTEMS": "umnet"}
    done = subprocess.run(
        [sys.executable, "-m", "tools.bench"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode != 0
    assert "BENCH_SYSTEMS: unknown umnet" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # refused before generating any input
