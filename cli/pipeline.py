"""`unmet pipeline ...`: run one Beam pipeline on its own, for clusters and object stores."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from cli.common import (
    EXIT_COUNTS,
    ExitError,
    check_runner,
    display_path,
    parse_as_of,
    quiet_libraries,
)

_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True}


@click.group("pipeline")
def pipeline() -> None:
    """Run the ingest or the demand pipeline alone, on any Beam runner and file system.

    Paths may be local or any file system Beam knows (gs://, s3://, ...). Unknown options go to
    Beam. `unmet run` does both plus checks, publishing, DuckDB and the report, on a local or an
    s3:// data root.

    Example:

        unmet pipeline ingest --inputs gs://b/inputs --out gs://b/runs/r1 --runner=DataflowRunner
    """


@pipeline.command("ingest", context_settings=_PASS_THROUGH)
@click.option("--inputs", required=True, help="Folder (or URL) with the five input folders.")
@click.option("--out", required=True, help="Folder (or URL) to write stg_*, rejects, ingest_files.")
@click.option("--as-of", callback=parse_as_of, help="Treat this time as now (default: now).")
@click.pass_context
def ingest(ctx: click.Context, inputs: str, out: str, as_of: datetime | None) -> None:
    """Input files -> staging Parquet + quarantine; prints read = accepted + quarantined.

    Example:

        unmet pipeline ingest --inputs data/sample --out /tmp/unmet-run
    """
    quiet_libraries()
    check_runner(ctx.args)
    from pipelines import flow, summary
    from pipelines.ingest import run as ingest_run

    try:
        ingest_run.run(inputs, out, as_of or datetime.now(UTC), ctx.args)
    except ingest_run.MissingInput as err:
        raise ExitError(str(err)) from None
    except flow.Incomplete as err:
        raise ExitError(str(err), EXIT_COUNTS) from None
    counts = summary.count(out)
    click.echo(summary.render(counts))
    try:
        summary.check(counts)
    except summary.CountMismatch as err:
        raise ExitError(f"records or lines lost: {err}", EXIT_COUNTS) from None


@pipeline.command("demand", context_settings=_PASS_THROUGH)
@click.option("--staging", required=True, help="Folder (or URL) the ingest wrote.")
@click.option(
    "--out", required=True, help="Folder (or URL) for demand_signals, demand_events, marts."
)
@click.option("--window-minutes", default=30, show_default=True, type=click.IntRange(1, 24 * 60))
@click.option(
    "--unit-rows",
    default=200_000,
    show_default=True,
    type=click.IntRange(1),
    help="About how many staged rows one unit of work (a week's store group) holds: smaller "
    "units take less memory per worker and give a cluster more to spread.",
)
@click.pass_context
def demand(ctx: click.Context, staging: str, out: str, window_minutes: int, unit_rows: int) -> None:
    """Staging Parquet -> demand ledger and mart_unmet_demand.

    Example:

        unmet pipeline demand --staging /tmp/unmet-run --out /tmp/unmet-run
    """
    quiet_libraries()
    check_runner(ctx.args)
    from pipelines import flow
    from pipelines.demand import run as demand_run

    try:
        demand_run.run(staging, out, window_minutes, ctx.args, unit_rows)
    except flow.Incomplete as err:
        raise ExitError(str(err), EXIT_COUNTS) from None
    click.echo(
        f"wrote demand_signals, demand_events and mart_unmet_demand under {display_path(out)}"
    )
