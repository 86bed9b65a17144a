"""Which demand a catalog sku meets: the one rule the classification, the estimated price, the
linking of signals and the follow-ups all derive from (docs/metrics.md, "What the catalog carries").

A sku meets a demanded item when
- its category is the demanded category, or one that a generic demanded category covers
  (`GENERIC_CATEGORIES` in pipelines/extract/lexicon.py: a "top" is met by a hoodie); demand in an
  unchecked category (`other`) is met by no sku: it is never compared with the catalog;
- it has the demanded color family and pattern (an attribute not demanded is met by anything);
- its size meets the demanded size: the same size, or a demanded waist alone ("32") and a sku of
  that waist in any leg length ("32x30", "32x32"), or a demanded waist x leg ("32x30") and a sku
  sold by waist alone ("32"). Two different waist x leg sizes never meet.

Both sides become keys so that a dictionary lookup answers "is it carried": a sku is indexed under
every category and size key it offers (`offered_categories`, `offered_sizes`), and a demanded item
is looked up under its own keys (`asked_sizes`). The predicates (`size_meets`, `category_meets`)
and the pair tables the follow-ups' SQL joins on are computed from those keys, never written again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.extract.lexicon import GENERIC_CATEGORIES, UNCHECKED_CATEGORIES

_WAIST_LEG = re.compile(r"(\d+)x(\d+)")
#: The key of "this waist, leg not stated" (a sku sold by waist alone), e.g. "32x*".
ANY_LEG = "x*"
#: category -> the generic categories that cover it (besides itself).
_COVERED_BY: dict[str, tuple[str, ...]] = {}
for _generic, _covered in GENERIC_CATEGORIES.items():
    for _category in _covered:
        if _category != _generic:
            _COVERED_BY[_category] = (*_COVERED_BY.get(_category, ()), _generic)


def checked(category: str | None) -> bool:
    """Whether demand in `category` can be compared with the catalog (`other` cannot)."""
    return category not in UNCHECKED_CATEGORIES


def offered_categories(category: str) -> tuple[str, ...]:
    """The demanded categories a sku of `category` meets: its own and the generic ones covering it."""
    return (category, *_COVERED_BY.get(category, ()))


@cache
def offered_sizes(size: str) -> tuple[str, ...]:
    """The keys a sku of `size` is indexed under: its size; for waist x leg also its waist (met by
    a demand for the waist alone); for a bare number also "<n>x*" (it meets any leg length)."""
    found = _WAIST_LEG.fullmatch(size)
    if found:
        return (size, found.group(1))
    if size.isdigit():
        return (size, size + ANY_LEG)
    return (size,)


@cache
def asked_sizes(size: str) -> tuple[str, ...]:
    """The keys a demanded `size` is looked up under, best match first: its size; for waist x leg
    also "<waist>x*" (a sku sold by waist alone)."""
    found = _WAIST_LEG.fullmatch(size)
    return (size, found.group(1) + ANY_LEG) if found else (size,)


def size_meets(asked: str, offered: str) -> bool:
    """Whether a sku of size `offered` meets a demand for size `asked`."""
    return not set(asked_sizes(asked)).isdisjoint(offered_sizes(offered))


def attributes_meet(asked: tuple[str | None, str | None, str | None],
                    offered: tuple[str | None, str | None, str | None]) -> bool:  # fmt: skip
    """Whether a sku of (color family, pattern, size) `offered` has the demanded (color family,
    pattern, size) `asked` (None asked = anything): for an event whose note scanned a sku but
    whose text names another color, pattern or size (what the text names wins), the sku is not
    what the customer asked for."""
    (color, pattern, size), (has_color, has_pattern, has_size) = asked, offered
    return (
        (color is None or color == has_color)
        and (pattern is None or pattern == has_pattern)
        and (size is None or (has_size is not None and size_meets(size, has_size)))
    )


def category_meets(asked: str, offered: str) -> bool:
    """Whether a sku of category `offered` meets a demand in category `asked`."""
    return checked(asked) and asked in offered_categories(offered)


@cache
def sizes_conflict(a: str, b: str) -> bool:
    """For linking: two demanded sizes conflict unless one could be met where the other is ("32"
    and "32x30" could be one customer's ask; "32x30" and "32x32" not)."""
    return a != b and not (size_meets(a, b) or size_meets(b, a))


#: For linking: the pairs of different categories that do not conflict (one covers the other).
COMPATIBLE_CATEGORIES = frozenset(
    pair for c, generics in _COVERED_BY.items() for g in generics for pair in ((c, g), (g, c))
)


def categories_conflict(a: str, b: str) -> bool:
    """For linking: two categories conflict unless they are the same or one covers the other."""
    return a != b and (a, b) not in COMPATIBLE_CATEGORIES


def narrower(current: str | None, other: str | None, attribute: str) -> bool:
    """Whether `other` says more precisely what `current` says (for an event that keeps the most
    precise of its signals' compatible values): a hoodie than a top, "32x30" than "32"."""
    if current is None or other is None or current == other:
        return False
    if attribute == "category":
        return current in _COVERED_BY.get(other, ())
    if attribute == "size":
        return current in offered_sizes(other)  # "32" is a key of "32x30" (never of "32x*")
    return False


def size_key_columns(sizes: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    """`asked_sizes` of a whole column, as one column per key position (null where a size has no
    key at that position), for looking demanded items up with Arrow."""
    sizes = sizes.combine_chunks() if isinstance(sizes, pa.ChunkedArray) else sizes
    distinct = pc.unique(sizes).drop_null().to_pylist()
    keys = {s: asked_sizes(s) for s in distinct}
    width = max((len(k) for k in keys.values()), default=1)
    at = pc.index_in(sizes, value_set=pa.array(distinct, pa.string()))
    return [
        pa.array([k[i] if i < len(k) else None for k in keys.values()], pa.string()).take(at)
        for i in range(width)
    ]


def sizes_meet_column(asked: pa.Array | pa.ChunkedArray,
                      offered: pa.Array | pa.ChunkedArray) -> pa.Array:  # fmt: skip
    """`size_meets` of two whole columns, row by row (null where either size is null), computed
    once per distinct pair."""
    pairs = pc.binary_join_element_wise(asked, offered, "\x00")
    pairs = pairs.combine_chunks() if isinstance(pairs, pa.ChunkedArray) else pairs
    distinct = pc.unique(pairs).drop_null()
    met = [size_meets(*pair.split("\x00")) for pair in distinct.to_pylist()]
    return pa.array(met, pa.bool_()).take(pc.index_in(pairs, value_set=distinct))


def size_pairs(asked: Iterable[str], offered: Iterable[str]) -> pa.Table:
    """(asked, offered): every pair of the given demanded and catalog sizes that meet (`size_meets`)."""
    return _pairs(asked, offered, size_meets)


def category_pairs(asked: Iterable[str], offered: Iterable[str]) -> pa.Table:
    """(asked, offered): every pair of the given demanded and catalog categories that meet."""
    return _pairs(asked, offered, category_meets)


def _pairs(
    asked: Iterable[str], offered: Iterable[str], meets: Callable[[str, str], bool]
) -> pa.Table:
    offered = sorted(set(offered))
    pairs = [(a, o) for a in sorted(set(asked)) for o in offered if meets(a, o)]
    return pa.table(
        {
            "asked": pa.array([a for a, _ in pairs], pa.string()),
            "offered": pa.array([o for _, o in pairs], pa.string()),
        }
    )
