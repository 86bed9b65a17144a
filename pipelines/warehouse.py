"""The analysts' DuckDB file: a view over every published Parquet dataset, plus the report models
(and the match tables some of them join on: `MATCH_TABLES`).

Each run builds its own file inside its run folder (runs/<id>/unmet.duckdb), under a temporary name
moved into place with os.replace; DATA_ROOT/unmet.duckdb is a link through `published`
(pipelines/publish.py), so readers get the new file only when the run is published, and an analyst
who has the old file open keeps a consistent view (its views name the run folder, which is kept for
a while).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.demand import matching
from schemas import datasets
from schemas.arrow import dataset_schema

#: Every published dataset: name -> (folder in the run, pydantic model of its rows); derived from
#: the registry (schemas/datasets.py), one view each.
DATASETS: dict[str, tuple[str, type]] = {d.name: (d.name, d.model) for d in datasets.published()}


@dataclass(frozen=True)
class ExportedMart:
    """A report model also published as a Parquet mart of the run, one `iso_week=W` partition per
    week (pipelines/marts.py writes them); `lookback` and `series` as schemas.datasets.Export
    says."""

    name: str  # the mart: its folder in the run and its DuckDB view
    model: str  # the report model, pipelines/reports/sql/<model>.sql
    lookback: int  # the calendar weeks before W that W's rows read
    series: tuple[str, ...] = ()  # columns of a series numbered from its first week


#: The exported marts, derived from the registry (schemas/datasets.py declares each once, with its
#: row model, keys and export: the views, the export, the gate, the data dictionary and the
#: incremental rebuild follow from it).
EXPORTS = tuple(
    ExportedMart(d.name, d.export.model, d.export.lookback, d.export.series)
    for d in datasets.exported()
    if d.export is not None
)

#: mart name -> its report model (derived from EXPORTS).
EXPORTED_MARTS = {mart.name: mart.model for mart in EXPORTS}


def report_models() -> list[tuple[str, str]]:
    """(name, SQL) of every report model in pipelines/reports/sql, in name order."""
    folder = resources.files("pipelines.reports") / "sql"
    models = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            models.append((entry.name.removesuffix(".sql"), entry.read_text()))
    return models


#: The tables of which values meet which, by the rule of pipelines/demand/matching.py, for report
#: SQL that compares demand with the catalog (rpt_not_carried_by_attribute): name -> (the column
#: of demand_events and stg_catalog whose values it pairs, the function of matching.py that
#: pairs them, its description). Derived from the run's data by `create_match_tables`, so that
#: the rule is written once, in Python, and never again in SQL.
MATCH_TABLES: dict[str, tuple[str, Callable[[list[str], list[str]], pa.Table], str]] = {
    "match_categories": (
        "category",
        matching.category_pairs,
        "Every pair of categories found in demand_events or stg_catalog such that a sku of the "
        "`offered` category meets demand for the `asked` one, by the rule of "
        "pipelines/demand/matching.py (docs/metrics.md, 'What the catalog carries'): a category "
        "meets itself, and a t-shirt or a hoodie meets a `top`. A category that is not checked "
        "against the catalog (`other`) meets nothing, not even itself, so it is never `asked`.",
    ),
    "match_sizes": (
        "size",
        matching.size_pairs,
        "Every pair of sizes found in demand_events or stg_catalog such that a sku of the "
        "`offered` size meets demand for the `asked` one, by the rule of "
        "pipelines/demand/matching.py (docs/metrics.md, 'What the catalog carries'): a size "
        "meets itself, a waist x leg '32x30' meets a waist alone '32' and the other way round; "
        "two different waist x leg sizes never meet.",
    ),
}


def create_match_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The `MATCH_TABLES`, over every value of their column in demand_events and stg_catalog (as
    the connection's views hold them now: a connection that later narrows its views to some
    weeks, as marts.export does, keeps pairs of every value, which joins the same)."""
    for name, (column, pairs, _) in MATCH_TABLES.items():
        found = con.execute(
            f"select {column} from demand_events union select {column} from stg_catalog"
        ).fetchall()
        values = [value for (value,) in found if value is not None]
        con.register("_pairs", pairs(values, values))
        con.execute(f"create or replace table {name} as select * from _pairs")
        con.unregister("_pairs")


