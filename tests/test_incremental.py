"""Incremental runs (pipelines/incremental.py): eight published weeks plus a ninth week's files give
the same bytes and the same DuckDB answers as a full refresh of the nine weeks; anything but a
pure addition falls back to a full refresh and says why.

The inputs are generated (small: 1,500 records over 9 weeks) and then given what a real delivery
has: a bad record in an old file and in the new week, a new record repeating an old file's id, a
re-delivered copy of an old file, a new-week record dated in the week before and a late one of
week 43 (so those weeks are rebuilt too, and the report marts' weeks that read them).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines import incremental, warehouse
from pipelines.checks.suites import DATASETS as GATED
from pipelines.generate.run import generate
from pipelines.ingest import inputs as ingest_inputs
from pipelines.ingest import run as ingest_run

AS_OF = "2026-11-30T00:00:00+00:00"
NEW_WEEK = "2026-W47"
SOURCES = ("frontline_notes", "oos_lookups", "lost_sales")
#: A new-week lookup repeating the first id of week 40 (quarantined as a duplicate against the
#: key table), one with an unknown store (quarantined: merged with the old rejects), one on the
#: Sunday of week 46 (week 46 is rebuilt), and a late one of week 43, at night (a demand event of
#: its own): week 43 is rebuilt, and so are the report marts' weeks that read it (the headline's
#: week 44, the trend's weeks 44 to 47). {id} and {sku}: week 40's first lookup's.
NEW_LOOKUPS = (
    "{id},S001,store,{sku},2026-11-17T12:00:00+01:00,out_of_stock,0\n"
    "L-9000001,S999,store,{sku},2026-11-17T12:00:00+01:00,out_of_stock,0\n"
    "L-9000002,S001,store,{sku},2026-11-15T12:00:00+01:00,out_of_stock,0\n"
    "L-9000003,S001,store,{sku},2026-10-21T03:00:00+02:00,out_of_stock,0\n"
)
TOUCHED = {"2026-W43", "2026-W46", "2026-W47"}
OLD_BAD_LOOKUP = "L-9000000,S001,store,SKU-1,not a time,out_of_stock,0\n"


def run_cli(data_root: Path, inputs: Path, *extra: str):
    args = ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of", AS_OF]
    result = CliRunner().invoke(cli, [*args, "--no-report", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def digests(run_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(run_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(run_dir.rglob("*.parquet"))
    }


def view_rows(data_root: Path) -> dict[str, list[tuple]]:
    """Every view and table of the published DuckDB file, all its rows in order."""
    con = warehouse.connect_read_only(data_root / "unmet.duckdb")
    try:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables order by 1").fetchall()]  # fmt: skip
        return {n: con.execute(f'select * from "{n}" order by all').fetchall() for n in names}
    finally:
        con.close()


def add_week(gen: Path, inputs: Path, week: str) -> None:
    for source in SOURCES:
        for path in (gen / source).glob(f"*{week}*"):
            shutil.copy(path, inputs / source / path.name)  # a new modification time


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    gen = tmp_path_factory.mktemp("gen")
    generate(1500, 5, gen, weeks=9)
    return gen


@pytest.fixture(scope="module")
def runs(generated, tmp_path_factory) -> dict[str, object]:
    """Eight weeks published, then the ninth added: an incremental run on that data root, and a
    full refresh of the same nine weeks on another."""
    top = tmp_path_factory.mktemp("runs")
    inputs = top / "inputs"
    # the consent withdrawals too: the new week's notes of a withdrawn customer are staged
    # without their ref in the incremental run as in the full refresh
    for folder in ("catalog", "stores", "consent_withdrawals", *SOURCES):
        shutil.copytree(generated / folder, inputs / folder)
    for source in SOURCES:
        for path in (inputs / source).glob(f"*{NEW_WEEK}*"):
            path.unlink()
    # a withdrawal, known from the first run on, of a customer who consents in the new week
    notes = (generated / "frontline_notes" / f"notes-{NEW_WEEK}.jsonl").read_text().splitlines()
    ref = next(n["customer_ref"] for n in map(json.loads, notes) if n["customer_consent"])
    with (inputs / "consent_withdrawals" / "withdrawals.csv").open("a") as handle:
        handle.write(f"CW-T1,{ref},2026-11-29T12:00:00+00:00,web\n")
    week40 = inputs / "oos_lookups" / "lookups-2026-W40.csv"
    first_id, _, _, sku, *_ = week40.read_text().splitlines()[1].split(",")
    with week40.open("a") as handle:
        handle.write(OLD_BAD_LOOKUP)
    first = run_cli(top / "inc", inputs)
    base = (top / "inc" / "published").resolve()

    add_week(generated, inputs, NEW_WEEK)
    with (inputs / "oos_lookups" / f"lookups-{NEW_WEEK}.csv").open("a") as handle:
        handle.write(NEW_LOOKUPS.format(id=first_id, sku=sku))
    shutil.copy(inputs / "lost_sales" / "lost_sales-2026-W41.csv",
                inputs / "lost_sales" / f"lost_sales-{NEW_WEEK}-resent.csv")  # fmt: skip
    second = run_cli(top / "inc", inputs)
    full = run_cli(top / "full", inputs, "--full-refresh")
    return {"inputs": inputs, "top": top, "base": base, "first": first, "second": second,
            "full": full, "repeated": first_id}  # fmt: skip


def test_incremental_run_is_byte_identical_to_a_full_refresh(runs):
    inc_dir = (runs["top"] / "inc" / "published").resolve()
    full_dir = (runs["top"] / "full" / "published").resolve()
    assert "incremental: 4 new input file(s)" in runs["second"].output
    assert "full refresh: --full-refresh" in runs["full"].output
    inc, full = digests(inc_dir), digests(full_dir)
    assert inc == full
    assert len(inc) > 300
    assert any(rel.startswith("stg_consent_withdrawals/") for rel in inc)
    con = warehouse.connect_read_only(runs["top"] / "inc" / "unmet.duckdb")
    try:  # withdrawals took effect, in the new week too
        withheld = con.execute(
            "select iso_week, count(*) from stg_frontline_notes "
            "where customer_consent and customer_ref is null group by all order by all"
        ).fetchall()
    finally:
        con.close()
    assert withheld and withheld[-1][0] == NEW_WEEK, withheld
    assert view_rows(runs["top"] / "inc") == view_rows(runs["top"] / "full")


def test_incremental_run_quarantines_across_history_and_rebuilds_only_touched_weeks(runs):
    con = warehouse.connect_read_only(runs["top"] / "inc" / "unmet.duckdb")
    try:
        reasons = dict(con.execute("select record_id, reason from rejects").fetchall())
        weeks = con.execute("select count(distinct iso_week) from demand_events").fetchone()
    finally:
        con.close()
    repeated = runs["repeated"]
    assert reasons[repeated] == (
        f"duplicate lookup_id '{repeated}': first seen in oos_lookups/lookups-2026-W40.csv line 2"
    )
    assert "L-9000001" in reasons and "L-9000000" in reasons  # a new reject and an old one
    assert weeks == (9,)
    run_dir = (runs["top"] / "inc" / "published").resolve()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["mode"] == "incremental" and manifest["base_run"] == runs["base"].name
    rebuilt = {
        rel.split("/")[1]
        for rel, origin in manifest["origins"].items()
        if rel.startswith("demand_events/") and origin == run_dir.name
    }
    assert rebuilt == {f"iso_week={week}" for week in TOUCHED}
    # carried files are the published run's own, linked, not rewritten
    carried = run_dir / "demand_events" / "iso_week=2026-W40" / "part-00000.parquet"
    assert carried.stat().st_ino == (runs["base"] / carried.relative_to(run_dir)).stat().st_ino
    staged = run_dir / "stg_oos_lookups"
    assert all(os.stat(p).st_nlink >= 2 for p in staged.rglob("part-00000.parquet"))


def test_the_report_marts_rebuild_the_weeks_that_read_a_touched_week_and_carry_the_rest(runs):
    """The exported marts are split by iso_week (pipelines/marts.py): the incremental run wrote
    the touched weeks and the weeks whose rows read them (the headline compares a week with the
    one before; the trend runs over six weeks) and linked every other week of the published run.
    Week 44 was not touched, yet its headline and trend rows changed with week 43's late record:
    rebuilt, and the same bytes as the full refresh's (test above)."""
    run_dir = (runs["top"] / "inc" / "published").resolve()
    origins = json.loads((run_dir / "manifest.json").read_text())["origins"]

    def weeks(mart: str, written: bool) -> set[str]:
        return {
            rel.split("/")[1].removeprefix("iso_week=")
            for rel, origin in origins.items()
            if rel.startswith(f"{mart}/") and (origin == run_dir.name) is written
        }

    assert weeks("mart_weekly_headline", True) == TOUCHED | {"2026-W44"}
    assert weeks("mart_attribute_trend", True) == {f"2026-W{n}" for n in range(43, 48)}
    for mart in ("mart_store_capture", "mart_not_carried", "mart_substitutes"):
        assert weeks(mart, True) <= TOUCHED
    assert weeks("mart_store_capture", True) == TOUCHED
    for mart in warehouse.EXPORTED_MARTS:
        assert "2026-W40" in weeks(mart, False), mart
        for week in weeks(mart, False):
            rel = f"{mart}/iso_week={week}/part-00000.parquet"
            assert (run_dir / rel).stat().st_ino == (runs["base"] / rel).stat().st_ino
    for mart in ("mart_weekly_headline", "mart_attribute_trend"):
        rel = f"{mart}/iso_week=2026-W44/part-00000.parquet"
        assert (run_dir / rel).read_bytes() != (runs["base"] / rel).read_bytes(), mart


