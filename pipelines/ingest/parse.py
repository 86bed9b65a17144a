"""Parse one input file: every record becomes a staging row or a reject with its reason.

No Beam: `ParseFileFn` in transforms.py parses a file a batch at a time (`FileParse`) and writes
what each batch gives; tests/ingest/test_fast.py calls `parse_file` with and without the fast path.
"""

from __future__ import annotations

import io as stdio
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipelines import io
from pipelines.ingest import batches, fast, readers, tables
from pipelines.ingest.redact import redact, scrub, scrub_message
from pipelines.ingest.sources import SourceSpec
from pipelines.ingest.validate import Reference, Refused


@dataclass(frozen=True)
class ParsedFile:
    """What one file (or one batch of it) gave: accepted rows (staging schema without descriptions,
    in file order), rejects, and the file's statistics (a FileStat dict; None for a batch)."""

    rows: pa.Table
    rejects: pa.Table
    stat: dict[str, Any] | None


def relative_name(path: str, inputs_root: str) -> str:
    """The file's path relative to the inputs root, so outputs don't depend on where inputs live."""
    root = inputs_root.rstrip("/") + "/"
    return path[len(root) :] if path.startswith(root) else path


class FileParse:
    """Read and validate every record of the file at `path` (`name` is its relative name), one
    batch of whole records at a time (batches.py): iterate `batches()`, then read `stat`.

    With `use_fast`, plain records are validated a column at a time (fast.py) and only the others
    take the exact per-record path; without it, every record takes the exact path.
    """

    def __init__(self, spec: SourceSpec, schema: pa.Schema, path: str, name: str, ref: Reference,
                 use_fast: bool = True, batch_bytes: int = batches.BATCH_BYTES) -> None:  # fmt: skip
        self._spec = spec
        self._schema = schema
        self._path = path
        self._name = name
        self._ref = ref
        self._use_fast = use_fast
        self._batch_bytes = batch_bytes
        self.stat: dict[str, Any] | None = None

    def batches(self) -> Iterator[ParsedFile]:
        """Each batch's accepted rows and rejects, in file order; sets `stat` when done."""
        spec = self._spec
        handle = io.HashedReader(self._path)
        read = parsed = 0
        for batch in batches.split(handle.read, spec.format, spec.columns, self._batch_bytes):
            part = _parse_batch(spec, self._schema, batch, self._name, self._ref, self._use_fast)
            read += part.read
            parsed += part.rows.num_rows
            yield ParsedFile(part.rows, part.rejects, None)
        sha256, size = handle.finish()
        self.stat = {
            "source": spec.name,
            "source_file": self._name,
            "sha256": sha256,
            "bytes": size,
            "records_read": read,
            "records_parsed": parsed,
            "note": "file is empty" if size == 0 else ("no records" if read == 0 else None),
        }


def parse_file(spec: SourceSpec, schema: pa.Schema, path: str, name: str, ref: Reference,
               use_fast: bool = True, batch_bytes: int = batches.BATCH_BYTES) -> ParsedFile:  # fmt: skip
    """The whole file's rows, rejects and stat (FileParse, its batches put together)."""
    parse = FileParse(spec, schema, path, name, ref, use_fast, batch_bytes)
    parts = list(parse.batches())
    return ParsedFile(
        pa.concat_tables([p.rows for p in parts]).combine_chunks(),
        pa.concat_tables([p.rejects for p in parts]),
        parse.stat,
    )


@dataclass(frozen=True)
class _Batch:
    rows: pa.Table
    rejects: pa.Table
    read: int


def _parse_batch(spec: SourceSpec, schema: pa.Schema, batch: batches.Batch, name: str,
                 ref: Reference, use_fast: bool) -> _Batch:  # fmt: skip
    """One batch's accepted rows and rejects, with the file's line numbers."""
    offset = batch.line_offset
    records: Iterable[readers.RawRecord]
    parts: list[pa.Table] = []
    fast_result = None
    if use_fast and spec.name in fast.COLUMNS:
        fast_result = fast.parse(spec.name, spec.format, batch.data, spec.columns, ref, schema)
    if fast_result is not None:
        records = fast_result.slow
        table = fast_result.table
        if table.num_rows:
            if offset:
                index = table.schema.get_field_index("source_line")
                lines = pc.add(table.column(index), pa.scalar(offset, pa.int64()))
                table = table.set_column(index, "source_line", lines)
            files = pa.repeat(pa.scalar(name, pa.string()), table.num_rows)
            parts.append(
                table.append_column("source_file", files).select(schema.names).cast(schema)
            )
    else:
        text = stdio.TextIOWrapper(stdio.BytesIO(batch.data), encoding="utf-8-sig",
                                   errors="surrogateescape", newline="")  # fmt: skip
        if spec.format == "csv":
            records = readers.read_csv(text, spec.columns, spec.optional)
        else:
            records = readers.read_jsonl(text)
    rows: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    read = fast_result.table.num_rows if fast_result is not None else 0
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
                row["source_line"] = record.line + offset
                rows.append(row)
        if reason is not None:
            rejects.append(reject_row(spec, record, name, reason, offset))
    if rows:
        parts.append(pa.Table.from_pylist(rows, schema=schema))
    accepted = pa.concat_tables(parts) if parts else schema.empty_table()
    return _Batch(accepted.combine_chunks(), tables.rejects_table(rejects), read)


def reject_row(
    spec: SourceSpec, record: readers.RawRecord, name: str, reason: str, line_offset: int = 0
) -> dict[str, Any]:
    raw, _ = redact(readers.printable_raw(_without_unconsented_customer(record)))
    record_id = None
    if record.fields is not None:
        value = record.fields.get(spec.id_field)
        record_id = scrub(str(value))[:64] if value not in (None, "") else None
    return {
        "source": spec.name,
        "source_file": name,
        "source_line": record.line + line_offset,
        "record_id": record_id,
        "reason": scrub_message(reason),  # never repeats a contact detail (docs/privacy.md)
        "raw": raw,
    }


def _without_unconsented_customer(record: readers.RawRecord) -> str:
    """The raw text of a record, with its customer reference withheld unless consent is true."""
    fields = record.fields
    if not fields or not fields.get("customer_ref") or fields.get("customer_consent") is True:
        return record.raw
    return json.dumps({**fields, "customer_ref": "[withheld: no consent]"}, ensure_ascii=False)
