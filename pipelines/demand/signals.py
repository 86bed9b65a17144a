"""Demand signals: one row per demanded item per source record, in one shape for all three sources.

Pure functions from a staging Arrow table to a signals table, column at a time with pyarrow.compute:
no Python object per record. Attributes of lookups and lost sales come from the catalog by sku; a
lost sale without a sku but with a description is extracted like a note (the one per-row step,
for the few rows it concerns).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.demand.availability import note_hints
from pipelines.extract import EXTRACTOR_VERSION, Extraction, extract
from pipelines.ingest import tables
from schemas.arrow import arrow_schema
from schemas.enums import UNMET_REASONS, UNMET_RESULTS, values
from schemas.marts import DemandSignal

ATTRIBUTES = ("category", "color", "shade", "pattern", "size")
#: Signals travel between steps in this shape (the ledger without the link).
SIGNAL_IN_SCHEMA = pa.schema(
    [
        f
        for f in arrow_schema(DemandSignal, described=False)
        if f.name not in ("event_id", "link_reason")
    ]
)
_UNMET_RESULTS = pa.array(sorted(values(UNMET_RESULTS)), pa.string())
_UNMET_REASONS = pa.array(sorted(values(UNMET_REASONS)), pa.string())
#: Signal attribute <- catalog column.
_FROM_CATALOG = {
    "category": "category",
    "color": "color_family",
    "shade": "color",
    "pattern": "pattern",
    "size": "size",
}


def catalog_attributes(skus: pa.Array | pa.ChunkedArray, catalog: pa.Table) -> dict[str, pa.Array]:
    """The catalog's attributes of each sku (nulls where the sku is null or not in the catalog)."""
    index = pc.index_in(skus, value_set=catalog.column("sku").combine_chunks())
    return {name: catalog.column(col).take(index) for name, col in _FROM_CATALOG.items()}


def _const(value: object, n: int, type_: pa.DataType) -> pa.Array:
    return pa.repeat(pa.scalar(value, type_), n)


def _suffix(ids: pa.ChunkedArray | pa.Array, suffix: str) -> pa.Array:
    return pc.binary_join_element_wise(ids, suffix, "")


#: What a signal's absent column holds: one unit; no customer named (lookups and sales).
_DEFAULTS = {"quantity": 1, "customer_named": False}


def _assemble(n: int, columns: dict[str, object]) -> pa.Table:
    """A SIGNAL_IN_SCHEMA table from the given columns; absent columns are null or _DEFAULTS."""
    arrays = []
    for field in SIGNAL_IN_SCHEMA:
        column = columns.get(field.name)
        if column is None:
            column = _const(_DEFAULTS.get(field.name), n, field.type)
        elif not isinstance(column, pa.Array | pa.ChunkedArray):
            column = _const(column, n, field.type)
        arrays.append(pc.cast(column, field.type))
    return pa.Table.from_arrays(arrays, schema=SIGNAL_IN_SCHEMA)


def note_signals(table: pa.Table, catalog: pa.Table) -> pa.Table:
    """One signal per demanded item of a note; one without attributes when the note expresses
    demand but says nothing of what (or only names a sku); none when it asks for nothing.

    A note's sku (if the catalog has it) gives every item its catalog category, and the color,
    pattern and size the text does not name (the sku's shade where the text names no shade and
    no other color family); what the text names wins."""
    demanded = table.column("demanded").combine_chunks()
    lengths = pc.fill_null(pc.list_value_length(demanded), 0).to_numpy(zero_copy_only=False)
    has_sku = pc.is_valid(table.column("sku")).to_numpy(zero_copy_only=False)
    expressed = table.column("demand_expressed").to_numpy(zero_copy_only=False)
    keep = (lengths > 0) | has_sku | expressed
    rows = np.flatnonzero(keep)
    per_row = np.maximum(lengths[rows], 1)
    parent = np.repeat(rows, per_row)
    # 1-based item number within its note: position minus the start of its note's run.
    starts = np.repeat(np.cumsum(per_row) - per_row, per_row)
    item_no = np.arange(len(parent)) - starts + 1
    offsets = demanded.offsets.to_numpy()
    flat_index = pa.array(
        offsets[parent] + item_no - 1, pa.int64(), mask=lengths[parent] == 0
    )  # a note with no items gets one signal with every attribute missing
    items = demanded.values.take(flat_index)
    base = table.take(pa.array(parent, pa.int64()))
    from_catalog = catalog_attributes(base.column("sku"), catalog)
    # What the text names, the catalog filling what it does not; but a sku in the catalog always
    # has its catalog category (a "hooded top" whose sku is a hoodie is a hoodie), and a shade
    # belongs to its color (the sku's shade only where the text named no color or the same family).
    columns: dict[str, object] = {
        name: pc.coalesce(items.field(name), from_catalog[name]) for name in ATTRIBUTES
    }
    columns["category"] = pc.coalesce(from_catalog["category"], items.field("category"))
    text_color = items.field("color")
    sku_shade_fits = pc.fill_null(pc.equal(text_color, from_catalog["color"]), True)
    columns["shade"] = pc.coalesce(
        items.field("shade"), pc.if_else(sku_shade_fits, from_catalog["shade"], None)
    )
    note_id = base.column("note_id")
    columns.update(
        signal_id=pc.binary_join_element_wise(
            note_id, pc.cast(pa.array(item_no, pa.int64()), pa.string()), "#"
        ),
        source="frontline_notes",
        record_id=note_id,
        item_no=pa.array(item_no, pa.int64()),
        store_id=base.column("store_id"),
        channel=base.column("channel"),
        occurred_at=base.column("captured_at"),
        event_date=base.column("event_date"),
        iso_week=base.column("iso_week"),
        sku=base.column("sku"),
        customer_ref=base.column("customer_ref"),
        customer_named=base.column("customer_named"),
        hint=note_hints(base.column("text")),
        extractor_version=base.column("extractor_version"),
    )
    return _assemble(len(parent), columns)


