"""The demand pipeline: staging Parquet -> demand ledger (signals, events) -> unmet-demand mart."""

from __future__ import annotations

from collections.abc import Sequence

import apache_beam as beam
import pyarrow as pa
from apache_beam.io.parquetio import ReadAllFromParquetBatched

from pipelines import io
from pipelines.demand.transforms import (
    AggregateUnmetDemand,
    BuildEventsFn,
    ToSignalsFn,
    WriteWeekFn,
)
from pipelines.options import pipeline_options

FACT_TABLES = ("frontline_notes", "oos_lookups", "lost_sales")


def staged_files(staging_root: str, table: str) -> list[str]:
    return io.list_files(io.join(staging_root, f"stg_{table}"), "**.parquet")


def _rows(table: pa.Table) -> list[dict]:
    return table.to_pylist()


def _concat_rows(batches: list[list[dict]]) -> list[dict]:
    return sorted((r for batch in batches for r in batch), key=lambda r: r["sku"])


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def build(p: beam.Pipeline, staging_root: str, out_root: str, window_minutes: int) -> None:
    catalog = (
        p
        | "ListCatalog" >> beam.Create(staged_files(staging_root, "catalog"))
        | "ReadCatalog" >> ReadAllFromParquetBatched()
        | "CatalogRows" >> beam.Map(_rows)
        | "CollectCatalog" >> beam.combiners.ToList()
        | "MergeCatalog" >> beam.Map(_concat_rows)
    )
    side = beam.pvalue.AsSingleton(catalog)
    by_store_day = []
    for table in FACT_TABLES:
        by_store_day.append(
            p
            | f"List{_camel(table)}" >> beam.Create(staged_files(staging_root, table))
            | f"Read{_camel(table)}" >> ReadAllFromParquetBatched()
            | f"ToSignals{_camel(table)}" >> beam.ParDo(ToSignalsFn(table), side)
        )
    built = (
        by_store_day
        | "FlattenSignals" >> beam.Flatten()
        | "GroupByStoreDay" >> beam.GroupByKey()
        | "BuildEvents"
        >> beam.ParDo(BuildEventsFn(window_minutes), side).with_outputs("events", main="signals")
    )
    (
        built.signals
        | "GroupSignalsByWeek" >> beam.GroupByKey()
        | "WriteSignals" >> beam.ParDo(WriteWeekFn(out_root, "demand_signals", "signal_id"))
    )
    (
        built.events
        | "GroupEventsByWeek" >> beam.GroupByKey()
        | "WriteEvents" >> beam.ParDo(WriteWeekFn(out_root, "demand_events", "event_id"))
        | "AggregateUnmetDemand" >> AggregateUnmetDemand(out_root)
    )


def run(staging_root: str, out_root: str, window_minutes: int = 30,
        beam_args: Sequence[str] = ()) -> None:  # fmt: skip
    with beam.Pipeline(options=pipeline_options(beam_args)) as p:
        build(p, staging_root, out_root, window_minutes)
