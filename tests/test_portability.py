"""The pipelines give the same bytes on other runners: Beam's multi-process mode, the portable job
service (the Python SDK's embedded job service, with the LOOPBACK environment and with the
EXTERNAL environment, whose SDK workers a worker pool starts as separate processes), and Beam's
DaskRunner on a dask.distributed scheduler with two worker processes. Nothing but the loopback
network and the local disk is shared with the EXTERNAL and Dask workers. That is what proves the
pipelines hold no state outside the pipeline, that everything they ship pickles, and that no sink
is skipped by a runner that computes only what the last step depends on (every dataset is checked
with its rows, and each pipeline's commit record with it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines import flow
from tests import clusters
from tests.test_job_e2e import AS_OF, parquet_digests

pytestmark = pytest.mark.slow  # whole job on two runners

RUNNERS = {
    "multi_process": ["--direct_running_mode=multi_processing", "--direct_num_workers=2"],
    "portable_loopback": [
        "--runner=PortableRunner",
        "--job_endpoint=embed",
        "--environment_type=LOOPBACK",
    ],
}


def run_args(root: Path, inputs: Path, extra: list[str]) -> list[str]:
    return ["run", "--data-root", str(root), "--inputs", str(inputs), "--as-of", AS_OF,
            "--no-report", *extra]  # fmt: skip


def run_with(root: Path, inputs: Path, extra: list[str]) -> Path:
    """`unmet run` in this process; returns the published run folder."""
    result = CliRunner().invoke(cli, run_args(root, inputs, extra))
    assert result.exit_code == 0, result.output
    return (root / "published").resolve()


def run_in_subprocess(root: Path, inputs: Path, extra: list[str]) -> Path:
    """`unmet run` as its own process, the way a user starts it."""
    done = subprocess.run(
        [str(clusters.VENV_BIN / "unmet"), *run_args(root, inputs, extra)],
        capture_output=True, text=True, cwd=root.parent, env=clusters.venv_env(), timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr[-5000:]
    return (root / "published").resolve()


def assert_every_dataset_with_its_rows(run_dir: Path) -> None:
    """Every dataset of the tiny inputs is published with its rows, and each pipeline's commit
    record lists exactly the datasets it writes, with the same rows."""
    assert clusters.dataset_rows(run_dir) == clusters.TINY_DATASETS
    for pipeline, names in clusters.PIPELINE_DATASETS.items():
        record = flow.verify(str(run_dir), pipeline)
        committed = {name: entry["rows"] for name, entry in record["datasets"].items()}
        assert committed == {name: clusters.COMMITTED_ROWS[name] for name in names}
    assert not (run_dir / "_parts").exists()


@pytest.fixture(scope="module")
def in_process(tiny_job) -> Path:
    """The in-process run on the tiny inputs: the session's (tests/conftest.py, `tiny_job`)."""
    return (tiny_job.data_root / "published").resolve()


@pytest.fixture(scope="module")
def in_process_digests(in_process) -> dict[str, str]:
    return parquet_digests(in_process)


def test_in_process_run_publishes_every_dataset_with_its_rows(in_process):
    assert_every_dataset_with_its_rows(in_process)


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_other_runner_writes_the_same_bytes_as_in_process(
    runner, in_process_digests, tiny_inputs, tmp_path
):
    run_dir = run_with(tmp_path / runner, tiny_inputs, RUNNERS[runner])
    assert parquet_digests(run_dir) == in_process_digests
    assert len(in_process_digests) >= 10
    assert_every_dataset_with_its_rows(run_dir)


@pytest.mark.slow
def test_portable_external_workers_write_the_same_bytes_as_in_process(
    in_process_digests, tiny_inputs, tmp_path
):
    """The job service runs the pipelines on SDK workers that a worker pool (a separate process,
    as a Flink or Spark task manager would host) starts as processes of their own."""
    with clusters.worker_pool(tmp_path) as port:
        run_dir = run_with(tmp_path / "external", tiny_inputs, [
            "--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=EXTERNAL",
            f"--environment_config=localhost:{port}",
        ])  # fmt: skip
    assert parquet_digests(run_dir) == in_process_digests
    assert_every_dataset_with_its_rows(run_dir)


@pytest.mark.slow
def test_dask_cluster_writes_the_same_bytes_as_in_process(
    in_process_digests, tiny_inputs, tmp_path, dask_address
):
    """`unmet run` with Beam's DaskRunner against `dask scheduler` and `dask worker --nworkers 2`
    started as separate processes on loopback."""
    run_dir = run_in_subprocess(tmp_path / "dask", tiny_inputs, [
        f"--runner={clusters.DASK_RUNNER}", f"--dask_client_address={dask_address}",
    ])  # fmt: skip
    assert parquet_digests(run_dir) == in_process_digests
    assert_every_dataset_with_its_rows(run_dir)
