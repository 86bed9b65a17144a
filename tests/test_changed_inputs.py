"""An input file that changes while `unmet run` reads it (a feed re-delivering it in place: `cp`
truncates, then writes; or removes it and writes it again) stops the run before anything is
published (exit 5, one line naming the file), its state unchanged, so that the next run plans from
the file as it is then and reads it: its records are never lost, a consent withdrawal in it never
skipped (review 14c, D1 and D2).

No timing: the file is changed in-process at the run's `plan` boundary (inputs fingerprinted,
plan made, nothing read by the ingest yet; pipelines/job.py), by replacing `job.boundary` as
tests/checks/test_gate_marts.py does.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from click.testing import CliRunner

from cli.common import EXIT_INPUT_CHANGED
from cli.main import cli
from pipelines import job
from pipelines.ingest.inputs import EMPTY_SHA256
from tests.conftest import AS_OF, TINY

pytestmark = pytest.mark.slow  # whole runs (stopped after the ingest) on the tiny inputs

#: A new week's note: a plain run on top of the tiny run is incremental and parses only it.
NEW_NOTE = {
    "note_id": "N-90", "store_id": "S001", "channel": "store", "associate_id": "A1",
    "captured_at": "2026-11-19T15:00:00+01:00", "text": "wanted the wool coat in navy, size L",
    "sku": None, "customer_ref": "C-3", "customer_consent": True,
}  # fmt: skip
NEW_NOTES = "frontline_notes/notes-2026-W47b.jsonl"
#: C-1 consents in the tiny notes (N-1, 2026-11-17) and withdraws after it.
WITHDRAWAL = (
    "withdrawal_id,customer_ref,withdrawn_at,channel\nCW-1,C-1,2026-11-20T10:00:00+01:00,web\n"
)
WITHDRAWALS = "consent_withdrawals/withdrawals.csv"


@pytest.fixture
def copied(tiny_job, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the session's published tiny run and its inputs, to run again."""
    shutil.copytree(tiny_job.inputs, tmp_path / "inputs")
    shutil.copytree(tiny_job.data_root, tmp_path / "data", symlinks=True)
    return tmp_path / "data", tmp_path / "inputs"


def run(data_root: Path, inputs: Path, *extra: str):  # type: ignore[no-untyped-def]
    args = ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of"]
    return CliRunner().invoke(cli, [*args, AS_OF.isoformat(), "--no-report", *extra])


def at_plan(monkeypatch, change: Callable[[], None]) -> None:  # type: ignore[no-untyped-def]
    """Apply `change` when the run passes its `plan` boundary, once."""
    done: list[bool] = []

    def hook(name: str, boundary=job.boundary) -> None:
        if name == "plan" and not done:
            done.append(True)
            change()
        boundary(name)

    monkeypatch.setattr(job, "boundary", hook)


def truncate(path: Path) -> Callable[[], None]:
    return lambda: path.write_bytes(b"")


def remove(path: Path) -> Callable[[], None]:
    return lambda: path.unlink()


def state(data_root: Path) -> tuple[str, list[str]]:
    """What readers and the next run see: the published run and the finished runs kept."""
    runs = sorted(p.name for p in (data_root / "runs").iterdir() if not p.name.endswith(".partial"))
    return os.readlink(data_root / "published"), runs


def staged(data_root: Path, table: str, column: str) -> list:
    folder = (data_root / "published" / table).resolve()
    table = ds.dataset(folder, format="parquet", partitioning=None).to_table(columns=[column])
    return sorted(table.column(column).to_pylist(), key=str)


def last_log(data_root: Path) -> list[dict]:
    newest = max((data_root / "logs").glob("run-*.log"), key=lambda p: p.stat().st_mtime_ns)
    return [json.loads(line) for line in newest.read_text().splitlines()]


def assert_stopped(result, name: str, data_root: Path, before) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == EXIT_INPUT_CHANGED, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith(f"Error: {name} changed while the run read it: "), lines[-1]
    assert "nothing was published; run again" in lines[-1]
    assert "Traceback" not in result.output
    assert state(data_root) == before  # nothing published, no finished run added


@pytest.mark.parametrize(
    ("name", "change", "extra"),
    [
        (NEW_NOTES, truncate, ()),  # a new file, incremental run: truncated by `cp`
        (NEW_NOTES, remove, ()),  # removed, to be written again
        ("oos_lookups/lookups-2026-W47.csv", truncate, ("--full-refresh",)),
        ("lost_sales/lost_sales-2026-W47.csv", remove, ("--full-refresh",)),
        ("catalog/catalog.csv", truncate, ("--full-refresh",)),
        ("stores/stores.csv", truncate, ("--full-refresh",)),
        (WITHDRAWALS, truncate, ()),  # new withdrawals: incremental, notes parsed again
    ],
)
def test_a_file_changed_while_the_run_reads_it_stops_the_run(copied, monkeypatch, name, change,
                                                             extra):  # fmt: skip
    data_root, inputs = copied
    (inputs / NEW_NOTES).write_text(json.dumps(NEW_NOTE) + "\n")
    if name == WITHDRAWALS:  # the new note published first; then a withdrawal arrives
        assert run(data_root, inputs).exit_code == 0
        (inputs / "consent_withdrawals").mkdir()
        (inputs / WITHDRAWALS).write_text(WITHDRAWAL)
    before = state(data_root)
    at_plan(monkeypatch, change(inputs / name))

    result = run(data_root, inputs, *extra)

    assert_stopped(result, name, data_root, before)
    outcome = last_log(data_root)[-1]  # the run's JSON log ends with its outcome
    assert outcome["level"] == "ERROR"
    assert outcome["message"].startswith(f"run failed (exit 5): {name} changed while the run")


