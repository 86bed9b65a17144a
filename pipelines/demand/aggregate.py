"""Aggregate demand events by week x store (and chain) x category x attribute value. Pure Arrow."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from schemas.arrow import arrow_schema
from schemas.enums import Classification, values
from schemas.marts import UnmetDemandRow

MART_SCHEMA = arrow_schema(UnmetDemandRow)
CLASSES = tuple(values(Classification))
#: The attributes (and combinations) unmet demand is aggregated by.
DEFAULT_ATTRIBUTES = ("color", "pattern", "size", "color+size", "color+pattern")
MISSING = "(unknown)"


def long_rows(events: pa.Table, attribute: str) -> pa.Table:
    """The events with one `value` column for `attribute` (a combination joins values with '|').

    Events where any part of the attribute is missing are left out of that attribute only.
    """
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
        "lost_revenue_eur": kept.column("lost_revenue_eur"),
    }
    for name in CLASSES:
        columns[f"{name}_events"] = pc.cast(
            pc.equal(kept.column("classification"), name), pa.int64()
        )
    return pa.table(columns)


def aggregate(long: pa.Table) -> pa.Table:
    """Sum long rows at store level and chain level, in the mart's schema, sorted."""
    keys = ["iso_week", "category", "attribute", "value"]
    aggs = [
        ("event_id", "count"),
        ("customer_ref", "count_distinct"),
        ("lost_units", "sum"),
        ("lost_revenue_eur", "sum"),
        *[(f"{c}_events", "sum") for c in CLASSES],
    ]
    out = []
    for level, group_keys in (("store", ["store_id", *keys]), ("chain", keys)):
        grouped = long.group_by(group_keys, use_threads=False).aggregate(aggs)
        n = grouped.num_rows
        store = grouped.column("store_id") if level == "store" else pa.array(["ALL"] * n)
        out.append(
            pa.table(
                {
                    "iso_week": grouped.column("iso_week"),
                    "level": pa.array([level] * n, pa.string()),
                    "store_id": store,
                    "category": grouped.column("category"),
                    "attribute": grouped.column("attribute"),
                    "value": grouped.column("value"),
                    "events": grouped.column("event_id_count"),
                    "customers": grouped.column("customer_ref_count_distinct"),
                    "lost_units": grouped.column("lost_units_sum"),
                    "lost_revenue_eur": pc.round(grouped.column("lost_revenue_eur_sum"), 2),
                    **{f"{c}_events": grouped.column(f"{c}_events_sum") for c in CLASSES},
                }
            )
        )
    table = pa.concat_tables(out).cast(MART_SCHEMA)
    return table.sort_by(
        [(c, "ascending") for c in ("level", "store_id", "category", "attribute", "value")]
    )
