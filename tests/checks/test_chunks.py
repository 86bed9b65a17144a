"""The gate a chunk at a time: with chunks of 3 rows on the tiny run, validation.json counts are
those of the unchunked gate, a key repeated in another chunk and a bad value in a later chunk are
caught, and a rule that is not row-local is still validated over the whole dataset."""

from __future__ import annotations

import json
import shutil
import weakref
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from pipelines import summary
from pipelines.checks import facts, frames, suites
from pipelines.checks import run as checks_run
from pipelines.checks.suites import Rule

TINY = Path(__file__).parents[1] / "data" / "tiny"
AS_OF = datetime(2026, 11, 25, tzinfo=UTC)
WHOLE = 10_000_000
TINY_CHUNK = 3


@pytest.fixture(scope="module")
def published(tiny_job) -> Path:
    """The run folder of the job on tests/data/tiny (the session's, tests/conftest.py): read it,
    or change a copy (`run_dir`)."""
    return (tiny_job.data_root / "published").resolve()


@pytest.fixture(scope="module")
def whole_report(published, tmp_path_factory) -> dict:
    """validation.json of the gate unchunked on a copy of the published run: computed once for
    the tests that compare a chunked or split gate with it (the gate is deterministic on the same
    files; a copy per test used to run it again)."""
    base = tmp_path_factory.mktemp("whole")
    shutil.copytree(published, base / "published")
    shutil.copytree(published, base / "run")
    return _gate(base / "run", WHOLE)


@pytest.fixture
def run_dir(published, tmp_path) -> Path:
    """A copy of the run folder a test may change (with a pristine copy beside it, `published`)."""
    shutil.copytree(published, tmp_path / "published")
    copy = tmp_path / "run"
    shutil.copytree(published, copy)
    return copy


def _gate(run_dir: Path, chunk_rows: int) -> dict:
    """The gate on `run_dir` with the source counts of the run as published (a test's changes to
    the staged rows are not records read)."""
    counts = summary.count(str(run_dir.parent / "published"))
    try:
        checks_run.gate(run_dir, counts, AS_OF, chunk_rows=chunk_rows)
    except checks_run.ChecksFailed as failed:
        (run_dir / "failure.txt").write_text(str(failed))
    return json.loads((run_dir / checks_run.VALIDATION_FILE).read_text())


def _counts(report: dict) -> list[tuple]:
    return [
        (s["dataset"], s["rows"], e["expectation"], e["why"], e["success"], e["errored"],
         e["element_count"], e["unexpected_count"], e["unexpected_values"], e["observed_value"])
        for s in report["suites"]
        for e in s["expectations"]
    ]  # fmt: skip


def _replace_dataset(run_dir: Path, dataset: str, table: pa.Table) -> None:
    """Write `table` as the only file of `dataset`."""
    for path in (run_dir / dataset).rglob("*.parquet"):
        path.unlink()
    pq.write_table(table, run_dir / dataset / "part-0.parquet")


@pytest.mark.slow
def test_chunks_cover_every_row_in_tables_of_at_most_chunk_rows(published):
    whole = list(frames.chunks(published, "stg_lost_sales", WHOLE))
    chunked = list(frames.chunks(published, "stg_lost_sales", TINY_CHUNK))
    assert len(whole) == 1 and len(chunked) > 1
    assert all(0 < t.num_rows <= TINY_CHUNK for t in chunked)
    assert frames.concat(chunked).equals(whole[0])


def test_a_dataset_without_files_is_one_empty_chunk(tmp_path):
    (empty,) = frames.chunks(tmp_path, "stg_stores", TINY_CHUNK)
    assert empty.num_rows == 0 and "store_id" in empty.column_names


def test_every_rule_of_the_gate_is_row_local():
    for suite in suites.build_suites(AS_OF):
        assert [r for r in suite.rules if not r.row_local] == [], suite.dataset