def test_the_gate_of_an_incremental_run_validates_the_files_it_wrote(runs):
    """Carried files passed the gate of the run that wrote them; the facts across rows and
    datasets are still found over every file (a repeated key in a carried file would show)."""
    run_dir = (runs["top"] / "inc" / "published").resolve()
    validation = json.loads((run_dir / "validation.json").read_text())
    full = json.loads((runs["top"] / "full" / "published" / "validation.json").read_text())
    assert validation["success"] and full["validated_files"] == "all"
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert 0 < validation["validated_files"] < len(manifest["origins"])
    rows = {s["dataset"]: s["rows"] for s in validation["suites"]}
    all_rows = {s["dataset"]: s["rows"] for s in full["suites"]}
    con = warehouse.connect_read_only(runs["top"] / "inc" / "unmet.duckdb")
    try:
        (in_new_weeks,) = con.execute(
            "select count(*) from demand_events where iso_week in ('2026-W43', '2026-W46', "
            "'2026-W47')"
        ).fetchone()
    finally:
        con.close()
    assert rows["demand_events"] == in_new_weeks < all_rows["demand_events"]
    assert rows["stg_catalog"] == 0 < all_rows["stg_catalog"]  # carried: not validated again


def test_a_changed_file_falls_back_to_a_full_refresh_and_says_why(runs, tmp_path):
    inputs = tmp_path / "inputs"
    shutil.copytree(runs["inputs"], inputs)  # the same names, bytes and modification times
    data_root = tmp_path / "data"
    shutil.copytree(runs["top"] / "inc", data_root, symlinks=True)
    changed = inputs / "frontline_notes" / "notes-2026-W41.jsonl"
    changed.write_text(changed.read_text().replace("S001", "S002", 1))
    result = run_cli(data_root, inputs)
    assert ("full refresh: frontline_notes/notes-2026-W41.jsonl changed since the published run"
            in result.output)  # fmt: skip
    manifest = json.loads((data_root / "published" / "manifest.json").read_text())
    assert manifest["mode"] == "full refresh"


