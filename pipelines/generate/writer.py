"""Streaming output: reference files once, source files week by week, truth files as we go."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import IO, Any

from pipelines.generate.catalog import CATALOG_HEADER, Catalog, Sku, euros
from pipelines.generate.records import Counters, Outcome, Slot
from pipelines.generate.stores import STORES_HEADER, StoreInfo
from pipelines.generate.withdrawals import HEADER as WITHDRAWAL_HEADER
from pipelines.generate.withdrawals import TRUTH_HEADER as WITHDRAWN_HEADER
from pipelines.generate.withdrawals import Withdrawals
from schemas.raw import FrontlineNote, LostSale, OosLookup

NOTE_FIELDS = tuple(FrontlineNote.model_fields)
LOOKUP_HEADER = tuple(OosLookup.model_fields)
LOST_SALE_HEADER = tuple(LostSale.model_fields)
EVENT_HEADER = (
    "event_id",
    "store_id",
    "channel",
    "occurred_at",
    "category",
    "color_family",
    "shade",
    "pattern",
    "size",
    "sku",
    "classification",
    "lost_units",
    "unit_price_eur",
    "lost_revenue_eur",
    "priced",
    "substitute_sku",
    "customer_ref",
    "customer_consent",
    "n_traces",
)
TRACE_HEADER = ("source", "record_id", "event_id")
_NOTE_ENCODER = json.JSONEncoder(ensure_ascii=False)
PII_HEADER = ("note_id", "kind", "value")
#: File name patterns of the weekly source files (stale ones are removed before a run).
WEEKLY = (
    ("frontline_notes", "notes-", ".jsonl"),
    ("oos_lookups", "lookups-", ".csv"),
    ("lost_sales", "lost_sales-", ".csv"),
)


def _csv(path: Path, header: tuple[str, ...]) -> tuple[IO[str], Any]:
    handle = path.open("w", encoding="utf-8", newline="")
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    return handle, writer


def clear_outputs(out: Path) -> None:
    """Remove weekly files a previous run left in `out` (only files this generator names)."""
    for folder, prefix, suffix in WEEKLY:
        for path in sorted((out / folder).glob(f"{prefix}*{suffix}")):
            path.unlink()


def lost_cents(price_cents: int, units: int, substitute: Sku | None) -> int:
    """What the event lost: units x (price less the substitute's list price, never below 0)."""
    bought = substitute.price_cents if substitute is not None else 0
    return units * max(price_cents - bought, 0)


def event_row(outcome: Outcome, event_id: str, slot: Slot) -> tuple[str, ...]:
    """One truth line of events.csv."""
    event = outcome.event
    price = outcome.price_cents
    customer = outcome.customer
    return (
        event_id,
        slot.store.store_id,
        event.channel,
        slot.ts(event.seconds),
        event.category,
        event.family or "",
        event.shade or "",
        event.pattern or "",
        event.size or "",
        event.sku.sku if event.sku else "",
        event.classification,
        str(outcome.units),
        euros(price) if price is not None else "",
        euros(lost_cents(price, outcome.units, event.substitute)) if price is not None else "",
        "true" if outcome.priced else "false",
        event.substitute.sku if event.substitute else "",
        customer[0] if customer else "",
        ("true" if customer[1] else "false") if customer else "",
        str(event.n_traces),
    )


class Writer:
    """Owns every output file; call `close()` (or use as a context manager) at the end."""

    def __init__(self, out: Path, seed: int = 0, end_date: date | None = None) -> None:
        self.out = out
        for folder in (
            "catalog",
            "stores",
            "consent_withdrawals",
            "frontline_notes",
            "oos_lookups",
            "lost_sales",
            "truth",
        ):
            (out / folder).mkdir(parents=True, exist_ok=True)
        clear_outputs(out)
        self.counts: Counter[str] = Counter()
        self.counters = Counters()
        self._events, self._event_writer = _csv(out / "truth" / "events.csv", EVENT_HEADER)
        self._traces, self._trace_writer = _csv(out / "truth" / "traces.csv", TRACE_HEADER)
        self._pii, self._pii_writer = _csv(out / "truth" / "pii.csv", PII_HEADER)
        self._withdrawn, withdrawn_writer = _csv(
            out / "consent_withdrawals" / "withdrawals.csv", WITHDRAWAL_HEADER
        )
        self._withdrawn_truth, truth_writer = _csv(
            out / "truth" / "withdrawn_notes.csv", WITHDRAWN_HEADER
        )
        self.withdrawals = Withdrawals(seed, end_date or date.max, withdrawn_writer, truth_writer)
        self._week: list[IO[str]] = []
        self._notes: IO[str] | None = None

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def write_reference(self, catalog: Catalog, stores: list[StoreInfo]) -> None:
        handle, writer = _csv(self.out / "catalog" / "catalog.csv", CATALOG_HEADER)
        with handle:
            writer.writerows(item.row() for item in catalog.items)
        handle, writer = _csv(self.out / "stores" / "stores.csv", STORES_HEADER)
        with handle:
            writer.writerows(store.row() for store in stores)
        self.counts["catalog"], self.counts["stores"] = len(catalog.items), len(stores)

    def start_week(self, label: str) -> None:
        """Close the previous week's source files and open this week's."""
        self._close_week()
        self._notes = (self.out / "frontline_notes" / f"notes-{label}.jsonl").open(
            "w", encoding="utf-8", newline="\n"
        )
        self._lookups, self._lookup_writer = _csv(
            self.out / "oos_lookups" / f"lookups-{label}.csv", LOOKUP_HEADER
        )
        self._lost, self._lost_writer = _csv(
            self.out / "lost_sales" / f"lost_sales-{label}.csv", LOST_SALE_HEADER
        )
        self._week = [self._notes, self._lookups, self._lost]
        self.counts["weeks"] += 1

    def write_slot(self, slot: Slot) -> None:
        """Write one finalized slot: its source rows, its events and their traces."""
        assert self._notes is not None, "start_week first"
        encode = _NOTE_ENCODER.encode
        for _, row in slot.notes:
            self._notes.write(encode(dict(zip(NOTE_FIELDS, row, strict=True))) + "\n")
            self.withdrawals.see(row, slot.store.country)
        self._lookup_writer.writerows(row for _, row in slot.lookups)
        self._lost_writer.writerows(row for _, row in slot.lost_sales)
        for row, kind, value in slot.pii:
            self._pii_writer.writerow((row[0], kind, value))
        for outcome in slot.outcomes:
            self.counters.event += 1
            event_id = f"E-{self.counters.event:07d}"
            self._event_writer.writerow(event_row(outcome, event_id, slot))
            self._trace_writer.writerows(
                (source, row[0], event_id) for source, row in outcome.traces
            )
            self.counts["traces"] += len(outcome.traces)
            self.counts[outcome.event.classification] += 1
        self.counts["notes"] += len(slot.notes)
        self.counts["lookups"] += len(slot.lookups)
        self.counts["lost_sales"] += len(slot.lost_sales)
        self.counts["events"] += len(slot.outcomes)
        self.counts["pii_notes"] += len(slot.pii)

    def _close_week(self) -> None:
        for handle in self._week:
            handle.close()
        self._week = []

    def close(self) -> None:
        self._close_week()
        self.counts["withdrawals"] = self.withdrawals.count
        for handle in (self._events, self._traces, self._pii, self._withdrawn,
                       self._withdrawn_truth):  # fmt: skip
            handle.close()
