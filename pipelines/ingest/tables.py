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


def first_occurrences(table: pa.Table, id_field: str, source: str) -> tuple[pa.Table, pa.Table]:
    """Keep the first occurrence of each id (by source file, then line); quarantine the others.

    Returns (kept rows sorted by id, rejects). A re-delivered file is caught here: all its ids were
    seen in the earlier file.
    """
    order = table.sort_by(
        [(id_field, "ascending"), ("source_file", "ascending"), ("source_line", "ascending")]
    )
    ids = order.column(id_field).combine_chunks()
    n = order.num_rows
    repeat = np.zeros(n, dtype=bool)  # the row's id equals the previous row's
    if n > 1:
        same = pc.equal(ids.slice(1), ids.slice(0, n - 1))
        repeat[1:] = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    keep = np.flatnonzero(~repeat)
    dups = np.flatnonzero(repeat)
    # the first row of each run of equal ids
    first_of = dict(zip(dups.tolist(), keep[np.cumsum(~repeat)[dups] - 1].tolist(), strict=True))
    dups = dups.tolist()
    kept = order.take(pa.array(keep, pa.int64()))
    if not dups:
        return kept, rejects_table([])
    id_list = ids.to_pylist()
    files = order.column("source_file").to_pylist()
    lines = order.column("source_line").to_pylist()
    rows = order.take(pa.array(dups, pa.int64())).to_pylist()
    rejects = []
    for i, row in zip(dups, rows, strict=True):
        first = first_of[i]
        rejects.append(
            {
                "source": source,
                "source_file": files[i],
                "source_line": lines[i],
                "record_id": id_list[i],
                "reason": f"duplicate {id_field} {id_list[i]!r}: first seen in {files[first]} "
                f"line {lines[first]}",
                "raw": json.dumps(
                    {k: v for k, v in row.items() if k not in ("source_file", "source_line")},
                    default=str,
                    ensure_ascii=False,
                )[:2000],
            }
        )
    return kept, rejects_table(rejects)