# The plan itself, on a published run's state made by hand (no job runs).


@pytest.fixture
def planned(tiny_inputs, tmp_path):
    """A data root whose published run has the tiny inputs' state; returns a function giving the
    plan for the inputs as they are now."""
    data_root = tmp_path / "data"
    run_dir = data_root / "runs" / "r1"
    (run_dir / "reports").mkdir(parents=True)
    (run_dir / "unmet.duckdb").touch()
    os.symlink("runs/r1", data_root / "published")
    as_of = datetime(2026, 11, 25, tzinfo=UTC)

    def prints() -> tuple[dict[str, list[str]], dict[str, str]]:
        files = ingest_run.find_inputs(str(tiny_inputs))
        return files, ingest_inputs.fingerprint(files, str(tiny_inputs))

    files, found = prints()
    incremental.write_state(run_dir, files, str(tiny_inputs), found)
    manifest = {"as_of": as_of.isoformat(), "window_minutes": 30,
                "extractor_version": incremental.EXTRACTOR_VERSION,
                "code_version": incremental.code_version(),
                "library_versions": incremental.library_versions()}  # fmt: skip
    (run_dir / "manifest.json").write_text(json.dumps(manifest))

    def plan(window: int = 30, full: bool = False) -> incremental.Plan:
        files, found = prints()
        return incremental.plan(data_root, files, str(tiny_inputs), found, window, as_of, full)

    return tiny_inputs, plan


LOOKUP = "lookup_id,store_id,channel,sku,looked_up_at,result,on_hand_qty\nL-9,S002,store,SKU-3,2026-11-19T10:00:00+01:00,out_of_stock,0\n"  # noqa: E501