def test_the_next_run_reads_a_notes_file_that_changed_while_it_was_read(copied, monkeypatch):
    """review 14c r4: the re-delivered file's records were lost for good ("nothing to ingest")."""
    data_root, inputs = copied
    new = inputs / NEW_NOTES
    new.write_text(json.dumps(NEW_NOTE) + "\n")
    before = state(data_root)
    at_plan(monkeypatch, truncate(new))
    assert_stopped(run(data_root, inputs), NEW_NOTES, data_root, before)

    new.write_text(json.dumps(NEW_NOTE) + "\n")  # the feed writes the same bytes again
    monkeypatch.undo()
    result = run(data_root, inputs)

    assert result.exit_code == 0, result.output
    assert "incremental: " in result.output
    assert "N-90" in staged(data_root, "stg_frontline_notes", "note_id")
    assert last_log(data_root)[-1]["message"].startswith("run ended (exit 0): published run ")


def test_withdrawals_changed_while_read_are_applied_by_the_next_run(copied, monkeypatch):
    """review 14c r5: a withdrawals file read truncated left the customer's ref published and
    `unmet followups` listing them. Now the run stops, and the next one applies it."""
    data_root, inputs = copied
    assert "C-1" in staged(data_root, "stg_frontline_notes", "customer_ref")
    (inputs / "consent_withdrawals").mkdir()
    withdrawals = inputs / WITHDRAWALS
    withdrawals.write_text(WITHDRAWAL)
    before = state(data_root)
    at_plan(monkeypatch, truncate(withdrawals))
    assert_stopped(run(data_root, inputs), WITHDRAWALS, data_root, before)
    assert "C-1" in staged(data_root, "stg_frontline_notes", "customer_ref")  # as before

    withdrawals.write_text(WITHDRAWAL)
    monkeypatch.undo()
    result = run(data_root, inputs)

    assert result.exit_code == 0, result.output
    assert "C-1" not in staged(data_root, "stg_frontline_notes", "customer_ref")
    assert staged(data_root, "stg_consent_withdrawals", "withdrawal_id") == ["CW-1"]


def test_a_note_the_plan_missed_for_a_withdrawal_stops_the_run_in_one_line(copied, monkeypatch):
    """review 14c r3: consent_delta.Missed (the check after an incremental ingest that read new
    withdrawals) escaped as a 35-line traceback. A plan that misses the note file a withdrawal
    covers is simulated by leaving the notes out of the delta's files to parse again."""
    from pipelines import consent_delta

    data_root, inputs = copied
    (inputs / "consent_withdrawals").mkdir()
    (inputs / WITHDRAWALS).write_text(WITHDRAWAL)
    before = state(data_root)

    def missing_the_notes(*args, delta=consent_delta.delta):  # type: ignore[no-untyped-def]
        found = delta(*args)
        again = {k: v for k, v in found.again.items() if k != consent_delta.NOTES}
        return consent_delta.Delta(again, found.new, found.notes, found.refused)

    monkeypatch.setattr(consent_delta, "delta", missing_the_notes)
    result = run(data_root, inputs)

    assert result.exit_code == 4, result.output
    assert "Traceback" not in result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("Error: consent check failed: 1 staged note(s) in 1 file(s) keep a ")
    assert line.endswith("nothing was published; run again with --full-refresh, which applies "
                         "every consent withdrawal to every note")  # fmt: skip
    assert "C-1" not in result.output and state(data_root) == before
    assert last_log(data_root)[-1]["message"].startswith("run failed (exit 4): consent check")

    monkeypatch.undo()
    assert run(data_root, inputs, "--full-refresh").exit_code == 0  # the advice works
    assert "C-1" not in staged(data_root, "stg_frontline_notes", "customer_ref")


def test_the_reference_files_second_read_is_compared_too(tmp_path):
    """The facts are checked against ids the side input read from the reference files in a
    second read (transforms.ReferenceIdsFn): what it read is recorded (READS_FILE) with the true
    sha256 of each file, and a digest other than the planned one stops the run like the first
    read's. The second read is simulated empty by rewriting the record before the check."""
    from pipelines.ingest import inputs as listing
    from pipelines.ingest import reads
    from pipelines.ingest import run as ingest_run
    from pipelines.ingest.transforms import READS_FILE

    source, out = tmp_path / "inputs", tmp_path / "out"
    shutil.copytree(TINY, source)
    files = ingest_run.run(str(source), str(out), AS_OF)
    prints = listing.fingerprint(files, str(source))
    record = json.loads((out / READS_FILE).read_text())
    assert record == {name: prints[name] for name in ("catalog/catalog.csv", "stores/stores.csv")}
    reads.check(str(out), files, str(source), prints)  # as planned
    assert not (out / READS_FILE).parent.exists()  # removed: not part of the run

    (out / READS_FILE).parent.mkdir()
    (out / READS_FILE).write_text(json.dumps({**record, "catalog/catalog.csv": EMPTY_SHA256}))
    with pytest.raises(reads.ChangedWhileRead) as err:
        reads.check(str(out), files, str(source), prints)
    assert str(err.value).startswith(
        "catalog/catalog.csv changed while the run read it: the ingest read an empty file for the "
        "facts' reference check, not the bytes the run was planned from"
    )
