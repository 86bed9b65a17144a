"""Publishing: a run writes into its own folder; one atomic symlink swap makes it the published one.

Layout under the data root:
  runs/<run_id>.partial/   a run in progress (or one that crashed: never read, removed later)
  runs/<run_id>/           a finished run: its Parquet datasets, manifest.json, validation.json,
                           unmet.duckdb (views over this folder's Parquet) and reports/<week>/
  published -> runs/<run_id>          symlink, replaced atomically (os.replace of a new symlink)
  unmet.duckdb -> published/unmet.duckdb   fixed links through `published`, so the documented
  reports -> published/reports            paths always show the published run's file and reports
  state/run.lock           held by the running job
  state/unpublished        the id of a run between its finish and its publish (removed by the
                           publish): a run killed there (SIGKILL) is removed by the next prune
`published` is the only pointer that moves: readers see the old run's data, DuckDB file and reports
or the new run's, never a mix, whatever instant a run is killed at (tests/test_crash_and_lock.py
kills it at every step boundary). A data root of the earlier layout (a real unmet.duckdb file and
reports folder) is moved to the links by `link_outputs` on the first publish.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import socket
from datetime import UTC, datetime
from pathlib import Path

KEEP_RUNS = 4


class Locked(Exception):
    """Another run holds the lock."""


class StillHeld(Exception):
    """`unmet unlock` refused: the lock's holder is still running."""