def _touch_later(path: Path, than: Path) -> None:
    later = than.stat().st_mtime + 10
    os.utime(path, (later, later))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("add", "incremental: 1 new input file(s)"),
        ("add_first", "new file oos_lookups/a-lookups.csv sorts before oos_lookups/lookups-2026"),
        ("remove", "lost_sales/lost_sales-2026-W47.csv was removed"),
        ("change", "oos_lookups/lookups-2026-W47.csv changed"),
        ("catalog", "new catalog file catalog/more-skus.csv: reference data affects every week"),
        # the hand-made published run staged no note: no note file to parse again
        ("withdrawals", "incremental: 0 file(s) parsed again for 1 new consent withdrawal(s)"),
        ("window", "the linking window changed (30 -> 45 minutes)"),
        ("full", "--full-refresh"),
        ("add_earlier", "new file oos_lookups/lookups-z.csv was delivered (modified) before"),
    ],
)
def test_plan_goes_incremental_only_for_pure_additions(planned, change, reason):
    inputs, plan = planned
    lookups = inputs / "oos_lookups" / "lookups-2026-W47.csv"
    window, full = 30, False
    if change == "add":
        (inputs / "oos_lookups" / "lookups-z.csv").write_text(LOOKUP)
        _touch_later(inputs / "oos_lookups" / "lookups-z.csv", lookups)
    elif change == "add_first":
        (inputs / "oos_lookups" / "a-lookups.csv").write_text(LOOKUP)
        _touch_later(inputs / "oos_lookups" / "a-lookups.csv", lookups)
    elif change == "add_earlier":
        (inputs / "oos_lookups" / "lookups-z.csv").write_text(LOOKUP)
        earlier = lookups.stat().st_mtime - 10
        os.utime(inputs / "oos_lookups" / "lookups-z.csv", (earlier, earlier))
    elif change == "remove":  # renamed: the source keeps a file (all gone: the tests below)
        sales = inputs / "lost_sales" / "lost_sales-2026-W47.csv"
        sales.rename(sales.with_name("lost_sales-2026-W47-b.csv"))
    elif change == "change":
        lookups.write_text(lookups.read_text() + LOOKUP.splitlines()[1] + "\n")
    elif change == "catalog":
        shutil.copy(inputs / "catalog" / "catalog.csv", inputs / "catalog" / "more-skus.csv")
    elif change == "withdrawals":  # the first withdrawal, in a folder the published run had empty
        (inputs / "consent_withdrawals").mkdir()
        (inputs / "consent_withdrawals" / "w.csv").write_text(
            "withdrawal_id,customer_ref,withdrawn_at,channel\nCW-1,C-1,2026-11-20T10:00:00Z,web\n"
        )
    elif change == "window":
        window = 45
    elif change == "full":
        full = True
    got = plan(window, full)
    shown = f"{'incremental' if got.incremental else 'full refresh'}: {got.reason}"
    assert reason in shown
    assert got.incremental is (change in ("add", "withdrawals"))
    if change == "add":
        assert got.carried["oos_lookups"] == 1 and got.new_files == ["oos_lookups/lookups-z.csv"]


def test_the_gate_of_an_incremental_run_still_sees_a_key_repeated_in_a_carried_file(runs, tmp_path):
    """A written file that repeats ids of a carried one fails the gate: uniqueness is a fact found
    over every staging file, not only over the files the run wrote."""
    from pipelines import summary
    from pipelines.checks import run as checks_run

    run_dir = tmp_path / "run"
    shutil.copytree((runs["top"] / "inc" / "published").resolve(), run_dir)
    carried = sorted((run_dir / "stg_oos_lookups").rglob("part-00000.parquet"))[0]
    again = carried.with_name("part-00099.parquet")
    shutil.copy(carried, again)
    only = {again.relative_to(run_dir).as_posix()}
    base = (runs["top"] / "inc" / "published").resolve()
    with pytest.raises(checks_run.ChecksFailed, match="stg_oos_lookups: lookup_id is unique"):
        checks_run.gate(run_dir, summary.count(str(run_dir)), datetime(2026, 11, 30, tzinfo=UTC),
                        only=only, base=base)  # fmt: skip
    validation = json.loads((run_dir / "validation.json").read_text())
    assert validation["validated_again"] == {} and validation["validated_files"] == 1


