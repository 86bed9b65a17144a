"""The data the gate validates: a run's Parquet datasets read a chunk of rows at a time with pyarrow,
plus the `chk_*` columns that carry rules across columns, rows and tables (duplicated keys,
traceability, sums), as pandas frames for Great Expectations. Pure Arrow; no Great Expectations
here.

A chunk holds at most `chunk_rows` rows of one dataset, so memory is bounded by the chunk, not the
run. What a chunk cannot show on its own (a key repeated in another chunk, a signal's record in
another table) comes from facts.Facts, found once over the key columns of the whole run.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipelines import summary
from pipelines.checks.facts import Facts, files
from pipelines.checks.suites import DATASETS, duplicate_column
from pipelines.demand.aggregate import CLASSES, TOTAL
from schemas.arrow import arrow_schema

#: Rows per batch read from Parquet, and how many batches the reader of a file reads ahead (files
#: are read one after the other): the reading holds a few of these beyond the chunk being built.
READ_BATCH_ROWS = 65_536
READ_AHEAD_BATCHES = 1


#: Columns derive_chunk reads to build the chk_* columns, besides the dataset's key columns and
#: event_date and iso_week (chk_iso_week).
DERIVE_INPUTS: dict[str, tuple[str, ...]] = {
    "stg_frontline_notes": ("customer_consent", "customer_ref"),
    "demand_signals": ("source", "record_id", "event_id"),
    "demand_events": ("event_id", "n_signals", "n_notes", "n_lookups", "n_lost_sales"),
    "mart_unmet_demand": (
        "attribute",
        "value",
        "level",
        "iso_week",
        "store_id",
        "category",
        *(f"{c}_events" for c in CLASSES),
    ),
    "mart_weekly_headline": ("week_start_date", "events", *(f"{c}_events" for c in CLASSES)),
}


def read_columns(dataset: str, rule_columns: Iterable[str]) -> tuple[str, ...]:
    """The stored columns the gate reads of `dataset`: those its rules check (`rule_columns`, the
    chk_* ones aside: derive_chunk builds them) and those derive_chunk builds them from. The other
    columns are never read."""
    wanted = [
        *DATASETS[dataset][1],
        "event_date",
        "iso_week",
        *DERIVE_INPUTS.get(dataset, ()),
        *(c for c in rule_columns if not c.startswith("chk_")),
    ]
    return tuple(dict.fromkeys(wanted))


def chunks(
    run_dir: Path,
    dataset: str,
    chunk_rows: int,
    columns: Collection[str] | None = None,
    only: Collection[str] | None = None,
) -> Iterator[pa.Table]:
    """The rows of one dataset of the run, in file order, as tables of at most `chunk_rows` rows
    (at least one table: empty, with the dataset's schema, if it has no rows). With `columns`,
    only those of them the dataset has, in the dataset's order (a missing one is left out, as
    when a file lacks a column). With `only` (paths relative to the run folder), only those files:
    an incremental run validates the files it wrote."""
    paths = files(run_dir, dataset)
    if only is not None:
        paths = [p for p in paths if Path(p).relative_to(run_dir).as_posix() in only]
    if not paths:
        schema = arrow_schema(DATASETS[dataset][0])
    else:
        schema = pa.unify_schemas(
            [pq.read_schema(p) for p in paths], promote_options="default"
        ).remove_metadata()
    if columns is not None:
        schema = pa.schema([f for f in schema if f.name in set(columns)])
    if not paths:
        yield schema.empty_table()
        return
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in _batches(paths, schema, min(chunk_rows, READ_BATCH_ROWS)):
        while batch.num_rows:
            take = min(chunk_rows - held, batch.num_rows)
            pending.append(batch.slice(0, take))
            held += take
            batch = batch.slice(take)
            if held == chunk_rows:
                # The batches are handed over, not kept: the caller alone holds the chunk (and
                # can free it) while this generator waits.
                yield pa.Table.from_batches(_drain(pending), schema)
                held = 0
    if pending or held == 0:
        yield pa.Table.from_batches(_drain(pending), schema)


def _batches(paths: list[str], schema: pa.Schema, batch_rows: int) -> Iterator[pa.RecordBatch]:
    """The rows of the files in `paths`, as `schema` (a column a file lacks is null), one file
    after the other. Not one scanner over every file: its reading ahead ran on while Great
    Expectations validated a chunk (10M-record notes read by a slow consumer: up to 86-163 MiB of
    batches held at a time by the scanner, 34 MiB file by file)."""
    dataset = ds.dataset(paths, schema=schema, format="parquet")
    for fragment in dataset.get_fragments():
        yield from fragment.to_batches(
            schema=schema,
            columns=schema.names,
            batch_size=batch_rows,
            batch_readahead=READ_AHEAD_BATCHES,
            fragment_readahead=0,
        )


def _drain(pending: list[pa.RecordBatch]) -> list[pa.RecordBatch]:
    """The items of `pending`, which is left empty."""
    taken = pending[:]
    pending.clear()
    return taken


def _unless(mask: pa.ChunkedArray | pa.Array, values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """`values` where `mask` is false (or null), null where it is true."""
    return pc.if_else(pc.fill_null(mask, False), pa.nulls(len(values), values.type), values)


def _only(mask: pa.ChunkedArray | pa.Array, values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """`values` where `mask` is true, null elsewhere."""
    return _unless(pc.invert(pc.fill_null(mask, False)), values)


def _key(*columns: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """'a|b|c' per row; null if any part is null."""
    return pc.binary_join_element_wise(*[pc.cast(c, pa.string()) for c in columns], "|")


def _row_key(*columns: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """'a|b|c' per row, a null part written as <null> (two rows with the same key, nulls included,
    get the same text, as pandas' duplicated sees them)."""
    parts = [pc.cast(c, pa.string()) for c in columns]
    return pc.binary_join_element_wise(
        *parts, "|", null_handling="replace", null_replacement="<null>"
    )


def _in(values: pa.ChunkedArray | pa.Array, value_set: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(value_set, pa.ChunkedArray):
        value_set = value_set.combine_chunks()
    return pc.is_in(values, value_set=value_set.cast(values.type))


def iso_week(event_date: pa.ChunkedArray) -> pa.ChunkedArray:
    """'2026-W47' from a date column, computed independently of the pipeline."""
    year = pc.utf8_lpad(pc.cast(pc.iso_year(event_date), pa.string()), 4, "0")
    week = pc.utf8_lpad(pc.cast(pc.iso_week(event_date), pa.string()), 2, "0")
    return pc.binary_join_element_wise(year, week, "-W")


def _add(table: pa.Table, name: str, values: pa.ChunkedArray | pa.Array) -> pa.Table:
    return table.append_column(name, values)


def _sum(table: pa.Table, columns: list[str]) -> pa.ChunkedArray:
    total = table.column(columns[0])
    for name in columns[1:]:
        total = pc.add(total, table.column(name))
    return total


def _duplicates(table: pa.Table, dataset: str, facts: Facts) -> pa.Table:
    """chk_duplicate_*: the row's key where that key occurs in more than one row of the dataset."""
    keys = DATASETS[dataset][1]
    repeated = facts.duplicates.get(dataset)
    if repeated is None or any(k not in table.column_names for k in keys):
        return table  # a key column is missing: the rule then errors ("column does not exist")
    if len(keys) == 1:
        values = table.column(keys[0])
        return _add(table, duplicate_column(keys), _only(_in(values, repeated.column(0)), values))
    row_keys = _row_key(*(table.column(k) for k in keys))
    repeated_keys = _row_key(*(repeated.column(k) for k in keys))
    return _add(table, duplicate_column(keys), _only(_in(row_keys, repeated_keys), row_keys))


def _notes(notes: pa.Table, facts: Facts) -> pa.Table:
    notes = _add(
        notes,
        "chk_customer_ref_without_consent",
        _unless(notes.column("customer_consent"), notes.column("customer_ref")),
    )
    withdrawn = _in(notes.column("note_id"), facts.withdrawn_refs)
    return _add(notes, "chk_customer_ref_withdrawn", _only(withdrawn, notes.column("customer_ref")))


def _signals(signals: pa.Table, facts: Facts) -> pa.Table:
    signal_keys = _key(signals.column("source"), signals.column("record_id"))
    untraced = facts.untraced_records
    untraced_keys = _key(untraced.column("source"), untraced.column("record_id"))
    signals = _add(
        signals, "chk_untraced_record_id", _only(_in(signal_keys, untraced_keys), signal_keys)
    )
    event_ids = signals.column("event_id")
    return _add(
        signals,
        "chk_unknown_event_id",
        _only(_in(event_ids, facts.unknown_event_ids), event_ids),
    )


def _events(events: pa.Table, facts: Facts) -> pa.Table:
    event_ids = events.column("event_id")
    mismatch = facts.linked_mismatch
    position = pc.index_in(
        event_ids, value_set=mismatch.column("event_id").combine_chunks().cast(event_ids.type)
    )
    listed = pc.is_valid(position)
    # Linked counts are known for every event: n_signals where it is right, else the true count
    # (null when no signal names the event), as facts.linked_mismatch lists them.
    n_linked = pc.take(mismatch.column("n_linked").combine_chunks().cast(pa.int64()), position)
    events = _add(
        events, "chk_untraced_event_id", _only(pc.and_(listed, pc.is_null(n_linked)), event_ids)
    )
    events = _add(events, "chk_n_by_source", _sum(events, ["n_notes", "n_lookups", "n_lost_sales"]))
    return _add(
        events,
        "chk_n_linked",
        pc.if_else(listed, n_linked, pc.cast(events.column("n_signals"), pa.int64())),
    )


def _mart(mart: pa.Table, facts: Facts) -> pa.Table:
    attribute = mart.column("attribute")
    mart = _add(mart, "chk_events_by_class", _sum(mart, [f"{c}_events" for c in CLASSES]))
    for name in ("color", "pattern"):
        mart = _add(
            mart, f"chk_{name}_value", _unless(pc.not_equal(attribute, name), mart.column("value"))
        )
    found = facts.event_keys
    event_keys = _key(found.column("iso_week"), found.column("store_id"), found.column("category"))
    mart_keys = _key(mart.column("iso_week"), mart.column("store_id"), mart.column("category"))
    traced = pc.or_(pc.equal(mart.column("level"), "chain"), _in(mart_keys, event_keys))
    mart = _add(mart, "chk_untraced_store_row", _unless(traced, mart_keys))
    wrong = facts.total_mismatch
    wrong_keys = _key(*(wrong.column(k) for k in ("iso_week", "level", "store_id", "category")))
    keys = _key(*(mart.column(k) for k in ("iso_week", "level", "store_id", "category")))
    is_total = pc.equal(attribute, TOTAL)
    return _add(mart, "chk_total_mismatch", _only(pc.and_(is_total, _in(keys, wrong_keys)), keys))


def _headline(headline: pa.Table, facts: Facts) -> pa.Table:
    headline = _add(headline, "chk_iso_week", iso_week(headline.column("week_start_date")))
    return _add(headline, "chk_events_by_class", _sum(headline, [f"{c}_events" for c in CLASSES]))


_DERIVE: dict[str, Callable[[pa.Table, Facts], pa.Table]] = {
    "stg_frontline_notes": _notes,
    "demand_signals": _signals,
    "demand_events": _events,
    "mart_unmet_demand": _mart,
    "mart_weekly_headline": _headline,
}


def derive_chunk(dataset: str, table: pa.Table, facts: Facts) -> pa.Table:
    """Add the chk_* columns the rules of `dataset` read (see suites.BUSINESS_RULES) to one chunk."""
    table = _duplicates(table, dataset, facts)
    if "event_date" in table.column_names and "iso_week" in table.column_names:
        table = _add(table, "chk_iso_week", iso_week(table.column("event_date")))
    derive = _DERIVE.get(dataset)
    return derive(table, facts) if derive else table


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


def by_partial_nulls(table: pa.Table, rules: dict[int, tuple[str, ...]]) -> list[tuple[int, ...]]:
    """The rules (number -> columns it reads) in at most two groups, each to be validated on a
    frame of only its own columns: those that read no column with some, but not all, values null
    in `table`, then those that do.

    For each expectation on a column with nulls, Great Expectations' pandas engine copies the
    whole frame minus that column's null rows (every column of the frame, not only the checked
    one): on a frame of the second group's few columns that copy stays small. A rule's verdict
    does not depend on the other columns of its frame, so the results are the same."""
    partly = {
        name for name in table.column_names if 0 < table.column(name).null_count < table.num_rows
    }
    plain = tuple(i for i, columns in rules.items() if partly.isdisjoint(columns))
    nulls = tuple(i for i, columns in rules.items() if not partly.isdisjoint(columns))
    return [group for group in (plain, nulls) if group]


def narrow(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    """The `columns` of `table` it has, or its first column if none (a table-level rule, such as
    a row count, still sees every row)."""
    kept = [c for c in columns if c in table.column_names] or table.column_names[:1]
    return table.select(kept)


def concat(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables, promote_options="default")


def frame(table: pa.Table, columns: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """`columns` of `table` as a pandas frame. List columns become their length (only their
    nullness is checked). A column the table lacks is left out: its expectations then error."""
    picked = {}
    for name in columns:
        if name not in table.column_names:
            continue
        values = table.column(name)
        if pa.types.is_list(values.type) or pa.types.is_large_list(values.type):
            values = pc.list_value_length(values)
        picked[name] = values
    return pa.table(picked).to_pandas() if picked else pa.table({}).to_pandas()
