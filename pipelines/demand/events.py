"""From signals to demand events: link the traces of one customer moment, classify, value.

Rules (docs/metrics.md has the full definitions):
- Two signals of the same store are linked when they are within `window` of the event's latest
  signal, and compatible: the same sku when both have one; otherwise the same category (or a
  generic one and a category it covers: a `top` and a hoodie) and no conflicting color, pattern
  or size (a missing attribute conflicts with nothing; "32" and "32x30" do not conflict, "32x30"
  and "32x32" do: `matching.sizes_conflict`); and not two different known customers (a note that
  named a customer without consent counts as a customer of its own: its ref is not kept, so it
  cannot be shown to be the same). A signal with neither sku nor category never links (it is its
  own `unknown` event). The event keeps the first value of each attribute, but the more precise
  of two compatible ones (hoodie over top, 32x30 over 32) and the category a sku brings.
- Classification: `substituted` if a lost sale names a substitute; else `not_carried` if a source
  says so (a lookup or lost sale, or a note: "we don't carry that"); else `unknown` if neither sku
  nor category is known; else `not_carried` if neither the event's sku has the demanded color,
  pattern and size (`asked_sku`: a note's text that overrides them wins) nor any catalog sku
  meets the demanded category and attributes (pipelines/demand/matching.py: a generic `top` is
  met by a hoodie, a waist "32" by 32x30; a specific category the catalog never sells, e.g.
  `jumpsuit`, is met by none) unless the category is `other`, which is never compared with the
  catalog; else `stockout` if a source is evidence of it (an out-of-stock lookup, a lost sale for
  stock, size or color, a note that says sold out); else `unknown`.
- Value: lost units = the largest lost-sale quantity in the event, else 1. The unit price and its
  basis: the lost sale's price (`unit_price_paid`), else the catalog price of the sku if it has
  the demanded attributes (`sku_price`, `asked_sku`), else an estimate (`estimated_from_similar`):
  the median list price of the catalog skus that meet the category and the demanded attributes
  by the same rule (none for `other`) (dropping size, then pattern, then color until some sku
  matches; `price_comparables` says of how many skus), else no price (`none`). Lost revenue =
  units x the unit price less the substitute's list price when the customer took one (never below
  0), and only for a priced basis; an estimated value goes to `estimated_revenue_eur`, never into
  lost revenue.

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

from pipelines.demand.catalog import Catalog, CatalogEntry
from pipelines.demand.matching import (
    COMPATIBLE_CATEGORIES,
    attributes_meet,
    checked,
    narrower,
    size_key_columns,
    sizes_conflict,
    sizes_meet_column,
)
from pipelines.extract.lexicon import UNCHECKED_CATEGORIES
from schemas.arrow import arrow_schema
from schemas.enums import Classification, PriceBasis, values
from schemas.marts import DemandEvent, DemandSignal

ATTRIBUTES = ("color", "pattern", "size")
#: Attributes an event takes from its signals (the first signal that has one).
MERGED = ("sku", "category", "customer_ref", "shade", *ATTRIBUTES)
_CUSTOMER = MERGED.index("customer_ref")
DEFAULT_WINDOW = timedelta(minutes=30)
#: The linking identity of a customer named without consent (never a ref: refs are identifiers).
WITHHELD = "\x00withheld "
EVENT_SCHEMA = arrow_schema(DemandEvent, described=False)
SIGNAL_SCHEMA = arrow_schema(DemandSignal, described=False)
#: Signal hints that say the store does not carry the item.
_NOT_CARRIED_HINTS = frozenset({"sale:not_carried", "lookup:not_carried", "note:not_carried"})
#: Signal hints that are evidence of a stockout: the item exists and none was available.
_STOCKOUT_HINTS = frozenset(
    {
        "lookup:out_of_stock",
        "sale:out_of_stock",
        "sale:size_unavailable",
        "sale:color_unavailable",
        "note:sold_out",
    }
)
#: How an event's unit price was found, in the order they are tried (case_when's branches).
PRICE_BASES = tuple(values(PriceBasis))
ESTIMATED = PriceBasis.ESTIMATED_FROM_SIMILAR.value
#: The catalog attributes an estimate keeps, best evidence first: all the demanded attributes,
#: then without size, then without pattern, then the category alone.
ESTIMATE_LEVELS = (("color", "pattern", "size"), ("color", "pattern"), ("color",), ())
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
    if not e_category or (
        e_category != category and (e_category, category) not in COMPATIBLE_CATEGORIES
    ):
        return None  # matching.categories_conflict, inline: this is the hot path
    if e_color is not None and color is not None and e_color != color:
        return None
    if e_pattern is not None and pattern is not None and e_pattern != pattern:
        return None
    if e_size is not None and size is not None and e_size != size and sizes_conflict(e_size, size):
        return None
    if e_category != category:
        return "covering category and attributes"
    return "same category and attributes"


def asked_sku(attrs: dict[str, Any], catalog: Catalog) -> CatalogEntry | None:
    """The catalog entry of the event's sku if it has the demanded color, pattern and size
    (`matching.attributes_meet`), else None: a note that scanned a navy hoodie and says "wanted
    this in black" asks for a black hoodie, not for that sku (what the text names wins)."""
    entry = catalog.get(attrs.get("sku"))
    if entry is None or not attributes_meet(
        (attrs.get("color"), attrs.get("pattern"), attrs.get("size")),
        (entry.color_family, entry.pattern, entry.size),
    ):
        return None
    return entry