def test_carrying_a_file_links_it_copies_across_file_systems_and_never_overwrites(
    tmp_path, monkeypatch
):
    source = tmp_path / "base" / "part-00000.parquet"
    source.parent.mkdir()
    source.write_bytes(b"rows")
    linked = tmp_path / "run" / "a" / "part-00000.parquet"
    incremental.link(source, linked)
    assert linked.stat().st_ino == source.stat().st_ino
    with pytest.raises(FileExistsError):  # a write through a link would change the base run
        incremental.link(source, linked)

    def no_link(*_: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(incremental.os, "link", no_link)
    copied = tmp_path / "run" / "b" / "part-00000.parquet"
    incremental.link(source, copied)
    assert copied.read_bytes() == b"rows" and copied.stat().st_ino != source.stat().st_ino


def test_same_inputs_are_up_to_date_only_with_the_same_code_and_settings(planned, monkeypatch):
    """`unmet run` on unchanged inputs keeps the published run, unless it was made by another
    extractor or code, or the as-of may now accept what it quarantined as in the future."""
    from pipelines import job

    inputs, _ = planned
    data_root = inputs.parent / "data"  # the fixture's published run, beside the inputs
    run_dir = data_root / "runs" / "r1"
    files = ingest_run.find_inputs(str(inputs))
    found = ingest_inputs.fingerprint(files, str(inputs))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    (run_dir / "manifest.json").write_text(json.dumps({**manifest, "input_sha256": found}))
    as_of = datetime.fromisoformat(manifest["as_of"])
    assert job._up_to_date(data_root, files, found, 30, as_of) is not None
    assert job._up_to_date(data_root, files, found, 45, as_of) is None
    monkeypatch.setattr(incremental, "EXTRACTOR_VERSION", "extract-refitted")
    assert job._up_to_date(data_root, files, found, 30, as_of) is None
    monkeypatch.undo()
    monkeypatch.setattr(incremental, "code_version", lambda: "new code")
    assert job._up_to_date(data_root, files, found, 30, as_of) is None


def test_a_carried_file_keeps_the_result_its_hash_was_validated_with(runs):
    """validation.json records every validated file's sha256 and the run whose gate validated it;
    an incremental run carries the base run's record of each carried file whose bytes are still
    those, and validates none of them again."""
    run_dir = (runs["top"] / "inc" / "published").resolve()
    full_dir = (runs["top"] / "full" / "published").resolve()
    validation = json.loads((run_dir / "validation.json").read_text())
    base = json.loads((runs["base"] / "validation.json").read_text())
    full = json.loads((full_dir / "validation.json").read_text())
    gated = {rel for rel in digests(full_dir) if rel.split("/")[0] in GATED}
    assert set(full["files"]) == gated == set(validation["files"])
    assert {(r["validated_by"], r["carried"]) for r in full["files"].values()} == {
        (full_dir.name, False)
    }
    assert validation["validated_again"] == {}
    origins = json.loads((run_dir / "manifest.json").read_text())["origins"]
    written = {rel for rel, r in validation["files"].items() if not r["carried"]}
    assert written == {rel for rel in gated if origins[rel] == run_dir.name}
    now = digests(run_dir)
    for rel, record in validation["files"].items():
        assert record["sha256"] == now[rel]
        if record["carried"]:
            assert record == {**base["files"][rel], "carried": True}
            assert record["validated_by"] == runs["base"].name
        else:
            assert record["validated_by"] == run_dir.name
    catalog = [rel for rel in validation["files"] if rel.startswith("stg_catalog/")]
    assert catalog and all(validation["files"][rel]["carried"] for rel in catalog)
    # the exported marts too: a week exported again is validated now, a linked week keeps its
    # result (the headline rebuilt the touched weeks and the week after the first one)
    headline = {
        rel.split("/")[1].removeprefix("iso_week="): record["carried"]
        for rel, record in validation["files"].items()
        if rel.startswith("mart_weekly_headline/")
    }
    assert {week for week, carried in headline.items() if not carried} == TOUCHED | {"2026-W44"}
    assert headline["2026-W40"] is True


def test_a_carried_file_changed_since_it_was_validated_is_validated_again(runs, tmp_path):
    """A staged catalog file broken on disk after it was published (its price set to 0, as
    tests/break_staged.py does) is carried by the next incremental run, whose gate sees that its
    hash is not the one validated, validates it again and stops the run naming the file."""
    from tests.break_staged import price_at_zero

    inputs = tmp_path / "inputs"
    shutil.copytree(runs["inputs"], inputs)
    data_root = tmp_path / "data"
    shutil.copytree(runs["top"] / "inc", data_root, symlinks=True)
    published = (data_root / "published").resolve()
    catalog = sorted((inputs / "catalog").glob("*.csv"))[0]
    sku = catalog.read_text().splitlines()[1].split(",")[0]
    price_at_zero(published, sku)
    (inputs / "oos_lookups" / "lookups-2026-W48.csv").write_text(
        LOOKUP.replace("L-9,", "L-9100000,").replace("SKU-3", sku).replace("11-19", "11-25")
    )
    args = ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of", AS_OF]
    result = CliRunner().invoke(cli, [*args, "--no-report"])
    assert "incremental: 1 new input file(s)" in result.output
    assert result.exit_code == 4, result.output
    (stopped,) = (data_root / "runs").glob("*.partial")
    validation = json.loads((stopped / "validation.json").read_text())
    (broken,) = validation["validated_again"]
    assert broken.startswith("stg_catalog/")
    assert f"- {broken}: its bytes changed since run {runs['base'].name} validated it" in (
        result.output
    )
    assert "list_price" in result.output  # the rule it broke
    record = validation["files"][broken]
    assert record == {"sha256": digests(stopped)[broken], "validated_by": stopped.name
                      .removesuffix(".partial"), "carried": False}  # fmt: skip
    untouched = [r for rel, r in validation["files"].items() if rel.startswith("stg_frontline")]
    assert untouched and all(r["carried"] for r in untouched)
    assert (data_root / "published").resolve() == published  # nothing published


def test_a_carried_week_validated_again_is_checked_against_its_whole_week(runs, tmp_path):
    """The mart partition of a week the run carried, validated again (here: the base run's record
    has no hash of its files), passes the gate: the facts across datasets (a store row traced to
    its events, totals equal to the ledger's) are found over every file of its week, not over
    those files alone."""
    import pyarrow.parquet as pq

    from pipelines import summary
    from pipelines.checks import run as checks_run

    published = (runs["top"] / "inc" / "published").resolve()
    run_dir = tmp_path / "run"
    shutil.copytree(published, run_dir)
    recorded = json.loads((published / "validation.json").read_text())
    week40 = [
        rel for rel in recorded["files"] if rel.startswith("mart_unmet_demand/iso_week=2026-W40/")
    ]
    for rel in week40:
        del recorded["files"][rel]
    base = tmp_path / "base"
    base.mkdir()
    (base / "validation.json").write_text(json.dumps(recorded))
    written = {rel for rel, r in recorded["files"].items() if not r["carried"]}
    checks_run.gate(run_dir, summary.count(str(run_dir)), datetime(2026, 11, 30, tzinfo=UTC),
                    only=written, base=base)  # fmt: skip
    validation = json.loads((run_dir / "validation.json").read_text())
    assert validation["success"]
    assert week40 and sorted(validation["validated_again"]) == sorted(week40)
    assert {validation["files"][rel]["validated_by"] for rel in week40} == {"run"}
    rows = {s["dataset"]: s["rows"] for s in validation["suites"]}
    marts = [rel for rel in written if rel.startswith("mart_unmet_demand/")] + week40
    assert rows["mart_unmet_demand"] == sum(pq.read_metadata(run_dir / r).num_rows for r in marts)


# New consent withdrawals on top of the nine-week run (pipelines/consent_delta.py): the note
# files holding the notes they newly withhold are parsed again and their weeks rebuilt.

WITHDRAWALS_HEADER = "withdrawal_id,customer_ref,withdrawn_at,channel\n"


def _one_week_customers(run_dir: Path, week: str) -> list[tuple[str, str]]:
    """(customer_ref, source_file) of customers whose kept refs are all on notes of one file and
    of `week` only, in the published run `run_dir`."""
    import duckdb

    con = duckdb.connect()
    try:
        return con.execute(
            "select customer_ref, min(source_file) from read_parquet(?) "
            "where customer_ref is not null group by 1 "
            "having count(distinct iso_week) = 1 and min(iso_week) = ? "
            "and count(distinct source_file) = 1 order by 1",
            [str(run_dir / "stg_frontline_notes" / "**" / "*.parquet"), week],
        ).fetchall()
    finally:
        con.close()


def _weeks_of_file(run_dir: Path, number: int) -> set[str]:
    """The ISO weeks of the staged notes of the file numbered `number` (its part-NNNNN)."""
    from pipelines.demand.run import week_of

    return {
        week
        for p in (run_dir / "stg_frontline_notes").rglob(f"part-{number:05d}.parquet")
        if (week := week_of(p.relative_to(run_dir).as_posix())) is not None
    }


def _rebuilt(run_dir: Path, dataset: str) -> set[str]:
    origins = json.loads((run_dir / "manifest.json").read_text())["origins"]
    return {
        rel.split("/")[1].removeprefix("iso_week=")
        for rel, origin in origins.items()
        if rel.startswith(f"{dataset}/") and origin == run_dir.name
    }


@pytest.fixture(scope="module")
def withdrawn(runs, tmp_path_factory) -> dict[str, object]:
    """The nine-week run, then (1) a new withdrawals file naming a customer whose notes are all
    in week 41, and (2) a cumulative export repeating every withdrawal so far plus one new (a
    customer of week 42): an incremental run after each, and a full refresh of the same inputs."""
    top = tmp_path_factory.mktemp("withdrawn")
    inputs = top / "inputs"
    shutil.copytree(runs["inputs"], inputs)  # the same bytes and modification times
    shutil.copytree(runs["top"] / "inc", top / "inc", symlinks=True)
    base = (top / "inc" / "published").resolve()
    (first, first_file), *_ = _one_week_customers(base, "2026-W41")
    (second, second_file), *_ = _one_week_customers(base, "2026-W42")
    folder = inputs / "consent_withdrawals"
    new_row = f"CW-N1,{first},2026-11-29T13:00:00+00:00,app\n"
    (folder / "withdrawals-z1.csv").write_text(WITHDRAWALS_HEADER + new_row)
    one = run_cli(top / "inc", inputs)
    after_one = (top / "inc" / "published").resolve()
    full_one = run_cli(top / "full1", inputs, "--full-refresh")
    earlier = "".join(p.read_text().split("\n", 1)[1] for p in sorted(folder.glob("*.csv")))
    later = f"CW-N2,{second},2026-11-29T14:00:00+00:00,store\n"
    (folder / "withdrawals-z2.csv").write_text(WITHDRAWALS_HEADER + earlier + later)
    two = run_cli(top / "inc", inputs)
    full_two = run_cli(top / "full2", inputs, "--full-refresh")
    rows = pq.read_table(base / incremental.INPUTS_STATE).to_pylist()
    state = {r["source_file"]: r["number"] for r in rows if r["source"] == "frontline_notes"}
    return {"top": top, "inputs": inputs, "base": base, "after_one": after_one, "one": one,
            "two": two, "full_one": full_one, "full_two": full_two, "first": first,
            "second": second, "first_number": state[first_file],
            "second_number": state[second_file]}  # fmt: skip


def test_a_new_withdrawals_file_rebuilds_only_the_weeks_of_the_notes_it_withholds(withdrawn):
    top, base, run_dir = withdrawn["top"], withdrawn["base"], withdrawn["after_one"]
    assert digests(run_dir) == digests((top / "full1" / "published").resolve())
    assert "incremental: 1 file(s) parsed again for 1 new consent withdrawal(s)" in withdrawn[
        "one"].output  # fmt: skip
    weeks = _weeks_of_file(base, withdrawn["first_number"])
    assert "2026-W41" in weeks and len(weeks) < 9
    assert _rebuilt(run_dir, "demand_events") == weeks
    # only the one notes file was staged again; every other week is the published run's, linked
    number = withdrawn["first_number"]
    for path in (run_dir / "stg_frontline_notes").rglob("*.parquet"):
        rel = path.relative_to(run_dir)
        again = path.name == f"part-{number:05d}.parquet"
        assert (path.stat().st_ino == (base / rel).stat().st_ino) is not again, rel
    for path in (run_dir / "demand_events").rglob("*.parquet"):
        rel = path.relative_to(run_dir)
        linked = path.stat().st_ino == (base / rel).stat().st_ino
        assert linked is (rel.parts[1].removeprefix("iso_week=") not in weeks), rel
    con = warehouse.connect_read_only(top / "inc" / "unmet.duckdb")
    try:
        (kept,) = con.execute(
            "select count(*) from stg_frontline_notes where customer_ref = ?", [withdrawn["first"]]
        ).fetchone()
    finally:
        con.close()
    assert kept == 0


def test_a_cumulative_withdrawals_export_rebuilds_only_what_its_new_withdrawal_changes(withdrawn):
    top, run_dir = withdrawn["top"], (withdrawn["top"] / "inc" / "published").resolve()
    # the repeats are quarantined as repeated ids and change nothing; the one new row does
    assert digests(run_dir) == digests((top / "full2" / "published").resolve())
    assert "incremental: 1 file(s) parsed again for 1 new consent withdrawal(s)" in withdrawn[
        "two"].output  # fmt: skip
    weeks = _weeks_of_file(run_dir, withdrawn["second_number"])
    assert _rebuilt(run_dir, "demand_events") == weeks and len(weeks) < 9


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("row", "1 consent withdrawal(s) the published run applied are no longer in the inputs"),
        (
            "file",
            "consent_withdrawals/withdrawals-z1.csv was removed since the published run: a "
            "consent withdrawal removed may give consent back",
        ),  # fmt: skip
        ("repeat", "incremental: 0 file(s) parsed again for 0 new consent withdrawal(s)"),
    ],
)
def test_a_removed_withdrawal_is_a_full_refresh_and_a_repeat_reads_no_note(
    withdrawn, tmp_path, change, reason
):
    inputs = tmp_path / "inputs"
    shutil.copytree(withdrawn["inputs"], inputs)
    folder = inputs / "consent_withdrawals"
    if change == "row":  # the cumulative export loses its new row
        path = folder / "withdrawals-z2.csv"
        path.write_text("".join(path.read_text().splitlines(keepends=True)[:-1]))
    elif change == "file":
        (folder / "withdrawals-z1.csv").unlink()
    else:  # a copy of the export: every row a repeat
        shutil.copy(folder / "withdrawals-z2.csv", folder / "withdrawals-z3.csv")
    files = ingest_run.find_inputs(str(inputs))
    prints = ingest_inputs.fingerprint(files, str(inputs))
    as_of = datetime.fromisoformat(AS_OF)
    got = incremental.plan(withdrawn["top"] / "inc", files, str(inputs), prints, 30, as_of, False)
    assert reason in f"{'incremental' if got.incremental else 'full refresh'}: {got.reason}"
    assert got.incremental is (change == "repeat")
    if got.incremental:  # nothing to read again but the withdrawals files themselves
        assert "frontline_notes" not in got.again and got.again["consent_withdrawals"]


