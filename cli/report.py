"""`unmet report`: the weekly HTML/CSV report, or one store's page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from cli.common import (
    ExitError,
    data_root_option,
    display_path,
    quiet_libraries,
    withdrawals_applied,
)
from schemas.weeks import iso_week


def _week(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return iso_week(datetime.strptime(value + "-1", "%G-W%V-%u").date())
    except ValueError:
        raise click.BadParameter(f"not an ISO week: {value!r} (expected e.g. 2026-W47)") from None


@click.command("report")
@data_root_option
@click.option(
    "--week",
    callback=_week,
    help="ISO week, e.g. 2026-W47 (default: the last complete week that has data).",
)
@click.option(
    "--store",
    "store_id",
    metavar="STORE_ID",
    help="Write this store's one-page view instead of the chain report (any letter case).",
)
def report(data_root: Path, week: str | None, store_id: str | None) -> None:
    """Write the weekly unmet-demand report (HTML + one CSV per table) from DATA_ROOT/unmet.duckdb.

    The chain report goes to DATA_ROOT/reports/<week>/report.html; with --store, one store's page
    (what its customers asked for, notes, customers to follow up) goes to
    DATA_ROOT/reports/<week>/stores/<store_id>.html. `unmet run` writes the chain report already;
    it, and the chain report of a week written again, render that week's store pages again too.

    Example:

    \b
        unmet report --data-root data --week 2026-W47
        unmet report --data-root data --week 2026-W47 --store S003
    """
    db_path = data_root / "unmet.duckdb"
    if not db_path.is_file():
        raise ExitError(
            f"no DuckDB file at {display_path(db_path, folder=False)}: run `unmet run "
            f"--data-root {display_path(data_root)}` first"
        )
    quiet_libraries()
    import duckdb

    from pipelines import warehouse
    from pipelines.reports import render, store
    from pipelines.reports.weekly_data import NoDataForWeek, check_week

    # The published run, resolved once: the report is read from its DuckDB file and written into
    # its reports folder, even if `unmet run` publishes another run meanwhile.
    run_db = warehouse.pinned(db_path)
    if week is None:
        from pipelines import job

        week = job.default_week(run_db, datetime.now(UTC))
        if week is None:
            raise ExitError(
                f"{display_path(db_path, folder=False)} holds no demand events yet: nothing to report"
            )
    reports_root = run_db.parent / "reports"
    try:
        con = warehouse.connect_read_only(run_db)
        try:
            check_week(con, week)
        finally:
            con.close()
        if store_id is not None:
            # the page lists the store's customers to follow up: not while the inputs hold
            # withdrawals the run did not read; quarantined ones are warned of (`unmet run`
            # writes the store pages of its week whatever it quarantined)
            withdrawals_applied(run_db.parent, "no store page is written", despite_quarantined=True)
            if not (reports_root / week / "report.html").is_file():  # the page links to it
                render.write_weekly(run_db, reports_root, week)
            path = store.write_store(run_db, reports_root, week, store_id)
        else:
            path = render.write_weekly(run_db, reports_root, week) / "report.html"
    except (store.UnknownStore, NoDataForWeek) as err:
        raise ExitError(str(err)) from None
    except duckdb.Error as err:
        raise ExitError(f"cannot read {display_path(db_path, folder=False)}: {err}") from None
    shown = data_root / "reports" / path.relative_to(reports_root)
    if warehouse.pinned(db_path) != run_db:
        raise ExitError(
            f"a newer run was published while the report was written (into the run before it, "
            f"{run_db.parent.name}): run the command again for the published run"
        )
    click.echo(f"report: {display_path(shown, folder=False)} (week {week})")