def create_report_models(con: duckdb.DuckDBPyConnection) -> None:
    """The match tables and a view per report model, on a connection whose dataset views (or
    tables) exist: every place the report SQL is evaluated calls this."""
    create_match_tables(con)
    for name, sql in report_models():
        con.execute(f"create or replace view {name} as {sql}")


def quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _parquet_list(run_dir: Path, folder: str, relative: bool) -> str | None:
    """The SQL list of a dataset's Parquet files: paths relative to the run folder (the folder of
    the run's DuckDB file) when `relative`, else absolute; None when it has none."""
    files = sorted((run_dir / folder).rglob("*.parquet"))
    if not files:
        return None
    shown = [f.relative_to(run_dir).as_posix() if relative else f.resolve() for f in files]
    return "[" + ", ".join(quote(Path(f)) for f in shown) + "]"


def set_search_path(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Resolve the views' relative Parquet paths against the folder the DuckDB file really is in
    (through the `published` and `unmet.duckdb` links), whatever the reader's working directory.
    Every connection the product opens on the file does this (docs/queries.md: how analysts do)."""
    folder = str(Path(os.path.realpath(db_path)).parent).replace("'", "''")
    con.execute(f"set file_search_path = '{folder}'")


def create_views(con: duckdb.DuckDBPyConnection, run_dir: Path, relative: bool = False) -> None:
    """A view per dataset over the run's Parquet (the exported marts included: their `iso_week=W`
    files hold the column), an empty table of its schema where it has no file, the match tables
    and the report models.
    With `relative`, the views name their files relative to the run folder (the DuckDB file lives
    there), so a copied or moved data root keeps working; the connection must search that folder
    (`set_search_path`)."""
    for name, (folder, _) in DATASETS.items():
        paths = _parquet_list(run_dir, folder, relative)
        if paths:
            con.execute(
                f"create or replace view {name} as select * from read_parquet({paths}, "
                "hive_partitioning = false)"
            )
        else:
            empty = pa.table({f.name: pa.array([], f.type) for f in dataset_schema(name)})
            con.register("_empty", empty)
            con.execute(f"create or replace table {name} as select * from _empty")
            con.unregister("_empty")
    create_report_models(con)


def counts_as_bigint(con: duckdb.DuckDBPyConnection, model: str) -> str:
    """The select list of a model with its HUGEINT columns (DuckDB's type for the sum of
    integers) cast to BIGINT: Parquet has no 128-bit integer, and DuckDB would write them as
    DOUBLE, turning counts such as lost_units into 188.0."""
    columns = con.execute(f"describe select * from {model}").fetchall()
    return ", ".join(
        f'cast("{name}" as bigint) as "{name}"' if kind == "HUGEINT" else f'"{name}"'
        for name, kind, *_ in columns
    )


def build(run_dir: Path, db_path: Path) -> Path:
    """Build the DuckDB file for a run (`db_path` inside `run_dir`: its views name their files
    relative to that folder) and move it into place atomically."""
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        set_search_path(con, tmp)  # the views name their files relative to the run folder
        create_views(con, run_dir, relative=True)
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, db_path)
    return db_path


def connect_read_only(db_path: Path) -> duckdb.DuckDBPyConnection:
    """`db_path` (through the `published` link) opened read-only, searching its run's folder. The
    link is resolved once, so the file and the folder belong to one run even if another publishes
    between the two."""
    real = pinned(db_path)
    con = duckdb.connect(str(real), read_only=True)
    set_search_path(con, real)
    return con


def pinned(db_path: Path) -> Path:
    """The DuckDB file the `published` link names now: readers that open the file and also use
    its run's folder (its reports) resolve it once, then use only this path."""
    return Path(os.path.realpath(db_path))
