"""Incremental runs on an object-store data root (pipelines/remote.py): two weeks published on
moto's S3 server, a third week's lookups file added, and `unmet run` with the pipelines on the dask
cluster's workers ingests only the new files and rebuilds only the weeks they touch; the other
objects are server-side copies of the published run's. Its Parquet objects have the same bytes as
a `--full-refresh` of the same inputs.

Small on purpose: a run on S3 costs ~100 s here against ~10 s on a local data root (Beam's S3
file system builds a boto3 client per file operation: docs/scaling.md). So only the run under
test is an S3 run. The two weeks are published by the local job on the data root that then
serves as `--local-root` (the layout is the same), and its run is put into the bucket as an S3
run leaves it (its objects but the DuckDB file and reports, manifest.json last, then CURRENT):
tests/test_object_storage.py checks that an S3 run publishes the same Parquet bytes as a local
one, and the rest (commit records, validation.json, manifest.json) is written by the same driver
code. The full refresh to compare with is a local one for the same reason. 90 generated records
over three weeks, the inputs on the local disk (one path for the driver and the workers, as
remote.py allows)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines import incremental, io, objectstore, remote
from pipelines.generate.run import generate
from pipelines.options import pipeline_options
from tests import clusters, warm
from tests.test_job_e2e import parquet_digests
from tests.test_object_storage import (
    BUCKET,
    SECRET,
    client,
    endpoint,  # noqa: F401 (a fixture: moto's S3 server with the bucket)
    object_digests,
    pointer,
    s3_flags,
)

pytestmark = pytest.mark.slow
AS_OF = "2026-11-30T00:00:00+00:00"
SOURCES = ("frontline_notes", "oos_lookups", "lost_sales")
NEW_WEEK = "2026-W47"
#: What a run on an s3:// data root does not upload (it is built in --local-root only).
LOCAL_ONLY = ("unmet.duckdb", "reports/")


def local_run(data_root: Path, inputs: Path, *flags: str) -> str:
    """The job on a local data root, in-process; returns what it printed."""
    args = ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of", AS_OF,
            "--no-report", *flags]  # fmt: skip
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def s3_run(data_root: str, inputs: Path, local_root: Path, *flags: str) -> str:
    """`unmet run` on an s3:// data root as its own (warm) process; returns what it printed."""
    args = ["run", "--data-root", data_root, "--inputs", str(inputs), "--local-root",
            str(local_root), "--as-of", AS_OF, "--no-report", *flags]  # fmt: skip
    proc = warm.start(args, clusters.venv_env())
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, out + err[-5000:]
    return out + err


def put_published(run_dir: Path, store: objectstore.Store) -> None:
    """Publish a local run in the bucket as an S3 run leaves it: its objects, manifest.json last,
    then the pointer."""
    names = sorted(
        rel
        for path in run_dir.rglob("*")
        if path.is_file()
        and (rel := path.relative_to(run_dir).as_posix()) != "manifest.json"
        and not rel.startswith(LOCAL_ONLY)
    )
    store.upload(run_dir, run_dir.name, [*names, "manifest.json"])
    store.publish(run_dir.name)


def parquet(digests: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in digests.items() if k.endswith(".parquet")}


@pytest.fixture(scope="module")
def s3_runs(endpoint, dask_address, tmp_path_factory) -> dict:  # noqa: F811
    top = tmp_path_factory.mktemp("s3-incremental")
    generated, inputs = top / "generated", top / "inputs"
    generate(90, 3, generated, weeks=3, stores=2)
    for folder in ("catalog", "stores", *SOURCES):
        shutil.copytree(generated / folder, inputs / folder)
        for path in (inputs / folder).glob(f"*{NEW_WEEK}*"):
            path.unlink()
    flags = s3_flags(endpoint)
    local_run(top / "inc", inputs)  # weeks 45 and 46, published
    base = (top / "inc" / "published").resolve()
    put_published(base, objectstore.Store.open(f"s3://{BUCKET}/inc", flags))
    # the new week's lookups, delivered after the others (one new file: each file costs the S3
    # run ~10 s here; the local test adds all three sources, tests/test_incremental.py)
    new = generated / "oos_lookups" / f"lookups-{NEW_WEEK}.csv"
    shutil.copy(new, inputs / "oos_lookups" / new.name)
    second = s3_run(f"s3://{BUCKET}/inc", inputs, top / "inc", *flags,
                    f"--runner={clusters.DASK_RUNNER}",
                    f"--dask_client_address={dask_address}")  # fmt: skip
    refreshed = local_run(top / "full", inputs, "--full-refresh")
    return {"s3": client(endpoint), "base": base.name, "second": second, "refreshed": refreshed,
            "top": top, "flags": flags}  # fmt: skip


