"""`unmet run` logs every run's outcome in its JSON log (review 14c, D5: a failed run left nothing
about its failure there), and refuses the Beam runners that download at run time (minor a).
No whole job runs here: the failures are found before any pipeline starts, or raised by a
stand-in for the job."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines import job
from pipelines.options import RunnerRefused, pipeline_options, refused_runner


def log_lines(data_root: Path) -> list[dict]:
    (log,) = (data_root / "logs").glob("run-*.log")
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_a_failed_run_logs_its_exit_code_and_reason(tmp_path):
    data_root = tmp_path / "data"
    result = CliRunner().invoke(
        cli, ["run", "--data-root", str(data_root), "--inputs", str(tmp_path / "nowhere")]
    )
    assert result.exit_code == 1, result.output
    last = log_lines(data_root)[-1]
    assert last["level"] == "ERROR"
    assert last["message"] == f"run failed (exit 1): inputs folder not found: {tmp_path}/nowhere"


def test_an_unexpected_error_is_logged_without_contact_details_and_raised(tmp_path, monkeypatch):
    (tmp_path / "inputs").mkdir()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("bad row for jane.doe@example.com, call +44 20 7946 0958")

    monkeypatch.setattr(job, "run_job", broken)
    data_root = tmp_path / "data"
    args = ["run", "--data-root", str(data_root), "--inputs", str(tmp_path / "inputs")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and isinstance(result.exception, ValueError)
    message = log_lines(data_root)[-1]["message"]
    assert message.startswith("run failed (exit 1): unexpected error: ValueError: bad row for ")
    assert "jane.doe" not in message and "7946" not in message


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (["--runner=DirectRunner"], True),
        (["--runner", "direct"], True),
        (["--runner=PrismRunner"], True),
        (["--runner=apache_beam.runners.direct.direct_runner.SwitchingDirectRunner"], True),
        (["--runner=FnApiRunner"], False),
        (["--runner=apache_beam.runners.dask.dask_runner.DaskRunner"], False),
        (["--runner=PortableRunner", "--job_endpoint=embed"], False),
        ([], False),
    ],
)
def test_the_runners_that_download_are_refused(args, refused):
    assert (refused_runner(args) is not None) is refused
    if refused:
        with pytest.raises(RunnerRefused, match="use --runner=FnApiRunner"):
            pipeline_options(args)


@pytest.mark.parametrize("command", ["run", "pipeline ingest", "pipeline demand"])
def test_a_command_refuses_direct_runner_before_anything_runs(tmp_path, command):
    where = {
        "run": ["--data-root", str(tmp_path / "data")],
        "pipeline ingest": ["--inputs", str(tmp_path / "in"), "--out", str(tmp_path / "out")],
        "pipeline demand": ["--staging", str(tmp_path / "in"), "--out", str(tmp_path / "out")],
    }[command]
    result = CliRunner().invoke(cli, [*command.split(), *where, "--runner=DirectRunner"])
    assert result.exit_code == 2, result.output
    assert "--runner=DirectRunner is refused" in result.output
    assert "use --runner=FnApiRunner" in result.output
    assert not list(tmp_path.iterdir())  # nothing written: no log, no run


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("TestPrismRunner", False),  # not a runner of this Beam version
        ("FnApiRuner", False),
        ("nosuch.module.SomeRunner", False),
        ("apache_beam.runners.runner.PipelineState", False),  # a class, not a runner
        ("FnApiRunner", True),
        ("fnapi", True),  # Beam's own lookup: any case, "Runner" optional
        ("BundleBasedDirectRunner", True),  # Beam's Python direct runner: downloads nothing
        ("apache_beam.runners.portability.fn_api_runner.FnApiRunner", True),
    ],
)
def test_a_runner_beam_does_not_know_is_refused(name, known):
    assert (refused_runner([f"--runner={name}"]) is None) is known
    if not known:
        with pytest.raises(RunnerRefused, match="use FnApiRunner"):
            pipeline_options([f"--runner={name}"])


@pytest.mark.parametrize("command", ["run", "pipeline ingest", "pipeline demand"])
def test_a_mistyped_runner_is_a_usage_error_before_anything_runs(tmp_path, command):
    (tmp_path / "in").mkdir()
    where = {
        "run": ["--data-root", str(tmp_path / "data"), "--inputs", str(tmp_path / "in")],
        "pipeline ingest": ["--inputs", str(tmp_path / "in"), "--out", str(tmp_path / "out")],
        "pipeline demand": ["--staging", str(tmp_path / "in"), "--out", str(tmp_path / "out")],
    }[command]
    result = CliRunner().invoke(cli, [*command.split(), *where, "--runner", "TestPrismRunner"])
    assert result.exit_code == 2, result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert error.startswith("Error: --runner=TestPrismRunner is not a Beam runner: use FnApiRunner")
    assert "Traceback" not in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["in"]  # nothing written: no log, no run