def in_catalog(attrs: dict[str, Any], catalog: Catalog) -> bool:
    """Whether the event's sku is in the catalog and has the demanded attributes (`asked_sku`), or
    a catalog sku meets the demanded category and attributes (pipelines/demand/matching.py); an
    unchecked category (`other`) is never compared with the catalog, so it never fails this test
    (decision-table row 4)."""
    if asked_sku(attrs, catalog) is not None:
        return True
    if not checked(attrs.get("category")):
        return True
    return catalog.carries(attrs.get("category"), attrs.get("color"), attrs.get("pattern"),
                           attrs.get("size"))  # fmt: skip


def classify(attrs: dict[str, Any], catalog: Catalog, *, substituted: bool = False,
             said_not_carried: bool = False, said_sold_out: bool = False) -> str:  # fmt: skip
    """The event's classification from its merged attributes and what its signals said: the
    decision table of docs/metrics.md, top row first."""
    if substituted:
        return Classification.SUBSTITUTED.value
    if said_not_carried:
        return Classification.NOT_CARRIED.value
    if not (attrs.get("sku") or attrs.get("category")):
        return Classification.UNKNOWN.value
    if not in_catalog(attrs, catalog):
        return Classification.NOT_CARRIED.value
    if said_sold_out:
        return Classification.STOCKOUT.value
    return Classification.UNKNOWN.value


@dataclass(frozen=True)
class Price:
    """How one event is valued: units, unit price, its basis and rule, and the comparables of an
    estimate."""

    units: int
    unit_price_eur: float | None
    basis: str  # one of PRICE_BASES
    rule: str  # sale, catalog, similar_attributes, category_median, none
    comparables: int | None = None

    def revenue(self, substitute_price: float | None = None) -> tuple[float, float]:
        """(priced lost revenue, estimated revenue): units x (price less the substitute's price,
        never below 0); an estimated price counts only as estimated revenue."""
        if self.unit_price_eur is None:
            return 0.0, 0.0
        unit = self.unit_price_eur
        if substitute_price is not None:
            unit = max(unit - substitute_price, 0.0)
        amount = round(self.units * unit, 2)
        return (0.0, amount) if self.basis == ESTIMATED else (amount, 0.0)


