"""`generate()`: walk the days and stores, plan events and noise to a record budget, write them.

Memory holds the catalog, the stores, a bounded customer pool per store and one store-day of
records at a time, so it does not grow with the number of rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pipelines.generate.catalog import build_catalog
from pipelines.generate.events import DemandSampler, Event, Spacing, plan_event
from pipelines.generate.records import Customers, Slot, add_event, add_noise, finalize
from pipelines.generate.stores import build_stores, iso_week, utc_offset
from pipelines.generate.truth import write_readme
from pipelines.generate.writer import Writer
from schemas.raw import EARLIEST_TIME

DEFAULT_END_DATE = date(2026, 11, 22)
#: Relative traffic by weekday, Monday first.
WEEKDAY_WEIGHTS = (0.8, 0.85, 0.9, 0.95, 1.1, 1.5, 0.7)
#: Traffic grows this much from the first to the last day (run-up to the winter peak).
GROWTH = 0.3
#: Noise records drawn per demand event: notes with no demand, in-stock lookups, price/other sales.
NOISE_PER_EVENT = {"note": 0.15, "lookup": 0.20, "lost": 0.05}


@dataclass(frozen=True)
class GenerateSummary:
    """What one run wrote: record counts per file type and per event classification."""

    out: Path
    rows: int
    notes: int
    lookups: int
    lost_sales: int
    events: int
    traces: int
    catalog: int
    stores: int
    weeks: int
    pii_notes: int
    dropped_events: int
    classifications: dict[str, int] = field(default_factory=dict)
    withdrawals: int = 0

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        share = {
            name: count / self.rows if self.rows else 0.0
            for name, count in (
                ("notes", self.notes),
                ("lookups", self.lookups),
                ("lost_sales", self.lost_sales),
            )
        }
        mix = ", ".join(f"{name} {count}" for name, count in self.classifications.items())
        return [
            f"wrote {self.rows} records to {self.out}",
            f"  frontline_notes  {self.notes:>10}  ({share['notes']:.0%})",
            f"  oos_lookups      {self.lookups:>10}  ({share['lookups']:.0%})",
            f"  lost_sales       {self.lost_sales:>10}  ({share['lost_sales']:.0%})",
            f"  catalog skus     {self.catalog:>10}",
            f"  stores           {self.stores:>10}",
            f"  weeks            {self.weeks:>10}",
            f"  truth events     {self.events:>10}  ({mix})",
            f"  truth traces     {self.traces:>10}",
            f"  notes with PII   {self.pii_notes:>10}",
            f"  withdrawals      {self.withdrawals:>10}  (consent withdrawn)",
        ]


def default_stores(rows: int) -> int:
    """One store per 2,000 records, at least 5 and at most 2,000."""
    return max(5, min(2000, rows // 2000))


def _item_thresholds() -> tuple[float, float, float]:
    total = 1.0 + sum(NOISE_PER_EVENT.values())
    event = 1.0 / total
    note = event + NOISE_PER_EVENT["note"] / total
    lookup = note + NOISE_PER_EVENT["lookup"] / total
    return event, note, lookup


def _event_seconds(event: Event) -> int:
    return event.seconds


def generate(
    rows: int,
    seed: int,
    out: Path,
    weeks: int = 8,
    stores: int | None = None,
    end_date: date = DEFAULT_END_DATE,
) -> GenerateSummary:
    """Write a seeded synthetic dataset with planted demand events to `out`.

    Same arguments, same bytes. `rows` is the total across notes, lookups and lost sales.
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    n_stores = default_stores(rows) if stores is None else stores
    if n_stores < 1:
        raise ValueError(f"stores must be at least 1, got {n_stores}")
    catalog = build_catalog(random.Random(f"unmet/catalog/{seed}"))
    store_list = build_stores(n_stores, random.Random(f"unmet/stores/{seed}"))
    rng = random.Random(f"unmet/events/{seed}")
    n_days = 7 * weeks
    days = [end_date - timedelta(days=n_days - 1 - i) for i in range(n_days)]
    if days[0] <= EARLIEST_TIME.date():  # a day's margin: a store's offset moves its times
        raise ValueError(
            f"the first day generated ({days[0].isoformat()}) must be after "
            f"{EARLIEST_TIME.date().isoformat()}: the ingest quarantines earlier times "
            "(schemas.raw.EARLIEST_TIME)"
        )
    day_weights = [
        WEEKDAY_WEIGHTS[day.weekday()] * (1 + GROWTH * i / n_days) for i, day in enumerate(days)
    ]
    total_weight = sum(day_weights) * sum(store.weight for store in store_list)
    p_event, p_note, p_lookup = _item_thresholds()
    customers = Customers()
    cumulative, produced, dropped = 0.0, 0, 0
    week_label, sampler = "", DemandSampler(catalog, 0.0)
    with Writer(out, seed, end_date) as writer:
        writer.write_reference(catalog, store_list)
        for index, day in enumerate(days):
            if iso_week(day) != week_label:
                week_label = iso_week(day)
                writer.start_week(week_label)
                sampler = DemandSampler(catalog, (index // 7) / max(1, weeks - 1))
            for store in store_list:
                cumulative += day_weights[index] * store.weight
                target = round(rows * cumulative / total_weight)
                slot = Slot(store, day, utc_offset(store.country, day))
                events: list[Event] = []
                while produced < target:
                    roll = rng.random()
                    if roll < p_event:
                        event = plan_event(rng)
                        events.append(event)
                        produced += event.n_traces
                    else:
                        kind = "note" if roll < p_note else "lookup" if roll < p_lookup else "lost"
                        add_noise(rng, slot, kind, catalog, customers)
                        produced += 1
                events.sort(key=_event_seconds)
                spacing = Spacing()
                for event in events:
                    if sampler.assign(rng, event, spacing):
                        add_event(rng, slot, event, catalog, customers)
                    else:
                        dropped += 1
                        produced -= event.n_traces
                finalize(slot, writer.counters)
                writer.write_slot(slot)
        counts = writer.counts
    write_readme(out / "truth" / "README.md")
    return GenerateSummary(
        out=out,
        rows=counts["notes"] + counts["lookups"] + counts["lost_sales"],
        notes=counts["notes"],
        lookups=counts["lookups"],
        lost_sales=counts["lost_sales"],
        events=counts["events"],
        traces=counts["traces"],
        catalog=counts["catalog"],
        stores=counts["stores"],
        weeks=counts["weeks"],
        pii_notes=counts["pii_notes"],
        dropped_events=dropped,
        classifications={
            name: counts[name] for name in ("stockout", "not_carried", "substituted", "unknown")
        },
        withdrawals=counts["withdrawals"],
    )
