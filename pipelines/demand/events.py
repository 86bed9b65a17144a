"""From signals to demand events: link the traces of one customer moment, classify, value.

Rules (docs/metrics.md has the full definitions):
- Two signals of the same store are linked when they are within `window` of the event's latest
  signal, and compatible: the same sku when both have one; otherwise the same category and no
  conflicting color, pattern or size (a missing attribute conflicts with nothing); and not two
  different known customers. A signal with neither sku nor category never links (it is its own
  `unknown` event).
- Classification: `substituted` if a lost sale names a substitute; else `not_carried` if a source
  says so; else `unknown` if neither sku nor category is known; else `not_carried` if no catalog sku
  of the category has the demanded attributes; else `stockout`.
- Value: lost units = the largest lost-sale quantity in the event, else 1. Unit price = the lost
  sale's price, else the sku's catalog price, else the median catalog price of the category, else 0
  (and price_rule 'none').

`build_event_tables` works on Arrow tables: it sorts the signals, reads the few columns linking needs
as plain lists, links in one pass per store-day, and builds the events column by column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.demand.catalog import Catalog
from schemas.arrow import arrow_schema
from schemas.enums import Classification
from schemas.marts import DemandEvent, DemandSignal

ATTRIBUTES = ("color", "pattern", "size")
#: Attributes an event takes from its signals (the first signal that has one).
MERGED = ("sku", "category", "customer_ref", "shade", *ATTRIBUTES)
DEFAULT_WINDOW = timedelta(minutes=30)
EVENT_SCHEMA = arrow_schema(DemandEvent, described=False)
SIGNAL_SCHEMA = arrow_schema(DemandSignal, described=False)
_NOT_CARRIED_HINTS = frozenset({"sale:not_carried", "lookup:not_carried"})
_SORT = [(k, "ascending") for k in ("store_id", "event_date", "occurred_at", "signal_id")]


@dataclass(frozen=True)
class Links:
    """What linking found: per event (in order of its first signal), the rows of its first and
    last signal and its merged attributes; per signal, its event number and why it joined."""

    first: pa.Array
    last: pa.Array
    attrs: dict[str, pa.Array]  # MERGED name -> value per event
    event_of: np.ndarray
    reasons: list[str]


def compatible(event: dict[str, Any], signal: dict[str, Any]) -> str | None:
    """Why `signal` belongs to an event with merged attributes `event`, or None if it does not."""
    return _why(*[event.get(name) for name in _COMPARED], *[signal.get(name) for name in _COMPARED])


#: The attributes `_why` compares, in its argument order.
_COMPARED = ("sku", "category", "customer_ref", *ATTRIBUTES)


def _why(e_sku: Any, e_category: Any, e_customer: Any, e_color: Any, e_pattern: Any, e_size: Any,
         sku: Any, category: Any, customer: Any, color: Any, pattern: Any,
         size: Any) -> str | None:  # fmt: skip
    """`compatible` on positional attributes (event's, then signal's): the linking loop's hot path."""
    if e_customer and customer and e_customer != customer:
        return None
    if e_sku and sku:
        return "same sku" if e_sku == sku else None
    if not e_category or e_category != category:
        return None
    if e_color is not None and color is not None and e_color != color:
        return None
    if e_pattern is not None and pattern is not None and e_pattern != pattern:
        return None
    if e_size is not None and size is not None and e_size != size:
        return None
    return "same category and attributes"


def in_catalog(attrs: dict[str, Any], catalog: Catalog) -> bool:
    """Whether any catalog sku of the category has all the demanded attributes."""
    if attrs.get("sku") and attrs["sku"] in catalog:
        return True
    return catalog.carries(attrs.get("category"), attrs.get("color"), attrs.get("pattern"),
                           attrs.get("size"))  # fmt: skip


def classify(attrs: dict[str, Any], catalog: Catalog, *, substituted: bool = False,
             said_not_carried: bool = False) -> str:  # fmt: skip
    """The event's classification from its merged attributes and what its signals said."""
    if substituted:
        return Classification.SUBSTITUTED.value
    if said_not_carried:
        return Classification.NOT_CARRIED.value
    if not (attrs.get("sku") or attrs.get("category")):
        return Classification.UNKNOWN.value
    if not in_catalog(attrs, catalog):
        return Classification.NOT_CARRIED.value
    return Classification.STOCKOUT.value


def value(attrs: dict[str, Any], catalog: Catalog, units: int | None = None,
          sale_price: float | None = None) -> tuple[int, float | None, str]:  # fmt: skip
    """(lost units, unit price in EUR, price rule) from the lost sales' units and price, if any."""
    units = 1 if units is None else units
    if sale_price is not None:
        return units, sale_price, "sale"
    entry = catalog.get(attrs.get("sku"))
    if entry is not None:
        return units, entry.list_price, "catalog"
    category = attrs.get("category")
    if category in catalog.medians:
        return units, catalog.medians[category], "category_median"
    return units, None, "none"


