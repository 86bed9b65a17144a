"""`unmet unlock`: remove the run lock a dead run left behind."""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import ExitError, display_path, quiet_libraries


@click.command(
    "unlock",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.option(
    "--data-root",
    default="data",
    show_default=True,
    envvar="UNMET_DATA_ROOT",
    help="The data root whose lock to remove: a folder or an s3:// URL (env UNMET_DATA_ROOT).",
)
@click.pass_context
def unlock(ctx: click.Context, data_root: str) -> None:
    """Remove the run lock of a run that died (SIGKILL, a lost machine) and say who held it.

    A run stopped by SIGTERM, SIGINT or SIGHUP releases its lock itself; one killed with SIGKILL
    cannot. On an s3:// data root its lock object stays and every later run exits 75: this
    deletes it after printing its holder (pid, host, run id, start time). Refused (exit 1) while
    the holder is alive on this host; a holder on another host cannot be checked from here, so
    make sure it has ended first. On a local data root the system already released the dead
    run's lock: this only says whether a live run holds it (exit 1 if one does). Beam's S3 flags
    (--s3_endpoint_url, ...) or the AWS_* variables reach the bucket, as for `unmet run`.

    Example:

    \b
        unmet unlock --data-root s3://BUCKET/unmet --s3_endpoint_url=http://127.0.0.1:9000
        unmet unlock --data-root data
    """
    quiet_libraries()
    from pipelines import objectstore, publish
    from pipelines.ingest.names import without_emails

    try:
        if objectstore.is_remote(data_root):
            store = objectstore.Store.open(data_root, ctx.args)
            click.echo(without_emails(store.lock().remove_stale()))
        elif Path(data_root).is_file():  # a bad value, as `unmet run` says it: exit 2
            raise click.BadParameter(
                f"{display_path(data_root)} is a file, not a folder", param_hint="--data-root"
            )
        elif not Path(data_root).is_dir():  # as every other command's bad path: exit 1
            raise ExitError(f"data root not found: {display_path(data_root)}")
        else:
            click.echo(without_emails(publish.unlock(Path(data_root))))
    except (publish.StillHeld, objectstore.Unusable) as err:
        raise ExitError(str(err)) from None
