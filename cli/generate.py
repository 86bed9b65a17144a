"""`unmet generate`: write a seeded synthetic input dataset with planted ground truth."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click


@click.command("generate")
@click.option(
    "--rows",
    "-n",
    type=click.IntRange(min=1),
    required=True,
    help="Total records across notes, lookups and lost sales (within 1%).",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed: same seed and options, byte-identical files.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output folder (created; weekly files of an earlier run are replaced).",
)
@click.option(
    "--weeks",
    type=click.IntRange(min=1, max=520),
    default=8,
    show_default=True,
    help="Number of weeks covered, ending on --end-date.",
)
@click.option(
    "--stores",
    type=click.IntRange(min=1, max=100_000),
    default=None,
    help="Number of stores [default: max(5, min(2000, rows // 2000))].",
)
@click.option(
    "--end-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2026-11-22",
    show_default=True,
    help="Last day covered (a Sunday gives whole ISO weeks).",
)
def generate(
    rows: int, seed: int, out: Path, weeks: int, stores: int | None, end_date: dt.datetime
) -> None:
    """Generate realistic notes, OOS lookups and lost sales with planted demand events.

    Writes catalog/, stores/, frontline_notes/, oos_lookups/, lost_sales/ (one file per ISO week)
    and truth/ (events.csv, traces.csv, pii.csv, README.md) under OUT.

    \b
    Example:
        unmet generate --rows 3000 --seed 7 --out data/sample
        unmet generate --rows 1000000 --seed 1 --out data/generated/1m --weeks 12
    """
    from pipelines.generate import generate as run_generate

    started = time.perf_counter()
    try:
        summary = run_generate(
            rows, seed, out, weeks=weeks, stores=stores, end_date=end_date.date()
        )
    except (ValueError, OSError) as error:
        raise click.ClickException(str(error)) from error
    for line in summary.lines():
        click.echo(line)
    click.echo(f"  took {time.perf_counter() - started:.1f} s")
