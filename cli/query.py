"""`unmet query`: read-only SQL against the analysts' DuckDB file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.common import OUTPUT_FILE, ExitError, data_root_option, display_path


@click.command("query")
@data_root_option
@click.argument("sql")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "parquet"]),
    default="table",
    show_default=True,
    help="Output format (parquet needs --out).",
)
@click.option(
    "--out",
    **OUTPUT_FILE,
    help="Write to this file instead of standard output.",
)
def query(data_root: Path, sql: str, fmt: str, out: Path | None) -> None:
    """Run one read-only SQL statement against DATA_ROOT/unmet.duckdb and print the result.

    Every published dataset and report model is a view (see docs/data-dictionary.md; saved
    questions in docs/queries.md). Writes are refused. Safe while `unmet run` rebuilds the
    database: a query reads the published run's file until the new run is published. SQL `-` reads the
    statement from standard input.

    Example:

    \b
        unmet query "select iso_week, events, lost_revenue_eur from rpt_weekly_headline"
        unmet query "select * from rpt_not_carried" --format csv --out not_carried.csv
    """
    from pipelines.reports import query as q

    if sql == "-":
        sql = sys.stdin.read()
    if fmt == "parquet" and out is None:
        raise click.BadParameter("parquet output needs --out FILE", param_hint="--format")
    try:
        result = q.run(data_root / "unmet.duckdb", sql)
        if fmt == "parquet":
            q.write_parquet(result, out)  # type: ignore[arg-type]
            click.echo(
                f"{result.num_rows:,} rows written to {display_path(out, folder=False)}", err=True
            )
            return
    except q.QueryError as err:
        raise ExitError(str(err)) from None
    table = q.as_table(result)
    text = {"table": q.format_table, "csv": q.format_csv, "json": q.format_json}[fmt](table)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"{len(table):,} rows written to {display_path(out, folder=False)}", err=True)
