"""`unmet run`'s progress display: a bar per step on a terminal, time-stamped lines elsewhere.

On a terminal each step that has a probe (pipelines/progress.py) gets a tqdm bar while it runs,
with its files (or units, marts, reports) done, what it has made so far, the rate and the time
left; the bar is erased when the step ends and replaced by the step's `done` line. Off a terminal
(cron, a pipe, a file), and with TERM=dumb, nothing is redrawn: every step's start and end are
time-stamped lines, and a long step adds a line with its counts every `PLAIN_EVERY` seconds, e.g.
`[06:02:10] ingest: 12 of 40 files, 1.23M records, 41.0k records/s, about 3m left`.
`UNMET_PROGRESS=bar` or `=lines` overrides the choice. No colour is used (NO_COLOR is honoured
trivially). Everything goes to stderr: stdout keeps the run's summary; the run log gets only the
start and end lines (`log`), never the bar or the periodic lines.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import IO

from pipelines.progress import Probe, Reporter, Snapshot, compact

#: Seconds between updates of a bar, and between plain lines of a long step.
BAR_EVERY = 0.5
PLAIN_EVERY = 30.0
#: The bar's resolution: its total is this many steps of the step's share of work done.
STEPS = 1000
MODE_ENV = "UNMET_PROGRESS"


def wants_bar(stream: IO[str]) -> bool:
    """A bar on a terminal (not TERM=dumb), lines elsewhere; UNMET_PROGRESS=bar|lines decides."""
    mode = os.environ.get(MODE_ENV, "").lower()
    if mode in ("bar", "lines"):
        return mode == "bar"
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def width(stream: IO[str]) -> int | None:
    """The terminal's width (tqdm cuts the line there); 100 if it says 0 (a pseudo-terminal
    without a size, e.g. under `script`, where tqdm would otherwise draw nothing); None if the
    stream is no terminal (UNMET_PROGRESS=bar into a pipe or a file: the line is not cut)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or 100
    except (OSError, ValueError, AttributeError):
        return None


def left(seconds: float) -> str:
    """'45s', '3m', '1h05m'."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def rate(snapshot: Snapshot, elapsed: float) -> str | None:
    """What the step makes per second (its last count: what it is making now), e.g. '41.0k
    records/s'."""
    if not snapshot.counts or elapsed <= 0:
        return None
    what, n = snapshot.counts[-1]
    return f"{compact(round(n / elapsed))} {what}/s" if n else None


def line(step: str, snapshot: Snapshot, elapsed: float) -> str:
    """`ingest: 12 of 40 files, 1.23M records, 41.0k records/s, about 3m left`."""
    parts = [snapshot.describe()]
    if (per_second := rate(snapshot, elapsed)) is not None:
        parts.append(per_second)
    share = snapshot.share
    if 0 < share < 1:
        parts.append(f"about {left(elapsed * (1 - share) / share)} left")
    return f"{step}: " + ", ".join(parts)


class Display(Reporter):
    """The run's progress on `stream` (stderr); messages also go to `log` (the run log)."""

    def __init__(
        self,
        stream: IO[str],
        log: logging.Logger | None = None,
        *,
        bar: bool | None = None,
        every: float | None = None,
    ) -> None:
        super().__init__()
        self._stream = stream
        self._log = log
        self._bar = wants_bar(stream) if bar is None else bar
        self._every = every if every is not None else (BAR_EVERY if self._bar else PLAIN_EVERY)

    def _write(self, text: str) -> None:
        """Write to the terminal; once it has gone away (a closed pty: EIO), only the log goes on."""
        if self._stream is None:
            return
        try:
            self._stream.write(text)
            self._stream.flush()
        except OSError:
            self._stream = None

    def __call__(self, message: str) -> None:
        if self._bar:
            self._write(f"  {message}\n")
        else:
            self._write(f"[{datetime.now().strftime('%H:%M:%S')}] {message}\n")
        if self._log is not None:
            self._log.info(message)

    @contextmanager
    def watch(self, step: str, probe: Probe) -> Iterator[None]:
        started = datetime.now()
        stop = threading.Event()
        show = self._bar_view(step) if self._bar else None

        def update() -> None:
            snapshot = probe()
            if snapshot is None:
                return
            elapsed = (datetime.now() - started).total_seconds()
            if show is not None:
                with suppress(OSError):  # the terminal went away: the log keeps the steps
                    show(snapshot, elapsed)
            else:
                stamp = datetime.now().strftime("%H:%M:%S")
                self._write(f"[{stamp}] {line(step, snapshot, elapsed)}\n")

        def poll() -> None:
            while not stop.wait(self._every):
                update()

        thread = threading.Thread(target=poll, name=f"progress-{step}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            if show is not None:
                update()  # the bar's last state, then it is erased for the `done` line
                with suppress(OSError):
                    show(None, 0.0)

    def _bar_view(self, step: str):  # type: ignore[no-untyped-def]
        from tqdm import tqdm

        # postfix as a list: its text is shown as is (tqdm's documented bar_format pattern)
        bar = tqdm(
            total=STEPS, desc=step, file=self._stream, leave=False, ascii=False, postfix=[""],
            bar_format="  {desc}: {percentage:3.0f}%|{bar:24}| {postfix[0]} [{elapsed}<{remaining}]",
            ncols=width(self._stream), mininterval=0, smoothing=0,
        )  # fmt: skip

        def show(snapshot: Snapshot | None, elapsed: float) -> None:
            if snapshot is None:
                bar.close()
                return
            parts = [snapshot.describe()]
            if (per_second := rate(snapshot, elapsed)) is not None:
                parts.append(per_second)
            bar.postfix[0] = ", ".join(parts)
            bar.update(max(0, round(snapshot.share * STEPS) - bar.n))
            bar.refresh()

        return show
