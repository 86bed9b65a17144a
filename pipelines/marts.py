"""The exported report marts (`warehouse.EXPORTS`: mart_weekly_headline, ...) as Parquet datasets of
a run, one `<mart>/iso_week=W/part-00000.parquet` per week that has rows, written by DuckDB.
Each is a dataset of the registry (schemas/datasets.py, its row model in schemas/marts.py), and
they are written before the gate, which validates them as it does every mart.

Week by week: the rows of week W are computed on views that hold only the input weeks they read
(W and the mart's `lookback` weeks before it: `weeks_read`), the same way in a full refresh and in
an incremental run, so that a rebuilt week gets the same bytes as in a full refresh (DuckDB's
sums of doubles and its window frames depend on the order rows arrive in, which depends on what
else is in the tables). A mart with `series` (the trend, whose week numbers count from each
value's first week in all history) is computed once over every week; its input, the chain-level
rows of mart_unmet_demand, is small.

An incremental run (pipelines/incremental.py) rebuilds only the weeks whose rows may have changed
(`rebuilt`): the weeks the demand pipeline rebuilt (`touched`) and the `lookback` weeks after
each; for a mart with `series`, also every week of a series whose first week moved earlier (a
late file of an old week: all its weeks are numbered anew). Every other week's file is carried
over from the published run (a hard link; on an object-store data root, pipelines/remote.py
copies the object server-side).
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines import incremental, warehouse
from pipelines.demand.run import week_of
from schemas import datasets
from schemas.arrow import dataset_schema
from schemas.weeks import iso_week
from schemas.weeks import monday as week_monday

#: DuckDB's memory limit while it exports the marts (past it, it spills to a temporary folder).
EXPORT_MEMORY_LIMIT = "256MB"
PARTITION = "iso_week"
#: The file of a mart's week, relative to the run folder.
FILE = "{mart}/iso_week={week}/part-00000.parquet"


def monday(week: str) -> date:
    """The Monday of an ISO week like 2026-W47."""
    return week_monday(week)


def shifted(week: str, weeks: int) -> str:
    """The ISO week `weeks` calendar weeks after `week` (before it, if negative)."""
    return iso_week(monday(week) + timedelta(weeks=weeks))


def weeks_read(week: str, lookback: int) -> set[str]:
    """The input weeks the rows of `week` read: it and the `lookback` calendar weeks before."""
    return {shifted(week, -back) for back in range(lookback + 1)}


def week_of_file(dataset: str, rel: str) -> str | None:
    """The ISO week of a dataset's file (`rel`: relative to the dataset's folder) from its
    partition folder; None for a dataset not split by a week or a date (the registry says)."""
    partitioning = datasets.dataset(dataset).partitioning
    if partitioning is datasets.Partitioning.ISO_WEEK:
        return rel.split("/")[0].removeprefix("iso_week=")
    if partitioning is datasets.Partitioning.EVENT_DATE:
        return week_of(rel)  # the iso_week of a row is the week of its event_date
    return None


#: The datasets the report models read: every published one but the exported marts themselves.
INPUTS = tuple(name for name in warehouse.DATASETS if name not in warehouse.EXPORTED_MARTS)


def index(run_dir: Path) -> dict[str, list[tuple[str | None, str]]]:
    """Every dataset the report models read (INPUTS) -> its Parquet files as (week or None,
    absolute path), in name order: listed once, then chosen from for each week's views."""
    found = {}
    for name in INPUTS:
        folder = run_dir / name
        files = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
        found[name] = [
            (week_of_file(name, p.relative_to(folder).as_posix()), str(p.resolve())) for p in files
        ]
    return found


def ledger_weeks(files: dict[str, list[tuple[str | None, str]]]) -> list[str]:
    """The weeks the run's ledger has (the weeks a mart may have rows in), in order."""
    ledger = datasets.of_layer(datasets.Layer.LEDGER, datasets.Layer.MART)
    return sorted({week for d in ledger for week, _ in files.get(d.name, []) if week})


