"""The hostile input corpus (tests/data/bad): one job run over every case, then per case: the bad
records are quarantined with a readable reason, the good records of the same file are staged, and
every record read is accounted for."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field

import pytest

from pipelines.ingest.parse import MAX_REASON_CHARS
from pipelines.ingest.readers import RAW_KEEP_CHARS

pytestmark = pytest.mark.slow  # a whole job on the hostile corpus


@dataclass(frozen=True)
class Case:
    name: str
    file: str  # relative to the inputs root: <source folder>/<file>
    rejects: dict[int, str] = field(default_factory=dict)  # line -> reason substring
    good: tuple[str, ...] = ()  # ids staged from this file

    @property
    def source(self) -> str:
        return self.file.split("/")[0]


CASES = [
    Case("malformed_json", "frontline_notes/malformed_json.jsonl",
         {2: "invalid JSON at column 69: a text value is never closed (its quote is missing)",
          3: "invalid record: expected a JSON object, found an array",
          5: "unexpected field 'colour'"}, ("MJ-1", "MJ-4")),
    Case("wrong_column_count", "oos_lookups/wrong_column_count.csv",
         {3: "expected 7 columns, found 9", 4: "expected 7 columns, found 4"}, ("WC-1", "WC-4")),
    Case("quoted_multiline_field", "lost_sales/quoted_multiline.csv", {}, ("QM-1", "QM-2", "QM-3")),
    Case("bom_jsonl", "frontline_notes/bom.jsonl", {}, ("BOM-1", "BOM-2")),
    Case("bom_csv", "oos_lookups/bom.csv", {}, ("LB-1", "LB-2")),
    Case("non_utf8_jsonl", "frontline_notes/non_utf8.jsonl",
         {2: "not valid UTF-8: byte 0xe9"}, ("NU-1", "NU-3")),
    Case("non_utf8_csv", "lost_sales/non_utf8.csv",
         {3: "not valid UTF-8: byte 0xff"}, ("NB-1", "NB-3")),
    Case("empty_jsonl", "frontline_notes/empty.jsonl"),
    Case("empty_csv", "oos_lookups/empty.csv"),
    Case("header_only", "lost_sales/header_only.csv"),
    Case("wrong_header", "oos_lookups/wrong_header.csv",
         {1: "(missing: store_id) (unexpected: store)",
          2: "does not match the expected columns", 3: "does not match the expected columns"}),
    Case("huge_note", "frontline_notes/huge_field.jsonl",
         {2: "text: String should have at most 10000 characters"}, ("HF-1", "HF-3")),
    Case("huge_csv_field", "lost_sales/huge_field.csv",
         {3: "unreadable CSV: a field is longer than 131,072 characters"}, ("HS-1", "HS-3")),
    Case("duplicate_id_first_file", "oos_lookups/dup_a.csv", {}, ("DA-2", "L-DUP-1")),
    Case("duplicate_id_across_files", "oos_lookups/dup_b.csv",
         {3: "duplicate lookup_id 'L-DUP-1': first seen in oos_lookups/dup_a.csv line 2"},
         ("DB-1",)),
    Case("duplicate_id_in_file", "frontline_notes/duplicate_ids.jsonl",
         {3: "duplicate note_id 'DN-1': first seen in frontline_notes/duplicate_ids.jsonl line 1"},
         ("DN-1", "DN-2")),
    Case("delivered_file", "lost_sales/redelivered_1.csv", {}, ("RD-1", "RD-2")),
    Case("redelivered_file", "lost_sales/redelivered_2.csv",
         {2: "duplicate sale_id 'RD-1': first seen in lost_sales/redelivered_1.csv line 2",
          3: "duplicate sale_id 'RD-2': first seen in lost_sales/redelivered_1.csv line 3"}),
    Case("unknown_store", "frontline_notes/unknown_store.jsonl",
         {2: "store_id: unknown store 'S999'"}, ("US-1", "US-3")),
    Case("unknown_sku", "oos_lookups/unknown_sku.csv",
         {3: "sku: unknown sku 'SKU-404'"}, ("UK-1", "UK-3")),
    Case("negative_quantity", "lost_sales/negative.csv",
         {3: "quantity: is not a whole number in digits 0-9 (12): no sign"},
         ("NS-1", "NS-3")),
    Case("negative_on_hand", "oos_lookups/negative.csv",
         {3: "on_hand_qty: is not a whole number in digits 0-9 (12): no sign"},
         ("NQ-1", "NQ-3")),
    Case("impossible_date", "frontline_notes/impossible_dates.jsonl",
         {2: "day value is outside expected range (got '2025-02-30T10:00:00+01:00')"},
         ("ID-1", "ID-3")),
    Case("timestamp_without_zone", "frontline_notes/no_timezone.jsonl",
         {2: "captured_at: Input should have timezone info"}, ("TZ-1", "TZ-3")),
    Case("future_date", "frontline_notes/future.jsonl",
         {2: "captured_at: 2027-01-05T09:00:00+01:00 is in the future"}, ("FU-1", "FU-3")),
    Case("csv_dates", "lost_sales/dates.csv",
         {3: "day value is outside expected range",
          4: "occurred_at: Input should have timezone info",
          5: "is in the future"}, ("SD-1",)),
    Case("formula_in_notes", "frontline_notes/formula.jsonl",
         {4: "text: required field is missing"}, ("FX-1", "FX-2", "FX-3")),
    Case("formula_in_lost_sales", "lost_sales/formula.csv",
         {4: "currency: Input should be 'EUR' (got 'USD')"}, ("FS-1", "FS-2")),
    Case("html_in_notes", "frontline_notes/html.jsonl",
         {3: "channel: Input should be 'store', 'call_center', 'chat', 'app' or 'web' (got 'fax')"},
         ("HT-1", "HT-2")),
    Case("contacts_in_notes", "frontline_notes/privacy.jsonl",
         {7: "is in the future"}, ("PV-1", "PV-2", "PV-3", "PV-4", "PV-5", "PV-6")),
    Case("contacts_in_lost_sales", "lost_sales/privacy.csv", {}, ("PS-1", "PS-2")),
    # issue 14: records that used to stop the run, or were silently read as something else
    Case("number_of_5000_digits", "frontline_notes/huge_number.jsonl",
         {2: "invalid record: a number with 5,000 digits"}, ("HN-1", "HN-3")),
    Case("nested_100000_deep", "frontline_notes/deep_nesting.jsonl",
         {2: "invalid record: values nested 100,001 levels deep (at most 32)"}, ("NX-1", "NX-3")),
    Case("outside_datetime_in_utc", "frontline_notes/utc_overflow.jsonl",
         {2: "captured_at: is before 2000-01-01T00:00:00Z, the earliest time accepted",
          3: "captured_at: 9999-12-31T23:59:59-01:00 is out of range"}, ("UO-1", "UO-4")),
    Case("epoch_in_json", "frontline_notes/epoch.jsonl",
         {2: "captured_at: is a number (epoch seconds?), not an ISO 8601 timestamp",
          3: "captured_at: is a number (epoch seconds?), not an ISO 8601 timestamp"},
         ("EP-1", "EP-4")),
    Case("epoch_in_csv", "oos_lookups/epoch.csv",
         {3: "looked_up_at: is a number (epoch seconds?), not an ISO 8601 timestamp"},
         ("LE-1", "LE-3")),
    Case("unclosed_quote", "oos_lookups/unclosed_quote.csv",
         {3: "unclosed quote: a quote on line 3 is never closed, so lines 3-6 would be one "
             "record; line 3 is quarantined and the lines after it are read on their own"},
         ("UQ-1", "UQ-3", "UQ-4", "UQ-5")),
    Case("array_as_note_text", "frontline_notes/array_text.jsonl",
         {2: "text: Input should be a valid string (got an array of 100,000 items)"},
         ("AT-1", "AT-3")),
    Case("original_named_after_its_copy", "oos_lookups/weekly.csv", {}, ("WK-1", "WK-2")),
    Case("copy_named_before_its_original", "oos_lookups/again_weekly.csv",
         {2: "duplicate lookup_id 'WK-1': first seen in oos_lookups/weekly.csv line 2",
          3: "duplicate lookup_id 'WK-2': first seen in oos_lookups/weekly.csv line 3"}),
    Case("top_level_not_an_object", "frontline_notes/top_level.jsonl",
         {2: "invalid record: expected a JSON object, found an array",
          3: "invalid record: expected a JSON object, found a number",
          4: "invalid record: expected a JSON object, found a text value"}, ("TL-1", "TL-5")),
    Case("null_first_line", "frontline_notes/null_first.jsonl",
         {1: "invalid record: expected a JSON object, found null"}, ("NF-2",)),
    Case("duplicate_keys", "frontline_notes/duplicate_keys.jsonl",
         {2: "invalid record: the key 'text' appears twice in one object"}, ("DK-1", "DK-3")),
    Case("bom_mid_jsonl", "frontline_notes/bom_mid_file.jsonl",
         {2: "the record holds a byte order mark (U+FEFF)"}, ("BM-1", "BM-3")),
    Case("bom_mid_csv", "oos_lookups/bom_mid_file.csv",
         {3: "the record holds a byte order mark (U+FEFF)"}, ("BC-1", "BC-3")),
    Case("utf16", "frontline_notes/utf16.jsonl",
         {1: "the file is UTF-16 text; the format is UTF-8"}),
    Case("semicolon_delimiter", "oos_lookups/semicolons.csv",
         {1: "the file separates its fields with semicolons; the format uses commas",
          2: "the file separates its fields with semicolons", 3: "semicolons"}),
    Case("header_case_and_spaces", "oos_lookups/header_case.csv", {}, ("HC-1", "HC-2")),
    Case("long_line_jsonl", "frontline_notes/long_line.jsonl",
         {2: "text: String should have at most 10000 characters (got 'xxxx"}, ("LL-1", "LL-3")),
    Case("long_line_csv", "lost_sales/long_line.csv",
         {3: "unreadable CSV: a field is longer than 131,072 characters"}, ("LC-1", "LC-3")),
    Case("gzip_bytes", "frontline_notes/gzipped.jsonl",
         {1: "the file is gzip-compressed, not text: decompress it and deliver it again"}),
    Case("symlink_loop", "frontline_notes/loop.jsonl",
         {1: "the file cannot be read: it is a symbolic link that leads back to itself"}),
    Case("gone_after_listing", "oos_lookups/vanished.csv",
         {1: "the file cannot be read: it no longer exists"}),
    Case("named_pipe", "oos_lookups/pipe.csv",
         {1: "the file cannot be read: it is a named pipe, not a regular file"}),
    Case("link_to_a_device", "lost_sales/zero.csv",
         {1: "the file cannot be read: it is a device, not a regular file"}),
    # a catalog row priced 0.00 used to pass the ingest and stop the whole run at the gate
    Case("catalog_price_zero", "catalog/free_sku.csv",
         {2: "list_price: Input should be greater than 0 (got '0.00')"}, ("FP-2",)),
    Case("consent_withdrawals", "consent_withdrawals/withdrawals.csv",
         {3: "customer_ref: looks like an e-mail address; identifiers may not hold contact "
             "details (value withheld)",
          4: "withdrawn_at: Input should have timezone info",
          5: "channel: Input should be 'store', 'phone', 'email', 'web' or 'app' (got '[phone]')",
          6: "withdrawn_at: 2026-12-20T10:00:00+01:00 is in the future",
          7: "duplicate withdrawal_id 'CW-B1': first seen in consent_withdrawals/withdrawals.csv "
             "line 2",
          8: "expected 4 columns, found 5"}, ("CW-B1",)),
]  # fmt: skip
ID_FIELDS = {"frontline_notes": "note_id", "oos_lookups": "lookup_id", "lost_sales": "sale_id",
             "catalog": "sku", "consent_withdrawals": "withdrawal_id"}  # fmt: skip


@pytest.fixture(scope="module")
def outcome(corpus_run):
    """What the run made of each input file: its rejects, its staged rows and its file stats."""
    rejects = corpus_run.table("rejects").to_pylist()
    staged = {source: corpus_run.table(f"stg_{source}").to_pylist() for source in ID_FIELDS}
    files = {r["source_file"]: r for r in corpus_run.table("ingest_files").to_pylist()}
    return rejects, staged, files


def test_every_case_has_a_file_in_the_corpus(corpus_run):
    for case in CASES:
        path = corpus_run.inputs / case.file
        assert os.path.lexists(path), case.file


def test_the_run_succeeds_without_a_traceback(corpus_run):
    result = corpus_run.result
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert (corpus_run.data_root / "published").is_symlink()


def test_read_equals_accepted_plus_quarantined(corpus_run):
    from pipelines import summary

    counts = summary.count(str(corpus_run.run_dir))
    assert all(c.balanced for c in counts), summary.render(counts)
    assert sum(c.quarantined for c in counts) == sum(len(c.rejects) for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_records_are_quarantined_with_a_readable_reason(case, outcome):
    rejects, _, _ = outcome
    mine = {r["source_line"]: r["reason"] for r in rejects if r["source_file"] == case.file}
    assert sorted(mine) == sorted(case.rejects), mine
    for line, expected in case.rejects.items():
        assert expected in mine[line], (line, mine[line])


def test_every_reason_is_short_and_in_words(outcome):
    rejects, _, _ = outcome
    for r in rejects:
        assert len(r["reason"]) <= MAX_REASON_CHARS, r["reason"]
        assert not any(word in r["reason"] for word in ("NoneType", "Expecting", "Errno")), r
        assert len(r["raw"]) <= RAW_KEEP_CHARS + 60


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_physical_line_is_accounted_for(case, corpus_run, outcome):
    """lines read (counted from the bytes) = skipped + in records parsed + in records
    quarantined, and lines read is what Python's own line splitting finds in the file."""
    _, _, files = outcome
    stats = files[case.file]
    path = corpus_run.inputs / case.file
    physical = len(path.read_bytes().splitlines()) if path.is_file() else 0  # not a pipe
    assert stats["lines_read"] == physical
    assert stats["lines_read"] == (
        stats["lines_skipped"] + stats["lines_parsed"] + stats["lines_rejected"]
    ), stats


