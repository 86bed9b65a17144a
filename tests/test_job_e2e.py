"""The whole job through the CLI on tiny inputs in a temp dir: exact outputs, nothing lost."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines import warehouse

pytestmark = pytest.mark.slow  # whole job runs

AS_OF = "2026-11-25T00:00:00+00:00"


def run_cli(data_root: Path, inputs: Path, *extra: str):
    result = CliRunner().invoke(
        cli,
        ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of", AS_OF, *extra],
        catch_exceptions=False,
    )
    return result


def parquet_digests(run_dir: Path) -> dict[str, str]:
    return {
        str(p.relative_to(run_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(run_dir.rglob("*.parquet"))
    }


@pytest.fixture(scope="module")
def published_once(tiny_job) -> tuple[Path, Path, object]:
    """The whole job on a copy of tests/data/tiny: (inputs, data root, the CLI's result), the
    session's run (tests/conftest.py, `tiny_job`). Tests read it through `published`; a test that
    runs again or changes anything works on its own copy (`published_copy`)."""
    return tiny_job.inputs, tiny_job.data_root, tiny_job.result


@pytest.fixture
def published(published_once):
    """(data root, result) of the module's run: read it, never change it."""
    _, data_root, result = published_once
    return data_root, result


@pytest.fixture
def published_copy(published_once, tmp_path) -> tuple[Path, Path, object]:
    """(data root, inputs, result): a copy of the module's run and of its inputs in tmp_path, for a
    test that runs the job again, changes inputs or rewrites files. Links are copied as links
    (the published run and the outputs are relative links) and modification times are kept
    (copy2), so the next run sees what it would see after a fresh run of its own."""
    inputs, data_root, result = published_once
    shutil.copytree(inputs, tmp_path / "inputs")
    shutil.copytree(data_root, tmp_path / "data", symlinks=True)
    return tmp_path / "data", tmp_path / "inputs", result


def test_a_copied_run_is_the_same_published_run(published, published_copy):
    """What `published_copy` promises: the copy's published run has the same files and bytes, and
    its links resolve inside the copy, not to the module's data root."""
    data_root, _ = published
    copy_root, _, _ = published_copy
    assert (copy_root / "published").is_symlink()
    resolved = (copy_root / "published").resolve()
    assert resolved.is_relative_to(copy_root.resolve())
    assert resolved.name == (data_root / "published").resolve().name
    assert parquet_digests(resolved) == parquet_digests((data_root / "published").resolve())
    assert (copy_root / "unmet.duckdb").resolve().is_relative_to(copy_root.resolve())


def test_summary_counts_add_up_per_source(published):
    _, result = published
    lines = {
        line.split()[0]: line.split()[1:]
        for line in result.output.splitlines()
        if line[:1].isalpha()
    }
    assert lines["catalog"] == ["1", "5", "5", "0", "6", "ok"]
    assert lines["stores"] == ["1", "2", "2", "0", "3", "ok"]
    assert lines["frontline_notes"] == ["1", "5", "3", "2", "5", "ok"]
    assert lines["oos_lookups"] == ["1", "4", "3", "1", "5", "ok"]
    assert lines["lost_sales"] == ["1", "5", "4", "1", "7", "ok"]


def test_quarantine_has_a_readable_reason_for_each_bad_line(published):
    data_root, _ = published
    con = warehouse.connect_read_only(data_root / "unmet.duckdb")
    rows = con.execute("select source, source_line, reason from rejects order by all").fetchall()
    assert rows == [
        (
            "frontline_notes",
            3,
            # reasons are redacted (a value in a reason may be a contact detail); a date and
            # time is not taken for a phone number
            "captured_at: Input should have timezone info (got '2026-11-18 11:00:00')",
        ),
        (
            "frontline_notes",
            5,
            "invalid JSON at column 2: a key is not in double quotes, or a comma comes before "
            "a closing brace",
        ),
        (
            "lost_sales",
            5,
            "quantity: is not a whole number in digits 0-9 (12): no sign, exponent,"
            " separator or other digits (got '-1')",
        ),
        ("oos_lookups", 4, "store_id: unknown store 'S009' (not in stores.csv)"),
    ]


def test_demand_events_are_linked_classified_and_valued(published):
    data_root, _ = published
    con = warehouse.connect_read_only(data_root / "unmet.duckdb")
    rows = con.execute(
        "select event_id, store_id, category, color, size, classification, n_signals, lost_units, "
        "lost_revenue_eur, price_basis, estimated_revenue_eur from demand_events order by event_id"
    ).fetchall()
    assert rows == [
        # substituted: the 79.90 jeans less the 49.00 substitute the customer bought instead
        ("E-L-4#1", "S002", "jeans", "blue", "32x30", "substituted", 2, 1, 30.9, "unit_price_paid",
         0.0),
        # not carried: no sku, no price paid: estimated from the catalog's coats, never "lost"
        ("E-LS-2#1", "S002", "coat", None, "XL", "not_carried", 1, 2, 0.0,
         "estimated_from_similar", 378.0),
        ("E-N-1#1", "S001", "coat", "blue", "L", "stockout", 3, 1, 179.0, "unit_price_paid", 0.0),
        ("E-N-2#1", "S001", "coat", None, "M", "not_carried", 1, 1, 0.0,
         "estimated_from_similar", 189.0),
    ]  # fmt: skip
    patterns = dict(con.execute("select event_id, pattern from demand_events").fetchall())
    assert patterns["E-N-2#1"] == "plaid" and patterns["E-LS-2#1"] == "plaid"


def test_outputs_are_published_with_a_report(published):
    data_root, result = published
    assert (data_root / "published").is_symlink()
    report = data_root / "reports" / "2026-W47" / "report.html"
    assert report.exists() and "2026-W47" in report.read_text()
    assert f"report:   {report}" in result.output


def test_rerun_on_same_input_gives_byte_identical_parquet(published_copy):
    data_root, tiny_inputs, _ = published_copy
    first_run = (data_root / "published").resolve()
    first = parquet_digests(first_run)
    result = run_cli(data_root, tiny_inputs, "--full-refresh")
    assert result.exit_code == 0 and "up to date" not in result.output
    second_run = (data_root / "published").resolve()
    second = parquet_digests(second_run)
    assert second_run != first_run
    assert first == second and len(first) >= 10
    # the weekly page too (review 11: it showed the wall-clock time it was drawn at)
    pages = [run / "reports" / "2026-W47" / "report.html" for run in (first_run, second_run)]
    assert pages[0].read_bytes() == pages[1].read_bytes()
    assert "data as of 2026-11-25 00:00 UTC" in pages[0].read_text()


def test_rerun_without_new_inputs_keeps_the_published_run(published_copy):
    data_root, tiny_inputs, _ = published_copy
    before = (data_root / "published").resolve()
    result = run_cli(data_root, tiny_inputs)
    assert result.exit_code == 0, result.output
    assert "up to date: no new or changed input files" in result.output
    assert (data_root / "published").resolve() == before
    # a store team's page of the published run
    made = CliRunner().invoke(cli, ["report", "--data-root", str(data_root), "--week", "2026-W47",
                                    "--store", "S002"])  # fmt: skip
    assert made.exit_code == 0, made.output
    # a new file is picked up by the next run
    extra = tiny_inputs / "oos_lookups" / "lookups-extra.csv"
    extra.write_text("lookup_id,store_id,channel,sku,looked_up_at,result,on_hand_qty\n"
                     "L-9,S002,store,SKU-3,2026-11-19T10:00:00+01:00,out_of_stock,0\n")  # fmt: skip
    result = run_cli(data_root, tiny_inputs)
    assert "up to date" not in result.output
    assert (
        "oos_lookups             2         5         4           1         7  ok" in result.output
    )
    # ... and the store page is published again with the new run, rendered from its data
    assert (data_root / "published").resolve() != before
    page = data_root / "reports" / "2026-W47" / "stores" / "S002.html"
    assert page.is_file() and page.resolve().is_relative_to((data_root / "published").resolve())
    assert (page.with_name("S002.ranking.csv")).is_file()


def test_redelivered_file_is_reported_and_not_counted_twice(published_copy):
    data_root, tiny_inputs, _ = published_copy
    source = tiny_inputs / "lost_sales" / "lost_sales-2026-W47.csv"
    (tiny_inputs / "lost_sales" / "lost_sales-2026-W47-resent.csv").write_bytes(source.read_bytes())
    result = run_cli(data_root, tiny_inputs)
    assert result.exit_code == 0, result.output
    # the copy written later is the re-delivery, though its name sorts first (inputs.precedence)
    assert ("re-delivered: lost_sales/lost_sales-2026-W47-resent.csv has the same bytes as "
            "lost_sales/lost_sales-2026-W47.csv") in result.output  # fmt: skip
    assert (
        "lost_sales              2        10         4           6        14  ok" in result.output
    )


def test_missing_inputs_is_a_clear_error_not_a_traceback(tmp_path, data_root):
    (tmp_path / "empty").mkdir()
    result = run_cli(data_root, tmp_path / "empty")
    assert result.exit_code == 1
    assert "Error: no catalog file: expected" in result.output
    assert "Traceback" not in result.output


def test_marts_export_under_a_small_memory_limit_writes_the_same_bytes_quietly(
    published_copy, monkeypatch, capfd, tmp_path
):
    from pipelines import marts, warehouse

    data_root, _, _ = published_copy
    run_dir = (data_root / "published").resolve()

    def exported() -> dict[str, bytes]:
        return {
            p.relative_to(run_dir).as_posix(): p.read_bytes()
            for m in warehouse.EXPORTED_MARTS
            for p in sorted((run_dir / m).rglob("*.parquet"))
        }

    before = exported()
    assert {rel.split("/")[0] for rel in before} == set(warehouse.EXPORTED_MARTS)
    for mart in warehouse.EXPORTED_MARTS:  # written again, not through the published files
        shutil.rmtree(run_dir / mart)
    monkeypatch.setattr(marts, "EXPORT_MEMORY_LIMIT", "32MB")
    spill = tmp_path / "spill"
    spill.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(spill))
    capfd.readouterr()
    marts.export(run_dir)
    assert exported() == before
    assert capfd.readouterr().err == ""  # no DuckDB progress bar in the job's log
    assert list(spill.iterdir()) == []  # the spill folder is gone


