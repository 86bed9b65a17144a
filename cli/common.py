"""Options and error handling shared by the commands."""

from __future__ import annotations

import functools
import logging
import os
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import click

#: Documented exit codes (README "Exit codes").
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_COUNTS = 3
EXIT_CHECKS = 4
#: An input file changed while `unmet run` read it (re-delivered in place?): nothing published,
#: a plain rerun reads it (pipelines/ingest/reads.py).
EXIT_INPUT_CHANGED = 5
EXIT_LOCKED = 75
#: `unmet run` stopped by a signal: 128 + its number, the shell's convention (cli/stop.py).
EXIT_SIGHUP = 129
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class ExitError(click.ClickException):
    """A readable error with a chosen exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        from pipelines.ingest.names import without_emails

        super().__init__(without_emails(message))  # a path or URL in it may name an address
        self.exit_code = code

    def show(self, file: IO[Any] | None = None) -> None:
        try:
            super().show(file)
        except OSError:  # the terminal went away (SIGHUP): the exit code still says what happened
            pass


def check_runner(beam_args: list[str]) -> None:
    """Refuse, as a bad option value (exit 2), a Beam runner that downloads something at run time
    (DirectRunner, PrismRunner) or one Beam does not know (a mistyped name): pipelines/options.py,
    before anything runs."""
    from pipelines.options import refused_runner

    refused = refused_runner(beam_args)
    if refused is not None:
        raise click.UsageError(refused)


def _local_data_root(_: click.Context, __: click.Parameter, value: str) -> Path:
    """A local folder; an object-store URL (UNMET_DATA_ROOT=s3://... as `unmet run` takes it)
    is refused with where this command's files are: the run's --local-root."""
    if "://" in value:
        raise click.BadParameter(
            f"{value} is an object-store data root: the DuckDB file, reports and follow-ups of "
            "such a run are under its --local-root; give that folder",
            param_hint="--data-root",
        )
    return Path(value)


def _output_file(_: click.Context, __: click.Parameter, value: Path | None) -> Path | None:
    """An output file whose folder exists, checked before any work is done (not a traceback
    after it)."""
    if value is not None and not value.parent.is_dir():
        raise click.BadParameter(
            f"the folder {display_path(value.parent)} does not exist (create it first)"
        )
    return value


#: The type and check of an option naming a file a command writes (--out, --rejects).
OUTPUT_FILE = {"type": click.Path(dir_okay=False, path_type=Path), "callback": _output_file}


def data_root_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    @click.option(
        "--data-root",
        type=click.Path(file_okay=False),
        callback=_local_data_root,
        default="data",
        show_default=True,
        envvar="UNMET_DATA_ROOT",
        help="Folder the job writes to (env UNMET_DATA_ROOT).",
    )
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


def parse_as_of(_: click.Context, __: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO date or timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def quiet_libraries() -> None:
    """Process settings for the commands that run pipelines: keep Beam's and other libraries'
    chatter off the terminal (it goes to the run log instead), and Arrow's allocator.

    Call before importing apache_beam (and so pyarrow): Beam logs a warning at import time, which
    Python's last-resort handler would print to stderr.
    """
    warnings.filterwarnings("ignore")
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())
    root.setLevel(logging.INFO)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # Arrow's default allocator (mimalloc) keeps freed pages: at 1M records the gate step peaked at
    # 2.6 GiB with it and 1.9 GiB with the system allocator, at the same speed (docs/performance.md).
    # Read by pyarrow when it is first imported, and inherited by Beam's worker processes.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def log_to_file(path: Path) -> logging.Handler:
    """Send every log record of this process (ours and Beam's) to `path`, one JSON object a line."""
    import json

    class _Json(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return json.dumps(
                {
                    "ts": datetime.fromtimestamp(record.created).isoformat(timespec="milliseconds"),
                    "level": record.levelname,
                    "logger": record.name,
                    "message": record.getMessage(),
                }
            )

    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_Json())
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    return handler


def detach_log(handler: logging.Handler) -> None:
    """Stop sending this process's log records to a `log_to_file` handler, and close its file: a
    run started in-process (a library caller, the tests) must not write the next run's records
    into its own log."""
    logging.getLogger().removeHandler(handler)
    handler.close()


def withdrawals_applied(run_dir: Path, refused: str, despite_quarantined: bool = False) -> None:
    """Refuse (exit 1: `refused` says what is not done) while the published run in `run_dir` has
    not applied every consent withdrawal: its inputs hold withdrawal files it did not read, or
    it quarantined withdrawal rows (with `despite_quarantined`, only a warning); warn when it
    cannot be told (pipelines.reports.consent)."""
    from pipelines.reports import consent

    published = run_dir if (run_dir / "manifest.json").is_file() else None
    found = consent.check(published, despite_quarantined=despite_quarantined)
    if found.current is False:
        raise ExitError(
            f"consent withdrawals are not all applied in the published run: {found.why}; "
            f"then run `unmet run` so that they apply ({refused})"
        )
    if found.current is None and published is not None:
        click.echo(
            f"warning: cannot check that the published run read every consent withdrawal: "
            f"{found.why}; a withdrawal delivered since applies from the next `unmet run`",
            err=True,
        )
    if found.quarantined and despite_quarantined:
        click.echo(f"warning: {consent.quarantined_rows(found.quarantined)}", err=True)


def display_path(path: str | Path, folder: bool = True) -> str:
    """A path the user gave (a folder, or a file when not `folder`) as messages show it: an
    e-mail address in a name replaced (pipelines.ingest.parse; docs/privacy.md: no contact
    detail in any output or message, a folder named after a customer's address included)."""
    from pipelines.ingest.names import shown_folder, shown_path

    return shown_folder(str(path)) if folder else shown_path(str(path))
