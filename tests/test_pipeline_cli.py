"""Each pipeline runs on its own through `unmet pipeline`, as it would on a cluster."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines.summary import parquet_rows


@pytest.mark.slow
def test_ingest_then_demand_on_their_own(tiny_inputs, tmp_path):
    out = str(tmp_path / "run")
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["pipeline", "ingest", "--inputs", str(tiny_inputs), "--out", out, "--as-of", "2026-11-25"],
    )
    assert result.exit_code == 0, result.output
    assert (
        "frontline_notes         1         5         3           2         5  ok" in result.output
    )
    result = runner.invoke(
        cli, ["pipeline", "demand", "--staging", out, "--out", out, "--unit-rows", "2"]
    )
    assert result.exit_code == 0, result.output
    assert parquet_rows(f"{out}/demand_events") == 4
    assert len(list((tmp_path / "run" / "demand_events").rglob("part-00001.parquet"))) >= 1
    assert parquet_rows(f"{out}/mart_unmet_demand") > 0


def test_ingest_without_inputs_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(
        cli, ["pipeline", "ingest", "--inputs", str(tmp_path), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "Error: no catalog file" in result.output


def test_demand_unit_rows_default_is_the_pipelines():
    from pipelines.demand.run import UNIT_ROWS

    option = next(o for o in cli.commands["pipeline"].commands["demand"].params
                  if o.name == "unit_rows")  # fmt: skip
    assert option.default == UNIT_ROWS


def test_a_run_in_process_stops_writing_its_log_when_it_ends(tmp_path):
    """`unmet run` called in-process (a library caller, the tests) detaches its log file when the
    command ends, even when it fails: the next run's records must not reach this run's log."""
    import logging

    root = logging.getLogger()
    handlers = list(root.handlers)
    result = CliRunner().invoke(
        cli, ["run", "--data-root", str(tmp_path / "data"), "--inputs", str(tmp_path / "none")]
    )
    assert result.exit_code == 1 and "inputs folder not found" in result.output
    (log,) = (tmp_path / "data" / "logs").glob("run-*.log")
    assert root.handlers == handlers
    written = log.read_bytes()
    logging.getLogger("unmet.run").warning("a later record of this process")
    assert log.read_bytes() == written
