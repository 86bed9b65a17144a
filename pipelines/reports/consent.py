"""Whether the published run read every consent withdrawal its inputs folder holds now.

A run applies the withdrawals it read (docs/privacy.md, "Withdrawn consent"); one added to the
inputs since applies from the next `unmet run`. `unmet followups` lists from the published run,
so it asks `check` first: it lists nobody while the inputs' `consent_withdrawals/` files differ
from those the published run read (its incremental state, `incremental/inputs.parquet`), and
warns when it cannot look (the inputs folder is not on this machine, or on object storage).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from pipelines.ingest import inputs
from pipelines.ingest.sources import BY_NAME

#: The published run's state of its input files (pipelines/incremental.py, INPUTS_STATE).
INPUTS_STATE = "incremental/inputs.parquet"
SOURCE = "consent_withdrawals"


@dataclass(frozen=True)
class Check:
    """`current`: True when the published run read exactly the withdrawal files there are now,
    False when they changed since, None when it cannot be told; `why` says what was found."""

    current: bool | None
    why: str = ""


def check(run_dir: Path | None) -> Check:
    """Compare the withdrawal files of the published run's inputs folder (`run_dir`: that run's
    folder; None when nothing is published) with those it read."""
    if run_dir is None or not (run_dir / "manifest.json").is_file():
        return Check(None, "no published run to compare with")
    root = str(json.loads((run_dir / "manifest.json").read_text()).get("inputs_root") or "")
    state = run_dir / INPUTS_STATE
    if not root or "://" in root or not Path(root).is_dir() or not state.is_file():
        return Check(None, f"the published run's inputs folder ({root or 'unknown'}) is not on "
                           "this machine")  # fmt: skip
    spec = BY_NAME[SOURCE]
    now = inputs.fingerprint(
        {SOURCE: inputs.list_files(str(Path(root) / spec.folder), spec.glob)}, root
    )
    read = {
        row["source_file"]: row["sha256"]
        for row in pq.read_table(state).to_pylist()
        if row["source"] == SOURCE
    }
    if now == read:
        return Check(True)
    changed = sorted({*now, *read} - {n for n in now if read.get(n) == now[n]})
    shown = ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else "")
    return Check(False, f"{shown} {'is' if len(changed) == 1 else 'are'} new, changed or removed "
                        f"in {root} since the published run read them")  # fmt: skip
