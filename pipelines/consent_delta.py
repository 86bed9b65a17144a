"""What new consent withdrawals change in a published run, so that an incremental run rebuilds only
that (pipelines/incremental.py; docs/privacy.md "Withdrawn consent").

A withdrawal changes a note only through its customer_ref: the ingest keeps the ref when the note
says consent and no withdrawal of that customer is at or after the note's time
(validate.consent_withdrawn; in the quarantine's `raw`, parse.reject_row). So when every
withdrawal the published run applied is still in the inputs (the set only grew), a note changes
exactly when its customer's latest withdrawal is new or later and covers the note:

- a staged note of the published run that kept its ref (`stg_frontline_notes`: customer_ref,
  captured_at, source_file) and is captured at or before that customer's new latest withdrawal;
- a quarantined note (`rejects`, source frontline_notes) whose `raw` shows that customer's ref
  (read as JSON; a raw that is no JSON object, e.g. cut at 2,000 characters, is searched for the
  ref as text, which may pick a file too many, never one too few).

The input files that hold them are parsed again whole (their staged parts replaced under the same
file numbers and ranks), and the consent_withdrawals files are always read again whole (they are
small). A withdrawal the published run applied that is gone from the inputs (a file or a row
removed, or changed) may give consent back to notes carried over: that is a full refresh.

Which withdrawals the published run applied: the rows it staged, plus the rows it quarantined as
repeated withdrawal ids (the ingest applies every accepted row, repeats included), read back by
pipelines/withdrawals.py, which the follow-up guard reads too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds

from pipelines import withdrawals
from pipelines.ingest.parse import FileParse, relative_name
from pipelines.ingest.sources import BY_NAME
from pipelines.ingest.validate import Reference
from schemas.arrow import arrow_schema

SOURCE = withdrawals.SOURCE
NOTES = "frontline_notes"
Withdrawal = withdrawals.Withdrawal
latest = withdrawals.latest


@dataclass(frozen=True)
class Delta:
    """What the inputs' withdrawals change: `again`, per source, the numbers of the files to parse
    again; `new`, withdrawals not applied before; `notes`, the notes whose ref is now withheld.
    `refused`: why only a full refresh is safe (then nothing else holds)."""

    again: dict[str, list[int]] = field(default_factory=dict)
    new: int = 0
    notes: int = 0
    refused: str | None = None

    def describe(self) -> str:
        files = len(self.again.get(NOTES, []))
        return (f"{files} file(s) parsed again for {self.new} new consent withdrawal(s) "
                f"({self.notes} note(s) now withheld; the consent_withdrawals files are read "
                "again whole)")  # fmt: skip


def applied_before(base: Path) -> set[Withdrawal] | None:
    """Every withdrawal the published run `base` applied; None when a repeat it quarantined
    cannot be read back (then what it applied is not known)."""
    return withdrawals.read(base).withdrawals()


def applied_now(paths: Iterable[str], inputs_root: str, as_of: datetime) -> set[Withdrawal]:
    """Every withdrawal the ingest will apply from the files at `paths` (its accepted rows, as
    transforms.ReferenceIdsFn reads them for the facts' side input)."""
    spec = BY_NAME[SOURCE]
    schema = arrow_schema(spec.staging_model, described=False)
    found: set[Withdrawal] = set()
    for path in paths:
        parse = FileParse(spec, schema, path, relative_name(path, inputs_root),
                          Reference(as_of=as_of))  # fmt: skip
        for parsed in parse.batches():
            rows = parsed.rows.select(["customer_ref", "withdrawn_at"])
            found |= set(zip(rows.column("customer_ref").to_pylist(),
                             rows.column("withdrawn_at").to_pylist(), strict=True))  # fmt: skip
    return found


def _staged_notes(base: Path, changed: dict[str, datetime]) -> tuple[set[str], int]:
    """The files (source_file) of the staged notes of `base` whose kept ref a changed withdrawal
    now covers, and how many such notes there are."""
    staged = base / f"stg_{NOTES}"
    if not staged.is_dir() or not changed:
        return set(), 0
    refs = list(changed)
    table = ds.dataset(staged, format="parquet").to_table(
        columns=["customer_ref", "captured_at", "source_file"],
        filter=pc.field("customer_ref").isin(refs),
    )
    files: set[str] = set()
    notes = 0
    for ref, at, name in zip(table.column("customer_ref").to_pylist(),
                             table.column("captured_at").to_pylist(),
                             table.column("source_file").to_pylist(), strict=True):  # fmt: skip
        if at is not None and at <= changed[ref]:
            files.add(name)
            notes += 1
    return files, notes


def _quarantined_notes(base: Path, changed: dict[str, datetime]) -> set[str]:
    """The files (source_file) of the quarantined notes of `base` whose raw shows a changed ref."""
    rejects = base / "rejects" / f"source={NOTES}"
    if not rejects.is_dir() or not changed:
        return set()
    table = ds.dataset(rejects, format="parquet").to_table(columns=["source_file", "raw"])
    files: set[str] = set()
    for name, raw in zip(table.column("source_file").to_pylist(),
                         table.column("raw").to_pylist(), strict=True):  # fmt: skip
        if name in files or not raw:
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if isinstance(record, dict):
            ref = record.get("customer_ref")
            hit = isinstance(ref, str) and ref.strip() in changed
        else:  # not readable as one object: the ref as text anywhere in it
            hit = any(ref in raw for ref in changed)
        if hit:
            files.add(name)
    return files


def delta(base: Path, state: list[dict], paths: list[str], inputs_root: str,
          as_of: datetime) -> Delta:  # fmt: skip
    """What the withdrawals files at `paths` change in the published run `base` (`state`: its
    incremental inputs rows, which number its files)."""
    before = applied_before(base)
    if before is None:
        return Delta(refused="a consent withdrawal the published run quarantined as a repeat "
                             "cannot be read back: which withdrawals it applied is not "
                             "known")  # fmt: skip
    now = applied_now(paths, inputs_root, as_of)
    gone = before - now
    if gone:
        return Delta(refused=f"{len(gone)} consent withdrawal(s) the published run applied are no "
                             "longer in the inputs (a row removed or changed): that may give "
                             "consent back, which only a full refresh shows")  # fmt: skip
    old, new = latest(before), latest(now)
    changed = {ref: at for ref, at in new.items() if old.get(ref) != at}
    staged, notes = _staged_notes(base, changed)
    names = staged | _quarantined_notes(base, changed)
    numbers = {r["source_file"]: r["number"] for r in state if r["source"] == NOTES}
    unknown = sorted(names - set(numbers))
    if unknown:
        return Delta(refused=f"{unknown[0]} holds notes a new consent withdrawal covers but is "
                             "not in the published run's inputs state")  # fmt: skip
    withdrawals = sorted(r["number"] for r in state if r["source"] == SOURCE)
    again = {NOTES: sorted(numbers[n] for n in names), SOURCE: withdrawals}
    return Delta({k: v for k, v in again.items() if v}, len(now - before), notes)


def withdrawals_read(files: dict[str, list[str]], carried: dict[str, int],
                     again: dict[str, list[int]]) -> bool:  # fmt: skip
    """Whether an incremental run (`carried`, `again`: its plan) parses any consent withdrawals
    file: a new one (the first ever included, which no `again` names) or one read again."""
    return len(files.get(SOURCE, [])) > carried.get(SOURCE, 0) or bool(again.get(SOURCE))


class Missed(Exception):
    """A staged note keeps a customer_ref that a withdrawal of the same run covers."""


def check(run_dir: Path) -> None:
    """After an incremental ingest that read new withdrawals: no staged note of the run (carried
    or parsed again) may keep a ref that a withdrawal it applies covers; raises Missed (no ref
    named) if one does. A cheap second look (the notes of the withdrawn customers only) before
    the gate, which validates only the files the run wrote."""
    applied = applied_before(run_dir)
    if applied is None:
        raise Missed("a consent withdrawal quarantined as a repeat cannot be read back")
    files, notes = _staged_notes(run_dir, latest(applied))
    if notes:
        raise Missed(f"{notes} staged note(s) in {len(files)} file(s) keep a customer_ref that a "
                     "consent withdrawal covers: the incremental plan missed them")  # fmt: skip
