"""Which consent withdrawals a run applied, read back from what it wrote: one reader for the
follow-up guard (pipelines/reports/consent.py) and the incremental plan (pipelines/consent_delta.py).

The ingest applies every withdrawal row that parses (transforms.ReferenceIdsFn reads them for the
facts' side input), repeats of a withdrawal id included. So a run applied the rows it staged
(`stg_consent_withdrawals`) and the rows it quarantined as repeated ids, whose `raw` is the staged
row as JSON (tables.drop_rows). Any other quarantined row (a parse error, a withheld value) was not
applied. Free of Beam imports: `unmet followups` reads this and must print no Beam warnings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow.dataset as ds

from pipelines.ingest import tables
from schemas.datasets import dataset

SOURCE = "consent_withdrawals"
#: The start of the reason of a withdrawal quarantined as a repeated id.
REPEAT = tables.duplicate_reason_start(*dataset(SOURCE).keys)

Withdrawal = tuple[str, datetime]  # customer_ref, withdrawn_at (UTC)


@dataclass(frozen=True)
class Applied:
    """What a run did with the withdrawal rows it read. `staged`: the rows it staged; `repeats`:
    those it quarantined as repeated ids (applied all the same), as read back from their `raw`
    (None for one that cannot be read back); `unapplied`: how many other rows it quarantined.

    Such a row (a parse error, a withheld value, an unknown channel) is not applied and counts
    until it is corrected, even when an applied withdrawal of the same customer comes later: its
    `raw` is the CSV line as written, and the file's header, which may order the columns any way,
    is not kept, so its customer cannot be read back safely (review 13)."""

    staged: list[Withdrawal]
    repeats: list[Withdrawal | None]
    unapplied: int

    def known(self) -> list[Withdrawal]:
        """The withdrawals the run applied that can be read back: the staged rows and every
        repeat but those whose `raw` cannot be read."""
        return self.staged + [w for w in self.repeats if w is not None]

    def withdrawals(self) -> set[Withdrawal] | None:
        """Every withdrawal the run applied; None when a repeat cannot be read back (then what
        it applied is not known)."""
        if any(w is None for w in self.repeats):
            return None
        return set(self.known())


def read(run_dir: Path) -> Applied:
    """What the run in `run_dir` did with its withdrawal rows."""
    staged: list[Withdrawal] = []
    folder = run_dir / dataset(f"stg_{SOURCE}").name
    if folder.is_dir():
        table = ds.dataset(folder, format="parquet").to_table(
            columns=["customer_ref", "withdrawn_at"]
        )
        staged = [
            (ref, at)
            for ref, at in zip(
                table.column("customer_ref").to_pylist(),
                table.column("withdrawn_at").to_pylist(),
                strict=True,
            )
            if ref is not None and at is not None
        ]
    repeats: list[Withdrawal | None] = []
    unapplied = 0
    rejects = run_dir / dataset("rejects").name / f"source={SOURCE}"
    if rejects.is_dir():
        table = ds.dataset(rejects, format="parquet").to_table(columns=["reason", "raw"])
        for reason, raw in zip(table.column("reason").to_pylist(),
                               table.column("raw").to_pylist(), strict=True):  # fmt: skip
            if (reason or "").startswith(REPEAT):
                repeats.append(read_raw(raw))
            else:
                unapplied += 1
    return Applied(staged, repeats, unapplied)


def read_raw(raw: str | None) -> Withdrawal | None:
    """The customer and time of a repeated withdrawal's `raw` (the staged row as JSON,
    tables.drop_rows); None when it cannot be read (no JSON object, a value missing or withheld,
    a time without its zone)."""
    try:
        record = json.loads(raw or "")
        ref, at = record["customer_ref"], datetime.fromisoformat(record["withdrawn_at"])
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(ref, str) or at.tzinfo is None:
        return None
    return ref, at


def latest(withdrawals: Iterable[Withdrawal]) -> dict[str, datetime]:
    """customer_ref -> their latest withdrawal (the latest statement wins)."""
    found: dict[str, datetime] = {}
    for ref, at in withdrawals:
        if ref not in found or at > found[ref]:
            found[ref] = at
    return found