def create_views(con: duckdb.DuckDBPyConnection, files: dict[str, list[tuple[str | None, str]]],
                 weeks: Collection[str] | None) -> None:  # fmt: skip
    """A view per dataset over its files of `weeks` (None: every dataset over all its files;
    else only the datasets split by week are redefined); over the empty table `empty_<name>` of
    its schema (`register_empty`) when it has none."""
    for name, listed in files.items():
        if weeks is not None and all(week is None for week, _ in listed):
            continue  # not split by week (or no files): the view over all of it stays
        chosen = [path for week, path in listed if weeks is None or week is None or week in weeks]
        if chosen:
            paths = "[" + ", ".join(warehouse.quote(Path(p)) for p in chosen) + "]"
            source = f"read_parquet({paths}, hive_partitioning = false)"
        else:
            source = f"empty_{name}"
        con.execute(f"create or replace view {name} as select * from {source}")


def register_empty(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> None:
    """An empty Arrow table of each dataset's schema, as `empty_<name>`."""
    for name in names:
        empty = pa.table({f.name: pa.array([], f.type) for f in dataset_schema(name)})
        con.register(f"empty_{name}", empty)


def rebuilt(mart: warehouse.ExportedMart, weeks: Iterable[str], touched: Collection[str],
            series_weeks: dict[tuple, list[str]] | None = None,
            first_before: dict[tuple, str] | None = None) -> set[str]:  # fmt: skip
    """The weeks among `weeks` whose rows of `mart` may differ from the published run's when the
    run rebuilt the ledger weeks `touched` (module docstring). For a mart with `series`:
    `series_weeks`, each series' weeks with rows now (computed over all weeks), and
    `first_before`, each series' first week in the published run."""
    reading = {shifted(week, ahead) for week in touched for ahead in range(mart.lookback + 1)}
    chosen = {week for week in weeks if week in reading}
    before = first_before or {}
    for key, found in (series_weeks or {}).items():
        if key in before and found[0] < before[key]:  # its weeks are numbered from found[0] now
            chosen.update(found)
    return chosen


def _copy(con: duckdb.DuckDBPyConnection, select: str, target: Path) -> None:
    """Write the rows of `select`, sorted, to `target`; no file when it has none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    (rows,) = con.execute(
        f"copy ({select} order by all) to {warehouse.quote(target)} "
        "(format parquet, compression zstd)"
    ).fetchone()  # type: ignore[misc]
    if not rows:
        target.unlink()
        target.parent.rmdir()


def _series_weeks(con: duckdb.DuckDBPyConnection, table: str, series: tuple[str, ...]
                  ) -> dict[tuple, list[str]]:  # fmt: skip
    keys = ", ".join(f'"{c}"' for c in series)
    found: dict[tuple, list[str]] = {}
    for *key, week in con.execute(
        f"select distinct {keys}, {PARTITION} from {table} order by all"
    ).fetchall():
        found.setdefault(tuple(key), []).append(week)
    return found


def _first_weeks(con: duckdb.DuckDBPyConnection, folder: Path, series: tuple[str, ...]
                 ) -> dict[tuple, str]:  # fmt: skip
    """Each series' first week in a mart's files (a published run's)."""
    files = sorted(str(p) for p in folder.rglob("*.parquet")) if folder.is_dir() else []
    if not files:
        return {}
    keys = ", ".join(f'"{c}"' for c in series)
    paths = "[" + ", ".join(warehouse.quote(Path(p)) for p in files) + "]"
    found = con.execute(f"select {keys}, min({PARTITION}) from read_parquet({paths}, "
                        "hive_partitioning = false) group by all").fetchall()  # fmt: skip
    return {tuple(key): week for *key, week in found}


def export(run_dir: Path, base: Path | None = None, touched: Collection[str] | None = None
           ) -> list[str]:  # fmt: skip
    """Write the exported marts into the run folder, before the gate validates them. With `base`
    (the published run an incremental run builds on) and `touched` (the ledger weeks it rebuilt),
    only the weeks `rebuilt` says; every other week's file of `base` is linked. Returns the
    carried files (relative to the run folder)."""
    files = index(run_dir)
    weeks = ledger_weeks(files)
    todo: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="unmet-marts-") as spill:
        con = duckdb.connect(config={
            "threads": 1,  # one writer: the same rows give the same bytes
            "memory_limit": EXPORT_MEMORY_LIMIT,
            "temp_directory": spill,
        })  # fmt: skip
        try:
            con.execute("set enable_progress_bar = false")  # stderr is the job's log
            register_empty(con, files)
            create_views(con, files, None)
            warehouse.create_report_models(con)  # the match tables: over every week
            columns = {m.name: warehouse.counts_as_bigint(con, m.model) for m in warehouse.EXPORTS}
            for mart in (m for m in warehouse.EXPORTS if m.series):  # over every week, once
                con.execute(f"create temp table whole as select {columns[mart.name]} "
                            f"from {mart.model}")  # fmt: skip
                if base is None:
                    todo[mart.name] = weeks
                else:
                    found = _series_weeks(con, "whole", mart.series)
                    first = _first_weeks(con, base / mart.name, mart.series)
                    todo[mart.name] = sorted(rebuilt(mart, weeks, touched or (), found, first))
                for week in todo[mart.name]:
                    _copy(con, f"select * from whole where {PARTITION} = '{week}'",
                          run_dir / FILE.format(mart=mart.name, week=week))  # fmt: skip
                con.execute("drop table whole")
            by_week = [m for m in warehouse.EXPORTS if not m.series]
            for mart in by_week:
                todo[mart.name] = (
                    weeks if base is None else sorted(rebuilt(mart, weeks, touched or ()))
                )
            for lookback in sorted({m.lookback for m in by_week}):  # views of the weeks read
                marts = [m for m in by_week if m.lookback == lookback]
                for week in sorted({w for m in marts for w in todo[m.name]}):
                    create_views(con, files, weeks_read(week, lookback))
                    for mart in (m for m in marts if week in todo[m.name]):
                        _copy(con, f"select {columns[mart.name]} from {mart.model} "
                                   f"where {PARTITION} = '{week}'",
                              run_dir / FILE.format(mart=mart.name, week=week))  # fmt: skip
        finally:
            con.close()
    carried: list[str] = []
    for mart in warehouse.EXPORTS:
        (run_dir / mart.name).mkdir(exist_ok=True)
        if base is not None:
            carried += carry(base, run_dir, mart.name, set(todo[mart.name]))
    return carried


def carry(base: Path, run_dir: Path, mart: str, rebuilt_weeks: set[str]) -> list[str]:
    """Link every week file of `mart` in `base` whose week was not rebuilt (relative paths)."""
    chosen = [
        rel
        for rel in incremental.run_files(base / mart)
        if rel.split("/")[0].removeprefix(f"{PARTITION}=") not in rebuilt_weeks
    ]
    done = []
    for rel in chosen:
        incremental.link(base / mart / rel, run_dir / mart / rel)
        done.append(f"{mart}/{rel}")
    return done


def files(run_dir: Path) -> list[str]:
    """Every file of the exported marts in the run folder, relative to it."""
    return sorted(
        p.relative_to(run_dir).as_posix()
        for mart in warehouse.EXPORTED_MARTS
        for p in (run_dir / mart).rglob("*.parquet")
    )


def written(run_dir: Path, carried: Collection[str]) -> set[str]:
    """The mart files `export` wrote in this run: every one but the `carried` ones (the gate of
    an incremental run validates them like the files the pipelines wrote)."""
    return set(files(run_dir)) - set(carried)
