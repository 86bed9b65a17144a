"""Which files an incremental run's gate validates (pipelines/checks/carried.py): a carried file
keeps its earlier result only while its sha256 is the one the base run's validation.json records.
Hashing reads bytes only, so the files here need not be Parquet."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pipelines.checks import carried

WRITTEN = "stg_oos_lookups/part-00001.parquet"
SAME = "stg_catalog/part-00000.parquet"
CHANGED = "demand_events/iso_week=2026-W40/part-00000.parquet"
UNRECORDED = "stg_stores/part-00000.parquet"


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    run = tmp_path / "runs" / "R2.partial"
    for rel in (WRITTEN, SAME, CHANGED, UNRECORDED):
        (run / rel).parent.mkdir(parents=True, exist_ok=True)
        (run / rel).write_bytes(rel.encode())
    (run / "incremental" / "keys").mkdir(parents=True)
    (run / "incremental" / "keys" / "part-00000.parquet").write_bytes(b"not gated")
    return run


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def base_run(tmp_path: Path, files: dict[str, dict] | None) -> Path:
    base = tmp_path / "runs" / "R1"
    base.mkdir(parents=True)
    content = {"success": True} if files is None else {"success": True, "files": files}
    (base / "validation.json").write_text(json.dumps(content))
    return base


def test_a_carried_file_is_trusted_only_with_the_hash_that_was_validated(run_dir, tmp_path):
    base = base_run(tmp_path, {
        SAME: {"sha256": sha(SAME.encode()), "validated_by": "R0", "carried": True},
        CHANGED: {"sha256": sha(b"the bytes validated then"), "validated_by": "R1",
                  "carried": False},
    })  # fmt: skip
    chosen = carried.scope(run_dir, {WRITTEN}, base)
    assert chosen.only == {WRITTEN, CHANGED, UNRECORDED}
    assert chosen.kept == {SAME: {"sha256": sha(SAME.encode()), "validated_by": "R0",
                                  "carried": True}}  # fmt: skip
    assert chosen.again[CHANGED].startswith("its bytes changed since run R1 validated it (sha256 ")
    assert chosen.again[UNRECORDED] == "run R1's validation.json has no hash of it"
    records = carried.records(run_dir, "R2", chosen)
    assert sorted(records) == sorted([WRITTEN, SAME, CHANGED, UNRECORDED])  # gated files only
    assert records[CHANGED] == {"sha256": sha(CHANGED.encode()), "validated_by": "R2",
                                "carried": False}  # fmt: skip
    assert records[SAME]["validated_by"] == "R0"
    assert carried.described(chosen)[0].startswith(f"- {CHANGED}: its bytes changed")


def test_a_base_run_without_hashes_has_every_carried_file_validated_again(run_dir, tmp_path):
    chosen = carried.scope(run_dir, {WRITTEN}, base_run(tmp_path, None))
    assert chosen.only == {WRITTEN, SAME, CHANGED, UNRECORDED} and chosen.kept == {}


def test_a_full_refresh_validates_and_hashes_every_gated_file(run_dir):
    chosen = carried.scope(run_dir, None, None)
    assert chosen.only is None
    records = carried.records(run_dir, "R2", chosen)
    assert {r["validated_by"] for r in records.values()} == {"R2"} and len(records) == 4
    assert records[SAME]["sha256"] == carried.sha256_of(run_dir / SAME) == sha(SAME.encode())
