"""Raw records for one store and day: the traces each event leaves, plus noise that is not demand.

Rows are plain lists of strings (ids filled in by `finalize` once a slot is sorted by time), so a
slot costs a few kilobytes whatever the total size of the run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

from pipelines.generate import text
from pipelines.generate.catalog import Catalog, Sku, euros
from pipelines.generate.events import TRACE_WINDOW_SECONDS, Event, open_seconds, pick
from pipelines.generate.rand import between, one
from pipelines.generate.stores import StoreInfo, timestamp
from schemas.enums import LookupResult, ReasonCode, Source

NOISE_CHANNELS = ("store", "call_center", "chat", "app", "web")
NOISE_CHANNEL_CUM = (0.70, 0.80, 0.88, 0.94, 1.0)
QUANTITIES = (1,) * 17 + (2, 2, 3)
ON_HAND = (1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30)
PII_RATE_DEMAND, PII_RATE_NOISE = 0.03, 0.01
CUSTOMER_POOL = 40
_BY_SECONDS = itemgetter(0)


@dataclass
class Customers:
    """Known customers per store (bounded pool), so some come back across events."""

    counter: int = 0
    pools: dict[int, list[tuple[str, bool]]] = field(default_factory=dict)

    def draw(self, rng: random.Random, store: int) -> tuple[str, bool]:
        pool = self.pools.setdefault(store, [])
        if pool and rng.random() < 0.25:
            return one(rng, pool)
        self.counter += 1
        customer = (f"C-{self.counter:06d}", rng.random() < 0.7)
        pool.append(customer)
        if len(pool) > CUSTOMER_POOL:
            pool.pop(0)
        return customer


@dataclass
class Outcome:
    """An event with the rows of its traces and the figures its truth line needs."""

    event: Event
    traces: list[tuple[str, list[str]]] = field(default_factory=list)
    customer: tuple[str, bool] | None = None
    units: int = 1
    price_cents: int | None = None
    #: a trace names the sku or the price paid, so the ledger can price the event from evidence
    priced: bool = False


@dataclass
class Slot:
    """The records of one store and day, each row with its local time in seconds."""

    store: StoreInfo
    day: date
    offset: str
    notes: list[tuple[int, list]] = field(default_factory=list)
    lookups: list[tuple[int, list]] = field(default_factory=list)
    lost_sales: list[tuple[int, list]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    pii: list[tuple[list, str, str]] = field(default_factory=list)
    prefix: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.prefix = timestamp(self.day, 0, self.offset)[:11]

    def ts(self, seconds: int) -> str:
        """Local ISO timestamp of a time of day (same as stores.timestamp, day prefix cached)."""
        hours, rest = divmod(seconds, 3600)
        return f"{self.prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}{self.offset}"


def associate(rng: random.Random, store: StoreInfo, channel: str) -> str | None:
    """Who wrote a note: a store associate, a call-centre or chat agent, or nobody."""
    if channel == "store":
        return f"A{store.index * 20 + between(rng, 1, 13):05d}"
    if channel == "call_center":
        return f"CC{between(rng, 1, 61):03d}"
    if channel == "chat" and rng.random() < 0.5:
        return f"CH{between(rng, 1, 31):03d}"
    return None


def _ask(rng: random.Random, event: Event) -> text.Ask:
    """The attributes a note mentions: all for not_carried, a realistic subset for stockouts."""
    if event.sku is None:
        return text.Ask(event.category, event.shade, event.family, event.pattern, event.size)
    sku = event.sku
    say_color = rng.random() < (0.97 if event.reason == "color_unavailable" else 0.85)
    say_size = sku.size != "OS" and rng.random() < (
        0.95 if event.reason == "size_unavailable" else 0.75
    )
    say_pattern = rng.random() < (0.05 if sku.pattern == "solid" else 0.75)
    return text.Ask(
        sku.category,
        sku.color if say_color else None,
        sku.family if say_color else None,
        sku.pattern if say_pattern else None,
        sku.size if say_size else None,
        sku.material,
        sku.base,
    )


def _add_note(
    rng: random.Random,
    slot: Slot,
    seconds: int,
    channel: str,
    body: str,
    sku: str | None,
    customer: tuple[str, bool] | None,
    pii_rate: float,
) -> list:
    row = [
        None,
        slot.store.store_id,
        channel,
        associate(rng, slot.store, channel),
        slot.ts(seconds),
        body,
        sku,
        customer[0] if customer else None,
        customer[1] if customer else False,
    ]
    if rng.random() < pii_rate:
        clause, kind, value = text.pii_clause(rng, slot.store.country)
        row[5] = f"{body}{one(rng, (', ', '. ', ' - '))}{clause}"
        slot.pii.append((row, kind, value))
    slot.notes.append((seconds, row))
    return row


def _sale_price(rng: random.Random, sku: Sku) -> int:
    return sku.price_cents * 4 // 5 if rng.random() < 0.15 else sku.price_cents


def add_event(
    rng: random.Random, slot: Slot, event: Event, catalog: Catalog, customers: Customers
) -> None:
    """Write the traces of one event (attributes already assigned) into the slot."""
    outcome = Outcome(event)
    store_id, sku = slot.store.store_id, event.sku
    if sku is not None:
        outcome.price_cents = sku.price_cents
    if event.lookup and sku is not None:
        seconds = event.seconds + between(rng, 0, TRACE_WINDOW_SECONDS + 1)
        row = [
            None,
            store_id,
            event.channel,
            sku.sku,
            slot.ts(seconds),
            LookupResult.OUT_OF_STOCK.value,
            "0",
        ]
        slot.lookups.append((seconds, row))
        outcome.traces.append((Source.OOS_LOOKUPS.value, row))
        outcome.priced = True
    if event.lost:
        seconds = event.seconds + between(rng, 60, TRACE_WINDOW_SECONDS + 1)
        outcome.units = one(rng, QUANTITIES)
        ask = text.Ask(event.category, event.shade, event.family, event.pattern, event.size)
        if sku is not None:
            outcome.price_cents = _sale_price(rng, sku)
            reason, description = event.reason, text.stockout_description(rng, ask)
        else:
            reason, description = ReasonCode.NOT_CARRIED.value, text.lost_sale_description(rng, ask)
            if rng.random() < 0.3:
                outcome.price_cents = one(rng, catalog.by_category[event.category]).price_cents
        price = euros(outcome.price_cents) if outcome.price_cents is not None else ""
        substitute = event.substitute.sku if event.substitute else ""
        row = [
            None,
            store_id,
            sku.sku if sku else "",
            reason,
            str(outcome.units),
            price,
            "EUR",
            slot.ts(seconds),
            substitute,
            description,
        ]
        slot.lost_sales.append((seconds, row))
        outcome.traces.append((Source.LOST_SALES.value, row))
        outcome.priced = outcome.priced or bool(sku) or bool(price)
    if event.note:
        seconds = event.seconds + between(rng, 0, TRACE_WINDOW_SECONDS + 1)
        if event.classification == "unknown":
            body = text.unknown_note(rng, event.channel)
        else:
            body = text.demand_note(
                rng, _ask(rng, event), event.classification, event.channel, event.alternative
            )
        if rng.random() < 0.54:
            outcome.customer = customers.draw(rng, slot.store.index)
        note_sku = sku.sku if sku and event.channel == "store" and rng.random() < 0.15 else None
        row = _add_note(
            rng, slot, seconds, event.channel, body, note_sku, outcome.customer, PII_RATE_DEMAND
        )
        outcome.traces.append((Source.FRONTLINE_NOTES.value, row))
        outcome.priced = outcome.priced or note_sku is not None
    slot.outcomes.append(outcome)


def add_noise(
    rng: random.Random, slot: Slot, kind: str, catalog: Catalog, customers: Customers
) -> None:
    """One record that is not demand: an in-stock lookup, a price/other lost sale, a chatty note."""
    store_id = slot.store.store_id
    if kind == "lookup":
        channel = pick(rng, NOISE_CHANNELS, NOISE_CHANNEL_CUM)
        seconds, sku = open_seconds(rng, channel), one(rng, catalog.items)
        slot.lookups.append(
            (
                seconds,
                [
                    None,
                    store_id,
                    channel,
                    sku.sku,
                    slot.ts(seconds),
                    LookupResult.IN_STOCK.value,
                    str(one(rng, ON_HAND)),
                ],
            )
        )
    elif kind == "lost":
        seconds, sku = open_seconds(rng, "store"), one(rng, catalog.items)
        reason = ReasonCode.PRICE.value if rng.random() < 0.65 else ReasonCode.OTHER.value
        slot.lost_sales.append(
            (
                seconds,
                [
                    None,
                    store_id,
                    sku.sku,
                    reason,
                    str(one(rng, QUANTITIES)),
                    euros(sku.price_cents),
                    "EUR",
                    slot.ts(seconds),
                    "",
                    text.noise_description(rng, reason),
                ],
            )
        )
    else:
        channel = pick(rng, NOISE_CHANNELS, NOISE_CHANNEL_CUM)
        seconds = open_seconds(rng, channel)
        customer = customers.draw(rng, slot.store.index) if rng.random() < 0.1 else None
        _add_note(
            rng,
            slot,
            seconds,
            channel,
            text.noise_note(rng, channel),
            None,
            customer,
            PII_RATE_NOISE,
        )


@dataclass
class Counters:
    """Next id number per record type; ids are unique across the whole dataset."""

    note: int = 0
    lookup: int = 0
    lost_sale: int = 0
    event: int = 0


def finalize(slot: Slot, counters: Counters) -> None:
    """Sort each source by time and number its rows, events in time order too."""
    for rows, prefix, attr in (
        (slot.notes, "N", "note"),
        (slot.lookups, "L", "lookup"),
        (slot.lost_sales, "LS", "lost_sale"),
    ):
        rows.sort(key=_BY_SECONDS)
        number = getattr(counters, attr)
        for _, row in rows:
            number += 1
            row[0] = f"{prefix}-{number:07d}"
        setattr(counters, attr, number)
    slot.outcomes.sort(key=_event_seconds)


def _event_seconds(outcome: Outcome) -> int:
    return outcome.event.seconds
