"""The data-quality gate: suites derived from the schemas, validation.json, and a failing
expectation that stops the run before publishing (exit 4, the published data untouched)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines import job, summary
from pipelines.checks import run as checks_run
from pipelines.checks import suites
from pipelines.checks.suites import Rule
from schemas import rules
from schemas.staging import StgLostSale
from tests import break_staged

TINY = Path(__file__).parents[1] / "data" / "tiny"
AS_OF = datetime(2026, 11, 25, tzinfo=UTC)
EXIT_CHECKS = 4


def run_cli(data_root: Path, inputs: Path, *extra: str):  # type: ignore[no-untyped-def]
    args = [
        "run",
        "--data-root",
        str(data_root),
        "--inputs",
        str(inputs),
        "--as-of",
        AS_OF.isoformat(),
        *extra,
    ]
    return CliRunner().invoke(cli, args)


# --- suites, built from the models (no Great Expectations needed) -----------------------------


@pytest.fixture(scope="module")
def built() -> dict[str, suites.Suite]:
    return {s.dataset: s for s in suites.build_suites(AS_OF)}


def _rules(suite: suites.Suite, expectation: str) -> list[Rule]:
    return [r for r in suite.rules if r.expectation == expectation]


def test_there_is_a_suite_per_dataset_plus_the_counts(built):
    assert sorted(built) == sorted(
        ["stg_frontline_notes", "stg_oos_lookups", "stg_lost_sales", "stg_catalog", "stg_stores",
         "stg_consent_withdrawals", "demand_signals", "demand_events", "mart_unmet_demand",
         "mart_weekly_headline", "mart_attribute_trend", "mart_store_capture", "mart_not_carried",
         "mart_substitutes", "ingest_counts"]
    )  # fmt: skip


def test_not_null_fields_are_those_whose_annotation_does_not_admit_none():
    assert suites.not_null_fields(StgLostSale) == [
        "sale_id", "store_id", "reason_code", "quantity", "currency", "occurred_at", "event_date",
        "iso_week", "redactions", "source_file", "source_line",
    ]  # fmt: skip


def test_keys_are_unique(built):
    """Every dataset's first rule: no key in two rows (over the whole dataset: facts.py finds the
    repeated keys, chk_duplicate_* holds them on their rows)."""
    (lookup_key,) = [r for r in built["stg_oos_lookups"].rules if r.why == "lookup_id is unique"]
    assert lookup_key == built["stg_oos_lookups"].rules[0]
    assert (lookup_key.expectation, lookup_key.kwargs) == (
        "ExpectColumnValuesToBeNull",
        {"column": "chk_duplicate_lookup_id"},
    )
    compound = built["mart_unmet_demand"].rules[0]
    assert compound.kwargs == {"column": "chk_duplicate_key"}
    assert compound.why.startswith("(iso_week, level, store_id, ")


def test_input_constraints_carry_over_to_staging(built):
    between = _rules(built["stg_lost_sales"], "ExpectColumnValuesToBeBetween")
    ranges = {r.kwargs["column"]: r.kwargs for r in between}
    assert ranges["quantity"] == {"column": "quantity", "min_value": 1.0, "max_value": 1000.0}
    sets = {r.kwargs["column"]: r.kwargs["value_set"]
            for r in _rules(built["stg_oos_lookups"], "ExpectColumnValuesToBeInSet")}  # fmt: skip
    assert sets["result"] == ["in_stock", "out_of_stock", "not_carried"]
    assert "store" in sets["channel"]


def test_ledger_and_mart_rules_are_read_from_their_models(built):
    """Every enumeration-typed field of a gated model is checked against its values and every
    field with bounds against them: the model is the one place they are declared."""
    for name, (model, _, _) in suites.DATASETS.items():
        checked = {
            (r.kwargs["column"], r.expectation): r.kwargs
            for r in built[name].rules
            if "column" in r.kwargs
        }
        for field in model.model_fields:
            values = rules.allowed_values(model, field)
            if values is not None:
                rule = checked[(field, "ExpectColumnValuesToBeInSet")]
                assert rule["value_set"] == values, (name, field)
            bounds = rules.bounds(model, field)
            if bounds is not None:
                rule = checked[(field, "ExpectColumnValuesToBeBetween")]
                assert rule.get("min_value") == bounds.low, (name, field)
                assert rule.get("max_value") == bounds.high, (name, field)
                assert rule.get("strict_min", False) == bounds.strict_low, (name, field)
    quantity = checked_rule(built["demand_signals"], "quantity", "ExpectColumnValuesToBeBetween")
    assert quantity.kwargs == {"column": "quantity", "min_value": 1.0, "max_value": 1000.0}
    level = checked_rule(built["mart_unmet_demand"], "level", "ExpectColumnValuesToBeInSet")
    assert level.kwargs["value_set"] == ["store", "chain"]
    prices = [
        (r.kwargs, r.why)
        for r in built["stg_catalog"].rules
        if r.expectation == "ExpectColumnValuesToBeBetween" and r.kwargs["column"] == "list_price"
    ]
    above_0 = {"column": "list_price", "min_value": 0.0, "strict_min": True}
    assert prices == [
        ({**above_0, "max_value": 100_000.0}, "list_price is > 0 and <= 100,000"),  # the input's
        (above_0, "every catalog sku has a price above 0 (a free sku values lost sales at 0)"),
    ]
    redactions = checked_rule(
        built["stg_lost_sales"], "redactions", "ExpectColumnValuesToBeBetween"
    )
    assert (redactions.kwargs["min_value"], redactions.why) == (0, "redactions is a count (>= 0)")


def checked_rule(suite: suites.Suite, column: str, expectation: str) -> Rule:
    (found,) = [
        r for r in suite.rules if r.kwargs.get("column") == column and r.expectation == expectation
        and not r.kwargs.get("strict_min")
    ]  # fmt: skip
    return found


def test_no_suite_checks_the_same_thing_twice(built):
    """The input model's constraints and the staging model's own never overlap."""
    for suite in built.values():
        keys = [(r.expectation, repr(sorted(r.kwargs.items()))) for r in suite.rules]
        assert len(keys) == len(set(keys)), suite.dataset


def test_timestamps_may_not_be_after_the_as_of(built):
    rule = next(r for r in built["stg_frontline_notes"].rules
                if r.kwargs.get("column") == "captured_at" and "max_value" in r.kwargs)  # fmt: skip
    assert rule.kwargs["max_value"] == AS_OF


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (None, None),
        ({"raised_exception": False, "exception_message": None}, None),
        ({"raised_exception": True, "exception_message": "boom"}, "boom"),
        ({"metric-1": {"raised_exception": True, "exception_message": 'column "x" does not exist'},
          "metric-2": {"raised_exception": True, "exception_message": 'column "x" does not exist'}},
         'column "x" does not exist'),
    ],
)  # fmt: skip
def test_an_errored_expectation_is_told_from_a_failed_one(info, expected):
    assert checks_run.error_of(info) == expected


def test_every_rule_becomes_an_expectation_even_a_repeated_one():
    rule = Rule("ExpectColumnValuesToNotBeNull", {"column": "x"}, "x is never null")
    ge_suite = suites.to_ge_suite(suites.Suite("t", (rule, rule)))
    assert [e.meta["rule"] for e in ge_suite.expectations] == [0, 1]


# --- the gate in the job ----------------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def good_run(tiny_job, tmp_path_factory):
    """The job on tests/data/tiny, published, with its DuckDB file and report: a copy of the
    session's run (tests/conftest.py) and its inputs for this module, whose tests run the job
    again on it. Links are copied as links (they are relative) and modification times kept."""
    base = tmp_path_factory.mktemp("gate")
    shutil.copytree(tiny_job.inputs, base / "inputs")
    shutil.copytree(tiny_job.data_root, base / "data", symlinks=True)
    return base / "data", base / "inputs"


@pytest.mark.slow
def test_a_passing_run_writes_validation_json(good_run):
    data_root, _ = good_run
    report = json.loads((data_root / "published" / "validation.json").read_text())
    assert report["success"] is True and report["failed"] == report["errored"] == 0
    assert len(report["suites"]) == 15
    first = report["suites"][0]["expectations"][0]
    assert set(first) >= {"expectation", "why", "success", "errored", "observed_value",
                          "unexpected_count", "unexpected_values"}  # fmt: skip
    stores = next(s for s in report["suites"] if s["dataset"] == "stg_stores")
    not_null = next(
        e
        for e in stores["expectations"]
        if e["expectation"] == "expect_column_values_to_not_be_null"
    )
    assert (not_null["element_count"], not_null["unexpected_count"]) == (stores["rows"], 0)
    assert not_null["unexpected_values"] == []


@pytest.mark.slow
def test_a_failing_expectation_blocks_publishing(good_run, monkeypatch):
    data_root, inputs = good_run
    published = os.readlink(data_root / "published")
    db = data_root / "unmet.duckdb"
    db_before = (db.stat().st_ino, _digest(db))
    report_before = _digest(next((data_root / "reports").rglob("report.html")))

    # No input record breaks a rule of the gate (a price of 0.00 is quarantined by the ingest): the
    # staged catalog is broken between the pipelines and the gate instead (tests/break_staged.py).
    monkeypatch.setattr(job, "boundary", break_staged.breaking(data_root, job.boundary, "SKU-5"))
    result = run_cli(data_root, inputs, "--full-refresh")  # same inputs: rebuild anyway

    assert result.exit_code == EXIT_CHECKS, result.output
    assert "data-quality checks failed; nothing was published" in result.output
    assert "stg_catalog: every catalog sku has a price above 0" in result.output
    assert "list_price" in result.output and "1 of 5 rows unexpected; e.g. 0.0" in result.output
    assert "Traceback" not in result.output
    assert os.readlink(data_root / "published") == published
    assert (db.stat().st_ino, _digest(db)) == db_before
    assert _digest(next((data_root / "reports").rglob("report.html"))) == report_before
    (partial,) = (data_root / "runs").glob("*.partial")
    failed = json.loads((partial / "validation.json").read_text())
    assert failed["success"] is False and failed["failed"] == 2 and failed["errored"] == 0
    refused = [(s["dataset"], e["why"]) for s in failed["suites"] for e in s["expectations"]
               if not e["success"]]  # fmt: skip
    assert refused == [
        ("stg_catalog", "list_price is > 0 and <= 100,000"),
        (
            "stg_catalog",
            "every catalog sku has a price above 0 (a free sku values lost sales at 0)",
        ),
    ]


@pytest.mark.slow
def test_gate_reports_failed_and_errored_expectations_apart(good_run, tmp_path, monkeypatch):
    data_root, _ = good_run
    run_dir = tmp_path / "run"
    shutil.copytree((data_root / "published").resolve(), run_dir)
    original = suites.build_suites

    def with_two_bad_rules(as_of):
        built = original(as_of)
        impossible = Rule(
            "ExpectColumnValuesToBeInSet",
            {"column": "store_id", "value_set": ["nowhere"]},
            "an impossible rule",
        )
        missing = Rule(
            "ExpectColumnValuesToNotBeNull", {"column": "no_such_column"}, "a broken rule"
        )
        extra = (impossible, missing)
        return [
            replace(s, rules=(*s.rules, *extra)) if s.dataset == "stg_stores" else s for s in built
        ]

    monkeypatch.setattr(suites, "build_suites", with_two_bad_rules)
    counts = summary.count(str(run_dir))
    with pytest.raises(checks_run.ChecksFailed) as failed:
        checks_run.gate(run_dir, counts, AS_OF)

    message = str(failed.value)
    assert "2 of " in message and "(1 failed, 1 errored) in 1 dataset(s)" in message
    assert (
        "- stg_stores: an impossible rule [expect_column_values_to_be_in_set(store_id)]: "
        "2 of 2 rows unexpected; e.g. 'S001', 'S002'" in message
    )
    assert (
        "- stg_stores: a broken rule [expect_column_values_to_not_be_null(no_such_column)]: "
        "ERRORED, could not be evaluated:"
        in message
        and "does not exist" in message
    )
    report = json.loads((run_dir / "validation.json").read_text())
    stores = next(s for s in report["suites"] if s["dataset"] == "stg_stores")
    by_why = {e["why"]: e for e in stores["expectations"]}
    assert (by_why["an impossible rule"]["success"], by_why["an impossible rule"]["errored"]) == (
        False,
        False,
    )
    assert (by_why["a broken rule"]["success"], by_why["a broken rule"]["errored"]) == (False, True)
    assert by_why["an impossible rule"]["unexpected_values"] == ["S001", "S002"]


def test_a_mart_total_that_is_not_the_ledgers_total_is_caught(good_run, tmp_path):
    """Every headline is a sum of total rows: one that drifts from demand_events is flagged."""
    import pyarrow.parquet as pq

    from pipelines.checks import facts

    data_root, _ = good_run
    run_dir = tmp_path / "run"
    shutil.copytree((data_root / "published").resolve(), run_dir)
    assert facts.compute(run_dir).total_mismatch.num_rows == 0
    (chain,) = sorted((run_dir / "mart_unmet_demand").rglob("chain.parquet"))[:1]
    table = pq.read_table(chain)
    rows = table.to_pylist()
    total = next(r for r in rows if r["attribute"] == "total")
    total["events"] += 1
    pq.write_table(pa.Table.from_pylist(rows, table.schema), chain)
    wrong = facts.compute(run_dir).total_mismatch.to_pylist()
    assert wrong == [{k: total[k] for k in ("iso_week", "level", "store_id", "category")}]
