from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pipelines.ingest.validate import (
    Reference,
    Refused,
    catalog_row,
    lookup_row,
    lost_sale_row,
    note_row,
)

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
        ({"on_hand_qty": "-3"}, "on_hand_qty: is not a whole number in digits 0-9 (12)"),
        ({"on_hand_qty": "1000001"}, "on_hand_qty: Input should be less than or equal to 1000000"),
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


# --- times before the earliest accepted (review 14, D5) and numbers in forms the format does not
# allow (D6): quarantined with a reason, never read as a guess

SALE = {
    "sale_id": "LS-7", "store_id": "S001", "sku": "SKU-1", "reason_code": "out_of_stock",
    "quantity": "3", "unit_price": "54.90", "currency": "EUR",
    "occurred_at": "2026-11-19T09:12:00+01:00",
}  # fmt: skip


@pytest.mark.parametrize(
    "when",
    [
        "0001-01-01T08:00:00+00:00",  # .NET's DateTime.MinValue
        "0450-06-30T10:00:00+02:00",  # a year of three digits: '450-W26' stopped the marts step
        "1970-01-01T00:00:00Z",  # epoch 0
        "1970-01-01T01:00:00+01:00",  # epoch 0 with an offset
        "1999-12-31T23:59:59Z",
        "2000-01-01T00:15:00+01:00",  # 1999-12-31T23:15Z: compared as an instant
    ],
)
def test_a_time_before_2000_is_quarantined_as_a_null_date(when):
    with pytest.raises(Refused) as refused:
        lost_sale_row({**SALE, "occurred_at": when}, REF)
    assert str(refused.value).startswith(
        "occurred_at: is before 2000-01-01T00:00:00Z, the earliest time accepted"
    )


@pytest.mark.parametrize("when", ["2000-01-01T00:00:00Z", "1999-12-31T23:30:00-01:00"])
def test_the_earliest_time_itself_is_accepted_with_a_padded_week(when):
    assert lost_sale_row({**SALE, "occurred_at": when}, REF)["iso_week"] == "1999-W52"


@pytest.mark.parametrize(
    ("field", "written"),
    [
        ("quantity", "2_0"),  # Python's int() reads 20
        ("quantity", "2e1"),
        ("quantity", "+4"),
        ("quantity", "-0"),
        ("quantity", "\uff14"),  # full-width 4
        ("quantity", "\u0664"),  # Arabic-Indic 4
        ("quantity", "\u09ea"),  # Bengali 4
        ("quantity", "4.0"),
        ("unit_price", "5_4.90"),  # Decimal() reads 54.90
        ("unit_price", "5.49e1"),
        ("unit_price", "-0.00"),  # stored as -0.0
        ("unit_price", "-0"),
        ("unit_price", "+54.90"),
        ("unit_price", "\uff15\uff14.\uff19\uff10"),  # full-width 54.90
        ("unit_price", "\u0665\u0664"),  # Arabic-Indic 54
        ("unit_price", "NaN"),
        ("unit_price", "Infinity"),
        ("unit_price", ".90"),
        ("unit_price", "54."),
        ("unit_price", "54,90"),
    ],
)
def test_a_number_in_a_form_the_format_does_not_allow_is_quarantined(field, written):
    written = written.encode().decode("unicode_escape")
    with pytest.raises(Refused) as refused:
        lost_sale_row({**SALE, field: written}, REF)
    reason = str(refused.value)
    assert reason.startswith(f"{field}: is not "), reason
    assert "no sign, exponent, separator or other digits" in reason


@pytest.mark.parametrize(
    ("field", "written", "value"),
    [("quantity", "12", 12), ("quantity", " 7 ", 7), ("quantity", "007", 7),
     ("unit_price", "54.90", 54.9), ("unit_price", "54", 54.0), ("unit_price", "54.9", 54.9),
     ("unit_price", "0.00", 0.0), ("unit_price", "", None)],
)  # fmt: skip
def test_numbers_written_as_the_format_says_are_read(field, written, value):
    assert lost_sale_row({**SALE, field: written}, REF)[field] == value


def test_a_lookup_count_and_a_catalog_price_take_the_same_rule():
    with pytest.raises(Refused, match="on_hand_qty: is not a whole number"):
        lookup_row({**LOOKUP, "on_hand_qty": "1_000"}, REF)
    with pytest.raises(Refused, match="list_price: is not a number"):
        catalog_row(
            {"sku": "SKU-1", "style": "Wool coat", "category": "coat", "color": "navy",
             "pattern": "solid", "size": "L", "list_price": "1e3"},
            REF,
        )  # fmt: skip
