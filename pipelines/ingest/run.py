"""The ingest pipeline: input files -> staging Parquet (`stg_*`) + quarantine (`rejects`).

Reference data (catalog, stores) is ingested first in the same pipeline; the facts (notes, lookups,
lost sales) are checked against it through a side input. Run it through `unmet run` or `unmet ingest`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import apache_beam as beam
import pyarrow as pa

from pipelines import flow, io
from pipelines.flow import Written
from pipelines.ingest import inputs, tables
from pipelines.ingest.batches import BATCH_BYTES
from pipelines.ingest.parse import portable, relative_name
from pipelines.ingest.sources import ALL, FACTS, REFERENCE
from pipelines.ingest.transforms import (
    IngestSources,
    ReferenceIdsFn,
    WriteReadsFn,
    WriteRejectsFn,
    parsed_files,
)
from pipelines.options import pipeline_options
from schemas.arrow import arrow_schema
from schemas.staging import FileStat


class MissingInput(Exception):
    """An input the job cannot run without is absent."""


def find_inputs(inputs_root: str) -> dict[str, list[str]]:
    """Every input file by source (broken links included: inputs.list_files), sorted by path.
    Reference data must exist (but consent withdrawals: none yet is no error); a fact source may
    be empty."""
    files = {
        spec.name: inputs.list_files(io.join(inputs_root, spec.folder), spec.glob) for spec in ALL
    }
    for spec in REFERENCE:
        if spec.required and not files[spec.name]:
            raise MissingInput(
                f"no {spec.name} file: expected {io.join(inputs_root, spec.folder, spec.glob)}"
            )
    if not any(files[spec.name] for spec in FACTS):
        raise MissingInput(
            f"no input files under {inputs_root}: expected frontline_notes/*.jsonl, "
            "oos_lookups/*.csv or lost_sales/*.csv"
        )
    return files


class MergeIdsFn(beam.CombineFn):
    """{source: [ids]} from (source, ids) pairs."""

    def create_accumulator(self) -> dict[str, list[str]]:
        return {}

    def add_input(self, acc: dict[str, list[str]], element: tuple[str, list[str]]):  # type: ignore[no-untyped-def]
        acc.setdefault(element[0], []).extend(element[1])
        return acc

    def merge_accumulators(self, accs: Iterable[dict[str, list[str]]]) -> dict[str, list[str]]:
        merged: dict[str, list[str]] = {}
        for acc in accs:
            for key, ids in acc.items():
                merged.setdefault(key, []).extend(ids)
        return merged

    def extract_output(self, acc: dict[str, list[str]]) -> dict[str, list[str]]:
        return {key: sorted(ids) for key, ids in acc.items()}


def _source_of(table: pa.Table) -> tuple[str, pa.Table]:
    return table.column("source")[0].as_py(), table


STATS = "ingest_files/part-00000.parquet"


def _write_stats(element: tuple[str, Iterable[dict[str, Any]]], out_root: str,
                 earlier: str | None = None,
                 parsed: frozenset[str] = frozenset()) -> Written:  # fmt: skip
    """Write what was read of every input file (with `earlier`, the published run's folder in an
    incremental run: its files' rows too, but those of the files parsed now, `parsed`) as one
    file."""
    _, stats = element
    rows = list(stats)
    if earlier is not None:
        before = io.read_parquet(io.join(earlier, STATS)).to_pylist()
        rows += [row for row in before if row["source_file"] not in parsed]
    rows.sort(key=lambda s: (s["source"], s["source_file"]))
    table = pa.Table.from_pylist(rows, schema=arrow_schema(FileStat))
    io.write_parquet(io.join(out_root, STATS), table)
    return Written("ingest_files", STATS, table.num_rows)


def build(
    p: beam.Pipeline,
    files: dict[str, list[str]],
    inputs_root: str,
    out_root: str,
    as_of: datetime,
    batch_bytes: int = BATCH_BYTES,
    carried: dict[str, int] | None = None,
    earlier: str | None = None,
    again: dict[str, list[int]] | None = None,
) -> None:
    """Add the ingest steps to a pipeline (input files are parsed `batch_bytes` at a time).
    In an incremental run, `carried` says per source how many of its first files the published
    run (folder `earlier`) ingested already: only the others are parsed, and those numbered in
    `again` (parsed again, replacing their earlier rows: pipelines/incremental.py).

    It ends in one step, Commit, fed by every write (pipelines/flow.py)."""
    parts_root = io.join(out_root, io.PARTS_FOLDER)
    reference = p | "IngestReference" >> IngestSources(
        {spec.name: files[spec.name] for spec in REFERENCE}, inputs_root, as_of, out_root,
        io.join(parts_root, "reference"), batch_bytes=batch_bytes, carried=carried,
        earlier=earlier, again=again,
    )  # fmt: skip
    # the ids the facts are checked against: parsed again from the (small) reference files by a
    # branch that writes nothing, since a side input's upstream must have no side effects
    keys = (
        p
        | "ListReferenceFiles"
        >> beam.Create(
            [(spec.name, portable(path)) for spec in REFERENCE for path in files[spec.name]]
        )  # fmt: skip
        | "ReadReferenceIds" >> beam.ParDo(ReferenceIdsFn(inputs_root, as_of, batch_bytes))
        | "MergeReferenceIds" >> beam.CombineGlobally(MergeIdsFn()).without_defaults()
    )
    facts = p | "IngestFacts" >> IngestSources(
        {spec.name: files[spec.name] for spec in FACTS}, inputs_root, as_of, out_root,
        io.join(parts_root, "facts"), keys, batch_bytes, carried, earlier, again,
    )  # fmt: skip
    # the files parsed again replace their earlier rejects and stats; a source with such a file
    # gets an empty rejects table, so that its rejects are written again even if it has no new one
    parsed = frozenset(
        relative_name(path, inputs_root) for _, _, path in parsed_files(files, carried, again)
    ) if earlier is not None else frozenset()  # fmt: skip
    seeds = [(source, tables.rejects_table([])) for source in sorted(again or {}) if again[source]]
    rejects = (
        (
            [reference["rejects"], facts["rejects"]]
            | "FlattenRejects" >> beam.Flatten()
            | "KeyRejectsBySource" >> beam.Map(_source_of),
            p | "SeedRejects" >> beam.Create(seeds),
        )
        | "AddRejectSeeds" >> beam.Flatten()
        | "GroupRejectsBySource" >> beam.GroupByKey()
        | "WriteRejects" >> beam.ParDo(WriteRejectsFn(out_root, earlier, parsed))
    )
    stats = (
        [reference["stats"], facts["stats"]]
        | "FlattenFileStats" >> beam.Flatten()
        | "KeyFileStats" >> beam.Map(lambda s: ("stats", s))
        | "GroupFileStats" >> beam.GroupByKey()
        | "WriteFileStats" >> beam.ParDo(io.FileMapFn(_write_stats, out_root, earlier, parsed))
    )
    # what the side input read of the reference files, for ingest/reads.py to compare
    reads = (
        p
        | "SeedReferenceReads" >> beam.Create([None])
        | "WriteReferenceReads" >> beam.ParDo(WriteReadsFn(out_root), beam.pvalue.AsSingleton(keys))
    )
    (
        [reference["written"], facts["written"], rejects, stats, reads]
        | "FlattenWritten" >> beam.Flatten()
        | "Commit" >> flow.Commit(out_root, "ingest", parts_root)
    )


def run(
    inputs_root: str,
    out_root: str,
    as_of: datetime,
    beam_args: Sequence[str] = (),
    batch_bytes: int = BATCH_BYTES,
    carried: dict[str, int] | None = None,
    earlier: str | None = None,
    files: dict[str, list[str]] | None = None,
    again: dict[str, list[int]] | None = None,
) -> dict[str, list[str]]:
    """Run the ingest pipeline on `files` (default: every input file, listed now); returns the
    input files, by source (`carried`, `earlier` and `again`: see `build`; an incremental run
    passes the files it was planned on, so that a file delivered meanwhile cannot renumber
    them). Raises flow.Incomplete if the runner did not commit every write."""
    options = pipeline_options(beam_args)  # before listing: the file-system flags apply
    files = files if files is not None else find_inputs(inputs_root)
    with beam.Pipeline(options=options) as p:
        build(p, files, inputs_root, out_root, as_of, batch_bytes, carried, earlier, again)
    flow.verify(out_root, "ingest")
    return files
