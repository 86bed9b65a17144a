"""Which files the gate of an incremental run validates: a file carried over unchanged keeps its
earlier validation result, keyed by its content hash.

`validation.json` records, per Parquet file the gate reads (relative to the run folder), its
sha256 and the run whose gate validated it (`files`). An incremental run looks up each carried
file's hash now in the base run's record: equal -> the earlier result is carried (recorded with
the run that validated it); different or absent (the file changed on disk since, or the base run
was made before this record existed) -> the file is validated again like a written one, and a
failure of the gate names it. Hashing reads the bytes only (no Parquet parsing).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.checks.facts import files
from pipelines.checks.suites import DATASETS

#: Bytes read at a time when hashing a file.
HASH_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Scope:
    """What a gate validates. `only`: the files it validates (None: every file); `kept`: carried
    file -> its earlier record; `again`: carried file validated again -> why."""

    only: set[str] | None = None
    kept: dict[str, dict[str, object]] = field(default_factory=dict)
    again: dict[str, str] = field(default_factory=dict)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def gated_files(run_dir: Path) -> list[str]:
    """Every Parquet file of the datasets the gate reads, relative to `run_dir`."""
    return [Path(p).relative_to(run_dir).as_posix() for d in DATASETS for p in files(run_dir, d)]


def scope(run_dir: Path, written: Collection[str] | None, base: Path | None) -> Scope:
    """A full gate without `written`; else the written files plus every carried file whose bytes
    are not those the base run's record says were validated."""
    if written is None:
        return Scope()
    try:
        earlier = json.loads((base / "validation.json").read_text())["files"] if base else {}
    except (OSError, ValueError, KeyError):
        earlier = {}
    kept: dict[str, dict[str, object]] = {}
    again: dict[str, str] = {}
    for rel in gated_files(run_dir):
        if rel in written:
            continue
        record = earlier.get(rel)
        if record is None:
            again[rel] = (
                f"run {base.name if base else '(none)'}'s validation.json has no hash of it"
            )
        elif (now := sha256_of(run_dir / rel)) != record["sha256"]:
            again[rel] = (f"its bytes changed since run {record['validated_by']} validated it "
                          f"(sha256 {record['sha256'][:12]}..., now {now[:12]}...)")  # fmt: skip
        else:
            kept[rel] = {**record, "carried": True}
    return Scope({*written, *again}, kept, again)


def records(run_dir: Path, run_id: str, chosen: Scope) -> dict[str, dict[str, object]]:
    """validation.json's `files`: the hash of every file validated now, by `run_id`, and the
    earlier record of every carried one."""
    validated = {
        rel: {"sha256": sha256_of(run_dir / rel), "validated_by": run_id, "carried": False}
        for rel in gated_files(run_dir)
        if chosen.only is None or rel in chosen.only
    }
    return dict(sorted({**validated, **chosen.kept}.items()))


def described(chosen: Scope) -> list[str]:
    """One line per carried file validated again, and why (for the gate's failure message)."""
    return [f"- {rel}: {why}" for rel, why in sorted(chosen.again.items())]
