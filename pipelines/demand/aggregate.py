"""Aggregate demand events by week x store (and chain) x category x attribute value. Pure Arrow."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from schemas.arrow import arrow_schema
from schemas.enums import Classification, values
from schemas.marts import UnmetDemandRow

MART_SCHEMA = arrow_schema(UnmetDemandRow)
CLASSES = tuple(values(Classification))
#: The attribute of the total rows: every event of the week, store (or chain) and category, once,
#: with value TOTAL_VALUE, so that each headline number is a sum over one set of mart rows.
TOTAL = "total"
TOTAL_VALUE = "all"
#: The attributes (and combinations) unmet demand is aggregated by.
DEFAULT_ATTRIBUTES = (TOTAL, "color", "pattern", "size", "color+size", "color+pattern")
MISSING = "(unknown)"


def long_rows(events: pa.Table, attribute: str) -> pa.Table:
    """The events with one `value` column for `attribute` (a combination joins values with '|').

    Events where any part of the attribute is missing are left out of that attribute only;
    the TOTAL attribute keeps every event.
    """
    if attribute == TOTAL:
        kept = events
        value = pa.array([TOTAL_VALUE] * kept.num_rows, pa.string())
    else:
        parts = attribute.split("+")
        mask = None
        for part in parts:
            present = pc.is_valid(events.column(part))
            mask = present if mask is None else pc.and_(mask, present)
        kept = events.filter(mask)
        value = (
            kept.column(parts[0])
            if len(parts) == 1
            else pc.binary_join_element_wise(*[kept.column(p) for p in parts], "|")
        )
    columns = {
        "iso_week": kept.column("iso_week"),
        "store_id": kept.column("store_id"),
        "category": pc.fill_null(kept.column("category"), MISSING),
        "attribute": pa.array([attribute] * kept.num_rows, pa.string()),
        "value": value,
        "event_id": kept.column("event_id"),
        "customer_ref": kept.column("customer_ref"),
        "lost_units": kept.column("lost_units"),
        # in whole cents: an exact sum, whatever the order the rows are added in
        "lost_revenue_cents": _cents(kept.column("lost_revenue_eur")),
        "estimated_revenue_cents": _cents(kept.column("estimated_revenue_eur")),
    }
    for name in CLASSES:
        columns[f"{name}_events"] = pc.cast(
            pc.equal(kept.column("classification"), name), pa.int64()
        )
    return pa.table(columns)


def _cents(eur: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.cast(pc.round(pc.multiply(eur, 100)), pa.int64())


KEYS = ["iso_week", "category", "attribute", "value"]
#: What is summed; a chain-level partial keeps these sums, and they add up across store groups.
SUMS = [
    ("event_id", "count"),
    ("lost_units", "sum"),
    ("lost_revenue_cents", "sum"),
    ("estimated_revenue_cents", "sum"),
    *[(f"{c}_events", "sum") for c in CLASSES],
]


def _mart_rows(grouped: pa.Table, level: str, customers: pa.ChunkedArray | pa.Array) -> pa.Table:
    """Grouped sums (SUMS' output names) -> rows of the mart's schema at `level`."""
    n = grouped.num_rows
    store = grouped.column("store_id") if level == "store" else pa.array(["ALL"] * n)
    return pa.table(
        {
            "iso_week": grouped.column("iso_week"),
            "level": pa.array([level] * n, pa.string()),
            "store_id": store,
            "category": grouped.column("category"),
            "attribute": grouped.column("attribute"),
            "value": grouped.column("value"),
            "events": grouped.column("event_id_count"),
            "customers": customers,
            "lost_units": grouped.column("lost_units_sum"),
            **{
                f"{what}_revenue_eur": pc.divide(
                    pc.cast(grouped.column(f"{what}_revenue_cents_sum"), pa.float64()), 100.0
                )
                for what in ("lost", "estimated")
            },
            **{f"{c}_events": grouped.column(f"{c}_events_sum") for c in CLASSES},
        }
    ).cast(MART_SCHEMA)


def store_level(long: pa.Table) -> pa.Table:
    """The mart's store-level rows of some long rows (exact for every store they hold)."""
    grouped = long.group_by(["store_id", *KEYS], use_threads=False).aggregate(
        [*SUMS, ("customer_ref", "count_distinct")]
    )
    return _mart_rows(grouped, "store", grouped.column("customer_ref_count_distinct"))


def chain_partial(long: pa.Table) -> tuple[pa.Table, pa.Table]:
    """What the chain level needs of some long rows: their sums by KEYS, and their distinct
    (KEYS, customer_ref) (a customer counted once however many stores they asked in)."""
    sums = long.group_by(KEYS, use_threads=False).aggregate(SUMS)
    known = long.filter(pc.is_valid(long.column("customer_ref")))
    customers = known.group_by([*KEYS, "customer_ref"], use_threads=False).aggregate([])
    return sums, customers


def chain_level(partials: list[tuple[pa.Table, pa.Table]]) -> pa.Table:
    """The mart's chain-level rows from the chain_partial of every store group of a week."""
    # sums of the groups' sums, under SUMS' output names (all integers: exact in any order)
    names = [f"{column}_{how}" for column, how in SUMS]
    summed = (
        pa.concat_tables([s for s, _ in partials])
        .group_by(KEYS, use_threads=False)
        .aggregate([(n, "sum") for n in names])
    )
    sums = summed.rename_columns({f"{n}_sum": n for n in names})
    customers = pa.concat_tables([c for _, c in partials])
    counted = customers.group_by(KEYS, use_threads=False).aggregate(
        [("customer_ref", "count_distinct")]  # a customer may have asked in several groups
    )
    joined = sums.join(counted, KEYS, join_type="left outer", use_threads=False)
    return _mart_rows(
        joined, "chain", pc.fill_null(joined.column("customer_ref_count_distinct"), 0)
    )


def sort_mart(table: pa.Table) -> pa.Table:
    return table.sort_by(
        [(c, "ascending") for c in ("level", "store_id", "category", "attribute", "value")]
    )


def aggregate(long: pa.Table) -> pa.Table:
    """Sum long rows at store level and chain level, in the mart's schema, sorted."""
    return sort_mart(pa.concat_tables([chain_level([chain_partial(long)]), store_level(long)]))
