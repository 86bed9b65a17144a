"""The synthetic product catalog: about 20 styles per category, each in a few shades and all sizes.

The catalog is the only large structure the generator keeps in memory (about 10,000 skus). Its
gaps (colour families, patterns and sizes a category never carries) come from `vocab.CATEGORIES`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import product

from pipelines.generate.vocab import (
    CATEGORIES,
    FAMILY_SHADES,
    CategorySpec,
    size_gaps,
)
from schemas.enums import ColorFamily, Pattern

STYLES_PER_CATEGORY = 20
CATALOG_HEADER = ("sku", "style", "category", "color", "pattern", "size", "list_price")


@dataclass(frozen=True, slots=True)
class Sku:
    """One catalog line, with the colour family and style words the note writer needs."""

    sku: str
    style: str
    category: str
    color: str
    family: str  # a ColorFamily value
    pattern: str  # a Pattern value
    size: str
    price_cents: int
    material: str
    base: str

    def row(self) -> tuple[str, ...]:
        """The catalog.csv row."""
        return (
            self.sku,
            self.style,
            self.category,
            self.color,
            self.pattern,
            self.size,
            euros(self.price_cents),
        )


@dataclass(frozen=True)
class Catalog:
    """All skus plus the indexes the event sampler uses."""

    items: tuple[Sku, ...]
    by_category: dict[str, tuple[Sku, ...]]
    by_style: dict[str, tuple[Sku, ...]]
    families: dict[str, frozenset[str]] = field(default_factory=dict)
    patterns: dict[str, frozenset[str]] = field(default_factory=dict)
    sizes: dict[str, frozenset[str]] = field(default_factory=dict)
    _siblings: dict[str, tuple[tuple[Sku, ...], tuple[Sku, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def siblings(self, item: Sku) -> tuple[tuple[Sku, ...], tuple[Sku, ...]]:
        """Same style and shade in other sizes; same style and size in other shades (cached)."""
        found = self._siblings.get(item.sku)
        if found is None:
            style = self.by_style[item.style]
            found = (
                tuple(s for s in style if s.color == item.color and s.size != item.size),
                tuple(s for s in style if s.color != item.color and s.size == item.size),
            )
            self._siblings[item.sku] = found
        return found


def euros(cents: int) -> str:
    """Cents as a two-decimal amount: 12900 -> '129.00'."""
    return f"{cents // 100}.{cents % 100:02d}"


def _style_price(rng: random.Random, spec: CategorySpec) -> int:
    low, high = spec.price
    tens = rng.randint(low // 10, high // 10)
    return (tens * 10 + 9) * 100 + rng.choice((0, 0, 0, 95, 99))


def _style_skus(
    rng: random.Random,
    spec: CategorySpec,
    style: str,
    material: str,
    base: str,
    pattern: Pattern,
    families: list[ColorFamily],
    next_number: list[int],
) -> list[Sku]:
    price = _style_price(rng, spec)
    skus = []
    for family in families:
        shade = rng.choice(FAMILY_SHADES[family])
        for size in spec.sizes:
            next_number[0] += rng.choice((1, 1, 1, 2, 3))
            skus.append(
                Sku(
                    f"SKU-{next_number[0]}",
                    style,
                    spec.name,
                    shade,
                    family.value,
                    pattern.value,
                    size,
                    price,
                    material,
                    base,
                )
            )
    return skus


def _category_skus(rng: random.Random, spec: CategorySpec, next_number: list[int]) -> list[Sku]:
    names = sorted(product(spec.materials, spec.bases))
    chosen = rng.sample(names, min(STYLES_PER_CATEGORY, len(names)))
    family_cycle = sorted(spec.families)
    rng.shuffle(family_cycle)
    skus: list[Sku] = []
    position = 0
    for index, (material, base) in enumerate(chosen):
        if index < len(spec.patterns):
            pattern = spec.patterns[index]
        else:
            pattern = Pattern.SOLID if rng.random() < 0.6 else rng.choice(spec.patterns)
        n_colors = min(len(family_cycle), rng.choice((2, 3, 3, 4)))
        families = []
        while len(families) < n_colors:
            family = family_cycle[position % len(family_cycle)]
            position += 1
            if family not in families:
                families.append(family)
        style = f"{material} {base}"
        skus.extend(_style_skus(rng, spec, style, material, base, pattern, families, next_number))
    return skus


def build_catalog(rng: random.Random) -> Catalog:
    """The catalog for one seed: same rng state, same skus."""
    next_number = [10_000]
    items: list[Sku] = []
    for spec in CATEGORIES:
        items.extend(_category_skus(rng, spec, next_number))
    by_category: dict[str, list[Sku]] = {}
    by_style: dict[str, list[Sku]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)
        by_style.setdefault(item.style, []).append(item)
    return Catalog(
        items=tuple(items),
        by_category={key: tuple(value) for key, value in by_category.items()},
        by_style={key: tuple(value) for key, value in by_style.items()},
        families={k: frozenset(i.family for i in v) for k, v in by_category.items()},
        patterns={k: frozenset(i.pattern for i in v) for k, v in by_category.items()},
        sizes={k: frozenset(i.size for i in v) for k, v in by_category.items()},
    )


def matches(
    catalog: Catalog, category: str, family: str | None, pattern: str | None, size: str | None
) -> list[Sku]:
    """Catalog skus of a category that match every given attribute (None matches anything)."""
    return [
        item
        for item in catalog.by_category.get(category, ())
        if (family is None or item.family == family)
        and (pattern is None or item.pattern == pattern)
        and (size is None or item.size == size)
    ]


def missing_families(catalog: Catalog, category: str) -> list[ColorFamily]:
    """Colour families the catalog never carries in a category."""
    return [family for family in ColorFamily if family not in catalog.families[category]]


def missing_patterns(catalog: Catalog, category: str) -> list[Pattern]:
    """Patterns the catalog never carries in a category."""
    return [pattern for pattern in Pattern if pattern not in catalog.patterns[category]]


def missing_sizes(catalog: Catalog, spec: CategorySpec) -> list[str]:
    """Sizes customers ask for in a category that the catalog never carries."""
    return [size for size in size_gaps(spec) if size not in catalog.sizes[spec.name]]
