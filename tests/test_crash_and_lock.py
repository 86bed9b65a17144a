"""A killed run leaves the published data as it was; two runs at once: one runs, one exits 75."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.common import EXIT_LOCKED
from tests.test_job_e2e import AS_OF

UNMET = [sys.executable, "-m", "cli"]


def start(data_root: Path, inputs: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *UNMET,
            "run",
            "--data-root",
            str(data_root),
            "--inputs",
            str(inputs),
            "--as-of",
            AS_OF,
            "--full-refresh",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def snapshot(data_root: Path) -> dict[str, str]:
    """What a reader sees: the published link, the DuckDB file and the reports, byte for byte."""
    state = {"published": os.readlink(data_root / "published")}
    for path in [data_root / "unmet.duckdb", *sorted((data_root / "reports").rglob("*"))]:
        if path.is_file():
            state[str(path.relative_to(data_root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


@pytest.fixture
def first_run(tiny_inputs, data_root):
    proc = start(data_root, tiny_inputs)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return data_root


@pytest.mark.parametrize("kill_after_s", [0.5, 2.5, 4.0, 5.5])
def test_sigkill_mid_run_leaves_published_data_untouched(first_run, tiny_inputs, kill_after_s):
    before = snapshot(first_run)
    proc = start(first_run, tiny_inputs)
    time.sleep(kill_after_s)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert snapshot(first_run) == before
    # The next run completes and publishes (crashed leftovers are cleaned up).
    proc = start(first_run, tiny_inputs)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert os.readlink(first_run / "published") != before["published"]
    assert not list((first_run / "runs").glob("*.partial"))


def test_second_concurrent_run_exits_with_the_locked_code(tiny_inputs, data_root):
    first = start(data_root, tiny_inputs)
    lock = data_root / "state" / "run.lock"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.05)
    second = start(data_root, tiny_inputs)
    _, err2 = second.communicate(timeout=60)
    _, err1 = first.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert second.returncode == EXIT_LOCKED
    assert "another unmet run is in progress" in err2
    assert "Traceback" not in err2
