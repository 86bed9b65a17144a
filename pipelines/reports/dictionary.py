"""Write docs/data-dictionary.md from the live DuckDB file: every view, every column, its meaning.

    python -m pipelines.reports.dictionary [--db data/unmet.duckdb] [--out docs/data-dictionary.md]

Column lists and types come from the database itself; a dataset's description from the dataset
registry (schemas/datasets.py); meanings come from the pydantic field descriptions of the datasets,
then the report glossary, then `NOTES` below. A test checks that the
committed file names every column of every view.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import duckdb

from pipelines import warehouse
from pipelines.reports.glossary import GLOSSARY
from pipelines.warehouse import DATASETS, EXPORTED_MARTS, report_models
from schemas.datasets import dataset

#: Meanings of dataset columns that have no pydantic description and no glossary entry.
NOTES: dict[str, str] = {
    "source_file": "Input file the record was read from.",
    "source_line": "1-based line of the record in its input file.",
    "associate_id": "Id of the associate who wrote the note, if given.",
    "lookup_id": "Out-of-stock lookup id, unique.",
    "looked_up_at": "When the lookup was made, UTC.",
    "result": "Lookup result: in_stock, out_of_stock or not_carried.",
    "on_hand_qty": "Units on hand the system reported.",
    "sale_id": "Lost-sale line id, unique.",
    "reason_code": "Why the sale was lost: out_of_stock, size_unavailable, color_unavailable, "
    "not_carried, price or other.",
    "quantity": "Units asked for.",
    "currency": "Currency of unit_price (only EUR is accepted).",
    "occurred_at": "When it happened, UTC.",
    "substitute_sku": "Sku bought instead, if any.",
    "style": "Style name of the sku.",
    "name": "Store name.",
    "country": "ISO country code of the store.",
    "sha256": "SHA-256 of the input file.",
    "bytes": "Size of the input file in bytes.",
    "records_read": "Records read from the file.",
    "level": "store or chain.",
    "shade": "Shade as normalised, e.g. navy (within the color family).",
    "first_at": "First signal of the event, UTC.",
    "last_at": "Last signal of the event, UTC.",
    "event_date": "Local date at the store.",
    "n_signals": "Signals linked into the event.",
    "n_notes": "Frontline notes among the event's signals.",
    "n_lookups": "Out-of-stock lookups among the event's signals.",
    "n_lost_sales": "Lost-sale lines among the event's signals.",
    "unit_price_eur": "Unit price used to value the event, EUR.",
    "substitute_color": "Color family of the substitute sku.",
    "substitute_pattern": "Pattern of the substitute sku.",
    "substitute_size": "Size of the substitute sku.",
    "item_no": "Item number within the source record (a note can ask for several items).",
    "record_id": "Id of the source record (note_id, lookup_id or sale_id).",
    "list_price": "List price, EUR.",
    "redactions": "How many personal details were redacted from the text.",
    "customer_consent": "Whether the customer agreed to be contacted (from the note).",
    "extractor_version": "Version of the attribute extractor that read the text.",
    "source": "Input source: frontline_notes, oos_lookups or lost_sales (rejects: also catalog, "
    "stores, consent_withdrawals).",
    "withdrawal_id": "Consent withdrawal id, unique.",
    "asked": "A demanded value (match tables: a category or a size of demand_events or "
    "stg_catalog).",
    "offered": "A catalog sku's value that meets demand for `asked` (pipelines/demand/matching.py).",
}
HEADER = """# Data dictionary

