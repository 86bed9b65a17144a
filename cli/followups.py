"""`unmet followups`: consenting customers whose unmet demand a new catalog's new skus can serve."""

from __future__ import annotations

import contextlib
import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.common import OUTPUT_FILE, ExitError, data_root_option, display_path, withdrawals_applied

if TYPE_CHECKING:
    import duckdb

    from pipelines.reports.catalog_file import Quarantined
    from pipelines.reports.followups import Followups

CATALOG_PATH = click.Path(path_type=Path)


@click.command("followups")
@data_root_option
@click.option(
    "--catalog",
    "catalog_path",
    required=True,
    type=CATALOG_PATH,
    help="New catalog: a CSV file or a folder of them (format of the inputs' catalog/*.csv).",
)
@click.option(
    "--since",
    "since_path",
    type=CATALOG_PATH,
    help="Previous catalog (file or folder): only skus it did not list count as new. "
    "Default: the catalog of the published run.",
)
@click.option(
    "--weeks",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Only demand asked in the last N ISO weeks up to the newest published demand.",
)
@click.option(
    "--store",
    "store_id",
    metavar="STORE_ID",
    help="Only items last asked for at this store (the store id in any case: s003 = S003).",
)
@click.option(
    "--out",
    **OUTPUT_FILE,
    help="Write the CSV to this file instead of standard output.",
)
@click.option(
    "--rejects",
    **OUTPUT_FILE,
    help="Write every quarantined catalog row (file, line, reason) to this CSV file.",
)
@click.option(
    "--include-sent",
    is_flag=True,
    help="Also list the asks already followed up (in DATA_ROOT/state/followups_sent.csv).",
)
@click.option(
    "--no-record",
    is_flag=True,
    help="Do not record the asks listed as followed up (a preview).",
)
@click.option(
    "--despite-quarantined-withdrawals",
    "despite_quarantined",
    is_flag=True,
    help="List even though the published run quarantined consent withdrawal rows (not applied): "
    "only once they were read and none names a customer who asked.",
)
def followups(
    data_root: Path,
    catalog_path: Path,
    since_path: Path | None,
    weeks: int,
    store_id: str | None,
    out: Path | None,
    rejects: Path | None,
    include_sent: bool,
    no_record: bool,
    despite_quarantined: bool,
) -> None:
    """List consenting customers whose demand a new catalog can now serve, as CSV for a CRM.

    One row per customer and demanded item (category, color, pattern, size), for demand asked in
    the last --weeks ISO weeks, where customer_ref is set and their note says
    customer_consent = true and no consent withdrawal (the inputs' consent_withdrawals/) came at
    or after it; while the inputs hold withdrawals the published run did not read, nobody is
    listed (run `unmet run` first), nor while the published run quarantined withdrawal rows
    (correct them, or see --despite-quarantined-withdrawals). Only skus new since the previous
    catalog (--since, default the published run's) count, so feeding the same catalog twice
    lists nobody. A new sku matches when it is the sku asked for (if it has the color family /
    pattern / size named), or has the category and every color family / pattern / size named.
    Catalog values are read with the notes' lexicon ("Medium" = M, "Solid" = solid); bad catalog
    rows are quarantined (listed on stderr) unless most rows are bad. Columns: docs/followups.md.

    Asks already listed by an earlier `unmet followups` (the same customer and category, asked on
    the same or an earlier day; recorded in DATA_ROOT/state/followups_sent.csv) are left out unless
    --include-sent; the asks listed are recorded there unless --no-record. Two recording runs on
    one data root take turns (the second waits). Resetting it: docs/followups.md.

    Example:

    \b
        unmet followups --data-root data --catalog spring_catalog.csv \\
            --since winter_catalog.csv --weeks 4 --store S003 --out calls.csv
    """
    from pipelines import warehouse
    from pipelines.reports import catalog_file as cf
    from pipelines.reports import followup_ledger as fl
    from pipelines.reports import followups as fu
    from pipelines.reports import query as q
    from pipelines.reports.tables import write_csv

    db_path = data_root / "unmet.duckdb"
    ledger_path = fl.ledger_path(data_root)
    # the published run, resolved once: the withdrawals are checked in the run that is listed
    run_db = warehouse.pinned(db_path) if db_path.is_file() else db_path
    try:
        con = q.connect(run_db)  # first: no lock file is made beside a data root that is not one
    except q.QueryError as err:
        raise ExitError(str(err)) from None
    try:
        withdrawals_applied(run_db.parent, "nobody is listed", despite_quarantined)
    except ExitError:
        con.close()
        raise
    held = (
        contextlib.nullcontext()
        if no_record
        else fl.held(
            ledger_path,
            lambda: click.echo(
                "waiting for another `unmet followups` recording in "
                f"{display_path(ledger_path, folder=False)}",
                err=True,
            ),
        )
    )
    with held:
        try:
            try:
                ledger = fl.read_ledger(ledger_path)
            except (fl.LedgerError, UnicodeDecodeError) as err:
                raise ExitError(str(err)) from None
            if store_id is not None:
                store_id = _known_store(con, store_id)
            try:
                catalog = cf.load_catalog(catalog_path)
                previous = cf.catalog_skus(since_path) if since_path is not None else None
            except cf.CatalogError as err:
                raise ExitError(str(err)) from None
            if catalog.quarantined:
                click.echo(f"warning: {cf.describe_quarantine(catalog)}", err=True)
            if rejects is not None:
                _write_rejects(rejects, catalog.quarantined)
            found = fu.find_followups(con, catalog.table(), previous, weeks, store_id)
        finally:
            con.close()
        since = str(since_path) if since_path is not None else "the published run's catalog"
        _explain(found, catalog_path, since, weeks)
        split = fl.split_sent(found.table, ledger)
        listed = found.table if include_sent else split.new
        if split.sent.rows:
            click.echo(
                f"{len(split.sent):,} of the {len(found.table):,} follow-ups were listed before "
                f"({display_path(ledger_path, folder=False)}): "
                + (
                    "listed again (--include-sent)"
                    if include_sent
                    else "left out (--include-sent lists them)"
                ),
                err=True,
            )
        if out is None:
            click.echo(q.format_csv(listed), nl=False)
        else:
            write_csv(out, listed)
            click.echo(
                f"{len(listed):,} follow-ups written to {display_path(out, folder=False)}", err=True
            )
        if not no_record:
            added = fl.record(ledger_path, listed, datetime.now(UTC), catalog_path.name)
            if added:
                click.echo(
                    f"{added:,} asks recorded as followed up in {display_path(ledger_path, folder=False)}",
                    err=True,
                )