def test_an_incremental_s3_run_publishes_the_bytes_of_a_full_refresh(s3_runs):
    s3, base = s3_runs["s3"], s3_runs["base"]
    assert (
        f"incremental: 1 new input file(s) on top of run {base}: oos_lookups/lookups-{NEW_WEEK}.csv"
        in s3_runs["second"]
    )
    assert "full refresh: --full-refresh asked for a full rebuild" in s3_runs["refreshed"]
    inc_run = pointer(s3, "inc")["run"]
    assert inc_run != f"runs/{base}"
    inc = parquet(object_digests(s3, f"inc/{inc_run}/"))
    assert inc == parquet_digests((s3_runs["top"] / "full" / "published").resolve())
    assert len(inc) > 30
    # the driver's copy (what `unmet query --data-root DIR` reads) has the same bytes
    assert parquet_digests((s3_runs["top"] / "inc" / "published").resolve()) == inc
    manifest = remote.published_manifest("s3://unmet/inc", s3_runs["flags"])
    assert manifest is not None and manifest["mode"] == "incremental"
    assert manifest["base_run"] == base


def test_carried_objects_are_the_published_runs_not_rewritten(s3_runs):
    s3, base = s3_runs["s3"], s3_runs["base"]
    run = pointer(s3, "inc")["run"]
    manifest = remote.published_manifest("s3://unmet/inc", s3_runs["flags"])
    assert manifest is not None
    run_id = manifest["run_id"]
    origins = manifest["origins"]
    carried = {rel for rel, origin in origins.items() if origin == base}
    rebuilt = {rel.split("/")[1] for rel, origin in origins.items()
               if rel.startswith("demand_events/") and origin == run_id}  # fmt: skip
    assert rebuilt == {f"iso_week={NEW_WEEK}"}
    assert any(rel.startswith("demand_events/iso_week=2026-W45/") for rel in carried)
    assert any(rel.startswith("stg_frontline_notes/") for rel in carried)
    assert any(rel.startswith("stg_oos_lookups/") for rel in carried)  # the earlier files
    new = {rel for rel, origin in origins.items() if rel.startswith("stg_") and origin == run_id}
    assert new and all(rel.startswith("stg_oos_lookups/") for rel in new)  # the new file only
    # no pipeline of the run wrote them: its commit records list what it wrote
    committed = {
        rel
        for name in ("ingest", "demand")
        for rel in json.loads(
            s3.get_object(Bucket=BUCKET, Key=f"inc/{run}/commits/{name}.json")["Body"].read()
        )["files"]
    }
    assert committed and not committed & carried
    # the objects carry the base run's bytes, and the gate validated only what was written
    ours, theirs = object_digests(s3, f"inc/{run}/"), object_digests(s3, f"inc/runs/{base}/")
    assert {rel: ours[rel] for rel in carried} == {rel: theirs[rel] for rel in carried}
    validation = json.loads(
        s3.get_object(Bucket=BUCKET, Key=f"inc/{run}/validation.json")["Body"].read()
    )
    assert validation["success"]
    assert 0 < validation["validated_files"] < len(validation["files"])
    kept = {rel for rel, record in validation["files"].items() if record["carried"]}
    assert kept and kept <= carried
    assert all(validation["files"][rel]["validated_by"] == base for rel in kept)
    # the exported marts are gated too: the new week's headline, exported again, validated by
    # this run; an earlier week's, copied server-side, keeps the base run's result
    headline = "mart_weekly_headline/iso_week={}/part-00000.parquet"
    assert validation["files"][headline.format(NEW_WEEK)]["validated_by"] == run_id
    assert headline.format("2026-W45") in kept


def test_the_secret_reached_no_output_of_the_runs(s3_runs):
    assert SECRET not in s3_runs["second"]
    for path in s3_runs["top"].rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert SECRET.encode() not in path.read_bytes(), path


