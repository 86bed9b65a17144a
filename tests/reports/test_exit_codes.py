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
