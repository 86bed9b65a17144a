"""The catalog as the demand model sees it: sku -> attributes and price, plus what it carries."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
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


@dataclass(frozen=True)
class CatalogIndex:
    """Built once per worker: lookups by sku, the attribute combinations carried, category medians."""

    skus: dict[str, CatalogEntry]
    #: (category, color family, pattern, size) with None as "any", for every combination carried
    carried: frozenset[tuple[str, str | None, str | None, str | None]]
    medians: dict[str, float]

    def get(self, sku: str | None) -> CatalogEntry | None:
        return self.skus.get(sku) if sku else None

    def __contains__(self, sku: object) -> bool:
        return sku in self.skus

    def carries(self, category: str | None, color: str | None, pattern: str | None,
                size: str | None) -> bool:  # fmt: skip
        """Whether any sku of the category has all the given attributes (None = any)."""
        return (category, color, pattern, size) in self.carried


def index_catalog(entries: dict[str, CatalogEntry]) -> CatalogIndex:
    carried = set()
    prices: dict[str, list[float]] = defaultdict(list)
    for e in entries.values():
        prices[e.category].append(e.list_price)
        for color, pattern, size in itertools.product(
            (e.color_family, None), (e.pattern, None), (e.size, None)
        ):
            carried.add((e.category, color, pattern, size))
    medians = {category: statistics.median(p) for category, p in prices.items()}
    return CatalogIndex(entries, frozenset(carried), medians)


def catalog_index(rows: list[dict[str, Any]]) -> CatalogIndex:
    """The index of staged catalog rows (stg_catalog)."""
    return index_catalog(
        {
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
    )


#: What the signal and event rules take.
Catalog = CatalogIndex