@pytest.mark.slow
def test_tiny_chunks_give_the_counts_of_the_whole_gate(run_dir, whole_report):
    whole = whole_report
    chunked = _gate(run_dir, TINY_CHUNK)
    assert whole["success"] is chunked["success"] is True
    assert _counts(chunked) == _counts(whole)
    assert max(s["rows"] for s in whole["suites"]) > TINY_CHUNK  # some datasets were split


@pytest.mark.slow
def test_a_key_repeated_in_another_chunk_is_caught(run_dir):
    sales = frames.concat(list(frames.chunks(run_dir, "stg_lost_sales", WHOLE)))
    assert sales.num_rows > TINY_CHUNK
    repeated = frames.concat([sales, sales.slice(0, 1)])  # row 0 again, in the last chunk
    _replace_dataset(run_dir, "stg_lost_sales", repeated)
    key = sales.column("sale_id")[0].as_py()

    report = _gate(run_dir, TINY_CHUNK)

    assert report["success"] is False and report["failed"] == 1 and report["errored"] == 0
    found = facts.compute(run_dir).duplicates["stg_lost_sales"]
    assert found.column("sale_id").to_pylist() == [key]
    line = (run_dir / "failure.txt").read_text()
    assert (
        "- stg_lost_sales: sale_id is unique "
        "[expect_column_values_to_be_null(chk_duplicate_sale_id)]: "
        f"2 of {repeated.num_rows} rows unexpected; e.g. '{key}', '{key}'"
    ) in line


@pytest.mark.slow
def test_a_bad_value_in_a_later_chunk_is_caught_and_reported(run_dir):
    sales = frames.concat(list(frames.chunks(run_dir, "stg_lost_sales", WHOLE)))
    late = TINY_CHUNK  # the first row of the second chunk
    quantities = sales.column("quantity").to_pylist()
    quantities[late] = -5
    bad = sales.set_column(
        sales.column_names.index("quantity"),
        "quantity",
        pa.array(quantities, sales.schema.field("quantity").type),
    )
    _replace_dataset(run_dir, "stg_lost_sales", bad)

    report = _gate(run_dir, TINY_CHUNK)

    assert report["success"] is False and report["failed"] == 1
    sales_suite = next(s for s in report["suites"] if s["dataset"] == "stg_lost_sales")
    (failed,) = [e for e in sales_suite["expectations"] if not e["success"]]
    assert failed["kwargs"]["column"] == "quantity"
    assert (failed["element_count"], failed["unexpected_count"]) == (sales.num_rows, 1)
    assert failed["unexpected_values"] == [-5]
    assert (
        f"stg_lost_sales: quantity is between 1 and 1,000 "
        f"[expect_column_values_to_be_between(quantity)]: 1 of {sales.num_rows} rows "
        "unexpected; e.g. -5"
    ) in (run_dir / "failure.txt").read_text()


@pytest.mark.slow
def test_a_rule_that_is_not_row_local_sees_the_whole_dataset(run_dir, monkeypatch):
    """Unique and row-count rules are validated on a narrow frame over every chunk."""
    original = suites.build_suites
    sales = frames.concat(list(frames.chunks(run_dir, "stg_lost_sales", WHOLE)))
    rows = sales.num_rows
    same_store = int(pc.count_distinct(sales.column("store_id")).as_py()) < rows
    extra = (
        Rule("ExpectTableRowCountToEqual", {"value": rows}, "every sale is there"),
        Rule("ExpectColumnValuesToBeUnique", {"column": "store_id"}, "one sale per store"),
    )

    def with_whole_rules(as_of):
        # only the sales suite: the one this test reads (every other dataset in 1-row chunks
        # tripled the test's time and proved nothing more)
        return [
            replace(s, rules=(*s.rules, *extra))
            for s in original(as_of)
            if s.dataset == "stg_lost_sales"
        ]

    monkeypatch.setattr(suites, "build_suites", with_whole_rules)
    report = _gate(run_dir, 1)

    assert [s["dataset"] for s in report["suites"]] == ["stg_lost_sales"]
    sales_suite = report["suites"][0]
    by_why = {e["why"]: e for e in sales_suite["expectations"]}
    assert by_why["every sale is there"]["success"] is True
    assert by_why["every sale is there"]["observed_value"] == rows
    assert by_why["one sale per store"]["success"] is (not same_store)
    assert by_why["one sale per store"]["element_count"] == rows


