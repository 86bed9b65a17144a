"""Named pause points, for tests that stop or kill a run at a chosen point without a fixed sleep.

With the environment variable UNMET_TEST_PAUSE_AT=<name>, the run prints `paused at <name>` on
stderr when it reaches the point of that name and blocks there until a signal stops it or it is
killed. The points: the step boundaries of a run (`pipelines.job.BOUNDARIES`) and, inside a Beam
step, `PARSING` (the ingest's ParseFileFn has started on a file, before reading it).
"""

from __future__ import annotations

import os
import sys
import threading

PAUSE_ENV = "UNMET_TEST_PAUSE_AT"
#: Inside the ingest's Beam pipeline: a DoFn is about to parse its first input file.
PARSING = "parsing"


def pause(name: str) -> None:
    """With UNMET_TEST_PAUSE_AT=<name>, announce it and block until the process is stopped."""
    if os.environ.get(PAUSE_ENV) == name:
        sys.stderr.write(f"paused at {name}\n")
        sys.stderr.flush()
        threading.Event().wait()