def test_carry_copies_only_what_the_run_lacks_and_a_failed_copy_raises(endpoint):  # noqa: F811
    """`remote.carry` on objects put by hand (no job): the earlier files' staging and quarantine,
    or the ledger weeks not rebuilt, are copied into the new run's prefix with their bytes; what
    the run wrote itself is never overwritten; the manifest and the exported marts are not
    carried. A copy that fails raises (Beam's S3 file system returns its errors instead). A run
    that dies after carrying has no manifest: the next prune removes it, never the base."""
    flags = s3_flags(endpoint)
    pipeline_options(flags)  # Beam's file systems get the endpoint, as remote.run_job does
    store = objectstore.Store.open(f"s3://{BUCKET}/carry", flags)
    s3 = client(endpoint)
    base = {
        "stg_oos_lookups/part-00000.parquet": b"base lookups 0",
        "stg_oos_lookups/part-00001.parquet": b"base lookups 1",
        "rejects/source=oos_lookups/part-00000.parquet": b"base rejects",
        "demand_events/iso_week=2026-W45/part-00000.parquet": b"base week 45",
        "demand_events/iso_week=2026-W47/part-00000.parquet": b"base week 47",
        "mart_weekly_headline/iso_week=2026-W45/part-00000.parquet": b"base mart",
        "manifest.json": b"{}",
    }
    for rel, body in base.items():
        s3.put_object(Bucket=BUCKET, Key=store.key("runs", "B", rel), Body=body)
    written = "stg_oos_lookups/part-00001.parquet"
    s3.put_object(Bucket=BUCKET, Key=store.key("runs", "R", written), Body=b"new lookups 1")
    store.publish("B")

    staged = remote.carry(store, "B", "R", incremental.INGEST_FOLDERS)
    weeks = remote.carry(store, "B", "R", weeks={"2026-W47"})

    assert staged == ["rejects/source=oos_lookups/part-00000.parquet",
                      "stg_oos_lookups/part-00000.parquet"]  # fmt: skip
    assert weeks == ["demand_events/iso_week=2026-W45/part-00000.parquet"]
    run = {
        rel: s3.get_object(Bucket=BUCKET, Key=store.key("runs", "R", rel))["Body"].read()
        for rel in store.files("R")
    }
    assert run == {**{rel: base[rel] for rel in staged + weeks}, written: b"new lookups 1"}

    with pytest.raises(OSError, match="could not copy 1 file") as failed:
        io.copy_files([store.url("runs", "B", "gone.parquet")], [store.url("runs", "R", "x")])
    assert SECRET not in str(failed.value)
    assert store.prune(keep=4) == ["R"]
    assert store.published() == "B" and store.files("B") == sorted(base)


def test_a_local_root_without_the_published_runs_copy_is_said_so(endpoint, tmp_path):  # noqa: F811
    """A run from another machine's --local-root (or after DIR was removed) is a full refresh,
    and says why, rather than 'no run is published yet' while a run is."""
    flags = s3_flags(endpoint)
    pipeline_options(flags)
    store = objectstore.Store.open(f"s3://{BUCKET}/nocopy", flags)
    assert remote.no_copy(store, tmp_path) is None  # nothing published
    s3 = client(endpoint)
    s3.put_object(Bucket=BUCKET, Key=store.key("runs", "B", "manifest.json"), Body=b"{}")
    store.publish("B")
    why = remote.no_copy(store, tmp_path / "elsewhere")
    assert why is not None and "holds no complete copy of the published run B" in why


def test_what_an_s3_inputs_folder_holds_that_is_not_read_is_named(endpoint):  # noqa: F811
    """As for a local inputs folder (review 8: a misnamed week on S3 vanished without a word)."""
    from pipelines.ingest import inputs

    flags = s3_flags(endpoint)
    pipeline_options(flags)
    s3 = client(endpoint)
    for key in ("lookups-2026-W47.csv", "lookups-2026-W48.CSV", "sub/lookups-2026-W49.csv",
                "README.md"):  # fmt: skip
        s3.put_object(Bucket=BUCKET, Key=f"notread/oos_lookups/{key}", Body=b"lookup_id\n")
    root = f"s3://{BUCKET}/notread"
    assert inputs.not_read(root, "oos_lookups", "*.csv") == [
        "oos_lookups/lookups-2026-W48.CSV",
        "oos_lookups/sub/",
    ]
    assert inputs.not_read(root, "lost_sales", "*.csv") == []  # no such prefix