def value(attrs: dict[str, Any], catalog: Catalog, units: int | None = None,
          sale_price: float | None = None) -> Price:  # fmt: skip
    """How an event is valued, from its merged attributes and its lost sales' units and price."""
    units = 1 if units is None else units
    if sale_price is not None:
        return Price(units, sale_price, "unit_price_paid", "sale")
    entry = asked_sku(attrs, catalog)  # a sku the text overrides is not what was asked for
    if entry is not None:
        return Price(units, entry.list_price, "sku_price", "catalog")
    category = attrs.get("category")
    for kept in ESTIMATE_LEVELS:
        key = (
            category,
            *(attrs.get(a) if a in kept else None for a in ("color", "pattern", "size")),
        )
        found = catalog.comparables(*key)
        if found is not None:
            median, count = found
            rule = "similar_attributes" if any(key[1:]) else "category_median"
            return Price(units, median, ESTIMATED, rule, count)
    return Price(units, None, "none", "none")


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
    # A note that named a customer who did not consent has no ref: it stands for a customer of its
    # own (WITHHELD + its id), so that it never links with another customer's note.
    named = signals.column("customer_named").to_pylist()
    refs = columns[_CUSTOMER]
    columns[_CUSTOMER] = [
        r or (WITHHELD + i if n else None) for r, i, n in zip(refs, ids, named, strict=True)
    ]
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
                    # the event keeps the first value of each attribute, but the category a
                    # sku brings (its catalog category), and a more precise category or size of
                    # the same item (a hoodie for a top, 32x30 for a waist 32)
                    if e_category[e] is None or (category and (
                        (sku and not e_sku[e]) or narrower(e_category[e], category, "category")
                    )):  # fmt: skip
                        e_category[e] = category
                    if e_sku[e] is None:
                        e_sku[e] = sku
                    if e_customer[e] is None:
                        e_customer[e] = customer
                    if e_shade[e] is None:
                        e_shade[e] = e_shade[i]
                    if e_color[e] is None:
                        e_color[e] = color
                    if e_pattern[e] is None:
                        e_pattern[e] = pattern
                    if e_size[e] is None or narrower(e_size[e], size, "size"):  # "32" -> 32x30
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
    merged[_CUSTOMER] = [None if r and r.startswith(WITHHELD) else r for r in merged[_CUSTOMER]]
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
    sold_out = _flags(pc.is_in(hint, value_set=pa.array(sorted(_STOCKOUT_HINTS), pa.string())))
    return {
        "n_notes": pa.array(np.bincount(event_of[note], minlength=n)),
        "n_lookups": pa.array(np.bincount(event_of[lookup], minlength=n)),
        "n_lost_sales": pa.array(np.bincount(event_of[sale], minlength=n)),
        "units": pa.array(units, pa.int64(), mask=~has_units),
        "sale_price": price.take(_first_row(event_of, sale & _flags(pc.is_valid(price)), n)),
        "substitute_sku": substitute.take(_first_row(event_of, _flags(_truthy(substitute)), n)),
        "said_not_carried": np.bincount(event_of[said], minlength=n) > 0,
        "said_sold_out": np.bincount(event_of[sold_out], minlength=n) > 0,
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
    # asked_sku: catalog.get(sku), only for a sku Python calls true, and only if the sku has
    # the demanded color, pattern and size (matching.attributes_meet)
    entry = pc.if_else(_truthy(sku), pc.index_in(sku, value_set=cat.sku), None)
    entry = pc.if_else(_has_attributes(events, cat, entry), entry, None)
    known = pc.is_valid(entry)
    # catalog.carries: under any of the demanded size's keys (matching.asked_sizes)
    size_keys = size_key_columns(events["size"])
    carried = pa.scalar(False)
    for i, size in enumerate(size_keys):
        code = cat.code([category, events["color"], events["pattern"], size])
        if i:  # a size without a second key is not looked up again as "any size"
            code = pc.if_else(pc.is_valid(size), code, None)
        carried = pc.or_(carried, pc.fill_null(pc.is_in(code, value_set=cat.carried_codes), False))
    unchecked = pc.fill_null(
        pc.is_in(category, value_set=pa.array(sorted(UNCHECKED_CATEGORIES), pa.string())), False
    )
    in_catalog = pc.or_(pc.or_(known, carried), unchecked)
    substituted = _truthy(events["substitute_sku"])  # _tally keeps only skus Python calls true
    said_not_carried = pa.array(said["said_not_carried"], pa.bool_())
    said_sold_out = pa.array(said["said_sold_out"], pa.bool_())
    nothing_known = pc.invert(pc.or_(_truthy(sku), _truthy(category)))
    classification = pc.case_when(
        pc.make_struct(
            substituted, said_not_carried, nothing_known, pc.invert(in_catalog), said_sold_out
        ),
        Classification.SUBSTITUTED.value,
        Classification.NOT_CARRIED.value,
        Classification.UNKNOWN.value,
        Classification.NOT_CARRIED.value,
        Classification.STOCKOUT.value,
        Classification.UNKNOWN.value,
    )
    units = pc.fill_null(said["units"], 1)
    sale_price = said["sale_price"]
    estimate, comparables, rule_of_estimate = _estimate(events, cat, size_keys)
    has_sale = pc.is_valid(sale_price)
    has_estimate = pc.is_valid(estimate)
    when = pc.make_struct(has_sale, known, has_estimate)
    price = pc.case_when(
        when, sale_price, cat.list_price.take(entry), estimate, pa.scalar(None, pa.float64())
    )
    basis = pc.case_when(when, *PRICE_BASES)
    rule = pc.case_when(when, "sale", "catalog", rule_of_estimate, "none")
    substitute = pc.if_else(
        _truthy(events["substitute_sku"]),
        pc.index_in(events["substitute_sku"], value_set=cat.sku),
        None,
    )
    bought = cat.list_price.take(substitute)
    priced, estimated = _revenue(units, price, bought, basis)
    return {
        "classification": classification,
        "lost_units": units,
        "unit_price_eur": price,
        "price_basis": basis,
        "price_rule": rule,
        "price_comparables": pc.if_else(pc.equal(basis, ESTIMATED), comparables, None),
        "substitute_price_eur": bought,
        "lost_revenue_eur": priced,
        "estimated_revenue_eur": estimated,
        "substitute_color": cat.color_family.take(substitute),
        "substitute_pattern": cat.pattern.take(substitute),
        "substitute_size": cat.size.take(substitute),
    }


def _has_attributes(events: dict[str, Any], cat: Any, entry: pa.Array) -> pa.Array:
    """Per event, `matching.attributes_meet` of its demanded color, pattern and size and those of
    the catalog sku at `entry` (false where there is no sku)."""
    met = pc.is_valid(entry)
    for asked, offered in (
        (events["color"], cat.color_family.take(entry)),
        (events["pattern"], cat.pattern.take(entry)),
    ):
        met = pc.and_(met, pc.or_(pc.is_null(asked), pc.fill_null(pc.equal(asked, offered), False)))
    size = events["size"]
    sizes = pc.fill_null(sizes_meet_column(size, cat.size.take(entry)), False)
    return pc.and_(met, pc.or_(pc.is_null(size), sizes))


def _estimate(events: dict[str, Any], cat: Any,
              size_keys: list[pa.Array]) -> tuple[pa.Array, pa.Array, pa.Array]:  # fmt: skip
    """Per event, the median list price of the catalog skus that meet its category and demanded
    attributes (the first level of ESTIMATE_LEVELS that has any; within a level, the first of the
    size's keys that has any: `Catalog.comparables`), how many skus that median is of, and the
    rule ('similar_attributes' when an attribute was matched, else 'category_median'); nulls where
    no sku meets the category at all (an unchecked category never has one)."""
    category = events["category"]
    none = pa.nulls(len(category), pa.string())
    prices, counts, rules = [], [], []
    for kept in ESTIMATE_LEVELS:
        for i, size in enumerate(size_keys if "size" in kept else [none]):
            parts = [events[a] if a in kept else none for a in ("color", "pattern")] + [size]
            at = pc.index_in(cat.code([category, *parts]), value_set=cat.carried_codes)
            if i:  # as in value_and_classify: no second key, no second look-up
                at = pc.if_else(pc.is_valid(size), at, None)
            prices.append(cat.similar_median.take(at))
            counts.append(cat.similar_count.take(at))
            matched_attribute = pa.scalar(False)
            for part in parts:
                matched_attribute = pc.or_(matched_attribute, pc.is_valid(part))
            rules.append(pc.if_else(matched_attribute, "similar_attributes", "category_median"))
    found = [pc.is_valid(p) for p in prices]
    when = pc.make_struct(*found)
    none_str, none_int = pa.scalar(None, pa.string()), pa.scalar(None, pa.int64())
    return (
        pc.case_when(when, *prices, pa.scalar(None, pa.float64())),
        pc.case_when(when, *counts, none_int),
        pc.case_when(when, *rules, none_str),
    )


def _revenue(units: Any, price: Any, bought: Any, basis: Any) -> tuple[pa.Array, pa.Array]:
    """(priced lost revenue, estimated revenue) per event, in EUR rounded to cents. The value of
    a unit is its price, less what the customer paid for the substitute they took instead (never
    below 0). Priced revenue is only for prices from the event's own sku or sale; an estimated
    price goes to estimated revenue and never into "lost"."""
    per_unit = pc.if_else(
        pc.is_valid(bought), pc.max_element_wise(pc.subtract(price, bought), 0.0), price
    )
    value = [
        round(u * p, 2) if p is not None else 0.0
        for u, p in zip(units.to_pylist(), per_unit.to_pylist(), strict=True)
    ]
    column = pa.array(value, pa.float64())
    estimated = pc.equal(basis, ESTIMATED)
    zero = pa.scalar(0.0)
    return pc.if_else(estimated, zero, column), pc.if_else(estimated, column, zero)