# Review 11: an unreadable old file, a re-timed file on unchanged bytes, another library version.


def _published_as_now(inputs: Path) -> tuple[Path, dict[str, list[str]], dict[str, str]]:
    """The `planned` fixture's published run, its state and manifest rewritten for the inputs as
    they are now (as if the run had been made from them); returns the data root, files, prints."""
    data_root = inputs.parent / "data"
    run_dir = data_root / "runs" / "r1"
    files = ingest_run.find_inputs(str(inputs))
    found = ingest_inputs.fingerprint(files, str(inputs))
    incremental.write_state(run_dir, files, str(inputs), found)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    (run_dir / "manifest.json").write_text(json.dumps({**manifest, "input_sha256": found}))
    return data_root, files, found


@pytest.mark.parametrize("full", [False, True])
def test_an_old_file_that_cannot_be_read_now_stops_the_plan(planned, tmp_path, full):
    """A file the published run read, now a link to a missing path (an unmounted share), is not
    "changed": the plan raises (the CLI exits 1, nothing published), naming the file and what to
    do, with --full-refresh too."""
    inputs, plan = planned
    lookups = inputs / "oos_lookups" / "lookups-2026-W47.csv"
    lookups.unlink()
    lookups.symlink_to(tmp_path / "unmounted" / "lookups-2026-W47.csv")
    with pytest.raises(incremental.UnreadableInput) as raised:
        plan(full=full)
    message = str(raised.value)
    assert message.startswith("oos_lookups/lookups-2026-W47.csv cannot be read now: it no longer")
    assert "restore the file, or move it out of the inputs folder" in message
    assert "\n" not in message and str(tmp_path) not in message


