"""`unmet run`: the whole job, end to end."""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from cli.common import (
    EXIT_CHECKS,
    EXIT_COUNTS,
    EXIT_FAILED,
    EXIT_INPUT_CHANGED,
    EXIT_LOCKED,
    ExitError,
    check_runner,
    detach_log,
    display_path,
    log_to_file,
    parse_as_of,
    quiet_libraries,
)
from cli.progress import Display
from cli.stop import Stopped, stops_on_signals


def _warn_not_read(inputs_root: str, log: logging.Logger) -> None:
    """Say which entries of the sources' folders the run will not read (another extension, a
    sub-folder): a week delivered as `.CSV` or `.gz` would otherwise vanish without a word."""
    from pipelines.ingest import inputs
    from pipelines.ingest.sources import ALL

    messages = []
    top = inputs.not_read_at_top(inputs_root, frozenset(spec.folder for spec in ALL))
    if top:
        folders = ", ".join(f"{spec.folder}/" for spec in ALL)
        messages.append(f"{_listed(top)} (the inputs are {folders}: docs/formats.md)")
    for spec in ALL:
        names = inputs.not_read(inputs_root, spec.folder, spec.glob)
        if names:
            messages.append(f"{_listed(names)} (only {spec.folder}/{spec.glob} files are inputs: "
                            "docs/formats.md)")  # fmt: skip
    for message in messages:
        click.echo(f"warning: not read: {message}", err=True)
        log.warning("not read: %s", message)


def _listed(names: list[str]) -> str:
    return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _why_week(given: str | None, chosen: str | None, as_of: datetime | None) -> str:
    """Why the run reported `chosen`, in words for the cron log."""
    from pipelines import job

    if given is not None:
        return "asked for with --week"
    if chosen == job.last_complete_week(as_of or datetime.now(UTC)):
        return "the last complete ISO week"
    return "the latest week with data; the last complete ISO week has none"


def _unapplied_withdrawals(result) -> int:
    """The consent withdrawal rows the run quarantined and did not apply: from its folder when it
    is on this machine (a repeated withdrawal id is applied all the same and not counted:
    pipelines.reports.consent.unapplied), else every quarantined withdrawal row."""
    from pipelines.reports import consent

    if (Path(result.run_dir) / "manifest.json").is_file():
        return consent.unapplied(Path(result.run_dir))
    return sum(c.quarantined for c in result.counts if c.source == consent.SOURCE)


def _repeats(result, unapplied: int) -> str:
    """The quarantined withdrawal rows that repeat a withdrawal id (applied all the same), said
    after the others."""
    quarantined = sum(c.quarantined for c in result.counts if c.source == "consent_withdrawals")
    more = quarantined - unapplied
    return f" ({more} more repeat withdrawals already applied)" if more else ""


def _stopped(err: Stopped, data_root: str, beam_args: list[str], started: str) -> str:
    """The one line of a stopped run: whether it got published first (a signal after the publish
    step, while old runs were pruned) is read from the data root: a published run id at least
    `started` is this run's."""
    from pipelines import objectstore, publish

    try:
        if objectstore.is_remote(data_root):
            current = objectstore.Store.open(data_root, beam_args).published()
        else:
            found = publish.published_run(Path(data_root).resolve())
            current = found.name if found else None
    except Exception as failed:  # the bucket cannot be read now: say so rather than guess
        return f"{err}; could not read which run is published ({type(failed).__name__})"
    if current is not None and current >= started:
        return f"{err} after run {current} was published"
    return f"{err}; nothing published"


