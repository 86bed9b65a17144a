"""A run killed at any step boundary leaves readers a consistent state; two runs at once: one runs,
one exits 75.

No test here waits a fixed time: a run started with UNMET_TEST_PAUSE_AT=<boundary> prints
`paused at <boundary>` and blocks there (pipelines/job.py), and the test kills it then.

Each run is its own process, started warm (tests/warm.py: forked from a server that has already
imported Beam, Great Expectations and the project), so the kill test's fifteen runs do not each
pay the imports; SIGKILL stops such a process as it stops `python -m cli`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from cli.common import EXIT_LOCKED
from pipelines import warehouse
from pipelines.job import BOUNDARIES, PAUSE_ENV
from pipelines.pause import PARSING
from pipelines.publish import RunLock
from tests import warm
from tests.test_job_e2e import AS_OF

pytestmark = pytest.mark.slow  # whole job runs, killed and not

TINY = Path(__file__).parent / "data" / "tiny"
WEEK = "2026-W47"
#: One more stock lookup in week 47: the new run's numbers differ from the old run's.
EXTRA_LOOKUP = (
    "lookup_id,store_id,channel,sku,looked_up_at,result,on_hand_qty\n"
    "L-9,S002,store,SKU-3,2026-11-19T10:00:00+01:00,out_of_stock,0\n"
)


def start(data_root: Path, inputs: Path, *extra: str, pause_at: str | None = None) -> warm.Run:
    """`unmet run` on `inputs` as a process of its own; with `pause_at`, it blocks at that step
    boundary once it has said so on stderr."""
    env = {k: v for k, v in os.environ.items() if k != PAUSE_ENV}
    if pause_at is not None:
        env[PAUSE_ENV] = pause_at
    args = ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of", AS_OF]
    return warm.start([*args, *extra], env)


def run(data_root: Path, inputs: Path, *extra: str) -> str:
    proc = start(data_root, inputs, *extra)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out


def _read_until(proc: warm.Run, found: Callable[[str], bool], what: str) -> list[str]:
    """Read the run's stderr (its progress lines) until a line is `found`; returns the lines
    read. A run that ends first fails the test; one that hangs (not a slow machine) is killed
    after 10 minutes."""
    assert proc.stderr is not None
    seen = []
    guard = threading.Timer(600, proc.kill)
    guard.start()
    try:
        for line in proc.stderr:
            seen.append(line)
            if found(line):
                return seen
    finally:
        guard.cancel()
    proc.wait()
    pytest.fail(f"the run ended (exit {proc.returncode}) before {what}:\n{''.join(seen)}")


def wait_until_paused(proc: warm.Run, boundary: str) -> list[str]:
    """The run's progress lines until it says it paused at `boundary`."""
    return _read_until(proc, lambda line: line.strip() == f"paused at {boundary}", boundary)


def wait_for_step(proc: warm.Run, step: str) -> list[str]:
    """The run's progress lines until it says `step` has started (`[hh:mm:ss] step ...`)."""
    return _read_until(proc, lambda line: line.rstrip().endswith(f"] {step} ..."), step)


def stop_and_check(proc, sig: signal.Signals, data_root: Path) -> None:
    """Send `sig` to a running `unmet run` and check that it stopped as a stop does: exit 128 +
    the signal, one line, no traceback, nothing published, the lock released."""
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, err
    assert err.strip().splitlines()[-1] == f"Error: stopped by {sig.name}; nothing published"
    assert "Traceback" not in err
    assert not (data_root / "published").exists()
    with RunLock(data_root):  # released
        pass


def reader_state(data_root: Path) -> str:
    """The run a reader sees, after checking that the published Parquet, the DuckDB views and the
    report agree on it (and on its numbers)."""
    run_dir = (data_root / "published").resolve()
    run_id = run_dir.name
    con = warehouse.connect_read_only(data_root / "unmet.duckdb")
    try:
        views = dict(
            con.execute(
                "select view_name, sql from duckdb_views() where not internal "
                "and sql like '%read_parquet%'"
            ).fetchall()
        )
        signals_in_db = con.execute(
            "select count(*) from demand_signals where iso_week = ?", [WEEK]
        ).fetchone()
        headline = con.execute(
            "select events, signals from rpt_weekly_headline where iso_week = ?", [WEEK]
        ).fetchone()
    finally:
        con.close()
    assert {"demand_signals", "demand_events", "stg_oos_lookups"} <= set(views)
    # the views name their files relative to the DuckDB file's folder: the file that readers
    # open must be the published run's own
    db_run = Path(os.path.realpath(data_root / "unmet.duckdb")).parent.name
    assert db_run == run_id, f"unmet.duckdb is run {db_run}'s, published is {run_id}"
    for name, sql in views.items():
        runs = set(re.findall(r"/runs/([^/']+)/", sql))
        assert runs <= {run_id}, f"view {name} reads runs {runs}, published is {run_id}"
    in_week = sum(
        pc.sum(pc.equal(pq.read_table(f, columns=["iso_week"]).column("iso_week"), WEEK)).as_py()
        or 0
        for f in (run_dir / "demand_signals").rglob("*.parquet")
    )
    csv = (data_root / "reports" / WEEK / "rpt_weekly_headline.csv").read_text().splitlines()
    row = dict(zip(csv[0].split(","), csv[1].split(","), strict=True))
    assert signals_in_db == (in_week,)
    assert headline == (int(row["events"]), int(row["signals"])) and headline[1] == in_week
    return run_id


