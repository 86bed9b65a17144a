"""What the published run applied of the consent withdrawals, and the check after an incremental
ingest that no staged note keeps a ref a withdrawal covers (pipelines/consent_delta.py), on
hand-made run folders (no job runs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines import consent_delta

NOTE_AT = datetime(2026, 11, 17, 13, 3, tzinfo=UTC)


def _run(tmp_path: Path, kept: str | None, staged_at: datetime, repeat_raw: str | None) -> Path:
    """A run folder: one staged note of C-1 (ref `kept`), one staged withdrawal of C-1 at
    `staged_at`, and, if given, a withdrawal quarantined as a repeated id with `repeat_raw`."""
    run = tmp_path / "run"
    notes = run / "stg_frontline_notes" / "event_date=2026-11-17"
    notes.mkdir(parents=True)
    ts = pa.timestamp("us", tz="UTC")
    pq.write_table(pa.table({"note_id": ["N-1"], "customer_ref": pa.array([kept], pa.string()),
                             "captured_at": pa.array([NOTE_AT], ts),
                             "source_file": ["frontline_notes/a.jsonl"]}),
                   notes / "part-00000.parquet")  # fmt: skip
    (run / "stg_consent_withdrawals").mkdir()
    pq.write_table(pa.table({"withdrawal_id": ["CW-1"], "customer_ref": ["C-1"],
                             "withdrawn_at": pa.array([staged_at], ts)}),
                   run / "stg_consent_withdrawals" / "part-00000.parquet")  # fmt: skip
    if repeat_raw is not None:
        rejects = run / "rejects" / "source=consent_withdrawals"
        rejects.mkdir(parents=True)
        pq.write_table(pa.table({"source_file": ["consent_withdrawals/b.csv"],
                                 "reason": ["duplicate withdrawal_id 'CW-1': first seen in x"],
                                 "raw": [repeat_raw]}),
                       rejects / "part-00000.parquet")  # fmt: skip
    return run


EARLIER = datetime(2026, 11, 10, tzinfo=UTC)
LATER = datetime(2026, 11, 21, 8, 30, tzinfo=UTC)
REPEAT = json.dumps({"withdrawal_id": "CW-1", "customer_ref": "C-1",
                     "withdrawn_at": str(LATER), "channel": "web"})  # fmt: skip


def test_applied_withdrawals_are_the_staged_rows_and_the_quarantined_repeats(tmp_path):
    run = _run(tmp_path, "C-1", EARLIER, REPEAT)
    assert consent_delta.applied_before(run) == {("C-1", EARLIER), ("C-1", LATER)}
    assert consent_delta.latest(consent_delta.applied_before(run) or set()) == {"C-1": LATER}


def test_a_repeat_that_cannot_be_read_back_leaves_what_was_applied_unknown(tmp_path):
    assert consent_delta.applied_before(_run(tmp_path, "C-1", EARLIER, "[withheld]")) is None


@pytest.mark.parametrize(
    ("kept", "staged_at", "repeat", "missed"),
    [
        ("C-1", EARLIER, None, False),  # the note is after the withdrawal: consent given again
        (None, LATER, None, False),  # withheld, as it must be
        ("C-1", LATER, None, True),  # kept although the withdrawal covers it
        ("C-1", NOTE_AT, None, True),  # the same instant counts as withdrawn
        ("C-1", EARLIER, REPEAT, True),  # a repeat (applied all the same) covers it
    ],
)
def test_the_check_after_an_incremental_ingest_finds_a_ref_a_withdrawal_covers(
    tmp_path, kept, staged_at, repeat, missed
):
    run = _run(tmp_path, kept, staged_at, repeat)
    if not missed:
        consent_delta.check(run)
        return
    with pytest.raises(consent_delta.Missed, match="1 staged note") as err:
        consent_delta.check(run)
    assert "C-1" not in str(err.value)  # no ref is named


def test_the_files_parsed_again_are_not_carried_over():
    """`incremental.under` (the carry selection of a local and an object-store run) leaves out
    what the ingest rewrites for the files parsed again: their staging parts and key files, and
    their source's rejects (written again whole); every other file is carried."""
    from pipelines import incremental

    base = [
        "stg_frontline_notes/event_date=2026-10-05/part-00000.parquet",
        "stg_frontline_notes/event_date=2026-10-05/part-00001.parquet",
        "stg_frontline_notes/event_date=2026-10-12/part-00001.parquet",
        "stg_frontline_notes/event_date=2026-10-12/part-00011.parquet",
        "stg_consent_withdrawals/part-00000.parquet",
        "stg_oos_lookups/event_date=2026-10-05/part-00001.parquet",
        "incremental/keys/frontline_notes/bucket=02/part-00001.parquet",
        "incremental/keys/frontline_notes/bucket=02/part-00000.parquet",
        "incremental/keys/oos_lookups/bucket=02/part-00001.parquet",
        "rejects/source=frontline_notes/part-00000.parquet",
        "rejects/source=consent_withdrawals/part-00000.parquet",
        "rejects/source=oos_lookups/part-00000.parquet",
    ]
    again = {"frontline_notes": [1], "consent_withdrawals": [0]}
    assert incremental.under(base, incremental.INGEST_FOLDERS, again) == sorted([
        "stg_frontline_notes/event_date=2026-10-05/part-00000.parquet",
        "stg_frontline_notes/event_date=2026-10-12/part-00011.parquet",
        "stg_oos_lookups/event_date=2026-10-05/part-00001.parquet",
        "incremental/keys/frontline_notes/bucket=02/part-00000.parquet",
        "incremental/keys/oos_lookups/bucket=02/part-00001.parquet",
        "rejects/source=oos_lookups/part-00000.parquet",
    ])  # fmt: skip
    assert incremental.under(base, incremental.INGEST_FOLDERS) == sorted(base)
