"""A clean stop of `unmet run` on SIGTERM (cron's and Kubernetes' way to stop a job), SIGINT
(Ctrl-C) and SIGHUP (the terminal went away).

The signal becomes an exception, `Stopped`, raised in the main thread wherever the run is: every
`with` block unwinds on the way out, so the run lock is released (the flock of a local data root;
the lock object of an object-store one is deleted) and nothing that was not published yet is
published. `unmet run` then exits 128 + the signal's number (143 for SIGTERM, 130 for SIGINT), the
shell's convention for a process ended by a signal. Stopped is a BaseException, as
KeyboardInterrupt is, so that no `except Exception` on the way (ours or a library's) swallows it.
Further stop signals are ignored while the run unwinds: a second Ctrl-C, or the SIGTERM a
supervisor repeats, must not cut the release of the lock short. A library that catches Stopped
and raises another exception instead (Beam wraps what a step raises) does not change the outcome:
once a stop signal arrived, any exception that leaves the run is taken as the stop. SIGKILL
cannot be caught: a run killed that way leaves the lock object of an object-store data root
behind (`unmet unlock`).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

#: The signals that stop a run cleanly.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Stopped(BaseException):
    """A stop signal arrived."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@contextmanager
def stops_on_signals() -> Iterator[None]:
    """Within the block, a stop signal raises Stopped; the earlier handlers are restored after.

    The stop is recorded when the signal arrives, and any exception that leaves the block after
    that is the stop: raised inside a Beam step, Stopped reaches us wrapped by Beam in another
    exception (`RuntimeError: cli.stop.Stopped: ... [while running 'IngestReference/...']`),
    which is replaced here by the Stopped itself."""
    requested: list[Stopped] = []

    def stop(signum: int, _: FrameType | None) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        requested.append(Stopped(signum))
        raise requested[0]

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        yield
    except Exception:
        if requested:  # a failure after the stop signal: the stop, as its code and line say
            raise requested[0] from None
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
