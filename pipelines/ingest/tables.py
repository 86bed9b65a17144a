"""Pure Arrow helpers of the ingest: build batches, find duplicate ids, split by partition."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.arrow import arrow_schema
from schemas.staging import Reject

REJECT_SCHEMA = arrow_schema(Reject)
_REJECT_IN_FLIGHT = arrow_schema(Reject, described=False)


def bucket_of(record_id: str, buckets: int) -> int:
    """A stable hash bucket (Python's hash() differs between processes, crc32 does not)."""
    return zlib.crc32(record_id.encode("utf-8")) % buckets


def rejects_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=_REJECT_IN_FLIGHT)


def _split(table: pa.Table, keys: pa.Array) -> Iterator[tuple[Any, pa.Table]]:
    """The rows of `table` by key (one key per row), in key order; each part a fresh table."""
    for key in sorted(pc.unique(keys).to_pylist()):
        yield key, table.filter(pc.equal(keys, key))


def split_by_bucket(table: pa.Table, id_field: str, buckets: int) -> Iterator[tuple[int, pa.Table]]:
    """The rows of `table` by hash bucket of their id; each part is a fresh table (not a slice).

    Each distinct id is hashed once (ids repeat a lot when they are store ids).
    """
    encoded = pc.dictionary_encode(table.column(id_field)).combine_chunks()
    hashed = pa.array([bucket_of(v, buckets) for v in encoded.dictionary.to_pylist()], pa.int64())
    yield from _split(table, hashed.take(encoded.indices))


def split_by_value(table: pa.Table, column: str) -> Iterator[tuple[str, pa.Table]]:
    """The rows of `table` by the string form of `column`'s value, each part a fresh table."""
    yield from _split(table, pc.cast(table.column(column), pa.string()).combine_chunks())


#: The columns of a file's accepted rows the duplicate-id check needs (one row per record): the
#: id, its line in the input file, the file's number within its source (`part`; files are numbered
#: in name order) and the row's position in that file's part.
KEY_COLUMNS = ("record_id", "source_line", "part", "row")


def keys_table(rows: pa.Table, id_field: str, part: int, first_row: int = 0) -> pa.Table:
    """The duplicate-id check's view of one file's accepted rows (KEY_COLUMNS); `rows` may be a
    batch of them, whose first row is row `first_row` of the file."""
    n = rows.num_rows
    return pa.table(
        {
            "record_id": rows.column(id_field),
            "source_line": rows.column("source_line"),
            "part": pa.array(np.full(n, part, dtype=np.int32)),
            "row": pa.array(np.arange(first_row, first_row + n, dtype=np.int32)),
        }
    )


def duplicate_reason_start(id_field: str) -> str:
    """How the reason of a row quarantined as a repeated id starts (`find_duplicates`)."""
    return f"duplicate {id_field} "


def find_duplicates(
    keys: pa.Table, id_field: str, names: dict[int, str], ranks: dict[int, int] | None = None
) -> pa.Table:
    """Every occurrence of an id but the first (by the file's rank, then line), with its reason.

    `keys` has KEY_COLUMNS; `names` gives each file number's name (for the reason), `ranks` each
    file number's precedence (inputs.precedence: the file delivered first has rank 0; without
    it, the file number). Returns (part, row, reason), one row per repeat. A re-delivered file
    is caught here: all its ids were seen in the earlier file.
    """
    parts = keys.column("part").to_numpy()
    if ranks is not None and len(parts):
        lookup = np.zeros(max(ranks) + 1 if ranks else 0, dtype=np.int64)
        for part, rank in ranks.items():
            lookup[part] = rank
        keys = keys.append_column("rank", pa.array(lookup[parts]))
    else:
        keys = keys.append_column("rank", keys.column("part").cast(pa.int64()))
    order = keys.sort_by(
        [("record_id", "ascending"), ("rank", "ascending"), ("source_line", "ascending")]
    )
    ids = order.column("record_id").combine_chunks()
    n = order.num_rows
    repeat = np.zeros(n, dtype=bool)  # the row's id equals the previous row's
    if n > 1:
        same = pc.equal(ids.slice(1), ids.slice(0, n - 1))
        repeat[1:] = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    dups = np.flatnonzero(repeat)
    keep = np.flatnonzero(~repeat)
    # the first row of each run of equal ids
    first = keep[np.cumsum(~repeat)[dups] - 1]
    dup_ids = ids.take(pa.array(dups)).to_pylist()
    parts = order.column("part").take(pa.array(first)).to_pylist()
    lines = order.column("source_line").take(pa.array(first)).to_pylist()
    reasons = [
        f"{duplicate_reason_start(id_field)}{i!r}: first seen in {names[part]} line {line}"
        for i, part, line in zip(dup_ids, parts, lines, strict=True)
    ]
    return pa.table(
        {
            "part": order.column("part").take(pa.array(dups)),
            "row": order.column("row").take(pa.array(dups)),
            "reason": pa.array(reasons, pa.string()),
        }
    )


def drop_rows(
    rows: pa.Table, drops: pa.Table | None, id_field: str, source: str
) -> tuple[pa.Table, pa.Table]:
    """`rows` without the rows listed in `drops` (row, reason), and those rows as rejects."""
    if drops is None or not drops.num_rows:
        return rows, rejects_table([])
    drops = drops.sort_by("row")
    positions = drops.column("row").to_numpy()
    mask = np.ones(rows.num_rows, dtype=bool)
    mask[positions] = False
    dropped = rows.take(pa.array(positions)).to_pylist()
    rejects = [
        {
            "source": source,
            "source_file": row["source_file"],
            "source_line": row["source_line"],
            "record_id": row[id_field],
            "reason": reason,
            "raw": json.dumps(
                {k: v for k, v in row.items() if k not in ("source_file", "source_line")},
                default=str,
                ensure_ascii=False,
            )[:2000],
        }
        for row, reason in zip(dropped, drops.column("reason").to_pylist(), strict=True)
    ]
    return rows.filter(pa.array(mask)), rejects_table(rejects)
