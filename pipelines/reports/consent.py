"""Whether the published run applied every consent withdrawal: none of its withdrawal rows
quarantined, and every withdrawal file its inputs folder holds now read.

A run applies the withdrawals it read and did not quarantine (docs/privacy.md, "Withdrawn
consent"); one added to the inputs since applies from the next `unmet run`. `unmet followups`
lists from the published run, so it asks `check` first (through cli.common.withdrawals_applied):
it lists nobody while the run quarantined withdrawal rows (unless told to list despite them) or
the inputs' `consent_withdrawals/` files differ from those the run read (its incremental state,
`incremental/inputs.parquet`), and warns when it cannot look (the inputs folder is not on this
machine, or on object storage). `unmet report --store` asks it too.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from pipelines import withdrawals
from pipelines.ingest.names import NAME_EMAIL_TOKEN
from schemas.datasets import dataset

#: The published run's state of its input files (pipelines/incremental.py, INPUTS_STATE).
INPUTS_STATE = "incremental/inputs.parquet"
SOURCE = withdrawals.SOURCE
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Check:
    """`current`: True when the published run read exactly the withdrawal files there are now
    and applied every row of them, False when they changed since or a row was quarantined (not
    applied), None when it cannot be told; `why` says what was found."""

    current: bool | None
    why: str = ""
    quarantined: int = 0  # withdrawal rows the published run quarantined (not applied)


def check(run_dir: Path | None, despite_quarantined: bool = False) -> Check:
    """Whether the published run (`run_dir`: its folder; None when nothing is published) applied
    every withdrawal row it read (none quarantined, unless `despite_quarantined`), and read the
    withdrawal files its inputs folder holds now."""
    if run_dir is None or not (run_dir / "manifest.json").is_file():
        return Check(None, "no published run to compare with")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    quarantined = unapplied(run_dir)
    if quarantined and not despite_quarantined:
        return Check(False, quarantined_rows(quarantined), quarantined)
    files = _files_read(run_dir, str(manifest.get("inputs_root") or ""))
    return Check(files.current, files.why, quarantined)


def unapplied(run_dir: Path) -> int:
    """The withdrawal rows the run in `run_dir` quarantined and did not apply
    (pipelines/withdrawals.py). A row quarantined as a repeated id was applied all the same (a
    CRM that exports all its withdrawals every week delivers each earlier one again, and those
    repeats must not stop the follow-ups); any other quarantined row counts until it is
    corrected."""
    return withdrawals.read(run_dir).unapplied


def quarantined_rows(rows: int) -> str:
    """What it means that the published run quarantined `rows` withdrawal rows."""
    return (
        f"the published run quarantined {rows} of its withdrawal rows and did not apply them (a "
        "repeated withdrawal id is applied all the same and does not count): correct them in "
        "the inputs (`unmet query "
        f"\"select source_file, source_line, reason from rejects where source = '{SOURCE}'\"`)"
    )


def _files_read(run_dir: Path, root: str) -> Check:
    """Whether the run read exactly the withdrawal files its inputs folder `root` holds now."""
    state = run_dir / INPUTS_STATE
    if NAME_EMAIL_TOKEN in root:  # review 12: a warning here listed a customer who had withdrawn
        return Check(False, "the published run's inputs folder has an e-mail address in its "
                            "name, which the manifest does not keep, so its withdrawal files "
                            "cannot be checked: rename the folder and run `unmet run` again")  # fmt: skip
    if not root or "://" in root or not Path(root).is_dir() or not state.is_file():
        return Check(None, f"the published run's inputs folder ({root or 'unknown'}) is not on "
                           "this machine")  # fmt: skip
    now = _contents(Path(root))
    read = sorted(
        row["sha256"] for row in pq.read_table(state).to_pylist() if row["source"] == SOURCE
    )
    if sorted(now.values()) == read:
        return Check(True)
    changed = sorted(name for name, digest in now.items() if digest not in read)
    shown = ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else "")
    if changed:
        what = f"{shown} {'is' if len(changed) == 1 else 'are'} new or changed"
    elif len(now) > len(read):
        what = "a copy of a file it read was added (the same withdrawals)"
    else:
        what = "a file was removed"
    return Check(False, f"{what} in {root} since the published run read them")


def _contents(root: Path) -> dict[str, str]:
    """The withdrawal files of an inputs folder (those the ingest reads: directly in the folder,
    matching its pattern) -> sha256 of their bytes (UNREADABLE when they cannot be read).

    Compared by content, not by name: the run's state names a file as its outputs show it (an
    address in a name replaced), and a file renamed with the same bytes changes no withdrawal.
    Plain file reads, not pipelines.ingest.inputs: that module imports Beam, whose import
    prints warnings that `unmet followups` must not show."""
    raw = dataset(SOURCE)
    assert raw.input is not None
    folder = root / raw.input.folder
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return {}
    found = {}
    for entry in entries:
        if not fnmatch.fnmatchcase(entry.name, raw.input.glob) or entry.is_dir():
            continue
        name = f"{raw.input.folder}/{entry.name}"
        found[name] = UNREADABLE  # as the run's state has it (pipelines.ingest.inputs)
        if not entry.is_file():  # a broken link, a named pipe (reading one would block)
            continue
        digest = hashlib.sha256()
        try:
            with open(entry.path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError:
            continue
        found[name] = digest.hexdigest()
    return found
