"""The demand pipeline: staging Parquet -> demand ledger (signals, events) -> unmet-demand mart."""

from __future__ import annotations

from collections.abc import Sequence

import apache_beam as beam
import pyarrow as pa

from pipelines import io
from pipelines.demand.transforms import (
    AggregateUnmetDemand,
    BuildEventsFn,
    ReadStagedFn,
    ToSignalsFn,
    WriteWeekFn,
)
from pipelines.options import pipeline_options
from schemas.arrow import arrow_schema
from schemas.staging import StgCatalog

FACT_TABLES = ("frontline_notes", "oos_lookups", "lost_sales")


def staged_files(staging_root: str, table: str) -> list[str]:
    return io.list_files(io.join(staging_root, f"stg_{table}"), "**.parquet")


def read_catalog(paths: list[str]) -> pa.Table:
    """The staged catalog (all its files) as one table sorted by sku."""
    if not paths:  # every catalog row was quarantined: nothing is carried
        return arrow_schema(StgCatalog).empty_table()
    return pa.concat_tables([io.read_parquet(path) for path in paths]).sort_by("sku")


def build(p: beam.Pipeline, staging_root: str, out_root: str, window_minutes: int) -> None:
    catalog = (
        p
        | "ListCatalog" >> beam.Create([staged_files(staging_root, "catalog")])
        | "ReadCatalog" >> beam.Map(read_catalog)
    )
    side = beam.pvalue.AsSingleton(catalog)
    staged = [
        (table, index, path)
        for table in FACT_TABLES
        for index, path in enumerate(staged_files(staging_root, table))
    ]
    parts_root = io.join(out_root, io.PARTS_FOLDER, "signals")
    built = (
        p
        | "ListStaging" >> beam.Create(staged)
        | "ReadStaging" >> beam.ParDo(ReadStagedFn())
        | "ToSignals" >> beam.ParDo(ToSignalsFn(parts_root), side)
        | "GroupSignalsByWeek" >> beam.GroupByKey()
        | "BuildEvents"
        >> beam.ParDo(BuildEventsFn(window_minutes), side).with_outputs("events", main="signals")
    )
    built.signals | "WriteSignals" >> beam.ParDo(
        WriteWeekFn(out_root, "demand_signals", "signal_id")
    )
    (
        built.events
        | "WriteEvents" >> beam.ParDo(WriteWeekFn(out_root, "demand_events", "event_id"))
        | "AggregateUnmetDemand" >> AggregateUnmetDemand(out_root)
        | "RemoveParts" >> io.RemovePartsWhenDone(io.join(out_root, io.PARTS_FOLDER))
    )


def run(staging_root: str, out_root: str, window_minutes: int = 30,
        beam_args: Sequence[str] = ()) -> None:  # fmt: skip
    with beam.Pipeline(options=pipeline_options(beam_args)) as p:
        build(p, staging_root, out_root, window_minutes)
