"""The ingest's composite transforms: parse files, drop duplicate ids, write staging Parquet."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import apache_beam as beam
import pyarrow as pa

from pipelines import io
from pipelines.ingest import fast, readers, tables
from pipelines.ingest.redact import redact
from pipelines.ingest.sources import BY_NAME, SourceSpec
from pipelines.ingest.validate import Reference, Refused
from schemas.arrow import arrow_schema

#: Rows per Arrow batch handed between stages.
BATCH_ROWS = 50_000
#: Hash buckets for the duplicate-id check (the unit of parallelism of that step).
ID_BUCKETS = 4


def relative_name(path: str, inputs_root: str) -> str:
    """The file's path relative to the inputs root, so outputs don't depend on where inputs live."""
    root = inputs_root.rstrip("/") + "/"
    return path[len(root) :] if path.startswith(root) else path


class ParseFileFn(beam.DoFn):
    """Read one input file of a source, validate each record, and emit Arrow batches keyed by
    (source, bucket). Elements are (source, path).

    Outputs: main = ((source, bucket), table of staging rows), 'rejects' = table of rejects,
    'stats' = one FileStat dict per file.
    """

    def __init__(self, inputs_root: str, as_of: datetime, fast: bool = True) -> None:
        self._inputs_root = inputs_root
        self._as_of = as_of
        self._fast = fast  # False: every record takes the exact path (tests compare the two)

    def setup(self) -> None:
        self._schemas = {
            name: arrow_schema(spec.staging_model, described=False)
            for name, spec in BY_NAME.items()
        }

    def process(
        self, element: tuple[str, str], reference: dict[str, list[str]] | None = None
    ) -> Iterator[Any]:
        source, path = element
        spec: SourceSpec = BY_NAME[source]
        schema = self._schemas[source]
        ref = Reference(
            as_of=self._as_of,
            stores=frozenset((reference or {}).get("stores", ())),
            skus=frozenset((reference or {}).get("catalog", ())),
        )
        name = relative_name(path, self._inputs_root)
        handle = io.TextFile(path)
        records: Iterable[readers.RawRecord]
        fast_result = None
        if self._fast and spec.name in fast.COLUMNS:
            fast_result = fast.parse(spec.name, spec.format, handle.read_bytes(), spec.columns,
                                     ref, schema)  # fmt: skip
        if fast_result is not None:
            records = fast_result.slow
            yield from _emit_table(spec, schema, fast_result.table, name)
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
                rejects.append(_reject(spec, record, name, reason))
            if len(rows) >= BATCH_ROWS:
                yield from _emit(spec, schema, rows)
                rows = []
            if len(rejects) >= BATCH_ROWS:
                yield beam.pvalue.TaggedOutput("rejects", tables.rejects_table(rejects))
                rejects = []
        sha256, size = handle.finish()
        yield from _emit(spec, schema, rows)
        if rejects:
            yield beam.pvalue.TaggedOutput("rejects", tables.rejects_table(rejects))
        note = "file is empty" if size == 0 else ("no records" if read == 0 else None)
        yield beam.pvalue.TaggedOutput(
            "stats",
            {
                "source": spec.name,
                "source_file": name,
                "sha256": sha256,
                "bytes": size,
                "records_read": read,
                "records_parsed": parsed,
                "note": note,
            },
        )


def _reject(spec: SourceSpec, record: readers.RawRecord, name: str, reason: str) -> dict[str, Any]:
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


def _emit_table(
    spec: SourceSpec, schema: pa.Schema, table: pa.Table, name: str
) -> Iterator[tuple[tuple[str, int], pa.Table]]:
    """Emit rows accepted by the fast path (all staging columns but the file name)."""
    files = pa.repeat(pa.scalar(name, pa.string()), table.num_rows)
    for start in range(0, table.num_rows, BATCH_ROWS):
        batch = table.slice(start, BATCH_ROWS)
        yield from _split(
            spec,
            batch.append_column("source_file", files.slice(start, batch.num_rows))
            .select(schema.names)
            .cast(schema),
        )


def _emit(
    spec: SourceSpec, schema: pa.Schema, rows: list[dict[str, Any]]
) -> Iterator[tuple[tuple[str, int], pa.Table]]:
    if rows:
        yield from _split(spec, pa.Table.from_pylist(rows, schema=schema))


def _split(spec: SourceSpec, table: pa.Table) -> Iterator[tuple[tuple[str, int], pa.Table]]:
    for bucket, part in tables.split_by_bucket(table, spec.id_field, ID_BUCKETS):
        yield (spec.name, bucket), part


def _without_unconsented_customer(record: readers.RawRecord) -> str:
    """The raw text of a record, with its customer reference withheld unless consent is true."""
    fields = record.fields
    if not fields or not fields.get("customer_ref") or fields.get("customer_consent") is True:
        return record.raw
    return json.dumps({**fields, "customer_ref": "[withheld: no consent]"}, ensure_ascii=False)


class DropDuplicateIdsFn(beam.DoFn):
    """Within one id bucket: keep each id's first occurrence, quarantine the rest, and re-key the
    kept rows by staging partition (event date, or one partition for reference data)."""

    def process(self, element: tuple[tuple[str, int], Iterable[pa.Table]]) -> Iterator[Any]:
        (source, _), parts = element
        spec = BY_NAME[source]
        table = pa.concat_tables(list(parts))
        kept, rejects = tables.first_occurrences(table, spec.id_field, source)
        if rejects.num_rows:
            yield beam.pvalue.TaggedOutput("rejects", rejects)
        if spec.partitioned:
            for day, part in tables.split_by_value(kept, "event_date"):
                yield (source, f"event_date={day}"), part
        else:
            yield (source, ""), kept


class WritePartitionFn(beam.DoFn):
    """Write one staging partition as a single Parquet file with a fixed name; emit its row count."""

    def __init__(self, out_root: str) -> None:
        self._out_root = out_root

    def process(self, element: tuple[tuple[str, str], Iterable[pa.Table]]) -> Iterator[Any]:
        (source, partition), parts = element
        spec = BY_NAME[source]
        table = (
            pa.concat_tables(list(parts))
            .sort_by(spec.id_field)
            .cast(arrow_schema(spec.staging_model))
        )
        folder = (
            io.join(self._out_root, spec.table, partition)
            if partition
            else io.join(self._out_root, spec.table)
        )
        io.write_parquet(io.join(folder, "part-00000.parquet"), table)
        yield source, table.num_rows


class WriteRejectsFn(beam.DoFn):
    """Write all quarantined records of one source as one Parquet file."""

    def __init__(self, out_root: str) -> None:
        self._out_root = out_root

    def process(self, element: tuple[str, Iterable[pa.Table]]) -> Iterator[tuple[str, int]]:
        source, parts = element
        table = (
            pa.concat_tables(list(parts))
            .sort_by(
                [
                    ("source_file", "ascending"),
                    ("source_line", "ascending"),
                    ("reason", "ascending"),
                ]
            )
            .cast(tables.REJECT_SCHEMA)
        )
        io.write_parquet(
            io.join(self._out_root, "rejects", f"source={source}", "part-00000.parquet"), table
        )
        yield source, table.num_rows


class IngestSources(beam.PTransform):
    """Parse, validate and de-duplicate the files of some sources, in one flow (one element per
    file, keyed by source from then on: fewer stages than one flow per source).

    Returns a dict of PCollections: 'partitions' ((source, partition), table), 'rejects' (tables) and
    'stats' (FileStat dicts).
    """

    def __init__(
        self, files: dict[str, list[str]], inputs_root: str, as_of: datetime, reference=None
    ) -> None:
        super().__init__(label=None)
        self._files = [(source, path) for source in sorted(files) for path in files[source]]
        self._inputs_root = inputs_root
        self._as_of = as_of
        self._reference = reference

    def expand(self, pbegin):  # type: ignore[no-untyped-def]
        side = [beam.pvalue.AsSingleton(self._reference)] if self._reference is not None else []
        parsed = (
            pbegin
            | "ListFiles" >> beam.Create(self._files)
            | "ParseFiles"
            >> beam.ParDo(ParseFileFn(self._inputs_root, self._as_of), *side).with_outputs(
                "rejects", "stats", main="rows"
            )
        )
        deduped = (
            parsed.rows
            | "GroupByIdBucket" >> beam.GroupByKey()
            | "DropDuplicateIds"
            >> beam.ParDo(DropDuplicateIdsFn()).with_outputs("rejects", main="partitions")
        )
        rejects = (parsed.rejects, deduped.rejects) | "MergeRejects" >> beam.Flatten()
        return {"partitions": deduped.partitions, "rejects": rejects, "stats": parsed.stats}
