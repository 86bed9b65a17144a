"""Publishing: a run writes into its own folder; one atomic rename makes it the published one.

Layout under the data root:
  runs/<run_id>.partial/   a run in progress (or one that crashed: never read, removed later)
  runs/<run_id>/           a finished run
  published -> runs/<run_id>   symlink, replaced atomically (os.replace of a new symlink)
  unmet.duckdb             rebuilt as a new file and os.replace'd in; its views name the run folder
  state/run.lock           held by the running job
A crash at any point leaves `published`, `unmet.duckdb` and the reports as they were.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from pathlib import Path

KEEP_RUNS = 3


class Locked(Exception):
    """Another run holds the lock."""


class RunLock:
    """An exclusive, non-blocking lock on the data root (released by the OS if the process dies)."""

    def __init__(self, data_root: Path) -> None:
        self.path = data_root / "state" / "run.lock"
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno in (errno.EAGAIN, errno.EACCES):
                holder = self.path.read_text().strip() or "another process"
                raise Locked(
                    f"another unmet run is in progress ({holder}); lock: {self.path}"
                ) from None
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


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


def finish_run(partial: Path) -> Path:
    """Mark a run folder complete (an atomic rename)."""
    done = partial.with_name(partial.name.removesuffix(".partial"))
    os.replace(partial, done)
    return done


def publish(data_root: Path, run_dir: Path) -> None:
    replace_symlink(data_root / "published", os.path.relpath(run_dir, data_root))


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
    """Put folder `new` in place of `target` (the old one moved aside first, then removed)."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def prune(data_root: Path, keep: int = KEEP_RUNS) -> list[Path]:
    """Remove crashed runs and all but the newest `keep` finished runs (never the published one)."""
    runs = data_root / "runs"
    if not runs.is_dir():
        return []
    current = published_run(data_root)
    removed = []
    finished = sorted(p for p in runs.iterdir() if p.is_dir() and not p.name.endswith(".partial"))
    stale = [p for p in runs.iterdir() if p.name.endswith(".partial")] + finished[:-keep]
    for path in stale:
        if current is not None and path.resolve() == current:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed
