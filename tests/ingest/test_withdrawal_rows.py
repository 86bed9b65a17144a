"""consent_withdrawals/: a withdrawal row is staged or quarantined with a reason, and a note's
customer_ref is kept only while no withdrawal of that customer comes at or after the note (the
latest statement wins), on the exact path, the fast path and in the quarantine."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.ingest import readers, validate
from pipelines.ingest.parse import parse_file, reject_row
from pipelines.ingest.sources import BY_NAME
from pipelines.ingest.transforms import withdrawals
from schemas.arrow import arrow_schema
from tests.conftest import AS_OF, TESTS

SAMPLE = TESTS.parent / "data" / "sample"
SPEC = BY_NAME["consent_withdrawals"]
NOTES = BY_NAME["frontline_notes"]
HEADER = "withdrawal_id,customer_ref,withdrawn_at,channel\n"
WITHDRAWN_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 10:00 in Paris
REF = validate.Reference(
    AS_OF, frozenset({"S001"}), frozenset({"SKU-1"}), withdrawn={"C-1": WITHDRAWN_AT}
)


def parse(tmp_path: Path, text: str, spec=SPEC, ref=REF):  # type: ignore[no-untyped-def]
    path = tmp_path / spec.folder / f"f.{spec.format}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    schema = arrow_schema(spec.staging_model, described=False)
    return parse_file(spec, schema, str(path), f"{spec.folder}/{path.name}", ref)


def test_a_withdrawal_is_staged_in_utc():
    (record,) = readers.read_csv(
        [HEADER, "CW-1,C-1,2026-11-20T10:00:00+01:00,phone\n"], SPEC.columns
    )
    row = validate.withdrawal_row(record.fields, REF)
    assert row == {"withdrawal_id": "CW-1", "customer_ref": "C-1",
                   "withdrawn_at": WITHDRAWN_AT, "channel": "phone"}  # fmt: skip


@pytest.mark.parametrize(
    "line",
    [
        "CW-1,C-1,2026-11-20T10:00:00+01:00 ,Phone",  # review 10: quarantined, so not applied
        " CW-1 , C-1 , 2026-11-20T10:00:00+01:00 , PHONE ",
    ],
)
def test_a_withdrawal_is_not_lost_to_spaces_or_the_case_of_its_channel(line):
    (record,) = readers.read_csv([HEADER, line + "\n"], SPEC.columns)
    row = validate.withdrawal_row(record.fields, REF)
    assert row == {"withdrawal_id": "CW-1", "customer_ref": "C-1",
                   "withdrawn_at": WITHDRAWN_AT, "channel": "phone"}  # fmt: skip


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("CW-2,C-2,2026-11-20T10:00:00,phone", "withdrawn_at: Input should have timezone info"),
        ("CW-2,C-2,1763456400,phone", "withdrawn_at: is a number (epoch seconds?)"),
        ("CW-2,C-2,2026-02-30T10:00:00+01:00,phone", "withdrawn_at: Input should be a valid"),
        ("CW-2,C-2,yesterday,phone", "withdrawn_at: Input should be a valid"),
        (
            "CW-2,C-2,2027-01-01T10:00:00+01:00,phone",
            "withdrawn_at: 2027-01-01T10:00:00+01:00 is in the future",
        ),
        ("CW-2,C-2,2026-11-20T10:00:00+01:00,fax", "channel: Input should be 'store', 'phone'"),
        ("CW-2,,2026-11-20T10:00:00+01:00,phone", "customer_ref: required field is empty"),
        ("CW-2,C 2,2026-11-20T10:00:00+01:00,phone", "customer_ref: 'C 2' is not an identifier"),
        (
            "CW-2,jane.doe@example.com,2026-11-20T10:00:00+01:00,email",
            "customer_ref: looks like an e-mail address; identifiers may not hold contact details",
        ),
        (
            "CW-2,06 12 34 56 78,2026-11-20T10:00:00+01:00,phone",
            "customer_ref: looks like a phone number",
        ),
        (
            "CW-2,C-2,2026-11-20T10:00:00+01:00,phone,call back on 06 12 34 56 78",
            "expected 4 columns, found 5",
        ),
    ],  # fmt: skip
)
def test_a_bad_withdrawal_is_quarantined_with_a_reason_and_nothing_is_lost(tmp_path, line, reason):
    parsed = parse(tmp_path, HEADER + "CW-1,C-1,2026-11-20T10:00:00+01:00,phone\n" + line + "\n")
    assert [r["withdrawal_id"] for r in parsed.rows.to_pylist()] == ["CW-1"]
    (reject,) = parsed.rejects.to_pylist()
    assert reject["source"] == "consent_withdrawals" and reject["source_line"] == 3
    assert reject["reason"].startswith(reason), reject["reason"]
    for shown in (reject["reason"], reject["raw"]):  # the redactor covers both
        assert "jane.doe@example.com" not in shown and "06 12 34 56 78" not in shown
    stat = parsed.stat
    assert stat["records_read"] == 2 == stat["records_parsed"] + 1
    assert stat["lines_read"] == stat["lines_skipped"] + stat["lines_parsed"] + 1


def test_a_wrong_header_is_named_and_every_line_is_quarantined(tmp_path):
    parsed = parse(tmp_path, "customer,withdrawn_at,channel\nC-1,2026-11-20T10:00:00+01:00,web\n")
    assert parsed.rows.num_rows == 0
    reasons = {r["reason"] for r in parsed.rejects.to_pylist()}
    assert reasons == {
        "the file header does not match the expected columns "
        "(missing: withdrawal_id, customer_ref) (unexpected: customer)"
    }
    assert parsed.stat["records_read"] == parsed.rejects.num_rows == 2


def _note(captured_at: str, consent: bool = True, ref: str = "C-1", **changes: object) -> str:
    note = {"note_id": "N-1", "store_id": "S001", "channel": "store", "associate_id": "A1",
            "captured_at": captured_at, "text": "wanted a navy coat in L", "sku": None,
            "customer_ref": ref, "customer_consent": consent}  # fmt: skip
    return json.dumps({**note, **changes})


@pytest.mark.parametrize(
    ("captured_at", "kept"),
    [
        ("2026-11-19T18:00:00+01:00", False),  # consent given, withdrawn after: taken back
        ("2026-11-20T10:00:00+01:00", False),  # the same instant: the withdrawal wins
        ("2026-11-20T09:00:00Z", False),  # the same instant, written in UTC
        ("2026-11-20T10:00:01+01:00", True),  # consent given again after the withdrawal
    ],
)
def test_the_latest_statement_wins(captured_at, kept):
    (record,) = readers.read_jsonl([_note(captured_at)])
    row = validate.note_row(record.fields, REF)
    assert row["customer_ref"] == ("C-1" if kept else None)
    assert row["customer_consent"] is True  # what the note said stays as it said it


def test_the_fast_path_stages_what_the_exact_path_stages(tmp_path):
    lines = [
        _note("2026-11-19T18:00:00+01:00", note_id="N-1"),
        _note("2026-11-21T18:00:00+01:00", note_id="N-2"),
        _note("2026-11-19T18:00:00+01:00", ref="C-2", note_id="N-3"),
        _note("2026-11-19T18:00:00+01:00", consent=False, note_id="N-4"),
    ]
    text = "\n".join(lines) + "\n"
    path = tmp_path / "frontline_notes" / "n.jsonl"
    path.parent.mkdir()
    path.write_text(text)
    schema = arrow_schema(NOTES.staging_model, described=False)
    fast = parse_file(NOTES, schema, str(path), "n.jsonl", REF, use_fast=True)
    exact = parse_file(NOTES, schema, str(path), "n.jsonl", REF, use_fast=False)
    assert fast.rows.sort_by("source_line").to_pylist() == exact.rows.to_pylist()
    refs = {r["note_id"]: r["customer_ref"] for r in fast.rows.to_pylist()}
    assert refs == {"N-1": None, "N-2": "C-1", "N-3": "C-2", "N-4": None}


@pytest.mark.parametrize(
    ("captured_at", "shown"),
    [
        ("2026-11-19T18:00:00+01:00", "[withheld: consent withdrawn]"),
        ("not a time", "[withheld: consent withdrawn]"),  # cannot be shown to come after
        ("2026-11-21T18:00:00+01:00", "C-1"),
    ],
)
def test_a_quarantined_note_of_a_withdrawn_customer_withholds_the_ref(captured_at, shown):
    (record,) = readers.read_jsonl([_note(captured_at, store_id="S404")])
    reject = reject_row(NOTES, record, "n.jsonl", "store_id: unknown store", ref=REF)
    assert json.loads(reject["raw"])["customer_ref"] == shown


def test_the_latest_withdrawal_of_a_customer_counts():
    found = withdrawals(
        [
            "C-1=2026-11-20T09:00:00+00:00",
            "C-1=2026-10-01T09:00:00+00:00",
            "C-2=2026-11-01T08:00:00+00:00",
        ]
    )
    assert found == {"C-1": WITHDRAWN_AT, "C-2": datetime(2026, 11, 1, 8, tzinfo=UTC)}


def _sample_reference() -> validate.Reference:
    def column(folder: str, name: str) -> frozenset[str]:
        with next((SAMPLE / folder).glob("*.csv")).open(encoding="utf-8", newline="") as handle:
            return frozenset(row[name] for row in csv.DictReader(handle))

    path = next((SAMPLE / SPEC.folder).glob("*.csv"))
    parsed = parse_file(SPEC, arrow_schema(SPEC.staging_model, described=False), str(path),
                        path.name, validate.Reference(AS_OF))  # fmt: skip
    entries = [f"{r['customer_ref']}={r['withdrawn_at'].isoformat()}"
               for r in parsed.rows.to_pylist()]  # fmt: skip
    assert parsed.rejects.num_rows == 0 and entries
    return validate.Reference(AS_OF, column("stores", "store_id"), column("catalog", "sku"),
                              withdrawn=withdrawals(entries))  # fmt: skip


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "exact"])
def test_the_sample_stages_no_ref_the_generators_truth_withholds(use_fast):
    """truth/withdrawn_notes.csv (unmet generate) lists the notes whose ref must not be staged:
    exactly the consenting notes staged without one."""
    ref = _sample_reference()
    schema = arrow_schema(NOTES.staging_model, described=False)
    withheld, kept_after = set(), 0
    for path in sorted((SAMPLE / NOTES.folder).glob("*.jsonl")):
        rows = parse_file(NOTES, schema, str(path), path.name, ref, use_fast).rows.to_pylist()
        for row in rows:
            if row["customer_consent"] and row["customer_ref"] is None:
                withheld.add(row["note_id"])
            elif row["customer_ref"] in ref.withdrawn:
                kept_after += 1
    with (SAMPLE / "truth" / "withdrawn_notes.csv").open(encoding="utf-8", newline="") as handle:
        truth = {row["note_id"] for row in csv.DictReader(handle)}
    assert withheld == truth and truth
    assert kept_after > 0  # the sample's customers who consented again after withdrawing


def test_a_misnamed_withdrawals_folder_or_file_is_named_not_dropped(tmp_path):
    """An optional source must not vanish silently: `unmet run` names what it will not read."""
    from pipelines.ingest import inputs
    from pipelines.ingest.sources import ALL

    (tmp_path / "consent-withdrawals").mkdir()
    (tmp_path / "consent_withdrawals").mkdir()
    (tmp_path / "consent_withdrawals" / "withdrawals.CSV").write_text(HEADER)
    top = inputs.not_read_at_top(str(tmp_path), frozenset(spec.folder for spec in ALL))
    assert top == ["consent-withdrawals/"]
    assert inputs.not_read(str(tmp_path), SPEC.folder, SPEC.glob) == [
        "consent_withdrawals/withdrawals.CSV"
    ]
