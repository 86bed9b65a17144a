"""Reading report models out of DuckDB and writing them as formula-safe CSV files."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: How the report models write "the customer did not say" (e.g. rpt_not_carried's size).
NOT_STATED = "-"


def csv_safe(value: object) -> object:
    """Neutralise spreadsheet formula injection: text starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_cell(value: object) -> object:
    """A value as a CSV cell for a spreadsheet: not stated ('-' or null) is an empty cell, text is
    formula-safe."""
    return "" if value is None or value == NOT_STATED else csv_safe(value)


@dataclass(frozen=True)
class Table:
    """Rows of a query with their column names."""

    columns: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Table:
    cur = con.execute(sql, list(params))
    return Table([d[0] for d in cur.description], cur.fetchall())


def write_csv(path: Path, table: Table) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.columns)
        writer.writerows([[csv_cell(v) for v in row] for row in table.rows])
