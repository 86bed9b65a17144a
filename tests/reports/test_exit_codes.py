"""The README's exit-code table is true: every example command in it exits with its row's code.

Lives beside the report tests to reuse their synthetic data root (a database with ten weeks ending
2026-W47); commands find it through UNMET_DATA_ROOT, as an operator's cron job would.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import common
from cli.main import cli

README = (Path(__file__).parents[2] / "README.md").read_text()
SECTION = README.split("### Exit codes", 1)[1].split("\n### ", 1)[0]


def table() -> dict[int, list[str]]:
    """code -> the example commands of its row."""
    rows = re.findall(r"^\| (\d+) \| (.*?) \|(.*?)\|$", SECTION, re.M)
    return {int(code): re.findall(r"`(unmet [^`]+)`", examples) for code, _, examples in rows}


EXAMPLES = [(cmd, code) for code, cmds in table().items() for cmd in cmds]


def test_the_table_documents_every_exit_code_the_code_uses():
    used = {v for k, v in vars(common).items() if k.startswith("EXIT_")}
    assert set(table()) == used
    assert len(table()[1]) >= 5 and len(table()[2]) >= 5  # the failures the issue listed


@pytest.mark.parametrize(("command", "code"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_documented_example_exits_with_its_code(
    command: str, code: int, synthetic_root: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("UNMET_DATA_ROOT", str(synthetic_root))
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code == 1:
        assert result.output.startswith("Error: ") and len(result.output) > 20


def test_a_week_without_data_names_the_weeks_that_have_data(
    synthetic_root: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("UNMET_DATA_ROOT", str(synthetic_root))
    result = CliRunner().invoke(cli, ["report", "--week", "2020-W10"])
    assert result.exit_code == 1
    assert "no demand events in week 2020-W10; weeks with data: " in result.output
    assert "2026-W38" in result.output and "2026-W47" in result.output


@pytest.mark.slow  # two whole runs on the tiny inputs
def test_run_with_a_week_without_data_publishes_the_data_and_refuses_the_report(
    tiny_inputs: Path, data_root: Path
):
    """`unmet run --week W` refuses a week with no data as `unmet report --week W` does (exit 1,
    the weeks that have data listed), after publishing the run: the data does not depend on the
    week, and the next cron run would only redo the same work."""
    args = ["run", "--data-root", str(data_root), "--inputs", str(tiny_inputs),
            "--as-of", "2026-11-25T00:00:00+00:00", "--week", "2020-W10"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "Error: no demand events in week 2020-W10; weeks with data: 2026-W47" in result.output
    assert "the run's data was published" in result.output
    published = (data_root / "published").resolve()
    assert (published / "unmet.duckdb").is_file()
    assert not (data_root / "reports" / "2020-W10").exists()
    # the same week again, now that the inputs are up to date: the same refusal, nothing rendered
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 1, again.output
    assert "up to date" in again.output and f"the published run ({published.name}) is kept" in (
        again.output
    )
    assert "Error: no demand events in week 2020-W10; weeks with data: 2026-W47" in again.output
    assert (data_root / "published").resolve() == published
    assert not (data_root / "reports" / "2020-W10").exists()
    # a week with data is reported by the same command
    good = CliRunner().invoke(cli, [*args[:-1], "2026-W47"])
    assert good.exit_code == 0, good.output
    assert (data_root / "reports" / "2026-W47" / "report.html").is_file()


def test_run_inputs_that_name_a_file_is_a_bad_option_value(tmp_path: Path):
    """Exit 2 (a value of the wrong form, found before anything runs), as for --data-root; the
    option also takes s3:// URLs, so click.Path cannot say it."""
    a_file = tmp_path / "catalog.csv"
    a_file.write_text("sku\n")
    result = CliRunner().invoke(
        cli, ["run", "--data-root", str(tmp_path / "data"), "--inputs", str(a_file)]
    )
    assert result.exit_code == 2, result.output
    assert "is a file, not a folder" in result.output


@pytest.mark.parametrize("command", [["report"], ["query", "select 1"], ["followups"]])
def test_an_object_store_data_root_points_readers_at_the_local_root(command: list[str]):
    """UNMET_DATA_ROOT=s3://... is what `unmet run` takes; the readers' files are under the run's
    --local-root, and the error says so (not a local folder named "s3:")."""
    result = CliRunner().invoke(cli, [*command, "--data-root", "s3://bucket/unmet"])
    assert result.exit_code == 2, result.output
    assert "object-store data root" in result.output and "--local-root" in result.output
