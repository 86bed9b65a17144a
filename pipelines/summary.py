"""The run summary: per source, records read = accepted + quarantined, counted from what was written,
and every physical line of the inputs accounted for: lines read (counted from the files' bytes) =
lines skipped (blank lines, CSV headers) + lines of the records parsed + lines of the records
quarantined while parsing."""

from __future__ import annotations

from collections.abc import Mapping
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
    lines_read: int = 0
    lines_skipped: int = 0
    lines_parsed: int = 0
    lines_rejected: int = 0

    @property
    def records_balanced(self) -> bool:
        return self.read == self.accepted + self.quarantined

    @property
    def lines_balanced(self) -> bool:
        return self.lines_read == self.lines_skipped + self.lines_parsed + self.lines_rejected

    @property
    def balanced(self) -> bool:
        return self.records_balanced and self.lines_balanced


def parquet_rows(folder: str, copies: Mapping[str, str] | None = None) -> int:
    """Rows of every Parquet file under `folder`, from the footers; a file named in `copies` is
    read at the path it maps to instead (a local file with the same bytes)."""
    copies = copies or {}
    return sum(
        io.parquet_rows(copies.get(path, path)) for path in io.list_files(folder, "**.parquet")
    )


def count(run_root: str, copies: Mapping[str, str] | None = None) -> list[SourceCount]:
    """Counts per source, from the written files (not from the pipeline's own tallies).
    `copies`: path of a file of the run -> a local file with the same bytes, whose footer is read
    instead (an incremental run on object storage: the carried files, in the driver's copy of the
    published run; a footer read on S3 costs a request and a new client)."""
    files = io.read_parquet(io.join(run_root, "ingest_files", "part-00000.parquet"))
    counts = []
    for spec in ALL:
        mine = files.filter(pc.equal(files.column("source"), spec.name))

        def total(column: str, mine=mine) -> int:
            return int(pc.sum(mine.column(column)).as_py() or 0)

        counts.append(
            SourceCount(
                source=spec.name,
                files=mine.num_rows,
                read=total("records_read"),
                accepted=parquet_rows(io.join(run_root, spec.table), copies),
                quarantined=parquet_rows(
                    io.join(run_root, "rejects", f"source={spec.name}"), copies
                ),
                lines_read=total("lines_read"),
                lines_skipped=total("lines_skipped"),
                lines_parsed=total("lines_parsed"),
                lines_rejected=total("lines_rejected"),
            )
        )
    return counts


def check(counts: list[SourceCount]) -> None:
    problems = [
        f"{c.source}: read {c.read} but accepted {c.accepted} + quarantined {c.quarantined}"
        for c in counts
        if not c.records_balanced
    ] + [
        f"{c.source}: {c.lines_read} lines read but {c.lines_skipped} skipped + "
        f"{c.lines_parsed} in records parsed + {c.lines_rejected} in records quarantined"
        for c in counts
        if not c.lines_balanced
    ]
    if problems:
        raise CountMismatch("; ".join(problems))


_COLUMNS = ("files", "read", "accepted", "quarantined", "lines_read")


def render(counts: list[SourceCount]) -> str:
    """One line per source: files, records read, accepted and quarantined, physical lines read, and
    whether records and lines add up."""
    lines = [
        f"{'source':<19} {'files':>5} {'read':>9} {'accepted':>9} {'quarantined':>11} "
        f"{'lines':>9}  check"
    ]
    for c in counts:
        mark = "ok" if c.balanced else "MISMATCH"
        lines.append(
            f"{c.source:<19} {c.files:>5} {c.read:>9} {c.accepted:>9} {c.quarantined:>11} "
            f"{c.lines_read:>9}  {mark}"
        )
    total = [sum(getattr(c, f) for c in counts) for f in _COLUMNS]
    lines.append(
        f"{'total':<19} {total[0]:>5} {total[1]:>9} {total[2]:>9} {total[3]:>11} {total[4]:>9}"
    )
    return "\n".join(lines)


def as_dicts(counts: list[SourceCount]) -> list[dict]:
    return [
        {**asdict(c), "balanced": c.balanced, "lines_balanced": c.lines_balanced} for c in counts
    ]
