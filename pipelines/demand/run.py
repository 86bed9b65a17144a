"""The demand pipeline: staging Parquet -> demand ledger (signals, events) -> unmet-demand mart."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date

import apache_beam as beam
import pyarrow as pa

from pipelines import flow, io
from pipelines.demand.transforms import (
    AggregateUnmetDemand,
    BuildEventsFn,
    ReadStagedFn,
    ToSignalsFn,
    WriteUnitFn,
)
from pipelines.flow import Select
from pipelines.options import pipeline_options
from schemas import datasets
from schemas.arrow import arrow_schema
from schemas.staging import StgCatalog
from schemas.weeks import iso_week

#: The sources whose staged rows become demand signals (the registry's signal sources).
FACT_TABLES = tuple(d.name for d in datasets.signal_sources())
#: About how many staged fact rows one unit of work (an ISO week's store group) holds: a week with
#: more is split into that many more store groups, so linking and aggregating a unit takes memory
#: in proportion to this, not to the week. (At 1M generated records a week has ~125k rows.)
UNIT_ROWS = 200_000
_DAY = re.compile(r"event_date=(\d{4}-\d{2}-\d{2})")


def staged_files(staging_root: str, table: str) -> list[str]:
    return io.list_files(io.join(staging_root, f"stg_{table}"), "**.parquet")


def read_catalog(paths: list[str]) -> pa.Table:
    """The staged catalog (all its files) as one table sorted by sku."""
    if not paths:  # every catalog row was quarantined: nothing is carried
        return arrow_schema(StgCatalog).empty_table()
    return pa.concat_tables([io.read_parquet(path) for path in paths]).sort_by("sku")


def week_of(path: str) -> str | None:
    """The ISO week of a staged fact file, from its `event_date=` partition (None if it has none)."""
    day = _DAY.search(path)
    return iso_week(date.fromisoformat(day.group(1))) if day else None


def store_groups(paths: list[str], unit_rows: int = UNIT_ROWS) -> dict[str, int]:
    """ISO week -> into how many store groups to split it: its staged fact rows (counted from the
    Parquet footers of the `event_date=` partitions) / `unit_rows`, rounded up."""
    rows: Counter[str] = Counter()
    for path in paths:
        week = week_of(path)
        if week:
            rows[week] += io.parquet_rows(path)
    return {week: max(1, math.ceil(n / unit_rows)) for week, n in sorted(rows.items())}


def build(
    p: beam.Pipeline,
    staging_root: str,
    out_root: str,
    window_minutes: int,
    unit_rows: int = UNIT_ROWS,
    weeks: Collection[str] | None = None,
) -> None:
    """Add the demand steps to a pipeline; it ends in one step, Commit, fed by every write
    (pipelines/flow.py). With `weeks` (an incremental run), only those ISO weeks are built: a
    week's ledger and marts depend on its own staged rows (and the catalog) only."""
    catalog = (
        p
        | "ListCatalog" >> beam.Create([staged_files(staging_root, "catalog")])
        | "ReadCatalog" >> beam.ParDo(io.FileMapFn(read_catalog))
    )
    side = beam.pvalue.AsSingleton(catalog)
    staged = [
        (table, index, path)
        for table in FACT_TABLES
        for index, path in enumerate(staged_files(staging_root, table))
        if weeks is None or week_of(path) in weeks
    ]
    groups = store_groups([path for _, _, path in staged], unit_rows)
    parts_root = io.join(out_root, io.PARTS_FOLDER)
    built = (
        p
        | "ListStaging" >> beam.Create(staged)
        | "ReadStaging" >> beam.ParDo(ReadStagedFn())
        | "ToSignals" >> beam.ParDo(ToSignalsFn(io.join(parts_root, "signals"), groups), side)
        | "GroupSignalsByUnit" >> beam.GroupByKey()
        | "BuildEvents" >> beam.ParDo(BuildEventsFn(window_minutes), side)
    )
    signals_written = (
        built
        | "SelectSignals" >> Select("signals")
        | "WriteSignals" >> beam.ParDo(WriteUnitFn(out_root, "demand_signals"))
    )
    unit_events = built | "SelectEvents" >> Select("events")
    events_written = unit_events | "WriteEvents" >> beam.ParDo(
        WriteUnitFn(out_root, "demand_events")
    )
    mart_written = unit_events | "AggregateUnmetDemand" >> AggregateUnmetDemand(
        out_root, io.join(parts_root, "mart")
    )
    (
        [signals_written, events_written, mart_written]
        | "FlattenWritten" >> beam.Flatten()
        | "Commit" >> flow.Commit(out_root, "demand", parts_root)
    )


def run(staging_root: str, out_root: str, window_minutes: int = 30,
        beam_args: Sequence[str] = (), unit_rows: int = UNIT_ROWS,
        weeks: Collection[str] | None = None) -> None:  # fmt: skip
    """Run the demand pipeline (only `weeks`, if given). Raises flow.Incomplete if the runner did
    not commit every write."""
    options = pipeline_options(beam_args)  # before listing: the file-system flags apply
    with beam.Pipeline(options=options) as p:
        build(p, staging_root, out_root, window_minutes, unit_rows, weeks)
    flow.verify(out_root, "demand")