Every view of `unmet.duckdb` (open it read-only, or use `unmet query`), with every column and
what it means. Generated from the live database by `python -m pipelines.reports.dictionary`; do
not edit by hand (`tests/reports/test_reports_docs.py` fails when a column is missing). Metric rules
are in `docs/metrics.md`; example questions in `docs/queries.md`. Reading the Parquet folders
without DuckDB: every dataset split into `<column>=<value>/` folders keeps that column in its files
too, so read it with `partitioning=None` (`pandas.read_parquet(folder, partitioning=None)`,
`pyarrow.parquet.read_table(folder, partitioning=None)`; docs/queries.md, "Reading the Parquet
files without DuckDB").
"""


def view_descriptions() -> dict[str, str]:
    out = {name: dataset(name).description for name in DATASETS}
    out.update({name: text for name, (_, _, text) in warehouse.MATCH_TABLES.items()})
    for name, sql in report_models():
        comment = [
            line.removeprefix("--").strip() for line in sql.splitlines() if line.startswith("--")
        ]
        out[name] = " ".join(comment)
    for mart, model in EXPORTED_MARTS.items():
        out[mart] = (
            f"The `{model}` report model, written as a Parquet dataset of the run, one file "
            f"per ISO week (`{mart}/iso_week=<week>/part-00000.parquet`), for readers of the "
            "files without DuckDB (the files hold `iso_week` too: read the folder with "
            "`pyarrow.parquet.read_table(folder, partitioning=None)` or "
            "`pandas.read_parquet(folder, partitioning=None)`), validated by the gate against "
            f"its model (schemas/marts.py) before it is published. {out[mart]}"
        )
    return out


#: What the glossary says of color, pattern and size when the customer did not say: true of the
#: report models that write '-' there (`coalesce(color, '-') as color`); the datasets and the
#: other models hold NULL.
NOT_SAID = "('-' when the customer did not say)"
_DASHED = re.compile(r"coalesce\(\w+, '-'\) as (\w+)")


def dashed_columns() -> dict[str, set[str]]:
    """view -> the columns its SQL writes as '-' when not stated (an exported mart: its model's)."""
    out = {name: set(_DASHED.findall(sql)) for name, sql in report_models()}
    for mart, model in EXPORTED_MARTS.items():
        out[mart] = out.get(model, set())
    return out


def meaning(view: str, column: str) -> str:
    model = DATASETS.get(view, (None, None))[1]
    field = getattr(model, "model_fields", {}).get(column) if model else None
    if field is not None and field.description:
        return field.description
    text = GLOSSARY[column][1] if column in GLOSSARY else NOTES.get(column, "")
    dashed = column in dashed_columns().get(view, set())
    if NOT_SAID in text and not dashed:
        return text.replace(NOT_SAID, "(NULL when the customer did not say)")
    if dashed and "'-'" not in text:
        return text.rstrip(".") + " ('-' when not stated)."
    return text


def columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """view name -> [(column, type)] for every view and table of the main schema."""
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'main' order by table_name, ordinal_position"
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        out.setdefault(table, []).append((column, kind))
    return out


def render(con: duckdb.DuckDBPyConnection) -> str:
    cols = columns(con)
    described = view_descriptions()
    models = [name for name, _ in report_models()]
    groups = (
        (
            "Datasets",
            "Published Parquet datasets of the current run.",
            [n for n in DATASETS if n in cols],
        ),
        (
            "Report models",
            "SQL in `pipelines/reports/sql/`, one view per file.",
            [n for n in models if n in cols],
        ),
        (
            "Match tables",
            "Which values meet which by the catalog rule of `pipelines/demand/matching.py`, "
            "derived from the run's demand and catalog when the file is built; report models "
            "join on them.",
            [n for n in warehouse.MATCH_TABLES if n in cols],
        ),
        (
            "Other views",
            "",
            sorted(set(cols) - set(DATASETS) - set(models) - set(warehouse.MATCH_TABLES)),
        ),
    )
    parts = [HEADER]
    for title, intro, names in groups:
        if not names:
            continue
        parts.append(f"\n## {title}\n\n{intro}\n" if intro else f"\n## {title}\n")
        for name in names:
            parts.append(f"\n### `{name}`\n\n{described.get(name, '')}\n\n")
            parts.append("| column | type | meaning |\n|---|---|---|\n")
            for column, kind in cols[name]:
                text = meaning(name, column).replace("|", "\\|")
                parts.append(f"| `{column}` | {kind} | {text} |\n")
    return "".join(parts).replace("\n\n\n", "\n\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/unmet.duckdb"))
    parser.add_argument("--out", type=Path, default=Path("docs/data-dictionary.md"))
    args = parser.parse_args(argv)
    if not args.db.is_file():
        print(f"no DuckDB file at {args.db}: run `unmet run` first", file=sys.stderr)
        return 1
    con = warehouse.connect_read_only(args.db)
    try:
        text = render(con)
    finally:
        con.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
