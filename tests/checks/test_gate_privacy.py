"""The gate never repeats personal data: a rule on a personal column shows no values, other values
are scrubbed, and a run stopped by such a rule keeps only its validation.json (docs/privacy.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines import summary
from pipelines.checks import run as checks_run
from pipelines.checks import suites
from tests.checks.test_gate import AS_OF, EXIT_CHECKS, TINY

pytestmark = pytest.mark.slow

EMAIL = "jane.d@example.com"


@pytest.fixture(scope="module")
def good_run_dir(tiny_job) -> Path:
    """The published run of the job on tests/data/tiny (the session's, tests/conftest.py): tests
    change only copies of it."""
    return (tiny_job.data_root / "published").resolve()


def _plant(run_dir: Path) -> None:
    """What a redactor bug would leave: an e-mail in a note's text and an id that is none."""
    for path in sorted((run_dir / "stg_frontline_notes").rglob("*.parquet")):
        table = pq.read_table(path, partitioning=None)
        texts = [f"mail {EMAIL} about the coat" for _ in range(table.num_rows)]
        ids = [EMAIL for _ in range(table.num_rows)]
        table = table.set_column(
            table.schema.get_field_index("text"), "text", [texts]
        ).set_column(  # fmt: skip
            table.schema.get_field_index("associate_id"), "associate_id", [ids]
        )
        pq.write_table(table, path)


def test_failed_rules_on_personal_columns_withhold_their_values(good_run_dir, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(good_run_dir, run_dir)
    _plant(run_dir)
    with pytest.raises(checks_run.ChecksFailed) as failed:
        checks_run.gate(run_dir, summary.count(str(run_dir)), AS_OF)

    assert failed.value.personal
    message = str(failed.value)
    assert "no e-mail address is left in note text" in message
    assert "associate_id is an identifier" in message
    assert checks_run.WITHHELD in message
    saved = (run_dir / checks_run.VALIDATION_FILE).read_text()
    assert EMAIL not in message and EMAIL not in saved and "example.com" not in saved
    notes = next(
        s for s in json.loads(saved)["suites"] if s["dataset"] == "stg_frontline_notes"
    )  # fmt: skip
    left = next(e for e in notes["expectations"] if e["why"].startswith("no e-mail address"))
    assert left["success"] is False and left["unexpected_count"] == 3
    assert left["unexpected_values"] == [] and left["note"] == checks_run.WITHHELD


def test_values_shown_by_other_rules_are_scrubbed():
    assert checks_run.shown(["S001", "call 0612345678", 4111111111111111]) == [
        "S001",
        "call [phone]",
        "[card]",
    ]
    assert not suites.Rule("ExpectColumnValuesToNotBeNull", {"column": "store_id"}, "x").personal
    assert suites.Rule("ExpectColumnValuesToNotBeNull", {"column": "text"}, "x").personal


def test_a_run_stopped_by_a_personal_data_rule_keeps_only_its_validation(tmp_path, monkeypatch):
    """A redactor that misses everything (patched out): the gate catches the e-mail, the run
    stops with exit 4, and neither the console, the log, validation.json nor the stopped run's
    folder holds the address."""
    monkeypatch.setattr("pipelines.ingest.validate.redact", lambda text: (text, 0))
    inputs = tmp_path / "inputs"
    shutil.copytree(TINY, inputs)
    notes = inputs / "frontline_notes" / "notes-2026-W47.jsonl"
    notes.write_text(notes.read_text().replace("call her on 06 12 34 56 78", f"mail {EMAIL}"))
    data_root = tmp_path / "data"
    result = CliRunner().invoke(
        cli,
        ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of",
         AS_OF.isoformat()],
    )  # fmt: skip

    assert result.exit_code == EXIT_CHECKS, result.output
    assert "the stopped run's datasets were removed" in result.output
    assert EMAIL not in result.output
    (partial,) = (data_root / "runs").glob("*.partial")
    assert [p.name for p in partial.iterdir()] == [checks_run.VALIDATION_FILE]
    for path in data_root.rglob("*"):
        if path.is_file():
            assert EMAIL.encode() not in path.read_bytes(), path
