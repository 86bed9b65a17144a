"""The catalog as the demand model sees it: sku -> attributes and price."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CatalogEntry:
    sku: str
    category: str
    color: str
    color_family: str | None
    pattern: str
    size: str
    list_price: float


Catalog = dict[str, CatalogEntry]


def catalog_index(rows: list[dict[str, Any]]) -> Catalog:
    return {
        r["sku"]: CatalogEntry(
            r["sku"],
            r["category"],
            r["color"],
            r["color_family"],
            r["pattern"],
            r["size"],
            r["list_price"],
        )  # fmt: skip
        for r in rows
    }
