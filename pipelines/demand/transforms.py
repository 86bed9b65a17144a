"""The demand pipeline's composite transforms: signals -> events -> aggregates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

import apache_beam as beam
import pyarrow as pa
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from pipelines import io
from pipelines.demand import aggregate, catalog, events, signals
from pipelines.ingest import tables
from schemas.arrow import arrow_schema
from schemas.marts import DemandEvent, DemandSignal

EVENT_SCHEMA = arrow_schema(DemandEvent, described=False)
SIGNAL_SCHEMA = arrow_schema(DemandSignal, described=False)
WRITTEN = {"demand_events": arrow_schema(DemandEvent), "demand_signals": arrow_schema(DemandSignal)}


#: Signals travel between steps as Arrow tables in this shape (the ledger without the link).
SIGNAL_IN_SCHEMA = pa.schema(
    [f for f in SIGNAL_SCHEMA if f.name not in ("event_id", "link_reason")]
)
#: Stores are hashed into this many groups for event linking (the unit of parallelism).
STORE_BUCKETS = 8


class _CatalogFn(beam.DoFn):
    """A DoFn that receives the catalog as an Arrow table side input and indexes it once."""

    _catalog: catalog.Catalog | None = None

    def catalog_of(self, table: pa.Table) -> catalog.Catalog:
        if self._catalog is None:
            self._catalog = catalog.catalog_index(table.to_pylist())
        return self._catalog


class ToSignalsFn(_CatalogFn):
    """Staging rows of one source -> demand signals, as Arrow tables keyed by store bucket."""

    def __init__(self, source: str) -> None:
        self._source = source

    def process(self, table: pa.Table, catalog_table: pa.Table) -> Iterator[Any]:
        rows = signals.signals_of_table(self._source, table, self.catalog_of(catalog_table))
        if not rows:
            return
        found = pa.Table.from_pylist(rows, schema=SIGNAL_IN_SCHEMA)
        yield from tables.split_by_bucket(found, "store_id", STORE_BUCKETS)


class BuildEventsFn(_CatalogFn):
    """A bucket of stores' signals -> events (tagged 'events') and linked signals (main), by week.

    Signals are linked per store-day. Rows are gathered per week for the whole bundle and emitted
    as one Arrow table per week in finish_bundle.
    """

    def __init__(self, window_minutes: int) -> None:
        self._window = timedelta(minutes=window_minutes)

    def start_bundle(self) -> None:
        self._signals: dict[str, list[dict[str, Any]]] = {}
        self._events: dict[str, list[dict[str, Any]]] = {}

    def process(self, element: tuple[int, Iterable[pa.Table]], catalog_table: pa.Table) -> None:
        _, parts = element
        index = self.catalog_of(catalog_table)
        by_day: dict[tuple[str, Any], list[dict[str, Any]]] = {}
        for row in pa.concat_tables(list(parts)).to_pylist():
            by_day.setdefault((row["store_id"], row["event_date"]), []).append(row)
        for key in sorted(by_day):
            built, linked = events.build_events(by_day[key], index, self._window)
            week = by_day[key][0]["iso_week"]
            self._signals.setdefault(week, []).extend(linked)
            self._events.setdefault(week, []).extend(built)

    def finish_bundle(self) -> Iterator[Any]:
        for week in sorted(self._signals):
            signals_table = pa.Table.from_pylist(self._signals[week], schema=SIGNAL_SCHEMA)
            events_table = pa.Table.from_pylist(self._events[week], schema=EVENT_SCHEMA)
            yield WindowedValue((week, signals_table), MIN_TIMESTAMP, [GlobalWindow()])
            yield beam.pvalue.TaggedOutput(
                "events", WindowedValue((week, events_table), MIN_TIMESTAMP, [GlobalWindow()])
            )
        self._signals, self._events = {}, {}


class WriteWeekFn(beam.DoFn):
    """Write one ISO week of a ledger table as one Parquet file; pass the table on."""

    def __init__(self, out_root: str, table: str, sort_key: str) -> None:
        self._out_root = out_root
        self._table = table
        self._sort_key = sort_key

    def process(self, element: tuple[str, Iterable[pa.Table]]) -> Iterator[tuple[str, pa.Table]]:
        week, parts = element
        table = pa.concat_tables(list(parts)).sort_by(self._sort_key)
        io.write_parquet(
            io.join(self._out_root, self._table, f"iso_week={week}", "part-00000.parquet"),
            table.cast(WRITTEN[self._table]),
        )
        yield week, table


class AggregateUnmetDemand(beam.PTransform):
    """(week, events table) -> mart_unmet_demand rows for the given attributes, one file per week."""

    def __init__(
        self, out_root: str, attributes: tuple[str, ...] = aggregate.DEFAULT_ATTRIBUTES
    ) -> None:
        super().__init__()
        self._out_root = out_root
        self._attributes = attributes

    def expand(self, weekly_events):  # type: ignore[no-untyped-def]
        return (
            weekly_events
            | "AggregateWeek" >> beam.MapTuple(self._aggregate)
            | "WriteMart" >> beam.MapTuple(self._write)
        )

    def _aggregate(self, week: str, table: pa.Table) -> tuple[str, pa.Table]:
        long = pa.concat_tables([aggregate.long_rows(table, a) for a in self._attributes])
        return week, aggregate.aggregate(long)

    def _write(self, week: str, table: pa.Table) -> int:
        io.write_parquet(
            io.join(self._out_root, "mart_unmet_demand", f"iso_week={week}", "part-00000.parquet"),
            table,
        )
        return table.num_rows
