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
