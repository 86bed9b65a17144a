"""Read-only SQL against the analysts' DuckDB file, printed as a table, CSV, JSON or Parquet.

The file is opened with read_only=True and only SELECT-like statements are accepted (SELECT, WITH,
FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN), so a query never writes the database nor, through COPY,
any other file. The job rebuilds the database as a new file and os.replace's it in, so a query that
runs during a rebuild reads the previous, complete file.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipelines.reports.tables import Table, csv_cell
from pipelines.warehouse import pinned, set_search_path

FORMATS = ("table", "csv", "json", "parquet")
READ_ONLY_TYPES = frozenset({"SELECT", "EXPLAIN"})
#: In table format, cells are cut at this many characters (the last one an ellipsis).
MAX_CELL = 60
#: Why extensions are refused, for INSTALL/LOAD and for queries that would need one (httpfs).
NO_EXTENSIONS = (
    "DuckDB extensions cannot be installed or loaded here: `unmet query` runs offline (nothing is "
    "downloaded) with the extensions built into DuckDB (Parquet, CSV, JSON). Read local files "
    "instead, e.g. copy the file first and query read_parquet('/path/to/file.parquet')."
)
#: Connection settings: never download an extension at run time (remote URLs fail clearly).
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class QueryError(ValueError):
    """The query cannot run; the message is meant for the analyst."""


def check_read_only(sql: str) -> None:
    """Refuse anything but one SELECT-like statement, with a message naming what was refused."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as err:
        raise QueryError(f"SQL error: {err}") from None
    if not statements:
        raise QueryError("no SQL statement given")
    if len(statements) > 1:
        raise QueryError(f"one statement at a time please (got {len(statements)})")
    kind = statements[0].type.name
    if kind == "LOAD":  # INSTALL and LOAD both parse as LOAD
        raise QueryError(NO_EXTENSIONS)
    if kind not in READ_ONLY_TYPES:
        raise QueryError(
            f"{kind} statements are not allowed: `unmet query` is read-only (SELECT, WITH, "
            "DESCRIBE, SHOW, SUMMARIZE, EXPLAIN). The database is rebuilt by `unmet run`."
        )


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    if not db_path.is_file():
        raise QueryError(f"no DuckDB file at {db_path}: run `unmet run` first")
    real = pinned(db_path)  # the file and its folder of one run, if another publishes meanwhile
    try:
        con = duckdb.connect(str(real), read_only=True, config=dict(OFFLINE))
    except duckdb.Error as err:
        raise QueryError(f"cannot open {db_path} read-only: {err}") from None
    set_search_path(con, real)
    return con


def run(db_path: Path, sql: str) -> pa.Table:
    """Check and execute `sql` on a read-only connection; the whole result as an Arrow table."""
    check_read_only(sql)
    con = connect(db_path)
    try:
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as err:
        message = str(err)
        if "requires the extension" in message or "install the required extension" in message:
            raise QueryError(f"{message.split(chr(10))[0]}. {NO_EXTENSIONS}") from None
        raise QueryError(message.split("\n\nLINE", 1)[0]) from None
    finally:
        con.close()


def as_table(result: pa.Table) -> Table:
    columns = [c.to_pylist() for c in result.columns]
    return Table(list(result.column_names), list(zip(*columns, strict=True)))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e15 else str(value)
    return str(value)


def _fit(text: str, width: int = MAX_CELL) -> str:
    """One line of at most `width` characters; cut text ends in an ellipsis."""
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(table: Table) -> str:
    """Aligned plain-text columns (numbers right-aligned), with a row count."""
    cells = [[_fit(_text(v)) for v in row] for row in table.rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(table.columns)]
    numeric = [
        all(isinstance(row[i], int | float | Decimal) or row[i] is None for row in table.rows)
        for i in range(len(table.columns))
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(list(table.columns)), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(table.rows):,} row{'s' if len(table.rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def format_json(table: Table) -> str:
    return json.dumps(table.dicts(), default=_json_default, ensure_ascii=False, indent=1) + "\n"


def format_csv(table: Table) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([[csv_cell(v) for v in row] for row in table.rows])
    return buf.getvalue()


def write_parquet(result: pa.Table, out: Path) -> None:
    import pyarrow.parquet as pq

    if len(set(result.column_names)) != result.num_columns:
        raise QueryError("Parquet needs distinct column names: alias the duplicated columns")
    tmp = out.with_name(f".{out.name}.tmp")
    pq.write_table(result, tmp)
    tmp.replace(out)
