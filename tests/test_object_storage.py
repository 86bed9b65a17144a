"""`unmet run` with its data root and inputs on object storage (an S3-compatible server, moto, on
loopback) and the pipelines' steps on a dask cluster's worker processes: nothing but the network
is shared, so a step that assumed a local disk shared by driver and workers, or a worker without
the S3 settings, fails here. The published objects must have the same bytes as a local run's, the
pointer object CURRENT must name the run, and the DuckDB file and reports go to --local-root."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines import objectstore, remote, warehouse
from pipelines.job import PAUSE_ENV
from pipelines.objectstore import Unusable
from pipelines.publish import Locked
from tests import clusters, warm
from tests.conftest import TINY
from tests.test_crash_and_lock import wait_for_step, wait_until_paused
from tests.test_job_e2e import AS_OF, parquet_digests

pytestmark = pytest.mark.slow
boto3 = pytest.importorskip("boto3", reason="apache-beam[aws] is not installed")
BUCKET = "unmet"
#: A secret no output, log or object may contain.
SECRET = "s3cret-Value-7f3a"


def s3_flags(endpoint: str) -> list[str]:
    return [f"--s3_endpoint_url={endpoint}", "--s3_access_key_id=unmet",
            f"--s3_secret_access_key={SECRET}", "--s3_region_name=us-east-1"]  # fmt: skip


def client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="unmet",
                        aws_secret_access_key=SECRET, region_name="us-east-1")  # fmt: skip


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[str]:
    """moto's S3 server with the bucket and the tiny inputs under inputs/."""
    with clusters.moto_s3(tmp_path_factory.mktemp("moto")) as url:
        s3 = client(url)
        s3.create_bucket(Bucket=BUCKET)
        for path in sorted(TINY.rglob("*")):
            if path.is_file():
                s3.upload_file(str(path), BUCKET, f"inputs/{path.relative_to(TINY).as_posix()}")
        yield url


def run_args(data_root: str, local_root: Path, flags: list[str]) -> list[str]:
    return [str(clusters.VENV_BIN / "unmet"), "run", "--data-root", data_root,
            "--inputs", f"s3://{BUCKET}/inputs", "--local-root", str(local_root), "--as-of", AS_OF,
            *flags]  # fmt: skip


def unmet_run(data_root: str, local_root: Path, flags: list[str], cwd: Path, code: int = 0) -> str:
    """`unmet run` as its own process, the way a user starts it; returns what it printed."""
    done = subprocess.run(run_args(data_root, local_root, flags), capture_output=True, text=True,
                          cwd=cwd, env=clusters.venv_env(), timeout=900)  # fmt: skip
    assert done.returncode == code, done.stdout + done.stderr[-5000:]
    return done.stdout + done.stderr


def warm_run(data_root: str, local_root: Path, flags: list[str], code: int = 0) -> str:
    """`unmet run` as its own process started warm (tests/warm.py: forked from a server that has
    imported Beam and the project, as the kill test's runs are); returns what it printed."""
    proc = warm.start(run_args(data_root, local_root, flags)[1:], clusters.venv_env())
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == code, out + err[-5000:]
    return out + err


def object_digests(s3, prefix: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix=prefix) for o in page.get("Contents", [])]  # fmt: skip
    return {
        key.removeprefix(prefix): hashlib.sha256(
            s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        ).hexdigest()
        for key in sorted(keys)
    }