def link(signals: pa.Table, window: timedelta = DEFAULT_WINDOW) -> Links:
    """Greedy linking of signals sorted by store, day and time, one store-day at a time.

    Each signal is compared with the store-day's events whose latest signal is within the window,
    newest event first; the first compatible one takes it, else it opens a new event.
    """
    n = signals.num_rows
    stores = signals.column("store_id").to_pylist()
    ids = signals.column("signal_id").to_pylist()
    columns = [signals.column(name).to_pylist() for name in MERGED]
    days = pc.cast(signals.column("event_date"), pa.int32()).to_pylist()
    times = pc.cast(signals.column("occurred_at"), pa.int64()).to_pylist()  # microseconds
    window_us = window // timedelta(microseconds=1)
    skus, categories, customers, _, colors, patterns, sizes = columns
    # An event is known by the row of its first signal, and starts with that signal's attributes:
    # these copies hold each event's merged attributes and latest signal at that row.
    merged = [list(column) for column in columns]
    e_sku, e_category, e_customer, e_shade, e_color, e_pattern, e_size = merged
    last = list(range(n))
    last_us = list(times)
    event_of = list(range(n))  # the first row of each signal's event
    reasons = ["first signal"] * n
    today: list[int] = []  # the current store-day's events that may still take signals
    store = day = None
    for i in range(n):
        at = times[i]
        if stores[i] != store or days[i] != day:
            store, day, today = stores[i], days[i], []
        sku, category = skus[i], categories[i]
        if sku or category:
            customer, color, pattern, size = customers[i], colors[i], patterns[i], sizes[i]
            stale = False
            for e in reversed(today):
                if at - last_us[e] > window_us:
                    stale = True
                    continue
                why = _why(e_sku[e], e_category[e], e_customer[e], e_color[e], e_pattern[e],
                           e_size[e], sku, category, customer, color, pattern, size)  # fmt: skip
                if why:
                    minutes = (at - times[e]) / 10**6 / 60
                    reasons[i] = f"{why} as {ids[e]}, {minutes:.0f} min later"
                    event_of[i] = e
                    last[e] = i
                    last_us[e] = at
                    # the event keeps the first value of each attribute
                    if e_sku[e] is None:
                        e_sku[e] = sku
                    if e_category[e] is None:
                        e_category[e] = category
                    if e_customer[e] is None:
                        e_customer[e] = customer
                    if e_shade[e] is None:
                        e_shade[e] = e_shade[i]
                    if e_color[e] is None:
                        e_color[e] = color
                    if e_pattern[e] is None:
                        e_pattern[e] = pattern
                    if e_size[e] is None:
                        e_size[e] = size
                    break
            else:
                today.append(i)
            if stale:  # an event out of the window now stays out: later signals come later
                today = [e for e in today if at - last_us[e] <= window_us]
    first_row = np.array(event_of, np.int64)
    starts = np.flatnonzero(first_row == np.arange(n))
    number = np.zeros(n, np.int64)
    number[starts] = np.arange(len(starts))
    first = pa.array(starts)
    return Links(
        first=first,
        last=pa.array(last, pa.int64()).take(first),
        attrs={
            name: pa.array(v, pa.string()).take(first)
            for name, v in zip(MERGED, merged, strict=True)
        },
        event_of=number[first_row],
        reasons=reasons,
    )


def _first_row(event_of: np.ndarray, mask: np.ndarray, n: int) -> pa.Array:
    """Per event, the row of its first signal where `mask` holds (null where none does)."""
    rows = np.flatnonzero(mask)
    found, at = np.unique(event_of[rows], return_index=True)
    out = np.full(n, -1, np.int64)
    out[found] = rows[at]
    return pa.array(out, mask=out < 0)


def _flags(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(column, False).to_numpy(zero_copy_only=False), dtype=bool)


