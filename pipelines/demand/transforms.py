"""The demand pipeline's composite transforms: signals -> events -> aggregates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipelines import io
from pipelines.demand import aggregate, catalog, events, signals
from schemas.arrow import arrow_schema
from schemas.marts import DemandEvent, DemandSignal

WRITTEN = {"demand_events": arrow_schema(DemandEvent), "demand_signals": arrow_schema(DemandSignal)}


class ArrowTableCoder(beam.coders.Coder):
    """Arrow tables between stages as an Arrow IPC stream: one copy to encode, none to decode.

    Beam's default (pickling) copied every table of signals twice through the GroupByKey.
    """

    def encode(self, value: pa.Table) -> bytes:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, value.schema) as writer:
            writer.write_table(value)
        return sink.getvalue().to_pybytes()

    def decode(self, encoded: bytes) -> pa.Table:
        return pa.ipc.open_stream(encoded).read_all()

    def estimate_size(self, value: pa.Table) -> int:  # Beam's default would encode to measure
        return value.nbytes

    def is_deterministic(self) -> bool:
        return False

    def to_type_hint(self) -> type:
        return pa.Table


beam.coders.registry.register_coder(pa.Table, ArrowTableCoder)


class ReadStagedFn(beam.DoFn):
    """(source, number, staged Parquet file) -> ((source, number), the file's rows as one table).

    Staging is one file per input file and day, so one element per file (no table is split).
    """

    def process(self, element: tuple[str, int, str]) -> Iterator[tuple[tuple[str, int], pa.Table]]:
        source, index, path = element
        with FileSystems.open(path) as handle:
            data = handle.read()
        yield (source, index), pq.ParquetFile(pa.BufferReader(data)).read()


class ToSignalsFn(beam.DoFn):
    """Staging rows of a source -> demand signals, written as one Arrow part per ISO week under
    `parts_root`; emits (week, part path). Passing paths keeps the group-by by week small: the
    local runner holds a grouped PCollection in memory, so tables there would hold the whole run.

    Staging is partitioned by day, so a file is one week: one element per file.
    """

    def __init__(self, parts_root: str) -> None:
        self._parts_root = parts_root

    def process(
        self, element: tuple[tuple[str, int], pa.Table], catalog_table: pa.Table
    ) -> Iterator[tuple[str, str]]:
        (source, index), table = element
        found = signals.signals_table(source, table, catalog_table)
        if not found.num_rows:
            return
        for week, part in signals.by_week(found):
            path = io.join(self._parts_root, source, f"{index:05d}-{week}.arrow")
            io.write_arrow(path, part)
            yield week, path


class BuildEventsFn(beam.DoFn):
    """One ISO week's signal parts -> its events (tagged 'events') and its linked signals (main).

    Signals are linked per store-day (a store-day never spans two weeks); the catalog side input
    is indexed once per DoFn instance.
    """

    def __init__(self, window_minutes: int) -> None:
        self._window = timedelta(minutes=window_minutes)
        self._catalog: catalog.Catalog | None = None

    def process(self, element: tuple[str, Iterable[str]], catalog_table: pa.Table) -> Iterator[Any]:
        week, paths = element
        if self._catalog is None:
            self._catalog = catalog.catalog_index(catalog_table.to_pylist())
        week_signals = pa.concat_tables([io.read_arrow(path) for path in sorted(paths)])
        built, linked = events.build_event_tables(week_signals, self._catalog, self._window)
        yield week, linked
        yield beam.pvalue.TaggedOutput("events", (week, built))


class WriteWeekFn(io.WritingFn):
    """Write one ISO week of a ledger table as one Parquet file; pass the table on."""

    def __init__(self, out_root: str, table: str, sort_key: str) -> None:
        self._out_root = out_root
        self._table = table
        self._sort_key = sort_key

    def process(self, element: tuple[str, pa.Table]) -> Iterator[tuple[str, pa.Table]]:
        week, table = element
        table = table.sort_by(self._sort_key)
        self.writes.write(
            io.join(self._out_root, self._table, f"iso_week={week}", "part-00000.parquet"),
            table.cast(WRITTEN[self._table]),
        )
        yield week, table


class WriteMartFn(io.WritingFn):
    """Write one ISO week of mart_unmet_demand; emit its row count."""

    def __init__(self, out_root: str) -> None:
        self._out_root = out_root

    def process(self, element: tuple[str, pa.Table]) -> Iterator[int]:
        week, table = element
        self.writes.write(
            io.join(self._out_root, "mart_unmet_demand", f"iso_week={week}", "part-00000.parquet"),
            table,
        )
        yield table.num_rows


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
            | "WriteMart" >> beam.ParDo(WriteMartFn(self._out_root))
        )

    def _aggregate(self, week: str, table: pa.Table) -> tuple[str, pa.Table]:
        long = pa.concat_tables([aggregate.long_rows(table, a) for a in self._attributes])
        return week, aggregate.aggregate(long)