def test_a_file_whose_name_is_not_utf8_is_read_and_named(outcome):
    """A file named on a Latin-1 system (a byte 0xE9 for "é") used to stop the whole run (Beam's
    coders cannot carry the name): it is read, and named with the byte written as \\xe9."""
    _, staged, files = outcome
    name = "frontline_notes/caf\\xe9.jsonl"
    assert [r["source_file"] for r in staged["frontline_notes"] if r["note_id"] == "LN-1"] == [name]
    assert files[name]["records_read"] == 1


def test_a_file_the_run_does_not_read_is_named(corpus_run):
    assert "warning: not read: oos_lookups/upper.CSV (only oos_lookups/*.csv files" in (
        corpus_run.result.output
    )


def test_the_summary_counts_lines_and_names_only_true_redeliveries(corpus_run):
    output = corpus_run.result.output
    assert "lines  check" in output
    redelivered = sorted(line for line in output.splitlines() if line.startswith("re-delivered:"))
    assert [line.split(";")[0] for line in redelivered] == [
        "re-delivered: lost_sales/redelivered_2.csv has the same bytes as "
        "lost_sales/redelivered_1.csv",
        "re-delivered: oos_lookups/again_weekly.csv has the same bytes as oos_lookups/weekly.csv",
    ]  # the empty files of two sources are not re-deliveries of each other


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_good_records_of_the_same_file_are_staged(case, outcome):
    _, staged, _ = outcome
    id_field = ID_FIELDS[case.source]
    mine = sorted(r[id_field] for r in staged[case.source] if r["source_file"] == case.file)
    assert mine == sorted(case.good)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_file_is_accounted_for(case, outcome):
    rejects, staged, files = outcome
    stats = files[case.file]
    accepted = sum(r["source_file"] == case.file for r in staged[case.source])
    quarantined = sum(r["source_file"] == case.file for r in rejects)
    assert stats["records_read"] == accepted + quarantined == len(case.good) + len(case.rejects)


