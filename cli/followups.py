"""`unmet followups`: consenting customers whose unmet demand a new catalog can now serve."""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import ExitError, data_root_option


@click.command("followups")
@data_root_option
@click.option(
    "--catalog",
    "catalog_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="New catalog CSV (same format as catalog/catalog.csv of the inputs).",
)
@click.option("--store", "store_id", metavar="STORE_ID", help="Only this store's customers.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the CSV to this file instead of standard output.",
)
def followups(data_root: Path, catalog_path: Path, store_id: str | None, out: Path | None) -> None:
    """List consenting customers whose demand is now available in a new catalog, as CSV for a CRM.

    A customer is listed only where they consented (customer_ref set and their note says
    customer_consent = true). A sku matches when it is the sku they asked for, or has the
    category and every color family / pattern / size they named. Columns: customer_ref, store_id,
    event_id, category, color, pattern, size, classification, matching_skus (';'-separated),
    first_demanded_at.

    Example:

    \b
        unmet followups --data-root data --catalog spring_catalog.csv --store S003 --out calls.csv
    """
    from pipelines.reports import followups as fu
    from pipelines.reports import query as q
    from pipelines.reports.tables import write_csv

    db_path = data_root / "unmet.duckdb"
    try:
        con = q.connect(db_path)
    except q.QueryError as err:
        raise ExitError(str(err)) from None
    try:
        if store_id is not None:
            from pipelines.reports.store import known_stores

            if store_id not in known_stores(con):
                raise ExitError(
                    f"unknown store {store_id!r}; known stores: {', '.join(known_stores(con)[:20])}"
                )
        try:
            catalog = fu.load_catalog(catalog_path)
        except fu.CatalogError as err:
            raise ExitError(str(err)) from None
        table = fu.find_followups(con, catalog, store_id)
    finally:
        con.close()
    if out is None:
        click.echo(q.format_csv(table), nl=False)
    else:
        write_csv(out, table)
        click.echo(f"{len(table):,} follow-ups written to {out}", err=True)
