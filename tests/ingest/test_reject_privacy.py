from __future__ import annotations

import json
import re

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


# --- review 14 (D2): a quarantined line's raw is read through its JSON escapes


def _rejects_of(tmp_path, lines: list[str]) -> list[dict]:
    from pipelines.ingest.parse import parse_file
    from pipelines.ingest.sources import BY_NAME
    from pipelines.ingest.validate import Reference
    from schemas.arrow import arrow_schema
    from tests.conftest import AS_OF

    spec = BY_NAME["frontline_notes"]
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    schema = arrow_schema(spec.staging_model, described=False)
    ref = Reference(AS_OF, frozenset({"S001"}), frozenset())
    return parse_file(spec, schema, str(path), "notes.jsonl", ref).rejects.to_pylist()


ESCAPED_NOTE = (
    '{"note_id": "N-%d", "store_id": "%s", "channel": "%s", '
    '"captured_at": "2026-11-17T14:03:00+01:00", "text": "%s"'
)


@pytest.mark.parametrize(
    ("text", "hidden", "token"),
    [
        ("ring 07\\u00a081\\u00a022\\u00a045\\u00a090 r\\u00e9 coat", "81", "[phone]"),
        ("mail q.doe\\u0040mail.example.org", "q.doe", "[email]"),
        ("card 4012\\u202f8888\\u202f8888\\u202f1881", "8888", "[card]"),
        ("ring 07 81 22\\n45 90", "81 22", "[phone]"),
        ("ring \\u0030\\u0037 81 22 45 90", "81 22", "[phone]"),
    ],
    ids=["nbsp-escapes", "at-escape", "narrow-nbsp-escapes", "newline-escape", "digit-escapes"],
)
@pytest.mark.parametrize(
    "why",
    ["unknown store", "bad channel", "broken json"],
)
def test_a_contact_detail_written_with_escapes_is_redacted_in_the_raw(tmp_path, text, hidden,
                                                                      token, why):  # fmt: skip
    store, channel, end = {"unknown store": ("S404", "store", "}"),
                           "bad channel": ("S001", "fax", "}"),
                           "broken json": ("S001", "store", "")}[why]  # fmt: skip
    (reject,) = _rejects_of(tmp_path, [ESCAPED_NOTE % (1, store, channel, text) + end])
    assert hidden not in reject["raw"], re.sub(r"\d", "9", reject["raw"])
    assert token in reject["raw"]
    assert '"note_id": "N-1"' in reject["raw"]  # the rest as written
    if "\\u00e9" in text:
        assert "r\\u00e9 coat" in reject["raw"]  # an escape that hides nothing stays
