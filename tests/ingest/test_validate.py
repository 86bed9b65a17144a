from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pipelines.ingest.validate import Reference, Refused, lookup_row, lost_sale_row, note_row

REF = Reference(
    as_of=datetime(2026, 11, 25, tzinfo=UTC), stores=frozenset({"S001"}), skus=frozenset({"SKU-1"})
)
LOOKUP = {
    "lookup_id": "L-1", "store_id": "S001", "channel": "store", "sku": "SKU-1",
    "looked_up_at": "2026-11-17T23:30:00-05:00", "result": "out_of_stock", "on_hand_qty": "0",
}  # fmt: skip


def test_lookup_row_keeps_the_store_local_date_and_stores_utc():
    row = lookup_row(LOOKUP, REF)
    assert row["event_date"] == date(2026, 11, 17)
    assert row["iso_week"] == "2026-W47"
    assert row["looked_up_at"] == datetime(2026, 11, 18, 4, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"store_id": "S404"}, "store_id: unknown store 'S404'"),
        ({"sku": "SKU-9"}, "sku: unknown sku 'SKU-9'"),
        ({"looked_up_at": "2025-02-30T10:00:00+01:00"}, "day value is outside expected range"),
        ({"looked_up_at": "2026-11-17T10:00:00"}, "looked_up_at: Input should have timezone info"),
        ({"looked_up_at": "2027-01-01T10:00:00+01:00"}, "is in the future"),
        (
            {"result": "maybe"},
            "result: Input should be 'in_stock', 'out_of_stock' or 'not_carried'",
        ),
        ({"on_hand_qty": "-3"}, "on_hand_qty: Input should be greater than or equal to 0"),
        ({"lookup_id": ""}, "lookup_id: required field is empty"),
    ],
)
def test_lookup_refusals_say_which_field_and_why(change, reason):
    with pytest.raises(Refused, match=None) as refused:
        lookup_row({**LOOKUP, **change}, REF)
    assert reason in str(refused.value)


def test_note_without_consent_keeps_no_customer_and_redacts_contacts():
    row = note_row(
        {
            "note_id": "N-1",
            "store_id": "S001",
            "channel": "store",
            "associate_id": "A1",
            "captured_at": "2026-11-17T14:03:00+01:00",
            "text": "wants navy coat, mail me a@b.com",
            "customer_ref": "C-9",
            "customer_consent": False,
        },  # fmt: skip
        REF,
    )
    assert row["customer_ref"] is None
    assert row["text"] == "wants navy coat, mail me [email]"
    assert row["redactions"] == 1


def test_note_with_unknown_field_is_refused_rather_than_silently_dropping_it():
    with pytest.raises(Refused, match="unexpected field 'colour'"):
        note_row(
            {
                "note_id": "N-1",
                "store_id": "S001",
                "channel": "store",
                "captured_at": "2026-11-17T14:03:00+01:00",
                "text": "x",
                "colour": "navy",
            },  # fmt: skip
            REF,
        )


def test_lost_sale_in_another_currency_is_refused():
    with pytest.raises(Refused, match="currency: Input should be .EUR. \\(got .GBP.\\)"):
        lost_sale_row(
            {
                "sale_id": "LS-1",
                "store_id": "S001",
                "sku": "SKU-1",
                "reason_code": "out_of_stock",
                "quantity": "1",
                "unit_price": "10",
                "currency": "GBP",
                "occurred_at": "2026-11-17T14:03:00+01:00",
            },  # fmt: skip
            REF,
        )
