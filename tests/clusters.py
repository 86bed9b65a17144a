"""Engines started as separate processes on loopback for the portability tests: a dask.distributed
scheduler with worker processes, and Beam SDK worker pools (the EXTERNAL environment). Every
helper waits for a named condition (workers registered, a port accepting connections) up to a
deadline, never for a fixed time, and tears down what it started."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
import pytest

#: The virtualenv running the tests: its `bin` holds `dask`, `unmet` and the `python` that Beam's
#: worker pool starts SDK workers with.
VENV_BIN = Path(sys.executable).parent
#: This checkout (the workers must run its code).
ROOT = Path(__file__).resolve().parents[1]
DASK_RUNNER = "apache_beam.runners.dask.dask_runner.DaskRunner"
#: How long a cluster may take to come up on a busy 2-core machine before the test fails.
STARTUP_S = 180

#: Every dataset a run on tests/data/tiny publishes, with its rows (the golden inputs' outcome,
#: tests/test_job_e2e.py): a sink that a runner skipped shows up here as a missing name.
TINY_DATASETS = {
    "stg_catalog": 5,
    "stg_stores": 2,
    "stg_frontline_notes": 3,
    "stg_oos_lookups": 3,
    "stg_lost_sales": 4,
    "rejects": 4,
    "ingest_files": 5,
    "demand_signals": 7,
    "demand_events": 4,
    "mart_unmet_demand": 32,  # 27 attribute rows + 5 total rows (one per store x category + chain)
    "mart_attribute_trend": 7,
    "mart_not_carried": 2,
    "mart_store_capture": 2,
    "mart_substitutes": 1,
    # the incremental state (pipelines/incremental.py): 17 kept ids (the key table, one row per
    # staged row) + 5 input files
    "incremental": 22,
    "mart_weekly_headline": 1,
}
#: What each pipeline writes itself (its commit record lists these); the other marts are exported
#: by DuckDB on the driver after the gate.
PIPELINE_DATASETS = {
    "ingest": {"stg_catalog", "stg_stores", "stg_frontline_notes", "stg_oos_lookups",
               "stg_lost_sales", "rejects", "ingest_files", "keys"},
    "demand": {"demand_signals", "demand_events", "mart_unmet_demand"},
}  # fmt: skip


#: Rows of each dataset in the pipelines' commit records: the ingest's key table ("keys") is
#: committed on its own; the published folder "incremental" holds it and the inputs' state.
COMMITTED_ROWS = {**TINY_DATASETS, "keys": 17}


def dataset_rows(run_dir: Path) -> dict[str, int]:
    """Rows per published dataset (a folder holding Parquet files), from the files' footers."""
    return {
        folder.name: sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        for folder in sorted(run_dir.iterdir())
        if folder.is_dir() and (files := sorted(folder.rglob("*.parquet")))
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary(name: str) -> Path:
    """A console script of the test virtualenv, or skip: the engine cannot be started here."""
    path = VENV_BIN / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            pytest.skip(f"`{name}` is not installed (pip install -e '.[dev]' provides it)")
        path = Path(found)
    return path


def venv_env() -> dict[str, str]:
    """The environment with the virtualenv's bin first on PATH (Beam's worker pool starts SDK
    workers as `python -c ...` from PATH)."""
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        # the workers import this checkout's code, whatever checkout the virtualenv was made from
        "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT),
    }


def start(args: list, log: Path, workdir: Path) -> subprocess.Popen:
    """Start a process in a session of its own (so that `stop` also ends what it started)."""
    with log.open("wb") as out:
        return subprocess.Popen([str(a) for a in args], stdout=out, stderr=subprocess.STDOUT,
                                cwd=workdir, env=venv_env(), start_new_session=True)  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    """Stop a process `start` started and its children (SIGTERM, then SIGKILL if it lingers)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=30)
            return
        except subprocess.TimeoutExpired:
            continue


def _log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"process exited with {process.returncode}:\n{_log_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)  # polling interval, not a wait for the engine
    pytest.fail(f"nothing listened on port {port} within {STARTUP_S}s:\n{_log_tail(log)}")


@contextmanager
def dask_cluster(workdir: Path, workers: int = 2) -> Iterator[str]:
    """`dask scheduler` and `dask worker --nworkers N --nthreads 1`, separate processes on loopback;
    yields the scheduler address once N workers have registered."""
    distributed = pytest.importorskip("distributed", reason="apache-beam[dask] is not installed")
    dask = binary("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    started: list[subprocess.Popen] = []
    logs = {"scheduler": workdir / "scheduler.log", "workers": workdir / "workers.log"}
    try:
        started.append(start([dask, "scheduler", "--host", "127.0.0.1", "--port", port,
                              "--no-dashboard"], logs["scheduler"], workdir))  # fmt: skip
        wait_for_port(port, started[0], logs["scheduler"])
        worker = [dask, "worker", address, "--nworkers", workers, "--nthreads", 1,
                  "--host", "127.0.0.1", "--no-dashboard"]  # fmt: skip
        started.append(start(worker, logs["workers"], workdir))
        with distributed.Client(address, timeout=STARTUP_S) as client:
            try:
                client.wait_for_workers(workers, timeout=STARTUP_S)
            except TimeoutError:
                pytest.fail(
                    f"{workers} dask workers did not register:\n{_log_tail(logs['workers'])}"
                )
        yield address
    finally:
        for process in reversed(started):
            stop(process)


@contextmanager
def worker_pool(workdir: Path) -> Iterator[int]:
    """Beam's SDK worker pool (`worker_pool_main`) as a separate process; yields its port once it
    accepts connections. Each SDK worker it starts is one more process."""
    port = free_port()
    log = workdir / f"worker-pool-{port}.log"
    process = start([VENV_BIN / "python", "-m", "apache_beam.runners.worker.worker_pool_main",
                     f"--service_port={port}"], log, workdir)  # fmt: skip
    try:
        wait_for_port(port, process, log)
        yield port
    finally:
        stop(process)


@contextmanager
def moto_s3(workdir: Path) -> Iterator[str]:
    """An S3-compatible server (moto) as a separate process on loopback; yields its endpoint URL."""
    moto = binary("moto_server")
    port = free_port()
    log = workdir / "moto.log"
    process = start([moto, "-H", "127.0.0.1", "-p", port], log, workdir)
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
