"""The run summary: per source, records read = accepted + quarantined, counted from what was written."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pyarrow.compute as pc

from pipelines import io
from pipelines.ingest.sources import ALL


class CountMismatch(Exception):
    """Records were lost or invented between reading and writing."""


@dataclass(frozen=True)
class SourceCount:
    source: str
    files: int
    read: int
    accepted: int
    quarantined: int

    @property
    def balanced(self) -> bool:
        return self.read == self.accepted + self.quarantined


def parquet_rows(folder: str) -> int:
    return sum(io.parquet_rows(path) for path in io.list_files(folder, "**.parquet"))


def count(run_root: str) -> list[SourceCount]:
    """Counts per source, from the written files (not from the pipeline's own tallies)."""
    files = io.read_parquet(io.join(run_root, "ingest_files", "part-00000.parquet"))
    counts = []
    for spec in ALL:
        mine = files.filter(pc.equal(files.column("source"), spec.name))
        counts.append(
            SourceCount(
                source=spec.name,
                files=mine.num_rows,
                read=int(pc.sum(mine.column("records_read")).as_py() or 0),
                accepted=parquet_rows(io.join(run_root, spec.table)),
                quarantined=parquet_rows(io.join(run_root, "rejects", f"source={spec.name}")),
            )
        )
    return counts


def check(counts: list[SourceCount]) -> None:
    bad = [c for c in counts if not c.balanced]
    if bad:
        raise CountMismatch(
            "; ".join(
                f"{c.source}: read {c.read} but accepted {c.accepted} + quarantined {c.quarantined}"
                for c in bad
            )
        )


def render(counts: list[SourceCount]) -> str:
    lines = [f"{'source':<16} {'files':>5} {'read':>9} {'accepted':>9} {'quarantined':>11}  check"]
    for c in counts:
        mark = "ok" if c.balanced else "MISMATCH"
        lines.append(
            f"{c.source:<16} {c.files:>5} {c.read:>9} {c.accepted:>9} {c.quarantined:>11}  {mark}"
        )
    total = [
        sum(getattr(c, f) for c in counts) for f in ("files", "read", "accepted", "quarantined")
    ]
    lines.append(f"{'total':<16} {total[0]:>5} {total[1]:>9} {total[2]:>9} {total[3]:>11}")
    return "\n".join(lines)


def as_dicts(counts: list[SourceCount]) -> list[dict]:
    return [{**asdict(c), "balanced": c.balanced} for c in counts]
