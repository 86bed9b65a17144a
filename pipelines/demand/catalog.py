"""The catalog as the demand model sees it: sku -> attributes and price, plus what it carries."""

from __future__ import annotations

import dataclasses
import itertools
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.demand.matching import asked_sizes, checked, offered_categories, offered_sizes


@dataclass(frozen=True)
class CatalogEntry:
    sku: str
    category: str
    color: str
    color_family: str | None
    pattern: str
    size: str
    list_price: float


#: The attributes `carried` combines, in its order after the category.
CARRIED = ("color_family", "pattern", "size")


@dataclass(frozen=True)
class CatalogColumns:
    """The index as Arrow arrays, for looking up a whole column of events at once."""

    sku: pa.Array
    list_price: pa.Array
    color_family: pa.Array
    pattern: pa.Array
    size: pa.Array
    #: the distinct keys of category and of each CARRIED attribute (no nulls), in that order
    vocab: tuple[pa.Array, ...]
    #: `carried` with each part coded by `vocab` (None = len(vocab)), in one integer per combination
    carried_codes: pa.Array
    #: per carried combination code (same order as `carried_codes`): the median list price of
    #: its skus and how many skus it has (the comparables of an estimated price)
    similar_median: pa.Array
    similar_count: pa.Array
    median_category: pa.Array
    median_price: pa.Array

    def code(self, parts: list[pa.Array | pa.ChunkedArray]) -> pa.Array:
        """The combination code of (category, color family, pattern, size) columns: null where a
        part has a value the catalog never has (so no carried combination can match)."""
        code: pa.Array | None = None
        for vocab, part in zip(self.vocab, parts, strict=True):
            none = len(vocab)
            index = pc.cast(pc.index_in(part, value_set=vocab, skip_nulls=True), pa.int64())
            index = pc.if_else(pc.is_null(part), none, index)
            code = index if code is None else pc.add(pc.multiply(code, none + 1), index)
        assert code is not None
        return code


@dataclass(frozen=True)
class CatalogIndex:
    """Built once per worker: lookups by sku, the attribute combinations carried, category medians."""

    skus: dict[str, CatalogEntry]
    #: (category, color family, pattern, size key) with None as "any", for every combination a
    #: sku meets a demand for (pipelines/demand/matching.py: a hoodie is also a "top", a 32x30 also
    #: a waist "32")
    carried: frozenset[tuple[str, str | None, str | None, str | None]]
    medians: dict[str, float]
    columns: CatalogColumns
    #: carried combination -> (median list price of its skus, number of skus)
    similar: dict[tuple[str, str | None, str | None, str | None], tuple[float, int]]

    def get(self, sku: str | None) -> CatalogEntry | None:
        return self.skus.get(sku) if sku else None

    def __contains__(self, sku: object) -> bool:
        return sku in self.skus

    def carries(self, category: str | None, color: str | None, pattern: str | None,
                size: str | None) -> bool:  # fmt: skip
        """Whether any sku meets a demand for the given attributes (None = any): one of the
        category (or covered by it, when generic) with the color family, pattern and a size that
        meets the size (pipelines/demand/matching.py). Never for an unchecked category."""
        sizes = (None,) if size is None else asked_sizes(size)
        return any((category, color, pattern, s) in self.carried for s in sizes)

    def comparables(self, category: str | None, color: str | None, pattern: str | None,
                    size: str | None) -> tuple[float, int] | None:  # fmt: skip
        """(median list price, number) of the skus `carries` finds, under the best size key that
        has any (the exact size before a sku sold by waist alone); None if there is none."""
        for s in (None,) if size is None else asked_sizes(size):
            found = self.similar.get((category, color, pattern, s))
            if found is not None:
                return found
        return None


def index_catalog(entries: dict[str, CatalogEntry]) -> CatalogIndex:
    prices: dict[str, list[float]] = defaultdict(list)
    by_combination: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    for e in entries.values():
        prices[e.category].append(e.list_price)
        # every key the sku meets a demand under (pipelines/demand/matching.py): a hoodie also
        # under "top", a 32x30 also under waist "32"; an unchecked category under none
        categories = offered_categories(e.category) if checked(e.category) else ()
        for key in itertools.product(
            categories, (e.color_family, None), (e.pattern, None), (*offered_sizes(e.size), None)
        ):
            by_combination[key].append(e.list_price)
    medians = {category: statistics.median(p) for category, p in prices.items()}
    similar = {
        k: (statistics.median(p), len(p)) for k, p in sorted(by_combination.items(), key=str)
    }
    return CatalogIndex(
        entries, frozenset(similar), medians, _columns(entries, similar, medians), similar
    )


def _columns(entries: dict[str, CatalogEntry], similar: dict[tuple[Any, ...], tuple[float, int]],
             medians: dict[str, float]) -> CatalogColumns:  # fmt: skip
    carried = list(similar)
    parts = list(zip(*carried, strict=True)) if carried else [(), (), (), ()]
    vocab = tuple(pa.array(sorted(set(part) - {None}), pa.string()) for part in parts)
    columns = CatalogColumns(
        sku=pa.array(list(entries), pa.string()),
        **{
            name: pa.array([getattr(e, name) for e in entries.values()], type_)
            for name, type_ in (
                ("list_price", pa.float64()),
                ("color_family", pa.string()),
                ("pattern", pa.string()),
                ("size", pa.string()),
            )
        },  # fmt: skip
        vocab=vocab,
        carried_codes=pa.array([], pa.int64()),
        similar_median=pa.array([m for m, _ in similar.values()], pa.float64()),
        similar_count=pa.array([n for _, n in similar.values()], pa.int64()),
        median_category=pa.array(list(medians), pa.string()),
        median_price=pa.array(list(medians.values()), pa.float64()),
    )
    # one code per carried combination (distinct combinations have distinct codes), in the order
    # of `similar`, so similar_median/similar_count line up with it
    codes = columns.code([pa.array(p, pa.string()) for p in parts])
    return dataclasses.replace(columns, carried_codes=pc.cast(codes, pa.int64()))


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
