from __future__ import annotations

import json

import pytest

from pipelines.ingest.parse import _without_unconsented_customer
from pipelines.ingest.readers import RawRecord

RAW = '{"note_id": "N-1", "customer_ref": "C-7", "customer_consent": %s}'


@pytest.mark.parametrize(("consent", "kept"), [("true", True), ("false", False), ("null", False)])
def test_quarantined_note_keeps_customer_ref_only_with_consent(consent, kept):
    raw = RAW % consent
    record = RawRecord(1, raw, json.loads(raw), "some reason")
    shown = _without_unconsented_customer(record)
    assert ("C-7" in shown) is kept
    if not kept:
        assert json.loads(shown)["customer_ref"] == "[withheld: no consent]"


@pytest.mark.parametrize(
    "raw",
    [
        '[{"note_id": "N-1", "customer_ref": "C-806", "customer_consent": false}]',
        '{"note_id": "N-1", "customer_ref": "C-806", "customer_ref": "C-807"}',
        '{"note_id": "N-1", "customer_ref": "C-806", "customer_consent": true',
        '{"note_id": "N-1", "customer_ref" : "C-806\\"x", "text": "a"}',
        '{"note_id": "N-1", "customer_ref": ["C-806"], "customer_consent": false',
        '{"note_id": "N-1", "customer_ref": {"id": "C-806"}, "customer_consent": true',
    ],
    ids=["array", "key-twice", "broken", "escaped-quote", "broken-list-ref", "broken-object-ref"],
)
def test_a_record_not_read_as_one_object_withholds_every_customer_ref(raw):
    shown = _without_unconsented_customer(RawRecord(1, raw, None, "some reason"))
    assert "C-80" not in shown
    assert shown.count("[withheld: no consent]") == raw.count('"customer_ref"')


@pytest.mark.parametrize("value", [["C-806"], {"id": "C-806"}, 806])
def test_a_customer_ref_that_is_no_string_is_withheld_even_with_consent(value):
    # review 10: ["C-1"] or {"id": "C-1"} of a withdrawn customer reached rejects.raw
    fields = {"note_id": "N-1", "customer_ref": value, "customer_consent": True}
    shown = _without_unconsented_customer(RawRecord(1, json.dumps(fields), fields, "a reason"))
    assert "806" not in shown
    assert json.loads(shown)["customer_ref"] == "[withheld: not a reference]"