def pointer(s3, root: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(s3.get_object(Bucket=BUCKET, Key=f"{root}/CURRENT")["Body"].read())


def test_unmet_run_on_an_s3_data_root_publishes_the_same_bytes_through_a_pointer(
    tmp_path, endpoint, dask_address, tiny_job
):
    # the same inputs on a local data root, in-process (the session's run, tests/conftest.py)
    expected = parquet_digests((tiny_job.data_root / "published").resolve())
    assert len(expected) >= 20

    s3 = client(endpoint)
    root, local_root = "root", tmp_path / "here"
    printed = unmet_run(f"s3://{BUCKET}/{root}", local_root, [
        *s3_flags(endpoint), f"--runner={clusters.DASK_RUNNER}",
        f"--dask_client_address={dask_address}",
    ], tmp_path)  # fmt: skip
    first = pointer(s3, root)
    assert first["run"] == f"runs/{first['run_id']}"
    written = object_digests(s3, f"{root}/{first['run']}/")
    assert {k: v for k, v in written.items() if k.endswith(".parquet")} == expected
    # the commit records, the gate's record and the manifest; the intermediate parts were removed
    assert sorted(k for k in written if not k.endswith(".parquet")) == [
        "commits/demand.json", "commits/ingest.json", "manifest.json", "validation.json",
    ]  # fmt: skip
    manifest = remote.published_manifest(f"s3://{BUCKET}/{root}", s3_flags(endpoint))
    assert manifest is not None
    assert manifest["run_id"] == first["run_id"] and manifest["mode"] == "full refresh"
    # the DuckDB file and the report are local, under --local-root, and read the published run
    con = warehouse.connect_read_only(local_root / "unmet.duckdb")  # as `unmet query` opens it
    try:
        assert con.execute("select count(*) from demand_events").fetchone() == (4,)
        assert con.execute("select count(*) from mart_weekly_headline").fetchone() == (1,)
    finally:
        con.close()
    assert list((local_root / "reports").glob("*/report.html"))
    assert (local_root / "published").resolve().name == first["run_id"]

    # a run killed while it holds the lock (in-process from here on) leaves CURRENT alone, and its
    # lock object behind: it refuses the next run (exit 75, naming the object) until deleted.
    # (Killed at the lock, not later, to keep the suite fast: every S3 run costs ~20-30 s here,
    # several times a local run, each listing still making a boto3 client; docs/scaling.md.)
    store = objectstore.Store.open(f"s3://{BUCKET}/{root}", s3_flags(endpoint))
    flags = [*s3_flags(endpoint), "--no-report"]
    killed = warm.start(run_args(f"s3://{BUCKET}/{root}", local_root, flags)[1:],
                        {**clusters.venv_env(), PAUSE_ENV: "lock"})  # fmt: skip
    try:
        printed += "".join(wait_until_paused(killed, "lock"))
    finally:
        killed.kill()
        killed.communicate(timeout=60)
    assert pointer(s3, root) == first
    refused = warm_run(f"s3://{BUCKET}/{root}", local_root, flags, code=75)
    assert f"another unmet run is in progress (pid {killed.pid} on " in refused
    assert f"s3://{BUCKET}/{root}/state/run.lock" in refused
    # `unmet unlock` removes the dead run's lock object, saying whose it was
    unlocked = CliRunner().invoke(cli, ["unlock", "--data-root", f"s3://{BUCKET}/{root}",
                                        *s3_flags(endpoint)])  # fmt: skip
    assert unlocked.exit_code == 0, unlocked.output
    assert (f"removed s3://{BUCKET}/{root}/state/run.lock, held by pid {killed.pid} on "
            f"{socket.gethostname()} since ") in unlocked.output  # fmt: skip
    assert not list(store.keys("state"))

    # a run (a full refresh: the inputs are the same) stopped by SIGTERM while its ingest runs:
    # exit 143, nothing published, and the lock object deleted on its way out
    stopped = subprocess.Popen(run_args(f"s3://{BUCKET}/{root}", local_root,
                                        [*flags, "--full-refresh"]), cwd=tmp_path,
                               env=clusters.venv_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        printed += "".join(wait_for_step(stopped, "ingest"))
        stopped.send_signal(signal.SIGTERM)
        out, err = stopped.communicate(timeout=300)
    finally:
        stopped.kill()
    printed += out + err
    assert stopped.returncode == 143, err
    assert err.strip().splitlines()[-1] == "Error: stopped by SIGTERM; nothing published"
    assert pointer(s3, root) == first
    assert not list(store.keys("state"))

    # the next run (a full refresh: the inputs are the same) publishes a new pointer; the first
    # run is kept (--keep-runs 4)
    printed += refused + warm_run(f"s3://{BUCKET}/{root}", local_root, [*flags, "--full-refresh"])
    second = pointer(s3, root)
    assert second["run_id"] > first["run_id"]
    assert store.run_ids() == [first["run_id"], second["run_id"]]
    assert (local_root / "published").resolve().name == second["run_id"]
    # and one more on the same inputs rebuilds nothing: the published run is kept
    same = warm_run(f"s3://{BUCKET}/{root}", local_root, flags)
    assert f"up to date: no new or changed input files since run {second['run_id']}" in same
    assert pointer(s3, root) == second
    assert store.run_ids() == [first["run_id"], second["run_id"]]
    printed += same
    again = object_digests(s3, f"{root}/{second['run']}/")
    assert {k: v for k, v in again.items() if k.endswith(".parquet")} == expected
    assert not list(s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{root}/state/").get("Contents", []))

    # the secret key reached no output, log, object or local file
    assert SECRET not in printed
    for key in object_digests(s3, f"{root}/"):
        assert (
            SECRET.encode() not in s3.get_object(Bucket=BUCKET, Key=f"{root}/{key}")["Body"].read()
        )
    for path in local_root.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_the_lock_is_a_conditional_put(endpoint):
    """A second run on the same bucket prefix is refused while the lock object exists, and the
    lock is released (deleted) when the holder ends."""
    store = objectstore.Store.open(f"s3://{BUCKET}/locked", s3_flags(endpoint))
    with store.lock():
        with pytest.raises(Locked, match="another unmet run is in progress"):
            with store.lock():
                pass
    with store.lock("R1"):  # released: it can be taken again
        # and `unmet unlock` refuses to remove it while its holder (this process) lives
        held = CliRunner().invoke(cli, ["unlock", "--data-root", f"s3://{BUCKET}/locked",
                                        *s3_flags(endpoint)])  # fmt: skip
        assert held.exit_code == 1
        assert f"is alive: pid {os.getpid()} on {socket.gethostname()} since " in held.output
        assert "(run R1)" in held.output
        assert list(store.keys("state")) == ["locked/state/run.lock"]
    assert list(store.keys("state")) == []


def test_prune_keeps_the_published_run_and_the_newest_complete_ones(endpoint):
    """Runs without a manifest (crashed, stopped) go; of the complete ones the newest `keep`
    stay, and the run CURRENT names stays whatever its age."""
    store = objectstore.Store.open(f"s3://{BUCKET}/pruned", s3_flags(endpoint))
    s3 = client(endpoint)
    complete = ["20261201T000000000000Z", "20261202T000000000000Z", "20261203T000000000000Z",
                "20261205T000000000000Z"]  # fmt: skip
    crashed = "20261204T000000000000Z"
    for run_id in complete:
        s3.put_object(Bucket=BUCKET, Key=store.key("runs", run_id, "manifest.json"), Body=b"{}")
        s3.put_object(Bucket=BUCKET, Key=store.key("runs", run_id, "a/part-0.parquet"), Body=b"x")
    s3.put_object(Bucket=BUCKET, Key=store.key("runs", crashed, "a/part-0.parquet"), Body=b"x")
    store.publish(complete[0])

    removed = store.prune(keep=2)

    assert sorted(removed) == [complete[1], crashed]
    assert store.run_ids() == [complete[0], complete[2], complete[3]]
    assert store.published() == complete[0]
    assert list(store.keys("runs", complete[1])) == []


def test_a_run_stopped_before_current_named_it_is_pruned_as_incomplete(endpoint):
    """A run stopped after its upload (manifest.json in the bucket) but before CURRENT named it
    loses its manifest (`Store.unfinish`): the next prune removes it, so it never takes a
    published run's place among the runs kept. The published run is never touched."""
    store = objectstore.Store.open(f"s3://{BUCKET}/unfinished", s3_flags(endpoint))
    s3 = client(endpoint)
    published, stopped = "20261201T000000000000Z", "20261202T000000000000Z"
    for run_id in (published, stopped):
        s3.put_object(Bucket=BUCKET, Key=store.key("runs", run_id, "manifest.json"), Body=b"{}")
    s3.put_object(Bucket=BUCKET, Key=store.key("runs", stopped, "a/part-0.parquet"), Body=b"x")
    store.publish(published)
    assert store.prune(keep=1) == []  # before: the stopped run counts as complete and newer

    store.unfinish(published)  # published: left alone
    store.unfinish(stopped)

    assert store.prune(keep=1) == [stopped]
    assert store.run_ids() == [published]
    assert list(store.keys("runs", published)) == [store.key("runs", published, "manifest.json")]


def test_a_run_killed_before_current_named_it_is_pruned_not_kept(endpoint):
    """Review 11 on a bucket: a run killed (SIGKILL, so no `Store.unfinish`) after its manifest
    was uploaded and before CURRENT named it is complete but never published. UNPUBLISHED names
    it: the next prune removes it instead of keeping it in the published run's place."""
    store = objectstore.Store.open(f"s3://{BUCKET}/killed", s3_flags(endpoint))
    s3 = client(endpoint)
    published, killed, new = ("20261201T000000000000Z", "20261202T000000000000Z",
                              "20261203T000000000000Z")  # fmt: skip
    s3.put_object(Bucket=BUCKET, Key=store.key("runs", published, "manifest.json"), Body=b"{}")
    store.publish(published)
    store.mark_unpublished(killed)  # as remote.run_job does before its upload, then killed
    s3.put_object(Bucket=BUCKET, Key=store.key("runs", killed, "manifest.json"), Body=b"{}")

    assert store.prune(keep=2) == [killed]  # the next run's prune, at its start
    assert store.unpublished() is None
    store.mark_unpublished(new)
    s3.put_object(Bucket=BUCKET, Key=store.key("runs", new, "manifest.json"), Body=b"{}")
    store.publish(new)
    assert store.unpublished() is None
    assert store.prune(keep=2) == []
    assert store.run_ids() == [published, new]


@pytest.mark.parametrize("personal", [True, False])
def test_a_run_the_gate_stopped_keeps_its_record_and_on_personal_data_only_that(
    endpoint, tmp_path, personal
):
    store = objectstore.Store.open(f"s3://{BUCKET}/stopped-{personal}", s3_flags(endpoint))
    s3 = client(endpoint)
    for name in ("stg_frontline_notes/part-00000.parquet", "commits/ingest.json"):
        s3.put_object(Bucket=BUCKET, Key=store.key("runs", "R1", name), Body=b"x")
    (tmp_path / "validation.json").write_text('{"success": false}\n')

    remote.stopped(store, "R1", tmp_path, personal=personal)

    left = sorted(k.removeprefix(store.key("runs", "R1") + "/") for k in store.keys("runs", "R1"))
    if personal:
        assert left == ["validation.json"]
    else:
        assert left == ["commits/ingest.json", "stg_frontline_notes/part-00000.parquet",
                        "validation.json"]  # fmt: skip
    assert store.prune(keep=4) == ["R1"]  # no manifest: the next run removes it


def test_a_missing_bucket_or_an_unreachable_endpoint_is_a_readable_error(endpoint):
    """Not a traceback: `unmet run` prints these as an error and exits 1 (cli/run.py)."""
    store = objectstore.Store.open("s3://no-such-bucket/unmet", s3_flags(endpoint))
    with pytest.raises(Unusable, match="cannot write the lock object s3://no-such-bucket/") as err:
        with store.lock():
            pass
    assert "NoSuchBucket" in str(err.value) and SECRET not in str(err.value)
    flags = [f for f in s3_flags(endpoint) if not f.startswith("--s3_endpoint_url")]
    gone = objectstore.Store.open(
        f"s3://{BUCKET}/unmet", [*flags, "--s3_endpoint_url=http://127.0.0.1:9"]
    )
    with pytest.raises(Unusable, match="cannot reach s3://unmet/unmet/state/run.lock"):
        with gone.lock():
            pass


def test_listing_through_the_kept_client_matches_what_beam_matches(endpoint):
    """io.list_files lists an s3:// glob through the kept client (pipelines/io.py): the same paths
    as Beam's FileSystems.match, for the patterns the pipelines use."""
    from apache_beam.io.filesystems import FileSystems

    from pipelines import io

    s3 = client(endpoint)
    for key in ("listed/a/part-0.parquet", "listed/a/b/part-1.parquet", "listed/a/x.arrow",
                "listed/ab/part-2.parquet", "listed/a/_parts/c.arrow"):  # fmt: skip
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    before = list(io._file_system_args)
    io.set_file_system_args(s3_flags(endpoint))
    try:
        folder = f"s3://{BUCKET}/listed/a"
        for pattern in ("**", "**.parquet", "*.parquet", "**.arrow", "_parts/**"):
            matched = FileSystems.match([f"{folder}/{pattern}"])[0].metadata_list
            assert io.list_files(folder, pattern) == sorted(m.path for m in matched), pattern
        assert io.list_files(folder, "**.parquet") == [f"{folder}/b/part-1.parquet",
                                                       f"{folder}/part-0.parquet"]  # fmt: skip
        assert io.list_files(f"s3://{BUCKET}/nothing-here", "**") == []
    finally:
        io.set_file_system_args(before)
