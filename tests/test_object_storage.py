"""The two pipelines with their inputs and outputs on object storage (an S3-compatible server, moto,
on loopback) and their steps on a dask cluster's worker processes: nothing but the network is
shared, so a step that assumed a local disk, or a worker without the S3 settings, fails here.
The Parquet objects must have the same bytes as the same pipelines writing to a local folder.

(`unmet run --data-root s3://...` is not supported yet: the lock, the publish swap, the gate and
the DuckDB file still need a local data root; docs/scaling.md.)"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests import clusters
from tests.conftest import TINY
from tests.test_job_e2e import AS_OF, parquet_digests

pytestmark = pytest.mark.slow
boto3 = pytest.importorskip("boto3", reason="apache-beam[aws] is not installed")
BUCKET = "unmet"


def s3_flags(endpoint: str) -> list[str]:
    return [f"--s3_endpoint_url={endpoint}", "--s3_access_key_id=unmet",
            "--s3_secret_access_key=unmet", "--s3_region_name=us-east-1"]  # fmt: skip


def client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="unmet",
                        aws_secret_access_key="unmet", region_name="us-east-1")  # fmt: skip


def pipeline_args(inputs: str, out: str) -> list[list[str]]:
    return [["ingest", "--inputs", inputs, "--out", out, "--as-of", AS_OF],
            ["demand", "--staging", out, "--out", out]]  # fmt: skip


def run_pipelines_here(inputs: str, out: str) -> None:
    """`unmet pipeline ingest` then `unmet pipeline demand` in this process, on local folders with
    the in-process runner: the reference bytes."""
    for args in pipeline_args(inputs, out):
        result = CliRunner().invoke(cli, ["pipeline", *args])
        assert result.exit_code == 0, result.output


def run_pipelines(inputs: str, out: str, flags: list[str], cwd: Path) -> None:
    """`unmet pipeline ingest` then `unmet pipeline demand`, each as its own process."""
    for args in pipeline_args(inputs, out):
        done = subprocess.run(
            [str(clusters.VENV_BIN / "unmet"), "pipeline", *args, *flags],
            capture_output=True, text=True, cwd=cwd, env=clusters.venv_env(), timeout=900,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr[-5000:]


def object_digests(s3, prefix: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix=prefix) for o in page.get("Contents", [])]  # fmt: skip
    return {
        key.removeprefix(prefix): hashlib.sha256(
            s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        ).hexdigest()
        for key in sorted(keys)
    }


def test_pipelines_on_s3_and_dask_workers_write_the_same_bytes_as_locally(tmp_path, dask_address):
    local = tmp_path / "local"
    run_pipelines_here(str(TINY), str(local))
    expected = parquet_digests(local)
    assert len(expected) >= 15

    with clusters.moto_s3(tmp_path) as endpoint:
        s3 = client(endpoint)
        s3.create_bucket(Bucket=BUCKET)
        for path in sorted(TINY.rglob("*")):
            if path.is_file():
                s3.upload_file(str(path), BUCKET, f"inputs/{path.relative_to(TINY).as_posix()}")
        run_pipelines(f"s3://{BUCKET}/inputs", f"s3://{BUCKET}/run", [
            *s3_flags(endpoint), f"--runner={clusters.DASK_RUNNER}",
            f"--dask_client_address={dask_address}",
        ], tmp_path)  # fmt: skip
        written = object_digests(s3, "run/")

    assert {k: v for k, v in written.items() if k.endswith(".parquet")} == expected
    # both commit records were written, and the intermediate parts were removed
    assert sorted(k for k in written if not k.endswith(".parquet")) == [
        "commits/demand.json",
        "commits/ingest.json",
    ]