def _known_store(con: duckdb.DuckDBPyConnection, store_id: str) -> str:
    """The store id as the stores file writes it (pipelines.reports.store.resolve_store)."""
    from pipelines.reports.store import UnknownStore, known_stores, resolve_store

    try:
        return resolve_store(known_stores(con), store_id)
    except UnknownStore as err:
        raise ExitError(str(err)) from None


def _write_rejects(path: Path, quarantined: list[Quarantined]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "reason"])
        writer.writerows([[r.file, r.line, r.reason] for r in quarantined])


def _explain(found: Followups, catalog_path: Path, since: str, weeks: int) -> None:
    """Say on stderr what was compared, and warn (exit 0) when nothing can be followed up."""
    if found.first_day is None:
        click.echo(
            "warning: the published run has no demand at all: nothing to follow up", err=True
        )
        return
    click.echo(
        f"{found.new_skus:,} skus of {display_path(catalog_path, folder=False)} are new since {since}; "
        f"{found.demanded_items:,} items asked by consenting customers from {found.first_day} "
        f"to {found.last_day} ({weeks} ISO week{'s' if weeks != 1 else ''})",
        err=True,
    )
    if found.new_skus == 0:
        click.echo(
            f"warning: {display_path(catalog_path, folder=False)} has no sku that {since} did not "
            "already list: "
            "nothing new to follow up",
            err=True,
        )
    elif not found.table.rows:
        click.echo(
            f"warning: none of the {found.new_skus:,} new skus matches what a consenting "
            "customer asked for in the window (check the catalog's categories, colors and sizes)",
            err=True,
        )