def test_great_expectations_keeps_no_frame_after_a_batch():
    """Else its execution engine would hold the last chunk of every dataset until the end."""
    import pandas as pd

    rule = Rule("ExpectColumnValuesToNotBeNull", {"column": "x"}, "x is never null")
    context = checks_run.ge_context()
    ge_suite = checks_run.saved(context, suites.Suite("t", (rule,)), [0], "all")
    frame = pd.DataFrame({"x": [1.0, None]})
    held = weakref.ref(frame)
    (result,) = checks_run._run(context, frame, ge_suite, {"result_format": "BASIC"})
    assert result.result["unexpected_count"] == 1
    del frame
    assert held() is None
    assert list(context.data_sources.all()) == []
    assert list(context.validation_definitions.all()) == []


@pytest.mark.slow
@pytest.mark.parametrize("dataset", list(suites.DATASETS))
def test_the_columns_read_give_the_chk_columns_of_all_columns(published, dataset):
    """The gate reads only frames.read_columns; the chk_* columns (and every column a rule
    checks) are then those derived from the whole rows."""
    suite = suites.dataset_suite(dataset, AS_OF)
    known = facts.compute(published)
    columns = frames.read_columns(dataset, suite.columns)
    (full,) = frames.chunks(published, dataset, WHOLE)
    (read,) = frames.chunks(published, dataset, WHOLE, columns)
    assert read.column_names == [c for c in full.column_names if c in columns]
    checked = [c for c in suite.columns if c in full.column_names or c.startswith("chk_")]
    from_full = frames.derive_chunk(dataset, full, known).select(checked)
    from_read = frames.derive_chunk(dataset, read, known).select(checked)
    assert from_read.equals(from_full)


def test_projected_empty_dataset_keeps_only_the_columns_asked(tmp_path):
    (empty,) = frames.chunks(tmp_path, "stg_stores", TINY_CHUNK, ("store_id", "nope"))
    assert empty.num_rows == 0 and empty.column_names == ["store_id"]


def test_rules_on_partly_null_columns_are_grouped_apart():
    table = pa.table(
        {"a": [1, 2, 3], "b": [None, "x", "y"], "c": pa.nulls(3, pa.string()), "d": ["p", "q", "r"]}
    )
    rules = {0: ("a",), 1: ("b",), 2: ("c",), 3: ("a", "b"), 4: ("d",)}
    assert frames.by_partial_nulls(table, rules) == [(0, 2, 4), (1, 3)]
    assert frames.by_partial_nulls(table.slice(1), rules) == [(0, 1, 2, 3, 4)]
    assert frames.by_partial_nulls(table, {}) == []


@pytest.mark.slow
def test_split_batches_give_the_results_of_one_batch(run_dir, whole_report, monkeypatch):
    """Rules on partly-null columns validated on a frame of their own give the same
    validation.json as every rule on one frame (and the tiny run has such columns)."""
    split = whole_report  # the gate as it is: split batches
    suite = suites.dataset_suite("demand_signals", AS_OF)
    rules = {i: rule.columns for i, rule in enumerate(suite.rules)}
    (signals,) = frames.chunks(run_dir, "demand_signals", WHOLE)
    signals = frames.derive_chunk("demand_signals", signals, facts.compute(run_dir))
    assert len(frames.by_partial_nulls(signals, rules)) == 2
    monkeypatch.setattr(frames, "by_partial_nulls", lambda table, rules: [tuple(rules)])
    one = _gate(run_dir, WHOLE)
    assert _counts(split) == _counts(one)
