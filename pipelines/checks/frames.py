"""The data the gate validates: a run's Parquet datasets read with pyarrow, plus the `chk_*` columns
that carry rules across columns and tables (traceability, sums), as pandas frames for Great
Expectations. Pure Arrow; no Great Expectations here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipelines import io, summary
from pipelines.checks.suites import DATASETS, Suite
from pipelines.demand.aggregate import CLASSES, MISSING
from schemas.arrow import arrow_schema

#: The staging table and id column each demand signal's `source` refers to.
SIGNAL_SOURCES = {
    "frontline_notes": ("stg_frontline_notes", "note_id"),
    "oos_lookups": ("stg_oos_lookups", "lookup_id"),
    "lost_sales": ("stg_lost_sales", "sale_id"),
}


def read_dataset(run_dir: Path, dataset: str) -> pa.Table:
    """All Parquet files of one dataset of the run as one table (empty with its schema if none)."""
    schema = arrow_schema(DATASETS[dataset][0])
    paths = io.list_files(str(run_dir / dataset), "**.parquet")
    if not paths:
        return schema.empty_table()
    # pyarrow decodes without the GIL: reading a few files at once takes ~30% off on 2 cores.
    with ThreadPoolExecutor(max_workers=4) as pool:
        parts = list(pool.map(io.read_parquet, paths))
    return pa.concat_tables(parts, promote_options="default")


def _unless(mask: pa.ChunkedArray | pa.Array, values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """`values` where `mask` is false (or null), null where it is true."""
    return pc.if_else(pc.fill_null(mask, False), pa.nulls(len(values), values.type), values)


def _key(*columns: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    return pc.binary_join_element_wise(*[pc.cast(c, pa.string()) for c in columns], "|")


def iso_week(event_date: pa.ChunkedArray) -> pa.ChunkedArray:
    """'2026-W47' from a date column, computed independently of the pipeline."""
    year = pc.cast(pc.iso_year(event_date), pa.string())
    week = pc.utf8_lpad(pc.cast(pc.iso_week(event_date), pa.string()), 2, "0")
    return pc.binary_join_element_wise(year, week, "-W")


def _add(table: pa.Table, name: str, values: pa.ChunkedArray | pa.Array) -> pa.Table:
    return table.append_column(name, values)


def _sum(table: pa.Table, columns: list[str]) -> pa.ChunkedArray:
    total = table.column(columns[0])
    for name in columns[1:]:
        total = pc.add(total, table.column(name))
    return total


def derive(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Add the chk_* columns the business rules read (see suites.BUSINESS_RULES)."""
    out = dict(tables)
    for name, table in tables.items():
        if "event_date" in table.column_names and "iso_week" in table.column_names:
            out[name] = _add(table, "chk_iso_week", iso_week(table.column("event_date")))

    notes = out["stg_frontline_notes"]
    out["stg_frontline_notes"] = _add(
        notes,
        "chk_customer_ref_without_consent",
        _unless(notes.column("customer_consent"), notes.column("customer_ref")),
    )

    signals, events = out["demand_signals"], out["demand_events"]
    staged = [
        _key(
            pa.array([source] * tables[table].num_rows, pa.string()),
            tables[table].column(id_field).combine_chunks(),
        )
        for source, (table, id_field) in SIGNAL_SOURCES.items()
    ]
    staged_keys = pa.concat_arrays(staged)
    signal_keys = _key(signals.column("source"), signals.column("record_id"))
    signals = _add(
        signals,
        "chk_untraced_record_id",
        _unless(pc.is_in(signal_keys, value_set=staged_keys), signal_keys),
    )
    event_ids = events.column("event_id").combine_chunks()
    signal_events = signals.column("event_id")
    out["demand_signals"] = _add(
        signals,
        "chk_unknown_event_id",
        _unless(pc.is_in(signal_events, value_set=event_ids), signal_events),
    )

    linked = (
        pa.table({"event_id": signal_events})
        .group_by("event_id")
        .aggregate([("event_id", "count")])
    )
    position = pc.index_in(events.column("event_id"), value_set=linked.column("event_id"))
    events = _add(
        events, "chk_untraced_event_id", _unless(pc.is_valid(position), events.column("event_id"))
    )
    events = _add(events, "chk_n_by_source", _sum(events, ["n_notes", "n_lookups", "n_lost_sales"]))
    out["demand_events"] = _add(
        events, "chk_n_linked", pc.take(linked.column("event_id_count"), position)
    )

    mart = out["mart_unmet_demand"]
    attribute = mart.column("attribute")
    mart = _add(mart, "chk_events_by_class", _sum(mart, [f"{c}_events" for c in CLASSES]))
    for name in ("color", "pattern"):
        mart = _add(
            mart, f"chk_{name}_value", _unless(pc.not_equal(attribute, name), mart.column("value"))
        )
    event_keys = _key(
        events.column("iso_week"),
        events.column("store_id"),
        pc.fill_null(events.column("category"), MISSING),
    )
    mart_keys = _key(mart.column("iso_week"), mart.column("store_id"), mart.column("category"))
    traced = pc.or_(
        pc.equal(mart.column("level"), "chain"), pc.is_in(mart_keys, value_set=event_keys)
    )
    out["mart_unmet_demand"] = _add(mart, "chk_untraced_store_row", _unless(traced, mart_keys))
    return out


def counts_table(counts: list[summary.SourceCount]) -> pa.Table:
    """The run's per-source counts, with `chk_accounted` = accepted + quarantined."""
    return pa.table(
        {
            "source": pa.array([c.source for c in counts], pa.string()),
            "read": pa.array([c.read for c in counts], pa.int64()),
            "accepted": pa.array([c.accepted for c in counts], pa.int64()),
            "quarantined": pa.array([c.quarantined for c in counts], pa.int64()),
            "chk_accounted": pa.array([c.accepted + c.quarantined for c in counts], pa.int64()),
        }
    )


def load(run_dir: Path, counts: list[summary.SourceCount]) -> dict[str, pa.Table]:
    """Every dataset the suites validate, with the derived columns."""
    tables = derive({name: read_dataset(run_dir, name) for name in DATASETS})
    tables["ingest_counts"] = counts_table(counts)
    return tables


def frame(table: pa.Table, suite: Suite):  # type: ignore[no-untyped-def]
    """The columns `suite` reads, as a pandas frame. List columns become their length (only their
    nullness is checked). A column the table lacks is left out: its expectations then error."""
    columns = {}
    for name in suite.columns:
        if name not in table.column_names:
            continue
        values = table.column(name)
        if pa.types.is_list(values.type) or pa.types.is_large_list(values.type):
            values = pc.list_value_length(values)
        columns[name] = values
    return pa.table(columns).to_pandas() if columns else pa.table({}).to_pandas()
