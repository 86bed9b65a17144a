"""What no chunk of rows can show on its own, found once per run over only the key columns the
rules need: keys that occur more than once, signals whose record is not staged, signal event_ids
with no event, events whose n_signals differs from the signals that name them, the (week,
store, category) of the events, and the notes that keep the customer_ref of a customer who
withdrew their consent since.

DuckDB reads those columns straight from the run's Parquet files under a memory limit (past it,
its joins and group-bys spill to a temporary folder), so this step's memory does not grow with the
run. Every fact it returns is small: the offending keys only, and the distinct (week, store,
category) of the events, which grows with stores and weeks, not with records. frames.derive_chunk
turns the facts into the chk_* columns of each chunk; Great Expectations then checks those columns
like any other (suites.BUSINESS_RULES, and the chk_duplicate_* rule of every dataset).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipelines import io, withdrawals
from pipelines.checks.suites import DATASETS
from pipelines.demand.aggregate import MISSING, TOTAL
from schemas import datasets
from schemas.arrow import arrow_schema

#: DuckDB's memory limit for the facts (it spills past it) and its threads (the machine's cores).
MEMORY_LIMIT = "256MB"
THREADS = 2

#: The staging table and id column each demand signal's `source` refers to (from the registry).
SIGNAL_SOURCES = {
    raw.name: (datasets.staging_of(raw.name).name, datasets.staging_of(raw.name).keys[0])
    for raw in datasets.signal_sources()
}


@dataclass(frozen=True)
class Facts:
    #: dataset -> its key values (one column per key column) that occur in more than one row.
    duplicates: dict[str, pa.Table]
    #: (source, record_id) of signals whose record is not in the staging table of its source.
    untraced_records: pa.Table
    #: event_ids named by a signal that have no demand_events row.
    unknown_event_ids: pa.Array
    #: (event_id, n_linked) of the events whose n_signals differs from the number of signals that
    #: name them; n_linked is null when no signal does.
    linked_mismatch: pa.Table
    #: Distinct (iso_week, store_id, category) of demand_events, category null as MISSING.
    event_keys: pa.Table
    #: (iso_week, level, store_id, category) of the mart's total rows whose events, lost or
    #: estimated revenue differ from the ledger's (or that the ledger has no events for).
    total_mismatch: pa.Table
    #: note_ids of the staged notes that keep the customer_ref of a customer who withdrew their
    #: consent at or after the note's time (a withdrawal the run applied; docs/privacy.md).
    withdrawn_refs: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))


def files(run_dir: Path, dataset: str) -> list[str]:
    return io.list_files(str(run_dir / dataset), "**.parquet")


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


#: The datasets partitioned by ISO week whose facts stay within a week: an incremental run finds
#: them over every file of the weeks its validated files are in (their keys hold the week, as the
#: exported report marts' do, or derive from staging ids, whose uniqueness is still checked over
#: every staging file). From the registry (schemas/datasets.py).
WEEKLY = tuple(
    d.name for d in datasets.DATASETS.values() if d.partitioning is datasets.Partitioning.ISO_WEEK
)
_ISO_WEEK = re.compile(r"(?:^|/)iso_week=([^/]+)/")


def _week_of(path: str) -> str | None:
    """The ISO week of a file of a WEEKLY dataset, from its `iso_week=` folder."""
    found = _ISO_WEEK.search(path)
    return found.group(1) if found else None


def _connect(run_dir: Path, spill: str, only: Collection[str] | None = None):  # type: ignore[no-untyped-def]
    import duckdb

    con = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": MEMORY_LIMIT,
            "threads": THREADS,
            "temp_directory": spill,
            "preserve_insertion_order": False,
        },
    )
    weeks = {_week_of(rel) for rel in only} - {None} if only is not None else set()
    for dataset, (model, _, _) in DATASETS.items():
        paths = files(run_dir, dataset)
        if only is not None and dataset in WEEKLY:
            paths = [p for p in paths if _week_of(p) in weeks]
        if paths:
            con.execute(
                f"create view {dataset} as "
                f"select * from read_parquet({_sql_list(paths)}, union_by_name = true)"
            )
        else:
            con.register(dataset, arrow_schema(model).empty_table())
    return con


def _duplicates(con, dataset: str) -> pa.Table:  # type: ignore[no-untyped-def]
    """The key values of `dataset` that occur in more than one row."""
    keys = DATASETS[dataset][1]
    columns = ", ".join(keys)
    # As GE's unique expectations: a null key is no duplicate; a compound key counts unless all of
    # its values are null (ExpectCompoundColumnsToBeUnique ignores those rows).
    present = " or ".join(f"{k} is not null" for k in keys)
    # Grouping 64-bit hashes first is ~6x faster than grouping the key columns (11M mart rows:
    # 2.4 s vs 14 s); only keys whose hash repeats (a real duplicate or a rare collision) are then
    # grouped exactly.
    return _arrow(
        con,
        f"""
        with repeated as (
            select hash({columns}) as h from {dataset} where {present}
            group by h having count(*) > 1
        )
        select {columns} from {dataset}
        where ({present}) and hash({columns}) in (select h from repeated)
        group by all having count(*) > 1
        """,
    )


def _arrow(con, query: str, params: list[object] | dict[str, object] | None = None) -> pa.Table:  # type: ignore[no-untyped-def]
    return con.sql(query, params=params).to_arrow_table()


def _untraced_records(con) -> pa.Table:  # type: ignore[no-untyped-def]
    """(source, record_id) of the signals whose record is not in its source's staging table: one
    anti join per source (three smaller hash tables than one over all staged ids)."""
    return _arrow(
        con,
        " union all ".join(
            f"""
            select distinct s.source, s.record_id
            from demand_signals as s
            anti join {table} as t on cast(t.{id_field} as varchar) = cast(s.record_id as varchar)
            where s.source = '{source}' and s.record_id is not null
            """
            for source, (table, id_field) in SIGNAL_SOURCES.items()
        )
        + """
        union all
        select distinct source, record_id from demand_signals
        where record_id is not null and source not in ({})
        """.format(", ".join(f"'{source}'" for source in SIGNAL_SOURCES)),
    )


def _event_links(con) -> pa.Table:  # type: ignore[no-untyped-def]
    """One full join of the events with the signals counted per event_id: the signal event_ids
    with no event (known false), and the events whose n_signals is not the number of signals
    naming them (n_linked, null if none)."""
    return _arrow(
        con,
        """
        with linked as (
            select event_id, count(*) as n_linked
            from demand_signals
            where event_id is not null
            group by event_id
        ), events as (
            select event_id, n_signals, true as known from demand_events
        )
        select coalesce(e.event_id, l.event_id) as event_id, e.known is not null as known,
            l.n_linked
        from events as e
        full join linked as l on l.event_id = e.event_id
        where e.known is null or l.n_linked is null or l.n_linked is distinct from e.n_signals
        """,
    )


def _total_mismatch(con) -> pa.Table:  # type: ignore[no-untyped-def]
    """Mart total rows that are not the ledger's totals, in whole cents."""
    sums = (
        "count(*) as events, sum(round(lost_revenue_eur * 100))::bigint as lost, "
        "sum(round(estimated_revenue_eur * 100))::bigint as estimated"
    )
    return _arrow(
        con,
        f"""
        with ledger as (
            select iso_week, 'store' as level, store_id, coalesce(category, $missing) as category,
                {sums}
            from demand_events group by all
            union all
            select iso_week, 'chain', 'ALL', coalesce(category, $missing), {sums}
            from demand_events group by all
        ), totals as (
            select iso_week, level, store_id, category, events,
                round(lost_revenue_eur * 100)::bigint as lost,
                round(estimated_revenue_eur * 100)::bigint as estimated
            from mart_unmet_demand where attribute = $total
        )
        select t.iso_week, t.level, t.store_id, t.category
        from totals as t
        left join ledger as l using (iso_week, level, store_id, category)
        where l.events is distinct from t.events or l.lost is distinct from t.lost
            or l.estimated is distinct from t.estimated
        """,
        {"missing": MISSING, "total": TOTAL},
    )


