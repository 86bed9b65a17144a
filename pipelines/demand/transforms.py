"""The demand pipeline's composite transforms: signals -> events -> aggregates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import io
from pipelines.demand import aggregate, catalog, events, signals
from pipelines.flow import Select, Written, tagged
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


class ReadStagedFn(io.FilesFn):
    """(source, number, staged Parquet file) -> ((source, number), the file's rows as one table).

    Staging is one file per input file and day, so one element per file (no table is split).
    """

    def process(self, element: tuple[str, int, str]) -> Iterator[tuple[tuple[str, int], pa.Table]]:
        source, index, path = element
        with io.open_file(path) as handle:
            data = handle.read()
        yield (source, index), pq.ParquetFile(pa.BufferReader(data)).read()


class ToSignalsFn(io.FilesFn):
    """Staging rows of a source -> demand signals, written as one Arrow part per unit of work
    (ISO week x store group) under `parts_root`; emits ((week, group), part path). Passing paths
    keeps the group-by small: the local runner holds a grouped PCollection in memory, so tables
    there would hold the whole run.

    `groups` says into how many store groups each week is split (absent: 1), so that a unit's size
    follows the batch size, not the week's. A store-day, the scope of linking, is in one group.
    """

    def __init__(self, parts_root: str, groups: dict[str, int]) -> None:
        super().__init__()
        self._parts_root = parts_root
        self._groups = groups

    def process(
        self, element: tuple[tuple[str, int], pa.Table], catalog_table: pa.Table
    ) -> Iterator[tuple[tuple[str, int], str]]:
        (source, index), table = element
        found = signals.signals_table(source, table, catalog_table)
        if not found.num_rows:
            return
        for week, part in signals.by_week(found):
            for group, rows in signals.by_store_group(part, self._groups.get(week, 1)):
                path = io.join(self._parts_root, source, f"{index:05d}-{week}-{group:05d}.arrow")
                io.write_arrow(path, rows)
                yield (week, group), path


Unit = tuple[str, int]  # (ISO week, store group): the unit of the demand pipeline's work


class BuildEventsFn(io.FilesFn):
    """One unit's signal parts -> (unit, its events sorted by event_id), tagged 'events', and
    (unit, its linked signals sorted by signal_id), tagged 'signals' (flow.tagged: one output).

    Signals are linked per store-day (a store-day never spans two weeks or store groups); the
    catalog side input is indexed once per DoFn instance.
    """

    def __init__(self, window_minutes: int) -> None:
        super().__init__()
        self._window = timedelta(minutes=window_minutes)
        self._catalog: catalog.Catalog | None = None

    def process(
        self, element: tuple[Unit, Iterable[str]], catalog_table: pa.Table
    ) -> Iterator[Any]:
        unit, paths = element
        if self._catalog is None:
            self._catalog = catalog.catalog_index(catalog_table.to_pylist())
        unit_signals = pa.concat_tables([io.read_arrow(path) for path in sorted(paths)])
        built, linked = events.build_event_tables(unit_signals, self._catalog, self._window)
        yield tagged("signals", (unit, linked.sort_by("signal_id")))
        yield tagged("events", (unit, built.sort_by("event_id")))


class WriteUnitFn(io.WritingFn):
    """Write one unit of a ledger table (rows sorted by id) as `iso_week=W/part-<group>.parquet`;
    emit its flow.Written."""

    def __init__(self, out_root: str, table: str) -> None:
        super().__init__()
        self._out_root = out_root
        self._table = table

    def process(self, element: tuple[Unit, pa.Table]) -> Iterator[Written]:
        (week, group), table = element
        rel = f"{self._table}/iso_week={week}/part-{group:05d}.parquet"
        self.writes.write(io.join(self._out_root, rel), table.cast(WRITTEN[self._table]))
        yield Written(self._table, rel, table.num_rows)


MART = "mart_unmet_demand"


class AggregateUnitFn(io.WritingFn):
    """(unit, events) -> its store-level mart rows, written as `iso_week=W/store-<group>.parquet`
    (a store is in one group, so they are exact), and its chain-level partial sums, written as
    Arrow parts under `parts_root`. Output (tagged): 'written' = the store-level file's
    flow.Written, 'chain' = (week, (group, sums path, customers path))."""

    def __init__(self, out_root: str, parts_root: str, attributes: tuple[str, ...]) -> None:
        super().__init__()
        self._out_root = out_root
        self._parts_root = parts_root
        self._attributes = attributes

    def process(self, element: tuple[Unit, pa.Table]) -> Iterator[tuple[str, Any]]:
        (week, group), table = element
        long = pa.concat_tables([aggregate.long_rows(table, a) for a in self._attributes])
        rel = f"{MART}/iso_week={week}/store-{group:05d}.parquet"
        stores = aggregate.sort_mart(aggregate.store_level(long))
        self.writes.write(io.join(self._out_root, rel), stores)
        yield tagged("written", Written(MART, rel, stores.num_rows))
        paths = []
        for name, part in zip(("sums", "customers"), aggregate.chain_partial(long), strict=True):
            paths.append(io.join(self._parts_root, name, f"{week}-{group:05d}.arrow"))
            io.write_arrow(paths[-1], part)
        yield tagged("chain", (week, (group, *paths)))


def chain_of_week(element: tuple[str, Iterable[tuple[Any, ...]]]) -> tuple[str, pa.Table]:
    """A week's chain-level mart rows, summed over the partials of its store groups."""
    week, parts = element
    partials = [(io.read_arrow(sums), io.read_arrow(customers))
                for _, sums, customers in sorted(parts)]  # fmt: skip
    return week, aggregate.sort_mart(aggregate.chain_level(partials))


class WriteChainFn(io.WritingFn):
    """Write one ISO week's chain-level rows as `iso_week=W/chain.parquet`; emit its flow.Written."""

    def __init__(self, out_root: str) -> None:
        super().__init__()
        self._out_root = out_root

    def process(self, element: tuple[str, pa.Table]) -> Iterator[Written]:
        week, table = element
        rel = f"{MART}/iso_week={week}/chain.parquet"
        self.writes.write(io.join(self._out_root, rel), table)
        yield Written(MART, rel, table.num_rows)


class AggregateUnmetDemand(beam.PTransform):
    """(unit, events table) -> mart_unmet_demand rows for the given attributes: per week, one
    file of store-level rows per store group and one file of chain-level rows.

    Each unit is aggregated on its own, so no step holds a whole week's mart; only the chain
    level is combined across a week's groups, from partial sums written as parts. Returns the
    flow.Written records of every mart file.
    """

    def __init__(
        self,
        out_root: str,
        parts_root: str,
        attributes: tuple[str, ...] = aggregate.DEFAULT_ATTRIBUTES,
    ) -> None:
        super().__init__()
        self._out_root = out_root
        self._parts_root = parts_root
        self._attributes = attributes

    def expand(self, unit_events):  # type: ignore[no-untyped-def]
        units = unit_events | "AggregateUnit" >> beam.ParDo(
            AggregateUnitFn(self._out_root, self._parts_root, self._attributes)
        )
        chain = (
            units
            | "SelectChainPartials" >> Select("chain")
            | "GroupChainByWeek" >> beam.GroupByKey()
            | "SumChainOfWeek" >> beam.ParDo(io.FileMapFn(chain_of_week))
            | "WriteChain" >> beam.ParDo(WriteChainFn(self._out_root))
        )
        return (
            units | "SelectStoreWritten" >> Select("written"),
            chain,
        ) | "FlattenMartWritten" >> beam.Flatten()