def add_lookup(inputs: Path, n: int) -> None:
    """One more stock lookup file: the next run has new inputs, so it rebuilds (as cron would)."""
    line = EXTRA_LOOKUP.splitlines()[1].replace("L-9,", f"L-9{n},")
    header = EXTRA_LOOKUP.splitlines()[0]
    # named in delivery order: each new file sorts after the earlier ones (an incremental run)
    (inputs / "oos_lookups" / f"lookups-extra-{n:02d}.csv").write_text(f"{header}\n{line}\n")


def test_a_run_killed_at_every_step_boundary_leaves_a_consistent_state(
    tiny_inputs, data_root, tiny_job
):
    """One data root, one killed run per boundary in turn. Each is a plain run (no
    --full-refresh) on inputs with one more file than the last, so each is an incremental run on
    top of the published one (pipelines/incremental.py: it hard-links the published run's files),
    and each starts from what the run before it left when killed. After every kill, readers see
    one run consistently: the one published before, or (killed after the publish step) the new
    one.

    The first published run is a copy of the session's (tests/conftest.py, `tiny_job`: the same
    job on the same inputs, its report included); its links are relative, so the copy is a data
    root of its own, and the first killed run plans on top of it as on any published run."""
    shutil.copytree(tiny_job.data_root, data_root, symlinks=True, dirs_exist_ok=True)
    published = reader_state(data_root)
    for n, boundary in enumerate(BOUNDARIES):
        add_lookup(tiny_inputs, n)
        proc = start(data_root, tiny_inputs, pause_at=boundary)
        progress = wait_until_paused(proc, boundary)
        if boundary != "lock":  # the plan is made once the lock is held
            assert any("] incremental: " in line for line in progress), (boundary, progress)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)

        seen = reader_state(data_root)
        published_yet = BOUNDARIES.index(boundary) >= BOUNDARIES.index("publish")
        assert (seen != published) is published_yet, boundary
        if published_yet:
            # The next plain run on the same inputs finds them published: up to date, consistent.
            assert "up to date" in run(data_root, tiny_inputs), boundary
            assert reader_state(data_root) == seen, boundary
        published = seen

    # The next plain run on new inputs leaves a consistent new state and no crashed leftovers.
    add_lookup(tiny_inputs, len(BOUNDARIES))
    run(data_root, tiny_inputs)
    assert reader_state(data_root) != published
    assert not list((data_root / "runs").glob("*.partial"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_a_beam_step_runs_is_the_stop(tiny_inputs, data_root, sig):
    """Review 14c: Stopped raised inside a DoFn reached `unmet run` wrapped by Beam in a
    RuntimeError (exit 1, a 130-line traceback). The run is paused inside the ingest's ParseFileFn
    (pipelines/pause.py), then signalled: 128 + the signal, the one line, and the outcome logged.
    A cold `python -m cli run`, as cron starts it: a warm run's fork server imported Beam before
    `unmet` could keep Beam's log off stderr (cli.common.quiet_libraries), which a real run does."""
    env = {**os.environ, PAUSE_ENV: PARSING}
    args = ["run", "--data-root", str(data_root), "--inputs", str(tiny_inputs), "--as-of", AS_OF]
    proc = subprocess.Popen([sys.executable, "-m", "cli", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    wait_until_paused(proc, PARSING)
    stop_and_check(proc, sig, data_root)
    (log,) = (data_root / "logs").glob(f"run-*-{proc.pid}.log")
    last = json.loads(log.read_text().splitlines()[-1])
    assert (
        last["message"]
        == f"run failed (exit {128 + sig}): stopped by {sig.name}; nothing published"
    )


def test_second_concurrent_run_exits_with_the_locked_code(tiny_inputs, data_root):
    first = start(data_root, tiny_inputs, pause_at="lock")
    wait_until_paused(first, "lock")
    try:
        second = start(data_root, tiny_inputs)
        _, err = second.communicate(timeout=120)
    finally:
        first.kill()
        first.communicate(timeout=60)
    assert second.returncode == EXIT_LOCKED
    assert "another unmet run is in progress" in err
    assert "Traceback" not in err
    # its own log (review 9: an empty file, or the first run's if started in the same second)
    logs = {p.name: p.read_text() for p in (data_root / "logs").glob(f"run-*-{second.pid}.log")}
    assert len(logs) == 1 and "not run: another unmet run is in progress" in next(
        iter(logs.values())
    )


def test_a_run_stopped_by_a_signal_releases_the_lock_and_publishes_nothing(tiny_inputs, data_root):
    """SIGINT (Ctrl-C) and SIGTERM (cron, Kubernetes) while the ingest runs: the run exits 128 +
    the signal's number with one line, publishes nothing, releases the lock and leaves its
    partial folder for the next run to prune; that next run proceeds."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        proc = start(data_root, tiny_inputs)
        wait_for_step(proc, "ingest")
        stop_and_check(proc, sig, data_root)
        # its partial folder stays until the next run prunes it (the SIGINT run's is gone)
        assert len(list((data_root / "runs").glob("*.partial"))) == 1
    run(data_root, tiny_inputs)
    published = (data_root / "published").resolve()
    assert published.is_dir()
    assert not list((data_root / "runs").glob("*.partial"))
    # stopped after its manifest, when its folder already has its final name: the folder goes
    # back to .partial, so a run never published never takes a published run's place among the
    # runs kept (--keep-runs); the next run prunes it
    add_lookup(tiny_inputs, 90)
    proc = start(data_root, tiny_inputs, pause_at="warehouse")
    wait_until_paused(proc, "warehouse")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert (data_root / "published").resolve() == published
    runs = sorted(p.name for p in (data_root / "runs").iterdir())
    assert len(runs) == 2 and runs[0] == published.name and runs[1].endswith(".partial"), runs
