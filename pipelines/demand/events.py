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

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

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


@dataclass(slots=True)
class _Open:
    """An event being built: where it starts and ends, its merged attributes, what its signals said."""

    first: int  # row of its first signal (in sorted order)
    first_us: int
    last: int = 0
    last_us: int = 0
    attrs: dict[str, Any] = field(default_factory=dict)
    n_notes: int = 0
    n_lookups: int = 0
    n_lost_sales: int = 0
    units: int | None = None  # largest lost-sale quantity
    sale_price: float | None = None  # first lost-sale price
    substitute: str | None = None
    said_not_carried: bool = False


def compatible(event: dict[str, Any], signal: dict[str, Any]) -> str | None:
    """Why `signal` belongs to an event with merged attributes `event`, or None if it does not."""
    if event.get("customer_ref") and signal.get("customer_ref"):
        if event["customer_ref"] != signal["customer_ref"]:
            return None
    if event.get("sku") and signal.get("sku"):
        return "same sku" if event["sku"] == signal["sku"] else None
    if not event.get("category") or event.get("category") != signal.get("category"):
        return None
    for name in ATTRIBUTES:
        a, b = event.get(name), signal.get(name)
        if a is not None and b is not None and a != b:
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


def _lists(table: pa.Table, names: tuple[str, ...]) -> dict[str, list[Any]]:
    return {name: table.column(name).to_pylist() for name in names}


def link(
    signals: pa.Table, window: timedelta = DEFAULT_WINDOW
) -> tuple[list[_Open], list[int], list[str]]:
    """Greedy linking of signals sorted by store, day and time, one store-day at a time.

    Returns (events, the event number of each signal, why each signal joined its event).
    """
    col = _lists(signals, ("store_id", "signal_id", "source", "quantity", "unit_price_eur",
                           "substitute_sku", "hint", *MERGED))  # fmt: skip
    days = pc.cast(signals.column("event_date"), pa.int32()).to_pylist()
    times = pc.cast(signals.column("occurred_at"), pa.int64()).to_pylist()  # microseconds
    window_us = window // timedelta(microseconds=1)
    events: list[_Open] = []
    event_of: list[int] = []
    reasons: list[str] = []
    today: list[int] = []  # numbers of the current store-day's events
    day_key = None
    for i, at in enumerate(times):
        key = (col["store_id"][i], days[i])
        if key != day_key:
            day_key, today = key, []
        signal = {name: col[name][i] for name in MERGED}
        number, reason = -1, "first signal"
        if signal["sku"] or signal["category"]:
            for candidate in reversed(today):
                event = events[candidate]
                if at - event.last_us > window_us:
                    continue
                why = compatible(event.attrs, signal)
                if why:
                    minutes = (at - event.first_us) / 10**6 / 60
                    number = candidate
                    reason = f"{why} as {col['signal_id'][event.first]}, {minutes:.0f} min later"
                    break
        if number < 0:
            number = len(events)
            events.append(_Open(first=i, first_us=at))
            today.append(number)
        event = events[number]
        event.last, event.last_us = i, at
        for name, found in signal.items():
            if found is not None and event.attrs.get(name) is None:
                event.attrs[name] = found
        _count(event, col, i)
        event_of.append(number)
        reasons.append(reason)
    return events, event_of, reasons


def _count(event: _Open, col: dict[str, list[Any]], i: int) -> None:
    source = col["source"][i]
    if source == "frontline_notes":
        event.n_notes += 1
    elif source == "oos_lookups":
        event.n_lookups += 1
    else:
        event.n_lost_sales += 1
        quantity = col["quantity"][i]
        event.units = quantity if event.units is None else max(event.units, quantity)
        if event.sale_price is None:
            event.sale_price = col["unit_price_eur"][i]
    if event.substitute is None and col["substitute_sku"][i]:
        event.substitute = col["substitute_sku"][i]
    if col["hint"][i] in _NOT_CARRIED_HINTS:
        event.said_not_carried = True


def build_event_tables(
    signals: pa.Table, catalog: Catalog, window: timedelta = DEFAULT_WINDOW
) -> tuple[pa.Table, pa.Table]:
    """Link signals (any number of stores and days) into events.

    Returns (events, the signals with their event id and link reason), in SIGNAL/EVENT schema,
    both ordered by store, day and time of the (first) signal.
    """
    ordered = signals.take(pc.sort_indices(signals, sort_keys=_SORT))
    events, event_of, reasons = link(ordered, window)
    first = pa.array([e.first for e in events], pa.int64())
    last = pa.array([e.last for e in events], pa.int64())
    event_ids = pc.binary_join_element_wise("E-", ordered.column("signal_id").take(first), "")
    columns: dict[str, Any] = {
        "event_id": event_ids,
        "store_id": ordered.column("store_id").take(first),
        "event_date": ordered.column("event_date").take(first),
        "iso_week": ordered.column("iso_week").take(first),
        "first_at": ordered.column("occurred_at").take(first),
        "last_at": ordered.column("occurred_at").take(last),
        **{name: [e.attrs.get(name) for e in events] for name in MERGED},
        "n_notes": [e.n_notes for e in events],
        "n_lookups": [e.n_lookups for e in events],
        "n_lost_sales": [e.n_lost_sales for e in events],
        "substitute_sku": [e.substitute for e in events],
    }
    columns["n_signals"] = [a + b + c for a, b, c in zip(columns["n_notes"], columns["n_lookups"],
                                                          columns["n_lost_sales"], strict=True)]  # fmt: skip
    _value_and_classify(events, catalog, columns)
    table = pa.Table.from_arrays(
        [pa.array(columns[f.name], f.type) if isinstance(columns[f.name], list)
         else columns[f.name] for f in EVENT_SCHEMA],
        schema=EVENT_SCHEMA,
    )  # fmt: skip
    linked = ordered.append_column("event_id", event_ids.take(pa.array(event_of, pa.int64())))
    linked = linked.append_column("link_reason", pa.array(reasons, pa.string()))
    return table, linked.select(SIGNAL_SCHEMA.names).cast(SIGNAL_SCHEMA)


def _value_and_classify(events: list[_Open], catalog: Catalog, columns: dict[str, Any]) -> None:
    out: dict[str, list[Any]] = {
        name: []
        for name in ("classification", "lost_units", "unit_price_eur", "price_rule",
                     "lost_revenue_eur", "substitute_color", "substitute_pattern",
                     "substitute_size")
    }  # fmt: skip
    for e in events:
        units, price, rule = value(e.attrs, catalog, e.units, e.sale_price)
        sub = catalog.get(e.substitute)
        out["classification"].append(
            classify(
                e.attrs,
                catalog,
                substituted=e.substitute is not None,
                said_not_carried=e.said_not_carried,
            )  # fmt: skip
        )
        out["lost_units"].append(units)
        out["unit_price_eur"].append(price)
        out["price_rule"].append(rule)
        out["lost_revenue_eur"].append(round(units * price, 2) if price is not None else 0.0)
        out["substitute_color"].append(sub.color_family if sub else None)
        out["substitute_pattern"].append(sub.pattern if sub else None)
        out["substitute_size"].append(sub.size if sub else None)
    columns.update(out)
