"""The ingest reads a catalog as shops write it with the notes' lexicon (the same
`validate.catalog_row` as `unmet followups`), and quarantines only what no demand could match."""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest.parse import parse_file
from pipelines.ingest.sources import BY_NAME
from pipelines.ingest.validate import Reference
from schemas.arrow import arrow_schema
from tests.conftest import AS_OF

CATALOG = """sku,style,category,color,pattern,size,list_price
SKU-1,Wool overcoat,Coat,Navy,Solid,Medium,189.00
SKU-2,Tea dress,Dresss,Sage Green,plain,UK 8,89.00
SKU-3,Slim jeans,JEANS,indigo,solid,W32 L30,79.90
SKU-4,Parka,coat,,solid,L,199.00
SKU-5,Widget,Gizmo,red,solid,OS,9.00
SKU-6,Slim jeans,jeans,black,Solid,32,79.90
"""


def test_ingest_normalises_catalog_spellings_and_quarantines_the_rest(tmp_path: Path):
    path = tmp_path / "catalog" / "catalog.csv"
    path.parent.mkdir()
    path.write_text(CATALOG)
    spec = BY_NAME["catalog"]
    schema = arrow_schema(spec.staging_model, described=False)
    parsed = parse_file(spec, schema, str(path), "catalog/catalog.csv", Reference(AS_OF))
    rows = {r["sku"]: r for r in parsed.rows.to_pylist()}
    got = {
        sku: (r["category"], r["color"], r["color_family"], r["pattern"], r["size"])
        for sku, r in rows.items()
    }
    assert got == {
        "SKU-1": ("coat", "Navy", "blue", "solid", "M"),
        "SKU-2": ("dress", "Sage Green", "green", "solid", "8"),
        "SKU-3": ("jeans", "indigo", "blue", "solid", "32x30"),
        "SKU-6": ("jeans", "black", "black", "solid", "32"),
    }
    rejects = [(r["source_line"], r["reason"]) for r in parsed.rejects.to_pylist()]
    assert rejects == [
        (5, "color: required field is empty"),
        (6, "category: unknown category 'Gizmo' (not in the lexicon)"),
    ]


def test_a_catalog_row_priced_zero_is_quarantined_not_a_stop_at_the_gate(tmp_path: Path):
    """The gate requires every staged sku to have a price above 0; the input model says so too,
    so one row priced 0.00 is a quarantined row with its reason, not a stopped run."""
    path = tmp_path / "catalog" / "catalog.csv"
    path.parent.mkdir()
    path.write_text(CATALOG.splitlines()[0] + "\nSKU-1,Wool overcoat,coat,navy,solid,M,0.00\n"
                    "SKU-2,Parka,coat,black,solid,L,199.00\n")  # fmt: skip
    spec = BY_NAME["catalog"]
    schema = arrow_schema(spec.staging_model, described=False)
    parsed = parse_file(spec, schema, str(path), "catalog/catalog.csv", Reference(AS_OF))
    assert [r["sku"] for r in parsed.rows.to_pylist()] == ["SKU-2"]
    rejects = [(r["source_line"], r["reason"]) for r in parsed.rejects.to_pylist()]
    assert rejects == [(2, "list_price: Input should be greater than 0 (got '0.00')")]
