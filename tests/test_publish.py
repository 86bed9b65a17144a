"""pipelines/publish.py on plain folders (no job): `published` is the only pointer that moves, the
documented paths go through it, and a data root of the earlier layout is moved to the links
without a reader seeing a change."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from pipelines import publish

WEEK = "2026-W47"


def fake_run(data_root: Path, run_id: str, content: str, *, outputs: bool = True) -> Path:
    run_dir = data_root / "runs" / run_id
    (run_dir / "demand_events").mkdir(parents=True)
    (run_dir / "manifest.json").write_text("{}")
    if outputs:
        (run_dir / "unmet.duckdb").write_text(f"db {content}")
        (run_dir / "reports" / WEEK).mkdir(parents=True)
        (run_dir / "reports" / WEEK / "report.html").write_text(f"report {content}")
    return run_dir


def seen(data_root: Path) -> tuple[str, str, str]:
    """What a reader opening the documented paths gets."""
    return (
        os.readlink(data_root / "published"),
        (data_root / "unmet.duckdb").read_text(),
        (data_root / "reports" / WEEK / "report.html").read_text(),
    )


def test_publishing_moves_only_the_published_link(tmp_path):
    first = fake_run(tmp_path, "r1", "one")
    second = fake_run(tmp_path, "r2", "two")
    publish.publish(tmp_path, first)
    assert seen(tmp_path) == ("runs/r1", "db one", "report one")
    links = {name: os.readlink(tmp_path / name) for name in publish.OUTPUTS}
    assert links == {"unmet.duckdb": "published/unmet.duckdb", "reports": "published/reports"}

    publish.publish(tmp_path, second)
    assert seen(tmp_path) == ("runs/r2", "db two", "report two")
    assert {name: os.readlink(tmp_path / name) for name in publish.OUTPUTS} == links


def test_an_earlier_layout_is_moved_to_the_links_showing_the_same_bytes(tmp_path):
    old = fake_run(tmp_path, "r1", "old", outputs=False)
    os.symlink("runs/r1", tmp_path / "published")
    (tmp_path / "unmet.duckdb").write_text("db old")
    (tmp_path / "reports" / WEEK).mkdir(parents=True)
    (tmp_path / "reports" / WEEK / "report.html").write_text("report old")
    inode = (tmp_path / "unmet.duckdb").stat().st_ino
    assert not publish.complete(old)

    publish.link_outputs(tmp_path)
    assert seen(tmp_path) == ("runs/r1", "db old", "report old")
    assert (tmp_path / "unmet.duckdb").is_symlink() and (tmp_path / "reports").is_symlink()
    assert (old / "unmet.duckdb").stat().st_ino == inode  # a hard link: no copy of the file
    assert publish.complete(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "published", "reports", "runs", "unmet.duckdb"
    ]  # fmt: skip

    publish.publish(tmp_path, fake_run(tmp_path, "r2", "new"))
    assert seen(tmp_path) == ("runs/r2", "db new", "report new")


def test_a_run_without_its_duckdb_file_or_reports_is_not_complete(tmp_path):
    run_dir = fake_run(tmp_path, "r1", "one")
    assert publish.complete(run_dir)
    (run_dir / "unmet.duckdb").unlink()
    assert not publish.complete(run_dir)


def test_a_stopped_run_is_stripped_to_its_validation(tmp_path):
    partial = tmp_path / "runs" / "r1.partial"
    (partial / "stg_frontline_notes").mkdir(parents=True)
    (partial / "rejects").mkdir()
    (partial / "stg_frontline_notes" / "part-00000.parquet").write_bytes(b"PAR1")
    (partial / "manifest.json").write_text("{}")
    (partial / "validation.json").write_text("{}")
    publish.strip_stopped(partial)
    assert [p.name for p in partial.iterdir()] == ["validation.json"]


def test_only_the_newest_runs_are_kept_and_never_the_published_one(tmp_path):
    """`unmet run --keep-runs N`: crashed runs go, finished runs beyond the newest N go, the
    published run stays even when it is older."""
    runs = [fake_run(tmp_path, f"2026120{i}T000000Z", str(i)) for i in range(1, 7)]
    publish.publish(tmp_path, runs[0])  # an old run is the one readers see (e.g. a rollback)
    (tmp_path / "runs" / "20261207T000000Z.partial").mkdir()
    removed = publish.prune(tmp_path, keep=2)
    left = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert left == ["20261201T000000Z", "20261205T000000Z", "20261206T000000Z"]
    assert len(removed) == 4
    assert seen(tmp_path)[1:] == ("db 1", "report 1")


def test_a_lock_says_who_holds_it_and_whether_that_process_lives_here():
    mine = publish.holder("R1")
    record = json.loads(mine)
    assert publish.describe(mine) == (
        f"pid {os.getpid()} on {socket.gethostname()} since {record['since']} (run R1)"
    )
    assert publish.alive_here(mine)
    ended = subprocess.Popen(["true"])
    ended.wait()  # reaped: its pid is free
    assert not publish.alive_here(json.dumps({**record, "pid": ended.pid}))
    assert not publish.alive_here(json.dumps({**record, "host": "elsewhere.example"}))
    assert not publish.alive_here("pid 12 on a lock of an older format")
    assert publish.describe("pid 12 on an older format\n") == "pid 12 on an older format"


def test_unlock_on_a_local_data_root_names_the_holder_and_refuses_while_it_runs(tmp_path):
    """The system releases a dead run's flock by itself: `unmet unlock` only says whether a run
    holds the lock (exit 1 if one does), and who held it last."""
    from click.testing import CliRunner

    from cli.main import cli

    def unlock():  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, ["unlock", "--data-root", str(tmp_path)])

    assert unlock().exit_code == 0 and "no lock:" in unlock().output
    with publish.RunLock(tmp_path, "R1"):
        held = unlock()
        assert held.exit_code == 1
        assert f"pid {os.getpid()} on {socket.gethostname()}" in held.output
        assert "(run R1)" in held.output
    (tmp_path / "state" / "run.lock").write_text(publish.holder("R2"))  # as SIGKILL leaves it
    left = unlock()
    assert left.exit_code == 0
    assert "no run holds the lock" in left.output and "(run R2)" in left.output
    with publish.RunLock(tmp_path):  # free
        pass


@pytest.mark.parametrize(
    ("name", "exit_code", "message"),
    [
        ("a-file", 2, "Invalid value for --data-root: {} is a file, not a folder"),
        ("nowhere", 1, "data root not found: {}"),
    ],
    ids=["file", "missing"],
)
def test_unlock_says_a_data_root_that_is_a_file_is_not_a_folder(tmp_path, name, exit_code, message):
    from click.testing import CliRunner

    from cli.main import cli

    (tmp_path / "a-file").write_text("not a data root\n")
    result = CliRunner().invoke(cli, ["unlock", "--data-root", str(tmp_path / name)])
    assert result.exit_code == exit_code, result.output
    assert result.output.splitlines()[-1] == "Error: " + message.format(tmp_path / name)


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def test_a_swap_killed_between_its_two_moves_is_undone(tmp_path):
    """review 11: a report rendered again in place and killed between swap_dir's two moves left
    only `.2026-W46.old-<pid>`: the week's pages were gone for good, and later runs (which list
    the published weeks) never drew them again."""
    from pipelines.publish import recover_swaps

    dead, alive = _dead_pid(), os.getpid()
    reports = tmp_path / "reports"
    (reports / f".2026-W46.old-{dead}").mkdir(parents=True)
    (reports / f".2026-W46.old-{dead}" / "report.html").write_text("week 46")
    (reports / f".2026-W46.tmp-{dead}").mkdir()  # the new folder it had not moved in yet
    (reports / "2026-W47").mkdir()
    (reports / f".2026-W47.old-{dead}").mkdir()  # moved in already: the old copy is garbage
    (reports / f".2026-W48.tmp-{alive}").mkdir()  # a swap still running: left alone
    (reports / f".S001.html.tmp-{dead}").write_text("half a page")
    assert recover_swaps(reports) == ["2026-W46"]
    assert (reports / "2026-W46" / "report.html").read_text() == "week 46"
    assert sorted(p.name for p in reports.iterdir()) == [
        f".2026-W48.tmp-{alive}",
        "2026-W46",
        "2026-W47",
    ]


def test_a_run_killed_between_its_finish_and_its_publish_is_pruned_not_kept(tmp_path):
    """Review 11: SIGKILL after `finish_run` (no `unfinish` runs) left a finished, never-published
    run that the next prune kept in place of the run published before the new one. The killed run
    is removed and does not count among the kept runs; the published run is never removed."""
    first = fake_run(tmp_path, "20261201T000000Z", "1")
    publish.publish(tmp_path, first)
    killed = fake_run(tmp_path, "20261202T000000Z.partial", "2")
    killed = publish.finish_run(killed)  # ... and then the process is killed: nothing else runs
    assert publish.unpublished(tmp_path) == killed.name
    # the next run: prune at its start, then its own finish, publish and prune (--keep-runs 2)
    publish.prune(tmp_path, keep=2)
    assert not killed.exists() and first.is_dir()
    assert publish.unpublished(tmp_path) is None
    new = publish.finish_run(fake_run(tmp_path, "20261203T000000Z.partial", "3"))
    publish.publish(tmp_path, new)
    assert publish.unpublished(tmp_path) is None
    publish.prune(tmp_path, keep=2)
    left = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert left == ["20261201T000000Z", "20261203T000000Z"]
    assert seen(tmp_path)[1:] == ("db 3", "report 3")


def test_a_run_killed_right_after_its_publish_is_kept_as_the_published_one(tmp_path):
    """A run published but killed before anything else: UNPUBLISHED may still name it (the instant
    between the swap and its removal); prune never removes the published run."""
    old = publish.finish_run(fake_run(tmp_path, "20261201T000000Z.partial", "1"))
    publish.publish(tmp_path, old)
    new = publish.finish_run(fake_run(tmp_path, "20261202T000000Z.partial", "2"))
    publish.replace_symlink(tmp_path / "published", "runs/" + new.name)  # the swap, then killed
    assert publish.unpublished(tmp_path) == new.name
    publish.prune(tmp_path, keep=1)
    assert new.is_dir() and not old.exists() and publish.unpublished(tmp_path) is None
