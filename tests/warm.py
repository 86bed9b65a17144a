"""`unmet` as a real child process that starts warm, for tests that start many runs.

`python -m cli run` spends ~3 s of CPU importing Beam, Great Expectations, pyarrow and the
project before it reads a file (5.4 s wall on the shared 2-core machine, 2026-12-05); the kill
test starts fifteen runs. Here every run is a process forked from multiprocessing's fork server,
which imported `PRELOAD` once (`set_forkserver_preload`, the standard library's mechanism for
this). Each run is still its own process with its own pid, environment, argv, stdout and stderr:
SIGKILL stops it wherever it is, exactly as it stops `python -m cli`. What differs from a cold
start: the modules are already imported (import-time warnings went to the fork server's stderr,
not the run's), and a run that ends leaves through multiprocessing's `os._exit` after flushing
stdout and stderr, so `atexit` handlers do not run (the project registers none).

    proc = warm.start(["run", "--data-root", ...], env)
    for line in proc.stderr: ...          # the run's stderr, line by line, as it writes it
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

#: What a whole `unmet run` imports (listed from sys.modules after one in-process run): the
#: project's modules pull in Beam, pyarrow, DuckDB and pydantic; Great Expectations is imported by
#: the checks step only when it runs, so it is named here.
PRELOAD = [
    "cli.main",
    "cli.run",
    "pipelines.job",
    "pipelines.ingest.run",
    "pipelines.demand.run",
    "pipelines.checks.run",
    "pipelines.warehouse",
    "pipelines.reports.render",
    "apache_beam.runners.portability.fn_api_runner",
    "great_expectations",
]

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(PRELOAD)


def _main(args: list[str], env: dict[str, str], stdout_path: str, stderr: socket.socket) -> None:
    """The child: the run's environment, argv and standard streams, then the CLI as `python -m
    cli` runs it (click exits with the command's code, which becomes the process's exit code)."""
    os.environ.clear()
    os.environ.update(env)
    sys.argv = ["unmet", *args]
    out = os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.close(out)
    os.dup2(stderr.fileno(), 2)
    stderr.close()
    # like the interpreter's own: stdout buffered, stderr line-buffered
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", buffering=1, closefd=False)
    from cli.main import cli

    cli.main(args=args, prog_name="unmet")


class Run:
    """A started run, with the parts of subprocess.Popen the tests use."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        handle, name = tempfile.mkstemp(prefix="unmet-stdout-", suffix=".txt")
        os.close(handle)
        self._stdout = Path(name)
        self.args = ["unmet", *args]
        self._reader, writer = socket.socketpair()
        self._process = _CONTEXT.Process(
            target=_main, args=(args, env, str(self._stdout), writer), daemon=False
        )
        self._process.start()
        writer.close()  # the child holds the only writing end: its exit is our end of file
        self.pid = self._process.pid
        self.stderr = self._reader.makefile("r", encoding="utf-8")

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def send_signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def kill(self) -> None:
        self._process.kill()

    def wait(self, timeout: float | None = None) -> int | None:
        self._process.join(timeout)
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """(stdout, the rest of stderr) once the run has ended; a run still going after `timeout`
        seconds is killed and TimeoutExpired raised, as subprocess does."""
        self._reader.settimeout(timeout)
        try:
            err = self.stderr.read()
        except TimeoutError as exc:
            self.kill()
            self._process.join()
            self._stdout.unlink(missing_ok=True)
            raise subprocess.TimeoutExpired(self.args, timeout or 0) from exc
        finally:
            self.stderr.close()
            self._reader.close()
        self._process.join(timeout)
        out = self._stdout.read_text(encoding="utf-8")
        self._stdout.unlink()
        return out, err


def start(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Start `unmet ARGS` as a warm child process with exactly `env` (default: this process's
    environment) as its environment; its stdout goes to a temporary file that `communicate`
    reads and removes."""
    return Run(args, dict(os.environ) if env is None else env)