@click.command(
    "run",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.option(
    "--data-root",
    default="data",
    show_default=True,
    envvar="UNMET_DATA_ROOT",
    help="Folder the job writes to, or an object-store URL such as s3://BUCKET/unmet (then "
    "--local-root is needed; env UNMET_DATA_ROOT).",
)
@click.option(
    "--inputs",
    envvar="UNMET_INPUTS",
    help="Folder (or s3:// URL) with frontline_notes/, oos_lookups/, lost_sales/, catalog/, "
    "stores/ and (optional) consent_withdrawals/: every week's files, not only the new ones "
    "(env UNMET_INPUTS; default: DATA_ROOT/sample).",
)
@click.option(
    "--local-root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="UNMET_LOCAL_ROOT",
    help="With an s3:// data root: the local folder that gets the DuckDB file and the reports "
    "(LOCAL_ROOT/unmet.duckdb, LOCAL_ROOT/reports) and the copy of the published run's Parquet "
    "they read (env UNMET_LOCAL_ROOT).",
)
@click.option(
    "--week",
    help="ISO week to report, e.g. 2026-W47 (default: the last complete week). A week without "
    "data: the run is published, the report refused (exit 1, the weeks with data listed).",
)
@click.option(
    "--as-of",
    callback=parse_as_of,
    help="Treat this time as now: later timestamps are quarantined as future (default: now).",
)
@click.option("--window-minutes", default=30, show_default=True, type=click.IntRange(1, 24 * 60),
              help="Signals of one customer moment are linked within this window.")  # fmt: skip
@click.option(
    "--no-report", is_flag=True, help="Skip the HTML/CSV report (the run is published without one)."
)
@click.option("--full-refresh", is_flag=True,
              help="Parse every input file and rebuild every week, even when the run would be "
              "incremental (only new fact files parsed) or up to date (nothing rebuilt).")  # fmt: skip
@click.option("--keep-runs", default=4, show_default=True, type=click.IntRange(1, None),
              envvar="UNMET_KEEP_RUNS",
              help="Finished runs kept in DATA_ROOT/runs (the published one always is; a run "
              "killed before its publish is removed, not kept; env UNMET_KEEP_RUNS).")  # fmt: skip
@click.pass_context
def run(
    ctx: click.Context,
    data_root: str,
    inputs: str | None,
    local_root: Path | None,
    week: str | None,
    as_of: datetime | None,
    window_minutes: int,
    no_report: bool,
    full_refresh: bool,
    keep_runs: int,
) -> None:
    """Run the whole job: ingest, demand ledger, checks, publish, DuckDB warehouse, weekly report.

    Runs are incremental. With the inputs (bytes and modification-time order), settings, code
    and library versions of the published run, nothing is rebuilt ("up to date"). When the only
    change is new frontline_notes, oos_lookups or lost_sales files that sort after and were
    delivered after the earlier ones, only those are parsed and only their weeks rebuilt; new
    consent withdrawals parse again only the note files of the withdrawn customers. Any
    other change is a full refresh of all inputs, and the progress line says why: a file removed,
    changed or re-timed (its modification time reorders which copy of a repeated id is kept), a
    new catalog or stores file, another --window-minutes, new code or
    library versions, or another --as-of while the published run quarantined records as in the
    future. An input file the published run read that cannot be read now stops the run (exit 1,
    nothing published): restore it, or move it out of the inputs folder to drop its records.

    Any option unknown to unmet is passed to Beam (for example --runner=DataflowRunner
    --project=... on a cluster, or --direct_running_mode=multi_processing). Locally Beam runs on
    its in-process runner.

    With an object-store data root (s3://...) the pipelines write the run there, the driver
    checks a copy of it on its own disk, and publishing is one PUT of the pointer object CURRENT;
    the DuckDB file and the reports go to --local-root (docs/scaling.md). Beam's S3 flags
    (--s3_endpoint_url, --s3_access_key_id, ...) or the standard AWS_* variables reach the bucket.

    SIGTERM, SIGINT (Ctrl-C) and SIGHUP stop the run cleanly: nothing is published, the lock is
    released, and the exit status is 128 + the signal (143, 130, 129). A run killed with SIGKILL
    leaves an s3:// data root's lock behind: `unmet unlock` removes it.

    An input file that changes while the run reads it (a feed re-delivering it in place) stops
    the run before anything is published (exit 5; a plain rerun reads it). Every run's outcome,
    its exit code and a one-line reason, ends its JSON log in DATA_ROOT/logs.

    Example:

        unmet run --data-root data --inputs data/sample --week 2026-W47
    """
    log = logging.getLogger("unmet.run")
    try:
        outcome = _run(ctx, data_root, inputs, local_root, week, as_of, window_minutes,
                       no_report, full_refresh, keep_runs)  # fmt: skip
    except click.ClickException as err:
        _log_outcome(log, err.exit_code, err.format_message())
        raise
    except Exception as err:  # a bug or an unforeseen failure: logged, then its traceback
        from pipelines.ingest.redact import scrub

        _log_outcome(log, EXIT_FAILED, scrub(f"unexpected error: {type(err).__name__}: {err}"))
        raise
    _log_outcome(log, 0, outcome)


def _log_outcome(log: logging.Logger, code: int, reason: str) -> None:
    """The last line of a run's JSON log: its exit code and why, in one line (the first line of
    the message shown; messages of ours hold no contact detail: cli.common.ExitError)."""
    first = reason.strip().splitlines()[0] if reason.strip() else ""
    if code == 0:
        log.info("run ended (exit 0): %s", first)
    else:
        log.error("run failed (exit %d): %s", code, first)


def _run(
    ctx: click.Context,
    data_root: str,
    inputs: str | None,
    local_root: Path | None,
    week: str | None,
    as_of: datetime | None,
    window_minutes: int,
    no_report: bool,
    full_refresh: bool,
    keep_runs: int,
) -> str:
    """`unmet run`'s work; returns the one-line outcome of a run that succeeded."""
    quiet_libraries()
    check_runner(ctx.args)

    from pipelines import consent_delta, flow, job, summary
    from pipelines.checks.run import ChecksFailed
    from pipelines.ingest.reads import ChangedWhileRead
    from pipelines.ingest.run import MissingInput
    from pipelines.objectstore import Unusable, is_remote
    from pipelines.publish import Locked

    remote = is_remote(data_root)
    if remote and not data_root.startswith("s3://"):
        raise click.UsageError(
            f"only s3:// object-store data roots are supported: {display_path(data_root)}"
        )
    if remote and local_root is None:
        raise click.UsageError(
            "an object-store --data-root needs --local-root DIR: the local folder for the "
            "DuckDB file and the reports (DuckDB cannot read s3:// here)"
        )
    if remote and inputs is None:
        raise click.UsageError("an object-store --data-root needs --inputs")
    if not remote and Path(data_root).is_file():
        raise click.BadParameter(
            f"{display_path(data_root)} is a file, not a folder", param_hint="--data-root"
        )
    shown_root = local_root if remote and local_root is not None else Path(data_root)
    # one file per run: two runs started in the same second (one refused by the lock) do not share
    log_path = shown_root / "logs" / f"run-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}.log"
    handler = log_to_file(log_path)
    ctx.call_on_close(lambda: detach_log(handler))  # in-process callers run more than one
    log = logging.getLogger("unmet.run")
    inputs = inputs or str(Path(data_root) / "sample")
    if not is_remote(inputs) and Path(inputs).is_file():  # a bad value, as click.Path said it
        raise click.BadParameter(
            f"{display_path(inputs)} is a file, not a folder", param_hint="--inputs"
        )
    if not is_remote(inputs) and not Path(inputs).is_dir():
        raise ExitError(f"inputs folder not found: {display_path(inputs)}")
    if week is not None:
        try:
            job.parse_week(week)
        except ValueError as err:
            raise click.BadParameter(str(err), param_hint="--week") from None
    progress = Display(sys.stderr, log)  # a bar per step on a terminal, else time-stamped lines
    if is_remote(inputs):  # Beam's file systems need the S3 flags to list the inputs
        from pipelines.options import pipeline_options

        pipeline_options(ctx.args)
    _warn_not_read(inputs, log)

    started = job.new_run_id(datetime.now(UTC))  # this run's id is this or later
    try:
        with stops_on_signals():  # SIGTERM, SIGINT, SIGHUP: the lock is released (cli/stop.py)
            if remote:
                from pipelines import remote as remote_job

                assert local_root is not None
                result = remote_job.run_job(
                    data_root, inputs, local_root, as_of=as_of, week=week,
                    window_minutes=window_minutes, beam_args=ctx.args, progress=progress,
                    render_report=not no_report, full_refresh=full_refresh, keep_runs=keep_runs,
                )  # fmt: skip
            else:
                result = job.run_job(
                    Path(data_root), Path(inputs), as_of=as_of, week=week,
                    window_minutes=window_minutes, beam_args=ctx.args, progress=progress,
                    render_report=not no_report, full_refresh=full_refresh, keep_runs=keep_runs,
                )  # fmt: skip
    except Stopped as err:
        log.info("stopped by %s", err.name)
        raise ExitError(_stopped(err, data_root, ctx.args, started), err.exit_code) from None
    except ChangedWhileRead as err:  # a file re-delivered in place while the run read it
        raise ExitError(str(err), EXIT_INPUT_CHANGED) from None
    except consent_delta.Missed as err:
        raise ExitError(
            f"consent check failed: {err}; nothing was published; run again with "
            "--full-refresh, which applies every consent withdrawal to every note",
            EXIT_CHECKS,
        ) from None
    except Locked as err:
        from pipelines.ingest.names import without_emails

        log.warning(
            "not run: %s", without_emails(str(err))
        )  # the log of a refused run says why it is that short
        raise ExitError(str(err), EXIT_LOCKED) from None
    except MissingInput as err:
        raise ExitError(str(err)) from None
    except Unusable as err:  # an object-store data root that cannot be opened
        raise ExitError(str(err)) from None
    except summary.CountMismatch as err:
        raise ExitError(
            f"records or lines lost: {err}; nothing was published", EXIT_COUNTS
        ) from None
    except flow.Incomplete as err:  # a runner skipped a step
        raise ExitError(f"{err}; nothing was published", EXIT_COUNTS) from None
    except ChecksFailed as err:
        raise ExitError(
            f"data-quality checks failed; nothing was published\n{err}", EXIT_CHECKS
        ) from None

    click.echo(summary.render(result.counts))
    unapplied = _unapplied_withdrawals(result)
    if unapplied:  # review 10: the privacy team must hear of it at the run, not from a complaint
        click.echo(
            f"warning: {unapplied} consent withdrawal rows were quarantined and are not applied"
            f"{_repeats(result, unapplied)}; "
            'correct them in the inputs (unmet query "select source_file, source_line, reason '
            "from rejects where source = 'consent_withdrawals'\"); until then `unmet followups` "
            "lists nobody",
            err=True,
        )
        log.warning("%d consent withdrawal rows quarantined, not applied", unapplied)
    for name, earlier in result.redelivered.items():
        click.echo(f"re-delivered: {name} has the same bytes as {earlier}; its records are "
                   "quarantined as duplicates")  # fmt: skip
    if result.up_to_date:
        click.echo(f"\nup to date: no new or changed input files since run {result.run_id}")
        outcome = f"up to date: run {result.run_id} stays published"
    else:
        outcome = f"published run {result.run_id}"
    log.info("%s", outcome)
    if remote:
        root, copy = display_path(data_root), display_path(result.run_dir)
        click.echo(f"\nrun {result.run_id}: published {root}/runs/{result.run_id} "
                   f"(pointer {root}/CURRENT); local copy {copy}")  # fmt: skip
    else:
        click.echo(f"\nrun {result.run_id}: published {display_path(result.run_dir)}")
    click.echo(f"DuckDB:   {display_path(result.db_path, folder=False)}")
    if result.report_dir is not None:
        page = display_path(result.report_dir / "report.html", folder=False)
        click.echo(f"report:   {page} (week {result.week}: {_why_week(week, result.week, as_of)})")
    click.echo(f"log:      {display_path(log_path, folder=False)}")
    if result.no_report is not None:
        # as `unmet report --week` refuses it; the data itself was published (README "Cron")
        data = (
            f"the published run ({result.run_id}) is kept"
            if result.up_to_date
            else f"the run's data was published (run {result.run_id})"
        )
        raise ExitError(
            f"{result.no_report}\nno report was written; {data}, and `unmet report --week WEEK` "
            "writes the report of a week with data"
        )
    if week is None and result.week is not None:
        target = job.last_complete_week(as_of or datetime.now(UTC))
        if result.week != target:
            late = (
                f"the last complete ISO week, {target}, has no demand data (a late feed?); the "
                f"report is for {result.week}, the latest week with data"
            )
            click.echo(f"warning: {late}", err=True)
            log.warning("%s", late)
    return outcome