def test_a_new_file_that_cannot_be_read_is_left_to_the_ingest(planned, tmp_path):
    """A file no run has read yet stays a file-level reject of the ingest: the plan goes on."""
    inputs, plan = planned
    (inputs / "oos_lookups" / "lookups-z.csv").symlink_to(tmp_path / "missing.csv")
    got = plan()
    assert got.incremental and got.new_files == ["oos_lookups/lookups-z.csv"]


def test_an_unreadable_old_file_fails_the_run_and_publishes_nothing(runs, tmp_path):
    """Through the CLI: exit 1, one line naming the file, the published run kept."""
    inputs = tmp_path / "inputs"
    shutil.copytree(runs["inputs"], inputs)
    data_root = tmp_path / "data"
    shutil.copytree(runs["top"] / "inc", data_root, symlinks=True)
    before = os.readlink(data_root / "published")
    old = inputs / "oos_lookups" / "lookups-2026-W42.csv"
    old.unlink()
    old.symlink_to(tmp_path / "share" / "lookups-2026-W42.csv")
    args = ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of", AS_OF]
    result = CliRunner().invoke(cli, [*args, "--no-report"])
    assert result.exit_code == 1, result.output
    error = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and "oos_lookups/lookups-2026-W42.csv cannot be read now" in error[0]
    assert "changed since the published run" not in result.output
    assert os.readlink(data_root / "published") == before
    assert not list((data_root / "runs").glob("*.partial"))