def lookup_signals(table: pa.Table, catalog: pa.Table) -> pa.Table:
    """A lookup is demand when the item was out of stock or not carried."""
    kept = table.filter(pc.is_in(table.column("result"), value_set=_UNMET_RESULTS))
    columns: dict[str, object] = dict(catalog_attributes(kept.column("sku"), catalog))
    columns.update(
        signal_id=_suffix(kept.column("lookup_id"), "#1"),
        source="oos_lookups",
        record_id=kept.column("lookup_id"),
        item_no=1,
        store_id=kept.column("store_id"),
        channel=kept.column("channel"),
        occurred_at=kept.column("looked_up_at"),
        event_date=kept.column("event_date"),
        iso_week=kept.column("iso_week"),
        sku=kept.column("sku"),
        hint=pc.binary_join_element_wise("lookup:", kept.column("result"), ""),
    )
    return _assemble(kept.num_rows, columns)


def described(descriptions: list[str | None]) -> dict[str, list[str | None]]:
    """Attributes extracted from lost-sale descriptions (the first item; category as fallback)."""
    out: dict[str, list[str | None]] = {name: [] for name in ATTRIBUTES}
    seen: dict[str, Extraction] = {}  # descriptions repeat; extraction is a pure function
    for text in descriptions:
        found = None
        if text:
            found = seen.get(text)
            if found is None:
                found = seen[text] = extract(text)
        item = found.items[0] if found and found.items else None
        for name in ATTRIBUTES:
            out[name].append(getattr(item, name) if item is not None else None)
        if found is not None and out["category"][-1] is None:
            out["category"][-1] = found.category
    return out


def lost_sale_signals(table: pa.Table, catalog: pa.Table) -> pa.Table:
    """A lost sale is demand when its reason says the item was not there (not price or other)."""
    kept = table.filter(pc.is_in(table.column("reason_code"), value_set=_UNMET_REASONS))
    has_sku = pc.is_valid(kept.column("sku"))
    columns: dict[str, object] = dict(catalog_attributes(kept.column("sku"), catalog))
    # Without a sku, the description (if any) says what was asked for.
    to_extract = pc.and_(pc.invert(has_sku), pc.is_valid(kept.column("description")))
    where = np.flatnonzero(to_extract.to_numpy(zero_copy_only=False))
    if len(where):
        found = described(kept.column("description").take(pa.array(where)).to_pylist())
        mask = (
            to_extract.combine_chunks() if isinstance(to_extract, pa.ChunkedArray) else to_extract
        )
        for name in ATTRIBUTES:
            from_sku = pc.cast(columns[name], pa.string())
            if isinstance(from_sku, pa.ChunkedArray):
                from_sku = from_sku.combine_chunks()
            columns[name] = pc.replace_with_mask(from_sku, mask, pa.array(found[name], pa.string()))
    columns.update(
        signal_id=_suffix(kept.column("sale_id"), "#1"),
        source="lost_sales",
        record_id=kept.column("sale_id"),
        item_no=1,
        store_id=kept.column("store_id"),
        occurred_at=kept.column("occurred_at"),
        event_date=kept.column("event_date"),
        iso_week=kept.column("iso_week"),
        sku=kept.column("sku"),
        quantity=kept.column("quantity"),
        unit_price_eur=kept.column("unit_price"),
        substitute_sku=kept.column("substitute_sku"),
        hint=pc.binary_join_element_wise("sale:", kept.column("reason_code"), ""),
        extractor_version=pc.if_else(to_extract, EXTRACTOR_VERSION, None),
    )
    return _assemble(kept.num_rows, columns)


SIGNALS_OF: dict[str, Callable[[pa.Table, pa.Table], pa.Table]] = {
    "frontline_notes": note_signals,
    "oos_lookups": lookup_signals,
    "lost_sales": lost_sale_signals,
}


def by_week(table: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """The rows of a signals table by ISO week, in week order; a one-week table is passed as is."""
    weeks = pc.unique(table.column("iso_week")).to_pylist()
    if len(weeks) == 1:
        yield str(weeks[0]), table
        return
    yield from tables.split_by_value(table, "iso_week")


def by_store_group(table: pa.Table, groups: int) -> Iterator[tuple[int, pa.Table]]:
    """The rows of a signals table by store group (a stable hash of store_id), in group order;
    with one group the table is passed as is."""
    if groups <= 1:
        yield 0, table
        return
    yield from tables.split_by_bucket(table, "store_id", groups)


def signals_table(source: str, table: pa.Table, catalog: pa.Table) -> pa.Table:
    """The demand signals of a staging table of `source`, checked against the staged catalog."""
    return SIGNALS_OF[source](table, catalog)
