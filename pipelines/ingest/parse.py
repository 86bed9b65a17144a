"""Parse one input file: every record becomes a staging row or a reject with its reason.

Pure functions over one file (no Beam): `ParseFileFn` in transforms.py calls `parse_file` and
writes what it returns; tests/ingest/test_fast.py calls it with and without the fast path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from pipelines import io
from pipelines.ingest import fast, readers, tables
from pipelines.ingest.redact import redact
from pipelines.ingest.sources import SourceSpec
from pipelines.ingest.validate import Reference, Refused


@dataclass(frozen=True)
class ParsedFile:
    """What one file gave: accepted rows (staging schema without descriptions, in file order),
    rejects, and the file's statistics (a FileStat dict)."""

    rows: pa.Table
    rejects: pa.Table
    stat: dict[str, Any]


def relative_name(path: str, inputs_root: str) -> str:
    """The file's path relative to the inputs root, so outputs don't depend on where inputs live."""
    root = inputs_root.rstrip("/") + "/"
    return path[len(root) :] if path.startswith(root) else path


def parse_file(
    spec: SourceSpec,
    schema: pa.Schema,
    path: str,
    name: str,
    ref: Reference,
    use_fast: bool = True,
) -> ParsedFile:
    """Read and validate every record of the file at `path` (`name` is its relative name).

    With `use_fast`, plain records are validated a column at a time (fast.py) and only the others
    take the exact per-record path; without it, every record takes the exact path.
    """
    handle = io.TextFile(path)
    records: Iterable[readers.RawRecord]
    parts: list[pa.Table] = []
    fast_result = None
    if use_fast and spec.name in fast.COLUMNS:
        fast_result = fast.parse(spec.name, spec.format, handle.read_bytes(), spec.columns,
                                 ref, schema)  # fmt: skip
    if fast_result is not None:
        records = fast_result.slow
        if fast_result.table.num_rows:
            files = pa.repeat(pa.scalar(name, pa.string()), fast_result.table.num_rows)
            parts.append(
                fast_result.table.append_column("source_file", files)
                .select(schema.names)
                .cast(schema)
            )
    elif spec.format == "csv":
        records = readers.read_csv(handle.lines(), spec.columns)
    else:
        records = readers.read_jsonl(handle.lines())
    rows: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    read = parsed = fast_result.table.num_rows if fast_result is not None else 0
    for record in records:
        read += 1
        reason = record.error
        if reason is None and record.fields is not None:
            try:
                row = spec.row(record.fields, ref)
            except Refused as refused:
                reason = str(refused)
            else:
                row["source_file"] = name
                row["source_line"] = record.line
                rows.append(row)
                parsed += 1
        if reason is not None:
            rejects.append(reject_row(spec, record, name, reason))
    sha256, size = handle.finish()
    if rows:
        parts.append(pa.Table.from_pylist(rows, schema=schema))
    accepted = pa.concat_tables(parts) if parts else schema.empty_table()
    note = "file is empty" if size == 0 else ("no records" if read == 0 else None)
    stat = {
        "source": spec.name,
        "source_file": name,
        "sha256": sha256,
        "bytes": size,
        "records_read": read,
        "records_parsed": parsed,
        "note": note,
    }
    return ParsedFile(accepted.combine_chunks(), tables.rejects_table(rejects), stat)


def reject_row(
    spec: SourceSpec, record: readers.RawRecord, name: str, reason: str
) -> dict[str, Any]:
    raw, _ = redact(readers.printable_raw(_without_unconsented_customer(record)))
    record_id = None
    if record.fields is not None:
        value = record.fields.get(spec.id_field)
        record_id = str(value)[:64] if value not in (None, "") else None
    return {
        "source": spec.name,
        "source_file": name,
        "source_line": record.line,
        "record_id": record_id,
        "reason": reason,
        "raw": raw,
    }


def _without_unconsented_customer(record: readers.RawRecord) -> str:
    """The raw text of a record, with its customer reference withheld unless consent is true."""
    fields = record.fields
    if not fields or not fields.get("customer_ref") or fields.get("customer_consent") is True:
        return record.raw
    return json.dumps({**fields, "customer_ref": "[withheld: no consent]"}, ensure_ascii=False)