def _withdrawn_refs(con, run_dir: Path) -> pa.Array:  # type: ignore[no-untyped-def]
    """note_ids of notes whose customer_ref a withdrawal the run applied covers
    (Facts.withdrawn_refs): its staged withdrawals and those it quarantined as repeated ids, which
    the ingest applies all the same (pipelines/withdrawals.py; a repeat whose `raw` cannot be
    read back is not known here)."""
    latest = withdrawals.latest(withdrawals.read(run_dir).known())
    schema = arrow_schema(datasets.dataset(f"stg_{withdrawals.SOURCE}").model)
    applied = pa.table({"customer_ref": pa.array(list(latest), schema.field("customer_ref").type),
                        "withdrawn_at": pa.array(list(latest.values()),
                                                 schema.field("withdrawn_at").type)})  # fmt: skip
    con.register("applied_withdrawals", applied)
    return (
        _arrow(
            con,
            """
            select n.note_id
            from stg_frontline_notes as n
            join applied_withdrawals as w on w.customer_ref = n.customer_ref
            where n.captured_at <= w.withdrawn_at
            """,
        )
        .column("note_id")
        .combine_chunks()
    )


def compute(run_dir: Path, only: Collection[str] | None = None) -> Facts:
    """The facts of the run in `run_dir` (see the module docstring); with `only` (an incremental
    run: the files it validates), those of the WEEKLY datasets over the weeks of those files."""
    with tempfile.TemporaryDirectory(prefix="unmet-checks-") as spill:
        con = _connect(run_dir, spill, only)
        try:
            links = _event_links(con)
            known = links.column("known")
            return Facts(
                duplicates={dataset: _duplicates(con, dataset) for dataset in DATASETS},
                untraced_records=_untraced_records(con),
                unknown_event_ids=links.filter(pc.invert(known))
                .column("event_id")
                .combine_chunks(),
                linked_mismatch=links.filter(known).select(["event_id", "n_linked"]),
                event_keys=_arrow(
                    con,
                    "select distinct iso_week, store_id, coalesce(category, ?) as category "
                    "from demand_events",
                    [MISSING],
                ),
                total_mismatch=_total_mismatch(con),
                withdrawn_refs=_withdrawn_refs(con, run_dir),
            )
        finally:
            con.close()
