"""Consent withdrawals for the generated inputs, with their truth.

A few consenting customers withdraw their consent to be contacted some time after their first
consenting note (by phone, in a store, by e-mail, on the web or in the app). Some of them come
back later and consent again in a new note: the latest statement wins (docs/privacy.md), so that
note's customer_ref is kept while the notes before the withdrawal lose theirs.

Drawn from random streams of their own (one per customer, from the seed and the customer_ref),
never from the events' stream, so the other generated files are the same with or without them.
Memory holds only the customers who withdraw (a few per hundred consenting customers).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from pipelines.generate.rand import between, one
from pipelines.generate.stores import utc_offset
from schemas.enums import WithdrawalChannel, values
from schemas.raw import ConsentWithdrawal

HEADER = tuple(ConsentWithdrawal.model_fields)
TRUTH_HEADER = ("note_id", "customer_ref", "withdrawal_id")
#: Share of consenting customers who withdraw, decided at their first consenting note.
RATE = 0.05
#: A withdrawal comes 1 hour to 21 days after that note.
DELAY_SECONDS = (3600, 21 * 24 * 3600)
CHANNELS = tuple(values(WithdrawalChannel))
#: Note row fields (pipelines/generate/records.py `_add_note`).
_ID, _CAPTURED, _REF, _CONSENT = 0, 4, 7, 8


class Withdrawals:
    """Plans each customer's withdrawal when their first consenting note is written (`see`, in
    the order the notes are written: day by day, each customer at one store) and writes it to
    `consent_withdrawals/withdrawals.csv` at once; every consenting note captured at or before
    its customer's withdrawal goes to `truth/withdrawn_notes.csv` (its customer_ref must not be
    published)."""

    def __init__(self, seed: int, end_date: date, csv_writer, truth_writer) -> None:  # type: ignore[no-untyped-def]
        self._seed = seed
        self._end = end_date
        self._rows = csv_writer
        self._truth = truth_writer
        self._planned: dict[str, tuple[str, datetime]] = {}  # ref -> (withdrawal_id, when)
        self.count = 0

    def see(self, row: list, country: str) -> None:
        """One note row as written (its id set) by a store in `country`."""
        ref = row[_REF]
        if not ref or row[_CONSENT] is not True:
            return
        captured = datetime.fromisoformat(row[_CAPTURED])
        if ref not in self._planned:
            self._plan(ref, captured, country)
        planned = self._planned.get(ref)
        if planned is not None and captured <= planned[1]:
            self._truth.writerow((row[_ID], ref, planned[0]))

    def _plan(self, ref: str, captured: datetime, country: str) -> None:
        rng = random.Random(f"unmet/withdrawals/{self._seed}/{ref}")
        if rng.random() >= RATE:
            return
        moment = captured + timedelta(seconds=between(rng, *DELAY_SECONDS))
        day = moment.date()  # in the note's offset: close enough to pick the day's offset
        if day > self._end:
            return  # after the generated weeks
        hours = int(utc_offset(country, day)[:3])  # '+01:00': stores are whole hours ahead
        local = moment.astimezone(timezone(timedelta(hours=hours)))
        self.count += 1
        withdrawal_id = f"CW-{self.count:06d}"
        self._planned[ref] = (withdrawal_id, local)
        self._rows.writerow((withdrawal_id, ref, local.isoformat(), one(rng, CHANNELS)))