def test_every_view_survives_a_moved_data_root(published_copy, tmp_path, monkeypatch):
    """Copy the data root elsewhere and remove the original: every view still reads its Parquet,
    through the product's connections and through `unmet query` run from another directory."""
    data_root, _, _ = published_copy
    moved = tmp_path / "elsewhere" / "data"
    shutil.copytree(data_root, moved, symlinks=True)
    shutil.rmtree(data_root)
    monkeypatch.chdir(tmp_path)
    con = warehouse.connect_read_only(moved / "unmet.duckdb")
    views = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables order by table_name"
        ).fetchall()
    ]
    assert {"stg_catalog", "demand_events", "mart_unmet_demand", "rpt_weekly_headline"} <= set(
        views
    )
    counts = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in views}
    assert counts["demand_events"] > 0 and counts["mart_unmet_demand"] > 0
    con.close()
    result = CliRunner().invoke(
        cli,
        ["query", "--data-root", str(moved), "select count(*) as n from demand_events"],
    )
    assert result.exit_code == 0, result.output
    assert str(counts["demand_events"]) in result.output


def test_the_run_says_which_week_it_reports_and_warns_when_the_last_week_is_empty(
    tiny_inputs, data_root
):
    """Cron: a late feed must not silently re-publish last week's report under this week's run."""
    result = CliRunner().invoke(
        cli,
        ["run", "--data-root", str(data_root), "--inputs", str(tiny_inputs),
         "--as-of", "2026-12-09T12:00:00+00:00"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "(week 2026-W47: the latest week with data; the last complete ISO week has none)" in (
        result.output
    )
    assert "warning: the last complete ISO week, 2026-W49, has no demand data" in result.stderr


def test_off_a_terminal_each_step_ends_with_a_time_stamped_line_with_its_counts(published):
    _, result = published
    stamp = r"\[\d\d:\d\d:\d\d\] "
    expected = {
        "ingest": r"5 of 5 files, 21 records read",
        "demand": r"\d+ of \d+ staged files, \d+ signals, \d+ events",
        "marts": r"5 of 5 marts",
        "report": r"1 of 1 reports",
    }
    for step, counts in expected.items():
        assert re.search(rf"^{stamp}{step} done in \d+\.\ds: {counts}$", result.stderr, re.M), (
            step,
            result.stderr,
        )
    assert re.search(rf"^{stamp}checks done in \d+\.\ds$", result.stderr, re.M)  # no probe
    assert "%|" not in result.stderr and "\r" not in result.stderr  # no bar in a cron log


def test_a_run_drawn_as_on_a_terminal_shows_bars_and_writes_the_same_bytes(
    published_copy, monkeypatch
):
    """UNMET_PROGRESS=bar draws what a terminal shows (tqdm bars, redrawn with \\r) into the
    captured stderr; watching the steps' files while they are written changes no output byte."""
    data_root, tiny_inputs, _ = published_copy
    before = parquet_digests((data_root / "published").resolve())
    monkeypatch.setenv("UNMET_PROGRESS", "bar")
    result = run_cli(data_root, tiny_inputs, "--full-refresh")
    assert result.exit_code == 0, result.output
    frames = result.stderr.split("\r")
    for step in ("ingest", "demand", "marts", "report"):
        assert any(re.match(rf"  {step}: 100%\|█+\|", f) for f in frames), (step, frames)
    # the bar is erased (\r), then the step's end is written over it, without a time stamp
    assert re.search(r"\r  ingest done in \d+\.\ds: 5 of 5 files", result.stderr)
    assert parquet_digests((data_root / "published").resolve()) == before