def _truthy(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Where a string column has a value Python would call true (not null, not empty)."""
    return pc.fill_null(pc.not_equal(column, ""), False)


def _tally(signals: pa.Table, event_of: np.ndarray, n: int) -> dict[str, Any]:
    """What each event's signals said: counts by source, largest lost-sale quantity, first
    lost-sale price, first substitute sku, whether any source said not carried."""
    source = signals.column("source")
    note = _flags(pc.equal(source, "frontline_notes"))
    lookup = _flags(pc.equal(source, "oos_lookups"))
    sale = ~(note | lookup)
    quantity = signals.column("quantity")
    with_quantity = sale & _flags(pc.is_valid(quantity))
    has_units = np.bincount(event_of[with_quantity], minlength=n) > 0
    units = np.full(n, np.iinfo(np.int64).min, np.int64)
    quantities = pc.fill_null(quantity, 0).to_numpy()[with_quantity]
    np.maximum.at(units, event_of[with_quantity], quantities)
    price = signals.column("unit_price_eur")
    substitute = signals.column("substitute_sku")
    hint = signals.column("hint")
    said = _flags(pc.is_in(hint, value_set=pa.array(sorted(_NOT_CARRIED_HINTS), pa.string())))
    return {
        "n_notes": pa.array(np.bincount(event_of[note], minlength=n)),
        "n_lookups": pa.array(np.bincount(event_of[lookup], minlength=n)),
        "n_lost_sales": pa.array(np.bincount(event_of[sale], minlength=n)),
        "units": pa.array(units, pa.int64(), mask=~has_units),
        "sale_price": price.take(_first_row(event_of, sale & _flags(pc.is_valid(price)), n)),
        "substitute_sku": substitute.take(_first_row(event_of, _flags(_truthy(substitute)), n)),
        "said_not_carried": np.bincount(event_of[said], minlength=n) > 0,
    }


def build_event_tables(
    signals: pa.Table, catalog: Catalog, window: timedelta = DEFAULT_WINDOW
) -> tuple[pa.Table, pa.Table]:
    """Link signals (any number of stores and days) into events.

    Returns (events, the signals with their event id and link reason), in SIGNAL/EVENT schema,
    both ordered by store, day and time of the (first) signal.
    """
    ordered = signals.take(pc.sort_indices(signals, sort_keys=_SORT))
    links = link(ordered, window)
    n = len(links.first)
    first, last, event_of = links.first, links.last, links.event_of
    said = _tally(ordered, event_of, n)
    event_ids = pc.binary_join_element_wise("E-", ordered.column("signal_id").take(first), "")
    columns: dict[str, Any] = {
        "event_id": event_ids,
        "store_id": ordered.column("store_id").take(first),
        "event_date": ordered.column("event_date").take(first),
        "iso_week": ordered.column("iso_week").take(first),
        "first_at": ordered.column("occurred_at").take(first),
        "last_at": ordered.column("occurred_at").take(last),
        **links.attrs,
        "n_signals": pc.add(pc.add(said["n_notes"], said["n_lookups"]), said["n_lost_sales"]),
        "n_notes": said["n_notes"],
        "n_lookups": said["n_lookups"],
        "n_lost_sales": said["n_lost_sales"],
        "substitute_sku": said["substitute_sku"],
    }
    columns.update(value_and_classify(columns, catalog, said))
    table = pa.Table.from_arrays(
        [pc.cast(columns[f.name], f.type) for f in EVENT_SCHEMA], schema=EVENT_SCHEMA
    )
    linked = ordered.append_column("event_id", event_ids.take(pa.array(event_of)))
    linked = linked.append_column("link_reason", pa.array(links.reasons, pa.string()))
    return table, linked.select(SIGNAL_SCHEMA.names).cast(SIGNAL_SCHEMA)


def value_and_classify(events: dict[str, Any], catalog: Catalog,
                       said: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """`classify` and `value` for a whole column of events at once, from their merged attribute
    columns and what their signals said (`_tally`): the same rules, looked up with Arrow."""
    cat = catalog.columns
    sku = events["sku"]
    category = events["category"]
    # catalog.get(sku): only for a sku Python calls true
    entry = pc.if_else(_truthy(sku), pc.index_in(sku, value_set=cat.sku), None)
    known = pc.is_valid(entry)
    code = cat.code([category, events["color"], events["pattern"], events["size"]])
    carried = pc.fill_null(pc.is_in(code, value_set=cat.carried_codes), False)
    in_catalog = pc.or_(known, carried)
    substituted = _truthy(events["substitute_sku"])  # _tally keeps only skus Python calls true
    said_not_carried = pa.array(said["said_not_carried"], pa.bool_())
    nothing_known = pc.invert(pc.or_(_truthy(sku), _truthy(category)))
    classification = pc.case_when(
        pc.make_struct(substituted, said_not_carried, nothing_known, pc.invert(in_catalog)),
        Classification.SUBSTITUTED.value,
        Classification.NOT_CARRIED.value,
        Classification.UNKNOWN.value,
        Classification.NOT_CARRIED.value,
        Classification.STOCKOUT.value,
    )
    units = pc.fill_null(said["units"], 1)
    sale_price = said["sale_price"]
    median = pc.index_in(category, value_set=cat.median_category)
    has_sale = pc.is_valid(sale_price)
    has_median = pc.is_valid(median)
    price = pc.case_when(
        pc.make_struct(has_sale, known, has_median),
        sale_price,
        cat.list_price.take(entry),
        cat.median_price.take(median),
        pa.scalar(None, pa.float64()),
    )
    rule = pc.case_when(
        pc.make_struct(has_sale, known, has_median), "sale", "catalog", "category_median", "none"
    )
    revenue = [
        round(u * p, 2) if p is not None else 0.0
        for u, p in zip(units.to_pylist(), price.to_pylist(), strict=True)
    ]
    substitute = pc.if_else(
        _truthy(events["substitute_sku"]),
        pc.index_in(events["substitute_sku"], value_set=cat.sku),
        None,
    )
    return {
        "classification": classification,
        "lost_units": units,
        "unit_price_eur": price,
        "price_rule": rule,
        "lost_revenue_eur": pa.array(revenue, pa.float64()),
        "substitute_color": cat.color_family.take(substitute),
        "substitute_pattern": cat.pattern.take(substitute),
        "substitute_size": cat.size.take(substitute),
    }
