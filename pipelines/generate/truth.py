"""The README that travels with the truth files (what events.csv, traces.csv and pii.csv mean)."""

from __future__ import annotations

from pathlib import Path

README = """\
# Planted ground truth

Written by `unmet generate`. The source files (frontline_notes, oos_lookups, lost_sales) were
generated from the demand events below; these files say which record came from which event, and
which notes' customer references a consent withdrawal covers.

## events.csv: one line per demand event (one customer moment)
- `event_id` E-0000001..., `store_id`, `channel`, `occurred_at` (local time with the store's UTC
  offset; every trace of the event falls 0-20 minutes after it, on the same local day).
- `category`, `color_family`, `shade`, `pattern`, `size`: what the customer wanted. For
  `stockout` and `substituted` these are the attributes of `sku` (notes mention a subset: a solid
  pattern is rarely said, size or colour are sometimes left out). For `not_carried` only what the
  customer stated is filled; blank means not stated. `unknown` events have no attributes.
  `shade` is the word-level colour (sage, navy); `color_family` its family (green, blue).
- `classification`: `stockout` (the sku exists in catalog.csv and was unavailable),
  `substituted` (a stockout where the customer bought `substitute_sku` instead),
  `not_carried` (no catalog sku of `category` matches the stated colour family, pattern and size),
  `unknown` (a note too vague to say what was wanted).
- `lost_units`: quantity of the event's lost sale, else 1. `unit_price_eur`: the lost sale's
  unit price, else the sku's list price, else blank. `lost_revenue_eur` = lost_units x
  (unit_price_eur less the list price of `substitute_sku` when the customer took one, never below
  0; blank when there is no price). `priced`: true when one of the event's traces names the sku
  or the price paid (a lookup, a lost sale with a sku or a price, a note with a sku), so the
  ledger can price it from evidence; false events can only be estimated.
- `customer_ref`, `customer_consent`: set when a note of the event names the customer (some
  customers come back across events). `n_traces`: how many source records the event left (1-3).

## traces.csv: source,record_id,event_id
Every source record that comes from an event, with its event. Source records not listed here are
noise, not demand: in-stock lookups, lost sales with reason price or other, and notes with no
demand in them ("customer happy with the fit").

## pii.csv: note_id,kind,value
Notes into which a phone number or e-mail address was planted, for testing redaction.

## withdrawn_notes.csv: note_id,customer_ref,withdrawal_id
A few consenting customers withdraw their consent (consent_withdrawals/withdrawals.csv) some time
after their first consenting note. Every note listed here was written with
`customer_consent: true` and captured at or before its customer's withdrawal (`withdrawal_id`):
its customer_ref must not be published (staging, the ledger, the marts, the follow-ups). A
consenting note of the same customer captured after the withdrawal is not listed: it gives the
consent again (the latest statement wins).

## The spacing rule
No two events at the same store with the same category within 60 minutes of each other when
their colour families and sizes are compatible (equal, or either one not stated). Since traces
follow their event within 20 minutes, grouping a store's demand records of the same item within
a 30-minute window recovers the events exactly.
"""


def write_readme(path: Path) -> None:
    """Write truth/README.md."""
    path.write_text(README, encoding="utf-8")
