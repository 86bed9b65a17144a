"""Which consent withdrawals a run applied, read back from its folder (pipelines/withdrawals.py),
the one reader of the follow-up guard and of the incremental plan, on hand-made run folders."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines import consent_delta, withdrawals
from pipelines.reports import consent

EARLIER = datetime(2026, 11, 10, tzinfo=UTC)
LATER = datetime(2026, 11, 21, 8, 30, tzinfo=UTC)
TS = pa.timestamp("us", tz="UTC")


def _raw(ref: str, at: datetime) -> str:
    return json.dumps({"withdrawal_id": "CW-9", "customer_ref": ref, "withdrawn_at": str(at),
                       "channel": "web"})  # fmt: skip


def _line(ref: str, at: datetime) -> str:
    """A bad withdrawal row's `raw`: its CSV line as written (parse.reject_row)."""
    return f"CW-9,{ref},{at.isoformat()},fax"


def _run(
    tmp_path: Path, staged: list[tuple[str, datetime]], rejects: list[tuple[str, str]]
) -> Path:
    """A run folder with `staged` withdrawals and quarantined withdrawal rows (reason, raw)."""
    run = tmp_path / "run"
    (run / "stg_consent_withdrawals").mkdir(parents=True)
    pq.write_table(pa.table({"withdrawal_id": [f"CW-{i}" for i in range(len(staged))],
                             "customer_ref": pa.array([r for r, _ in staged], pa.string()),
                             "withdrawn_at": pa.array([a for _, a in staged], TS)}),
                   run / "stg_consent_withdrawals" / "part-00000.parquet")  # fmt: skip
    if rejects:
        folder = run / "rejects" / "source=consent_withdrawals"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"source_file": ["consent_withdrawals/b.csv"] * len(rejects),
                                 "reason": [reason for reason, _ in rejects],
                                 "raw": [raw for _, raw in rejects]}),
                       folder / "part-00000.parquet")  # fmt: skip
    return run


REPEAT = withdrawals.REPEAT + "'CW-1': first seen in consent_withdrawals/a.csv line 2"
BAD = "channel: 'fax' is not one of store, phone, email, web, app"


@pytest.mark.parametrize(
    ("staged", "rejects", "applied", "unapplied"),
    [
        ([("C-1", EARLIER)], [], {("C-1", EARLIER)}, 0),
        # a repeat is applied all the same, also when it names another customer
        ([("C-1", EARLIER)], [(REPEAT, _raw("C-2", LATER))], {("C-1", EARLIER), ("C-2", LATER)}, 0),
        # a bad row (its raw is the CSV line as written) counts, even when a later withdrawal of
        # the same customer was applied, staged or repeated: its columns cannot be read back
        ([("C-1", LATER)], [(BAD, _line("C-1", EARLIER))], {("C-1", LATER)}, 1),
        ([], [(REPEAT, _raw("C-1", LATER)), (BAD, _line("C-1", EARLIER))], {("C-1", LATER)}, 1),
        ([("C-1", EARLIER)], [(BAD, _line("C-1", LATER))], {("C-1", EARLIER)}, 1),
        ([("C-1", LATER)], [(BAD, "[withheld]"), (BAD, None)], {("C-1", LATER)}, 2),
    ],
)
def test_what_a_run_applied_and_the_rows_it_did_not(tmp_path, staged, rejects, applied, unapplied):
    run = _run(tmp_path, staged, rejects)
    assert withdrawals.read(run).withdrawals() == applied
    assert consent_delta.applied_before(run) == applied  # the incremental plan's reading
    assert consent.unapplied(run) == unapplied  # the follow-up guard's reading


def test_a_repeat_that_cannot_be_read_back_leaves_what_was_applied_unknown_but_not_unapplied(
    tmp_path,
):
    run = _run(tmp_path, [("C-1", EARLIER)], [(REPEAT, "[withheld]")])
    assert withdrawals.read(run).withdrawals() is None
    assert consent.unapplied(run) == 0  # it was applied: the ingest read the row


def test_a_run_without_withdrawals_applied_none(tmp_path):
    (tmp_path / "run").mkdir()
    read = withdrawals.read(tmp_path / "run")
    assert read.withdrawals() == set() and read.unapplied == 0


def test_the_follow_up_guard_imports_no_beam():
    """`unmet followups` prints no Beam warnings: neither the guard nor the shared reader imports
    Beam (consent_delta, which imports the parser, may)."""
    code = ("import sys, cli.followups, pipelines.reports.consent, pipelines.withdrawals; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'apache_beam'))")  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.stdout.strip() == "[]"