def holder(run_id: str | None = None) -> str:
    """What a run writes into its lock: who holds it (pid, host, run id, since when), as JSON."""
    record = {"pid": os.getpid(), "host": socket.gethostname(), "run_id": run_id,
              "since": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
    return json.dumps(record, sort_keys=True)


def describe(text: str) -> str:
    """A lock's content in words: 'pid 42 on host-a since 2026-12-05T21:00:00+00:00 (run R)'."""
    try:
        record = json.loads(text)
        shown = f"pid {record['pid']} on {record['host']} since {record['since']}"
        return shown + (f" (run {record['run_id']})" if record.get("run_id") else "")
    except (ValueError, TypeError, KeyError):
        return text.strip()[:200] or "another process"


def alive_here(text: str) -> bool:
    """True if the lock's holder is a live process of this host (its pid exists here)."""
    try:
        record = json.loads(text)
        if record["host"] != socket.gethostname():
            return False
        os.kill(int(record["pid"]), 0)
    except (ValueError, TypeError, KeyError, ProcessLookupError):
        return False
    except PermissionError:  # another user's live process
        return True
    return True


class RunLock:
    """An exclusive, non-blocking lock on the data root (released by the OS if the process dies)."""

    def __init__(self, data_root: Path, run_id: str | None = None) -> None:
        self.path = data_root / "state" / "run.lock"
        self.run_id = run_id
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno in (errno.EAGAIN, errno.EACCES):
                raise Locked(
                    f"another unmet run is in progress ({describe(self.path.read_text())}); "
                    f"lock: {self.path}"
                ) from None
            raise
        os.ftruncate(fd, 0)
        os.write(fd, (holder(self.run_id) + "\n").encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def unlock(data_root: Path) -> str:
    """`unmet unlock` on a local data root: the OS releases a dead run's flock by itself, so this
    only says whether a run holds the lock; StillHeld (naming it) if one does."""
    path = data_root / "state" / "run.lock"
    if not path.exists():
        return f"no lock: {path} does not exist"
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        raise StillHeld(f"a run holds the lock {path}: {describe(path.read_text())}; stop it "
                        "(SIGTERM) and its lock is released") from None  # fmt: skip
    finally:
        os.close(fd)  # closing it releases a flock taken here
    last = path.read_text().strip()
    return (f"no run holds the lock {path} (the system released it when its holder ended"
            + (f"; it was {describe(last)})" if last else ")"))  # fmt: skip


def replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)


def published_run(data_root: Path) -> Path | None:
    link = data_root / "published"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


#: Names the run that is finished but not published yet (relative to the data root).
UNPUBLISHED = "state/unpublished"


def finish_run(partial: Path) -> Path:
    """Mark a run folder complete (an atomic rename), after writing its id to UNPUBLISHED: until
    `publish` clears it, the run is not one `prune` keeps, even if the process is killed (SIGKILL)
    before its `unfinish` could run."""
    done = partial.with_name(partial.name.removesuffix(".partial"))
    data_root = partial.parent.parent  # DATA_ROOT/runs/<id>.partial
    pending = data_root / UNPUBLISHED
    pending.parent.mkdir(parents=True, exist_ok=True)
    tmp = pending.with_name(f".{pending.name}.{os.getpid()}.tmp")
    tmp.write_text(done.name + "\n")
    os.replace(tmp, pending)
    os.replace(partial, done)
    return done


def unpublished(data_root: Path) -> str | None:
    """The id UNPUBLISHED names: a run finished and not (yet) published, or None."""
    try:
        return (data_root / UNPUBLISHED).read_text().strip() or None
    except FileNotFoundError:
        return None


def _clear_unpublished(data_root: Path, run_id: str | None = None) -> None:
    """Remove UNPUBLISHED (only if it names `run_id`, when given)."""
    if run_id is None or unpublished(data_root) == run_id:
        (data_root / UNPUBLISHED).unlink(missing_ok=True)


def unfinish(data_root: Path, run_dir: Path) -> None:
    """Turn a finished run that was never published back into `<id>.partial` (the next prune
    removes it): a run stopped between its manifest and its publish step must not take the place
    of a published run among the runs `prune` keeps. A run already published is left alone."""
    if run_dir.is_dir() and published_run(data_root) != run_dir.resolve():
        os.replace(run_dir, run_dir.with_name(run_dir.name + ".partial"))


#: The outputs of a run that the data root shows through `published`: name -> kind.
OUTPUTS = {"unmet.duckdb": "file", "reports": "folder"}


def publish(data_root: Path, run_dir: Path) -> None:
    """Make `run_dir` (which holds its DuckDB file and reports) the published run: one os.replace."""
    link_outputs(data_root)
    replace_symlink(data_root / "published", os.path.relpath(run_dir, data_root))
    _clear_unpublished(data_root, run_dir.name)


def link_outputs(data_root: Path) -> None:
    """Point DATA_ROOT/unmet.duckdb and DATA_ROOT/reports through `published`.

    A data root of the earlier layout has them as a real file and folder: they are first copied into
    the published run's folder (the file as a hard link), so readers keep seeing the same thing,
    then replaced by the links (the folder is moved aside first: for that instant it is absent).
    """
    current = published_run(data_root)
    for name, kind in OUTPUTS.items():
        path = data_root / name
        target = f"published/{name}"
        if path.is_symlink() and os.readlink(path) == target:
            continue
        if current is not None and path.exists() and not path.is_symlink():
            inside = current / name
            if not inside.exists():
                if kind == "file":
                    os.link(path, inside)
                else:
                    shutil.copytree(path, inside, symlinks=True)
        if kind == "folder" and path.is_dir() and not path.is_symlink():
            old = path.with_name(f".{name}.old-{os.getpid()}")
            os.replace(path, old)
            replace_symlink(path, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            replace_symlink(path, target)


def complete(run_dir: Path) -> bool:
    """A finished run that can be (or is) published: its manifest, DuckDB file and reports exist."""
    return all((run_dir / name).exists() for name in ("manifest.json", *OUTPUTS))


def strip_stopped(partial: Path, keep: tuple[str, ...] = ("validation.json",)) -> None:
    """Remove everything but `keep` from a run the gate stopped on a rule about personal data: a
    contact detail may have slipped past the redactor, and a stopped run's folder stays until the
    next run starts (docs/privacy.md)."""
    for entry in partial.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def swap_dir(new: Path, target: Path) -> None:
    """Put folder `new` in place of `target` (the old one moved aside first, then removed). A
    process killed between the two moves leaves no `target`: `recover_swaps` puts it back."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def recover_swaps(folder: Path) -> list[str]:
    """Undo what a `swap_dir` into `folder` killed half-way left (review 11: a report rendered
    again in place, killed between its two moves, lost the week's folder for good): for each
    `.<name>.old-<pid>` of a process no longer running, put it back as `<name>` if `<name>` is
    missing, else remove it; remove each `.<name>.tmp-<pid>` of such a process (an unfinished
    new folder). Returns the names put back."""
    if not folder.is_dir():
        return []
    restored = []
    for entry in sorted(folder.iterdir()):
        name, dot, pid = entry.name.rpartition("-")
        if not (entry.name.startswith(".") and dot and pid.isdigit()) or _alive(int(pid)):
            continue
        base, kind = name[1:].rpartition(".")[::2]
        target = folder / base
        if kind == "old" and not target.exists():
            os.replace(entry, target)
            restored.append(base)
        elif kind in ("old", "tmp") and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        elif kind in ("old", "tmp"):
            entry.unlink(missing_ok=True)  # a store page's file written aside
    return restored


def prune(data_root: Path, keep: int = KEEP_RUNS) -> list[Path]:
    """Remove crashed runs and all but the newest `keep` finished runs (never the published one).

    A crashed run is a `.partial` folder, or the finished run UNPUBLISHED names when it is not the
    published one (a run killed between its finish and its publish, where `unfinish` could not
    run): it is removed and does not count among the `keep` runs. Called under the run lock."""
    runs = data_root / "runs"
    if not runs.is_dir():
        return []
    current = published_run(data_root)
    removed = []
    leftover = unpublished(data_root)
    if current is not None and leftover == current.name:  # killed right after its publish
        leftover = None
        _clear_unpublished(data_root, current.name)
    finished = sorted(
        p
        for p in runs.iterdir()
        if p.is_dir() and not p.name.endswith(".partial") and p.name != leftover
    )
    crashed = [p for p in runs.iterdir() if p.name.endswith(".partial") or p.name == leftover]
    stale = crashed + finished[:-keep]
    for path in stale:
        if current is not None and path.resolve() == current:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    if leftover is not None:
        _clear_unpublished(data_root, leftover)
    return removed
