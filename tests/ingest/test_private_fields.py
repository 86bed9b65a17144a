"""Privacy of every string field (docs/privacy.md): an identifier that is not one or holds a contact
detail refuses the record without repeating it, labels may hold none, free text is redacted, and no
reason or reject repeats a contact detail."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipelines.ingest import fast
from pipelines.ingest.parse import reject_row, short_reason
from pipelines.ingest.readers import RawRecord, read_csv
from pipelines.ingest.redact import scrub_message
from pipelines.ingest.sources import ALL
from pipelines.ingest.validate import (
    Reference,
    Refused,
    catalog_row,
    identifier_problem,
    lookup_row,
    lost_sale_row,
    note_row,
    store_row,
)

REF = Reference(
    as_of=datetime(2026, 11, 25, tzinfo=UTC), stores=frozenset({"S001"}), skus=frozenset({"SKU-1"})
)
NOTE = {
    "note_id": "N-1", "store_id": "S001", "channel": "store", "associate_id": "A1",
    "captured_at": "2026-11-17T14:03:00+01:00", "text": "wants navy coat", "sku": None,
    "customer_ref": "C-9", "customer_consent": True,
}  # fmt: skip
LOOKUP = {
    "lookup_id": "L-1", "store_id": "S001", "channel": "store", "sku": "SKU-1",
    "looked_up_at": "2026-11-17T10:00:00+01:00", "result": "out_of_stock", "on_hand_qty": "0",
}  # fmt: skip
SALE = {
    "sale_id": "LS-1", "store_id": "S001", "sku": "SKU-1", "reason_code": "out_of_stock",
    "quantity": "1", "unit_price": "10.00", "currency": "EUR",
    "occurred_at": "2026-11-17T10:00:00+01:00", "substitute_sku": None, "description": None,
}  # fmt: skip
CATALOG = {"sku": "SKU-1", "style": "Wool coat", "category": "coat", "color": "navy",
           "pattern": "solid", "size": "L", "list_price": "189.00"}  # fmt: skip
STORE = {"store_id": "S001", "name": "Lyon", "region": "South-East", "country": "FR",
         "timezone": "Europe/Paris"}  # fmt: skip

#: One of each kind of contact detail, as people type them.
CONTACTS = {
    "e-mail": "jane.doe@example.com",
    "mistyped e-mail": "jane.d@example..com",
    "phone": "+33 6 12 34 56 78",
    "bare phone": "0612345678",
    "card": "4111 1111 1111 1111",
    "bare card": "4111111111111111",
    "iban": "DE89370400440532013000",
}
ROWS = [(note_row, NOTE), (lookup_row, LOOKUP), (lost_sale_row, SALE), (catalog_row, CATALOG),
        (store_row, STORE)]  # fmt: skip
IDS_AND_LABELS = {"note_id", "store_id", "associate_id", "sku", "customer_ref", "lookup_id",
                  "sale_id", "substitute_sku", "category", "color", "pattern", "size",
                  "region", "timezone"}  # fmt: skip


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _leaks(value: str, text: str) -> bool:
    return value.lower() in text.lower() or _digits(value) in _digits(text)


@pytest.mark.parametrize("contact", CONTACTS.values(), ids=CONTACTS.keys())
@pytest.mark.parametrize(
    ("row_fn", "field"),
    [(fn, name) for fn, base in ROWS for name in base],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_a_contact_in_any_field_is_refused_or_redacted_never_repeated(row_fn, field, contact):
    base = dict(next(b for fn, b in ROWS if fn is row_fn))
    try:
        row = row_fn({**base, field: contact}, REF)
    except Refused as refused:
        assert not _leaks(contact, str(refused)), str(refused)
        return
    # accepted: never as an identifier or label; free text holds it redacted
    assert field not in IDS_AND_LABELS, f"{field} accepted {contact!r}"
    assert not any(_leaks(contact, str(v)) for v in row.values() if v is not None), row


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("A00017", None),
        ("SKU-10482", None),
        ("L-0000042", None),
        ("store:lyon/1", None),
        ("jane@example.com", "looks like an e-mail address"),
        ("0612345678", "looks like a phone number"),
        ("4111111111111111", "looks like a card number"),
        ("DE89370400440532013000", "looks like an IBAN"),
        ("C-0612345678", None),  # digits in one run behind a prefix: how docs/privacy.md says
        ("ORD-2026-11-17-0042", None),  # to write a digit id; a date and a serial
        ("SKU-10482-2", None),
        ("C-06.12.34.56.78", "looks like a phone number"),  # a phone in groups behind a prefix
        ("C-06-12-34-56-78", "looks like a phone number"),
        ("A-07700.900123", "looks like a phone number"),
        ("ORD-2026-11-17-06.12.34.56.78", "looks like a phone number"),
        # review 14 (D3): the same rule whatever separator joins the prefix and the groups
        pytest.param("A.07.81.22.45.90", "looks like a phone number", id="A.99.99.99.99.99"),
        pytest.param("C.07-81-22-45-90", "looks like a phone number", id="C.99-99-99-99-99"),
        pytest.param("CC.07/81/22/45/90", "looks like a phone number", id="CC.99/99/99/99/99"),
        pytest.param("C_07_81_22_45_90", "looks like a phone number", id="C_99_99_99_99_99"),
        pytest.param("C:07:81:22:45:90", "looks like a phone number", id="C:99:99:99:99:99"),
        pytest.param("07_81_22_45_90", "looks like a phone number", id="99_99_99_99_99"),
        pytest.param("K1.07.81.22.45.90", "looks like a phone number", id="K9.99.99.99.99.99"),
        pytest.param(
            "L.4012.8888.8888.1881", "looks like a card number", id="L.9999.9999.9999.9999"
        ),
        pytest.param("ORD.2026.11.17.0042", None, id="ORD.9999.99.99.9999"),
        pytest.param(
            "C.0781224590", None, id="C.9999999999"
        ),  # digits in one run behind a prefix, as with a dash
        pytest.param("V-1.2.3", None, id="V-9.9.9"),
        ("A 1", "'A 1' is not an identifier"),
        ("-A1", "'-A1' is not an identifier"),
    ],
)
def test_what_an_identifier_may_hold(value, problem):
    found = identifier_problem(value)
    assert (found is None) if problem is None else (problem in found)


def test_an_e_mail_as_consented_customer_ref_refuses_the_note():
    with pytest.raises(Refused) as refused:
        note_row({**NOTE, "customer_ref": "jane.d@example..com"}, REF)
    assert str(refused.value) == (
        "customer_ref: looks like an e-mail address; identifiers may not hold contact details "
        "(value withheld)"
    )


def test_an_unconsented_customer_ref_is_dropped_whatever_it_holds():
    row = note_row({**NOTE, "customer_ref": "jane@example.com", "customer_consent": False}, REF)
    assert row["customer_ref"] is None


def test_free_text_of_the_reference_data_is_redacted():
    assert catalog_row({**CATALOG, "style": "coat, ask 0612345678"}, REF)["style"] == (
        "coat, ask [phone]"
    )
    assert store_row({**STORE, "name": "Lyon jane@example.com"}, REF)["name"] == "Lyon [email]"


def test_a_reject_repeats_no_contact_in_its_id_reason_or_raw():
    spec = next(s for s in ALL if s.name == "frontline_notes")
    fields = {**NOTE, "note_id": "4111111111111111", "store_id": "jane@example.com"}
    raw = json.dumps(fields)
    record = RawRecord(1, raw, fields, None)
    reject = reject_row(spec, record, "n.jsonl", "store_id: unknown store 'jane@example.com'")
    shown = json.dumps(reject)
    assert "jane@example.com" not in shown and "4111111111111111" not in shown
    assert reject["record_id"] == "[card]"


def test_the_fast_path_leaves_contact_like_ids_to_the_exact_path():
    header = ",".join(LOOKUP)
    lines = [",".join(str(v) for v in {**LOOKUP, "lookup_id": lid}.values())
             for lid in ("L-0000042", "0612345678", "DE89370400440532013000", "a@b.c")]  # fmt: skip
    data = ("\n".join([header, *lines]) + "\n").encode()
    spec = next(s for s in ALL if s.name == "oos_lookups")
    from schemas.arrow import dataset_schema

    schema = dataset_schema("stg_oos_lookups")
    result = fast.parse("oos_lookups", "csv", data, spec.columns, REF, schema)
    assert result is not None
    assert result.table.column("lookup_id").to_pylist() == ["L-0000042"]
    assert len(result.slow) == 3


def test_a_reason_keeps_its_limits_but_not_the_values_it_quotes():
    reason = "on_hand_qty: Input should be less than or equal to 1000000 (got '0612345678')"
    assert scrub_message(reason) == (
        "on_hand_qty: Input should be less than or equal to 1000000 (got '[phone]')"
    )
    zone = "timezone: unknown time zone 'DE89370400440532013000': give an IANA name"
    assert "DE89" not in scrub_message(zone) and "[iban]" in scrub_message(zone)


@pytest.mark.parametrize(
    ("source", "cell"),
    [("oos_lookups", "06 98 76 54 32"), ("lost_sales", "4111 1111 1111 1111"),
     ("catalog", "+44 7700 900461"), ("stores", "DE89 3704 0044 0532 0130 00"),
     ("oos_lookups", "jane.doe@example.com"), ("lost_sales", "tel0698765432")],
)  # fmt: skip
@pytest.mark.parametrize("where", ["replacing a column", "appended"])
def test_a_header_cell_holding_a_contact_detail_is_not_repeated_in_the_reason(source, cell, where):
    """A wrong header is named in the reason unquoted ("(unexpected: ...)"): the whole reason is
    scrubbed, not only its quoted values."""
    spec = next(s for s in ALL if s.name == source)
    columns = list(spec.columns)
    if where == "appended":
        columns.append(cell)
    else:
        columns[2] = cell
    header = ",".join(f'"{c}"' if "," in c else c for c in columns)
    records = list(read_csv([header + "\n", "x\n"], spec.columns, spec.optional))
    assert records and records[0].error and "unexpected" in records[0].error
    reject = reject_row(spec, records[0], "f.csv", records[0].error)
    digits = "".join(ch for ch in cell if ch.isdigit())
    for value in (reject["reason"], reject["raw"]):
        assert not digits or digits[-8:] not in "".join(ch for ch in value if ch.isdigit()), value
        assert "jane" not in value, value
    assert "[" in reject["reason"], reject["reason"]  # the token says what was there


@pytest.mark.parametrize(
    "reason",
    [
        "the file header does not match the expected columns (missing: channel) (unexpected: "
        "06 98 76 54 32)",
        "the file header does not match the expected columns (unexpected: 4111 1111 1111 1111)",
        "store_id: unknown store S0612345678",  # a value shown unquoted
    ],
)
def test_no_reason_carries_a_contact_detail_quoted_or_not(reason):
    scrubbed = scrub_message(reason)
    assert not any(n in scrubbed for n in ("98 76 54 32", "4111 1111", "0612345678")), scrubbed


@pytest.mark.parametrize(
    ("value", "hidden"),
    [("tel06\u00a098\u00a076\u00a054\u00a032", "98"), ("mail jane\u200b@example.com", "jane"),
     ("4111\u202f1111\u202f1111\u202f1111", "1111")],
)  # fmt: skip
def test_a_value_shown_with_its_escapes_hides_no_contact_detail(value, hidden):
    """repr() writes a no-break space as \\xa0: the reason is read through its escapes."""
    problem = identifier_problem(value) or ""
    reasons = [f"note_id: {problem}", f"unexpected field {value!r}"]
    for reason in reasons:
        assert hidden not in short_reason(reason), short_reason(reason)


@pytest.mark.parametrize(
    ("field", "value", "shape"),
    [("on_hand_qty", "1000001", "a 7-digit number"),
     ("on_hand_qty", "0612345678", "a 10-digit number"),
     ("looked_up_at", "1763456400", "a 10-digit number")],
)  # fmt: skip
def test_a_long_plain_number_is_shown_by_its_shape_not_as_a_phone(field, value, shape):
    """on_hand_qty 1000001 read '(got [phone])': the reason now says what it was without a digit
    of it, so no phone number typed into a numeric field is repeated either."""
    with pytest.raises(Refused) as err:
        lookup_row({**LOOKUP, field: value}, REF)
    reason = short_reason(str(err.value))
    assert f"(got {shape})" in reason and value not in reason and "[phone]" not in reason, reason


def test_a_price_over_its_limit_is_shown_and_a_phone_with_decimals_by_its_shape():
    """A price (two decimals, review 15: a unit of its own) is no phone number and is shown as
    it is; digits the redactor hides are described by their shape."""
    with pytest.raises(Refused) as err:
        lost_sale_row({**SALE, "unit_price": "100000.01"}, REF)
    assert "(got '100000.01')" in str(err.value), str(err.value)
    with pytest.raises(Refused) as err:
        lost_sale_row({**SALE, "unit_price": "0781224590.01"}, REF)
    assert "(got a 10-digit number with 2 decimals)" in str(err.value)


def test_the_fast_path_hands_every_grouped_id_to_the_exact_path():
    """ID_MAYBE_CONTACT (RE2, the fast path's filter) must match every identifier the exact path
    refuses for its digit groups, whatever the separator (review 14, D3)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from pipelines.ingest.redact import ID_MAYBE_CONTACT

    grouped = ["A.07.81.22.45.90", "CC.07/81/22/45/90", "C_07_81_22_45_90", "L.4012.8888.8888.1881"]
    assert all(identifier_problem(v) for v in grouped)
    found = pc.match_substring_regex(pa.array(grouped), ID_MAYBE_CONTACT.pattern)
    assert found.to_pylist() == [True] * len(grouped)
    plain = pc.match_substring_regex(pa.array(["N-0000001", "SKU-10482"]), ID_MAYBE_CONTACT.pattern)
    assert plain.to_pylist() == [False, False]  # the sample's ids stay on the fast path