def test_a_retimed_file_is_not_up_to_date(planned):
    """Two copies of an id: the file delivered first keeps it (inputs.precedence). Touching the
    earlier file makes the other one first: the same bytes are not up to date (review 11: the
    run said "up to date" and kept the old choice) and the plan says why."""
    from pipelines import job

    inputs, plan = planned
    first = inputs / "oos_lookups" / "lookups-2026-W47.csv"
    second = inputs / "oos_lookups" / "lookups-z.csv"
    second.write_text(LOOKUP)
    _touch_later(second, first)
    data_root, files, found = _published_as_now(inputs)
    as_of = datetime(2026, 11, 25, tzinfo=UTC)
    assert job._up_to_date(data_root, files, found, 30, as_of) is not None
    _touch_later(first, second)  # the earlier file re-timed after the copy
    assert job._up_to_date(data_root, files, found, 30, as_of) is None
    got = plan()
    assert not got.incremental
    assert got.reason.startswith("oos_lookups/lookups-2026-W47.csv has another modification time")


def test_another_library_version_is_a_full_refresh_that_names_it(planned, monkeypatch):
    """The versions of the libraries that write or parse published bytes are compared like the
    code: another pyarrow is a full refresh, and not up to date."""
    from pipelines import job

    inputs, plan = planned
    data_root, files, found = _published_as_now(inputs)
    as_of = datetime(2026, 11, 25, tzinfo=UTC)
    recorded = incremental.library_versions()
    assert {"python", "pyarrow", "duckdb", "apache-beam", "pydantic", "tzdata"} <= set(recorded)
    assert job._up_to_date(data_root, files, found, 30, as_of) is not None
    upgraded = {**recorded, "pyarrow": "99.0.0"}
    monkeypatch.setattr(incremental, "library_versions", lambda: upgraded)
    assert job._up_to_date(data_root, files, found, 30, as_of) is None
    got = plan()
    assert not got.incremental
    assert got.reason == (f"library versions changed since the published run "
                          f"(pyarrow {recorded['pyarrow']} -> 99.0.0)")  # fmt: skip


def test_a_source_folder_that_cannot_be_listed_stops_the_run(planned, tmp_path):
    """review 12: consent_withdrawals/ (or lost_sales/) a link to an unmounted share was taken for
    files removed on purpose: the run published without them, exit 0, withdrawn customers' refs
    back. A folder the published run read files from that cannot be listed now stops the run,
    with --full-refresh too."""
    inputs, plan = planned
    folder = inputs / "lost_sales"
    shutil.move(folder, tmp_path / "share")
    folder.symlink_to(tmp_path / "unmounted")
    for full in (False, True):
        with pytest.raises(incremental.UnreadableInput) as raised:
            plan(full=full)
        message = str(raised.value)
        assert message.startswith("lost_sales/ cannot be read now: it is a link to a path")
        assert str(tmp_path) not in message


def test_a_source_folder_left_empty_stops_the_run_unless_a_full_refresh_is_asked(planned):
    """An empty mount point looks like every file removed: the run stops and says how to publish
    without them on purpose (--full-refresh); one file of several removed is a full refresh."""
    inputs, plan = planned
    for path in (inputs / "lost_sales").iterdir():
        path.unlink()
    with pytest.raises(incremental.UnreadableInput, match="none of the 1 files of lost_sales/"):
        plan()
    assert not plan(full=True).incremental
    shutil.rmtree(inputs / "lost_sales")  # the folder gone too: the same
    with pytest.raises(incremental.UnreadableInput, match="--full-refresh to publish without"):
        plan()
