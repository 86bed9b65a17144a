"""Follow-ups for a CRM: consenting customers whose unmet demand a new catalog can now serve.

A customer is listed only if their event passed `rpt_consenting_demand` (customer_ref set AND a
linked frontline note by that customer with customer_consent = true). A new-catalog sku matches an
event when it is the sku asked for, or when it has the event's category and every attribute the
customer named (color family, pattern, size); attributes they did not name match anything.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.reports.tables import Table, query

CATALOG_COLUMNS = ("sku", "style", "category", "color", "pattern", "size", "list_price")
#: At most this many row errors are shown when the catalog is refused.
SHOWN_ERRORS = 5

FOLLOWUPS_SQL = """
with demand as (
    select * from rpt_consenting_demand where category is not null
),

catalog as (
    select * from new_catalog
),

matches as (
    select d.event_id, c.sku
    from demand as d
    inner join catalog as c
        on c.sku = d.sku
        or (
            c.category = d.category
            and (d.color is null or c.color_family = d.color)
            and (d.pattern is null or c.pattern = d.pattern)
            and (d.size is null or c.size = d.size)
        )
),

final as (
    select
        d.customer_ref,
        d.store_id,
        d.event_id,
        d.category,
        d.color,
        d.pattern,
        d.size,
        d.classification,
        string_agg(distinct m.sku, ';' order by m.sku) as matching_skus,
        d.first_demanded_at
    from demand as d
    inner join matches as m using (event_id)
    where ?::varchar is null or d.store_id = ?::varchar
    group by all
)

select * from final order by customer_ref, first_demanded_at, event_id
"""


class CatalogError(ValueError):
    """The new catalog file cannot be used; the message says where and why."""


def load_catalog(path: Path) -> pa.Table:
    """Read and validate a catalog CSV (same format as inputs catalog/catalog.csv).

    Colors are normalised to families like the ingest does; any bad row refuses the whole file.
    """
    from pipelines.ingest.validate import Reference, Refused, catalog_row

    ref = Reference(as_of=None)  # type: ignore[arg-type]
    rows, errors = [], []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = tuple(reader.fieldnames or ())
            if header != CATALOG_COLUMNS:
                got = ",".join(header) or "nothing"
                raise CatalogError(
                    f"{path}: header must be {','.join(CATALOG_COLUMNS)} (got {got})"
                )
            for fields in reader:
                line = reader.line_num
                if None in fields or any(v is None for v in fields.values()):
                    errors.append(f"line {line}: expected {len(CATALOG_COLUMNS)} fields")
                    continue
                try:
                    rows.append(
                        catalog_row({k: (v.strip() or None) for k, v in fields.items()}, ref)
                    )
                except Refused as err:
                    errors.append(f"line {line}: {err}")
    except FileNotFoundError:
        raise CatalogError(f"catalog file not found: {path}") from None
    except IsADirectoryError:
        raise CatalogError(f"catalog must be a CSV file, not a folder: {path}") from None
    except UnicodeDecodeError as err:
        raise CatalogError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except csv.Error as err:
        raise CatalogError(f"{path}: not a readable CSV file ({err})") from None
    if errors:
        shown = "\n  ".join(errors[:SHOWN_ERRORS])
        more = (
            f"\n  ... and {len(errors) - SHOWN_ERRORS} more" if len(errors) > SHOWN_ERRORS else ""
        )
        raise CatalogError(f"{path}: {len(errors)} bad rows, nothing was matched:\n  {shown}{more}")
    if not rows:
        raise CatalogError(f"{path}: the catalog has no rows")
    return pa.Table.from_pylist(
        [{k: r[k] for k in ("sku", "category", "color_family", "pattern", "size")} for r in rows]
    )


def find_followups(
    con: duckdb.DuckDBPyConnection, catalog: pa.Table, store_id: str | None = None
) -> Table:
    """One row per consenting customer's event that the catalog can now serve."""
    con.register("new_catalog", catalog)
    try:
        return query(con, FOLLOWUPS_SQL, [store_id, store_id])
    finally:
        con.unregister("new_catalog")
