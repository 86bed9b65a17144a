"""The ledger of follow-ups already produced: DATA_ROOT/state/followups_sent.csv.

`unmet followups` leaves out the asks this ledger already holds (unless --include-sent) and records
the asks it lists (unless --no-record), so a customer is not called twice about the same ask when
the next catalog serves it too. An ask is a follow-up row's customer, category and the day they
last asked (`last_asked_on`): a row whose customer, category and day the ledger holds is left out;
asking again on a later day is a new ask, and so is another item of the category last asked for on
another day (a ledger line of a later day does not cover it: that item was never listed). Not the
event id nor the colour,
pattern and size: a rebuild (another linking window, a newer extractor reading more from the same
notes) renumbers events and may read more attributes, and must not make the same ask new again.
Colour, pattern, size and event id are kept on the line for the reader.

One line per ask, with when it was first listed and from which catalog file, e.g.:

    customer_ref,category,last_asked_on,color,pattern,size,last_event_id,produced_at,catalog
    C-000412,boots,2026-11-18,beige,solid,43,E-L-0000882#1,2026-12-07T06:00:02+00:00,spring.csv

It holds customer refs, personal data: only those of the follow-up rows, so only customers who
consented to be contacted (docs/privacy.md). Written whole under a temporary name and os.replace'd
in, so a reader or a killed writer never sees half a file. One recording `unmet followups` at a time
per data root (:func:`held`, an flock on `state/followups_sent.csv.lock` from reading the ledger to
recording in it): two at once would both list the same new asks (a customer called twice) and the
second write would drop the first's lines. Reset: docs/followups.md.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines.reports.tables import Table

LEDGER = Path("state") / "followups_sent.csv"
#: What makes an ask (the follow-up table's columns), and what a line keeps beside it.
KEY = ("customer_ref", "category", "last_asked_on")
SHOWN = ("color", "pattern", "size", "last_event_id")
COLUMNS = (*KEY, *SHOWN, "produced_at", "catalog")

Key = tuple[str, ...]


class LedgerError(ValueError):
    """The ledger file cannot be read as a ledger."""


def ledger_path(data_root: Path) -> Path:
    return data_root / LEDGER


@contextlib.contextmanager
def held(path: Path, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold the ledger `path` for one reader-and-recorder (an exclusive flock on a lock file
    beside it, released when the block ends or the process dies); `waiting` is called once
    when another holds it, before this one waits for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _key(values: dict[str, object]) -> Key:
    return tuple("" if values[c] is None else str(values[c]) for c in KEY)


def read_ledger(path: Path) -> dict[Key, dict[str, str]]:
    """The asks already produced -> their ledger line; no file: none yet."""
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise LedgerError(
                f"{path} is not a follow-up ledger: its header must be {','.join(COLUMNS)} "
                "(delete the file to start a new ledger: docs/followups.md)"
            )
        return {_key(row): row for row in reader}


@dataclass(frozen=True)
class Split:
    new: Table  # asks not in the ledger
    sent: Table  # asks the ledger holds


def split_sent(table: Table, ledger: dict[Key, dict[str, str]]) -> Split:
    """The follow-up rows whose ask is not in the ledger, and those whose ask is."""
    new, sent = [], []
    for row, values in zip(table.rows, table.dicts(), strict=True):
        (sent if _key(values) in ledger else new).append(row)
    return Split(Table(table.columns, new), Table(table.columns, sent))


def record(path: Path, table: Table, at: datetime, catalog: str) -> int:
    """Add the asks of these follow-up rows to the ledger (an ask already there keeps its first
    date); returns how many were new. The file is replaced whole (write, then os.replace)."""
    ledger = read_ledger(path)
    added = 0
    for values in table.dicts():
        key = _key(values)
        if key not in ledger:
            shown = {c: "" if values[c] is None else str(values[c]) for c in SHOWN}
            ledger[key] = (
                dict(zip(KEY, key, strict=True))
                | shown
                | {
                    "produced_at": at.isoformat(timespec="seconds"),
                    "catalog": catalog,
                }
            )
            added += 1
    if not added:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(ledger.values())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return added
