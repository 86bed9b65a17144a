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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pipelines.demand.catalog import Catalog
from schemas.enums import Classification

ATTRIBUTES = ("color", "pattern", "size")
DEFAULT_WINDOW = timedelta(minutes=30)


@dataclass
class _Open:
    signals: list[dict[str, Any]] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)


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


def link(signals: Iterable[dict[str, Any]], window: timedelta = DEFAULT_WINDOW) -> list[_Open]:
    """Greedy linking of one store's signals in time order into events."""
    ordered = sorted(signals, key=lambda s: (s["occurred_at"], s["signal_id"]))
    events: list[_Open] = []
    for signal in ordered:
        target: _Open | None = None
        reason = "first signal"
        for event in reversed(events):
            if signal["occurred_at"] - event.signals[-1]["occurred_at"] > window:
                continue
            if not (signal.get("sku") or signal.get("category")):
                break
            why = compatible(event.attrs, signal)
            if why:
                target = event
                first = event.signals[0]
                minutes = (signal["occurred_at"] - first["occurred_at"]).total_seconds() / 60
                reason = f"{why} as {first['signal_id']}, {minutes:.0f} min later"
                break
        if target is None:
            target = _Open()
            events.append(target)
        target.signals.append({**signal, "link_reason": reason})
        for name in ("sku", "category", "customer_ref", "shade", *ATTRIBUTES):
            if target.attrs.get(name) is None and signal.get(name) is not None:
                target.attrs[name] = signal[name]
    return events


def in_catalog(attrs: dict[str, Any], catalog: Catalog) -> bool:
    """Whether any catalog sku of the category has all the demanded attributes."""
    if attrs.get("sku") and attrs["sku"] in catalog:
        return True
    return catalog.carries(attrs.get("category"), attrs.get("color"), attrs.get("pattern"),
                           attrs.get("size"))  # fmt: skip


def classify(signals: list[dict[str, Any]], attrs: dict[str, Any], catalog: Catalog) -> str:
    hints = {s.get("hint") for s in signals}
    if any(s.get("substitute_sku") for s in signals):
        return Classification.SUBSTITUTED.value
    if {"sale:not_carried", "lookup:not_carried"} & hints:
        return Classification.NOT_CARRIED.value
    if not (attrs.get("sku") or attrs.get("category")):
        return Classification.UNKNOWN.value
    if not in_catalog(attrs, catalog):
        return Classification.NOT_CARRIED.value
    return Classification.STOCKOUT.value


def value(signals: list[dict[str, Any]], attrs: dict[str, Any],
          catalog: Catalog) -> tuple[int, float | None, str]:  # fmt: skip
    """(lost units, unit price in EUR, price rule)."""
    sales = [s for s in signals if s["source"] == "lost_sales"]
    units = max((s["quantity"] for s in sales), default=1)
    priced = [s["unit_price_eur"] for s in sales if s["unit_price_eur"] is not None]
    if priced:
        return units, priced[0], "sale"
    entry = catalog.get(attrs.get("sku"))
    if entry is not None:
        return units, entry.list_price, "catalog"
    category = attrs.get("category")
    if category in catalog.medians:
        return units, catalog.medians[category], "category_median"
    return units, None, "none"


def build_events(
    signals: list[dict[str, Any]], catalog: Catalog, window: timedelta = DEFAULT_WINDOW
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Link one store-day's signals into events; returns (events, signals with their event id)."""
    events, linked = [], []
    for open_event in link(signals, window):
        group, attrs = open_event.signals, open_event.attrs
        first = group[0]
        event_id = f"E-{first['signal_id']}"
        units, price, rule = value(group, attrs, catalog)
        substitute = next((s["substitute_sku"] for s in group if s.get("substitute_sku")), None)
        sub = catalog.get(substitute)
        sources = [s["source"] for s in group]
        events.append(
            {
                "event_id": event_id,
                "store_id": first["store_id"],
                "event_date": first["event_date"],
                "iso_week": first["iso_week"],
                "first_at": first["occurred_at"],
                "last_at": group[-1]["occurred_at"],
                **{
                    k: attrs.get(k)
                    for k in ("category", "color", "shade", "pattern", "size", "sku")
                },
                "classification": classify(group, attrs, catalog),
                "n_signals": len(group),
                "n_notes": sources.count("frontline_notes"),
                "n_lookups": sources.count("oos_lookups"),
                "n_lost_sales": sources.count("lost_sales"),
                "customer_ref": attrs.get("customer_ref"),
                "lost_units": units,
                "unit_price_eur": price,
                "price_rule": rule,
                "lost_revenue_eur": round(units * price, 2) if price is not None else 0.0,
                "substitute_sku": substitute,
                "substitute_color": sub.color_family if sub else None,
                "substitute_pattern": sub.pattern if sub else None,
                "substitute_size": sub.size if sub else None,
            }
        )
        linked.extend({**s, "event_id": event_id} for s in group)
    return events, linked