def test_empty_and_header_only_files_are_noted_not_failed(outcome):
    _, _, files = outcome
    assert files["frontline_notes/empty.jsonl"]["note"] == "file is empty"
    assert files["oos_lookups/empty.csv"]["note"] == "file is empty"
    assert files["lost_sales/header_only.csv"]["note"] == "no records"


def test_a_quoted_multi_line_field_is_one_record_kept_whole(outcome):
    _, staged, _ = outcome
    rows = {r["sale_id"]: r for r in staged["lost_sales"]}
    assert rows["QM-2"]["description"] == 'wanted the plaid coat,\nsize L, "urgent"'
    assert (rows["QM-2"]["source_line"], rows["QM-3"]["source_line"]) == (3, 5)


def test_huge_records_are_cut_in_the_quarantine(outcome):
    rejects, _, _ = outcome
    huge = [r for r in rejects if r["source_file"].endswith("huge_field.jsonl")
            or r["source_file"].endswith("huge_field.csv")]  # fmt: skip
    assert len(huge) == 2
    for r in huge:
        assert len(r["raw"]) < RAW_KEEP_CHARS + 60
        assert r["raw"].endswith("characters in all]")


def test_formula_and_markup_text_is_stored_verbatim(outcome):
    _, staged, _ = outcome
    notes = {r["note_id"]: r["text"] for r in staged["frontline_notes"]}
    sales = {r["sale_id"]: r["description"] for r in staged["lost_sales"]}
    assert notes["FX-1"] == "=cmd|' /C calc'!A0"
    assert notes["HT-1"] == "<script>alert('x')</script> wanted the navy coat <b>L</b>"
    assert sales["FS-2"] == "-2+3+cmd|' /C calc'!A0"


def test_reports_neutralise_formulas_and_escape_markup(corpus_run):
    """Notes reach the store page and its CSV files: formulas get a leading quote, HTML escaped."""
    store = pytest.importorskip("pipelines.reports.store")
    reports = corpus_run.data_root / "reports"
    html_path = store.write_store(
        corpus_run.data_root / "unmet.duckdb", reports, "2026-W47", "S001"
    )
    html = html_path.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    cells = []
    for path in reports.rglob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            cells.extend(cell for row in csv.reader(handle) for cell in row)
    formulas = [c for c in cells if "cmd|" in c or "HYPERLINK" in c]
    assert all(c.startswith("'") for c in formulas), formulas
