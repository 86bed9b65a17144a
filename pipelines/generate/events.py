"""Demand events, the planted truth: plan one, give it attributes, keep the 60-minute spacing rule.

An event is one customer moment at a store: a channel, a local time, what was wanted and how it
ended (stockout, substituted, not_carried or unknown). Its traces are written by `records.py`.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from pipelines.generate.catalog import (
    Catalog,
    Sku,
    missing_families,
    missing_patterns,
    missing_sizes,
)
from pipelines.generate.rand import between, one
from pipelines.generate.text import Alternative
from pipelines.generate.vocab import CATEGORIES, CATEGORY_BY_NAME, FAMILY_SHADES
from schemas.enums import ColorFamily, Pattern, ReasonCode

CLASSIFICATIONS = ("stockout", "not_carried", "substituted", "unknown")
CLASS_CUM = tuple(accumulate((0.50, 0.25, 0.15, 0.10)))
CHANNELS = ("store", "call_center", "chat", "app", "web")
EVENT_CHANNEL_CUM = tuple(accumulate((0.60, 0.10, 0.10, 0.10, 0.10)))
#: Channels whose sales go through a till, so they can log a lost sale.
TILL_CHANNELS = frozenset({"store", "call_center"})
#: Two events at one store, same category, compatible colour family and size: at least this apart.
SPACING_SECONDS = 3600
#: Traces follow their event within this many seconds.
TRACE_WINDOW_SECONDS = 1200
#: Local opening hours per channel, seconds since midnight (traces never cross midnight).
HOURS = {"store": (9 * 3600, 20 * 3600)}
OTHER_HOURS = (8 * 3600, 22 * 3600)
#: Never-carried demand that grows over the weeks (a trend for the reports to find).
TRENDING_GAPS = {("dress", "family", "green"): 4.0, ("coat", "pattern", "plaid"): 4.0}
_POPULAR_PATTERNS = frozenset(
    {Pattern.PLAID, Pattern.CHECKED, Pattern.ANIMAL_PRINT, Pattern.FLORAL, Pattern.STRIPED}
)


@dataclass(slots=True)
class Event:
    """One planted demand event; attributes are None when the customer did not say."""

    classification: str
    channel: str
    seconds: int
    lookup: bool
    lost: bool
    note: bool
    category: str = ""
    family: str | None = None
    shade: str | None = None
    pattern: str | None = None
    size: str | None = None
    sku: Sku | None = None
    reason: str = ""
    substitute: Sku | None = None
    alternative: Alternative | None = None

    @property
    def n_traces(self) -> int:
        return self.lookup + self.lost + self.note


def pick(rng: random.Random, values: tuple[str, ...], cum: tuple[float, ...]) -> str:
    """A weighted choice from cumulative weights (faster than rng.choices for one draw)."""
    return values[min(bisect(cum, rng.random() * cum[-1]), len(values) - 1)]


def open_seconds(rng: random.Random, channel: str) -> int:
    """A random local time (seconds since midnight) within the channel's opening hours."""
    start, end = HOURS.get(channel, OTHER_HOURS)
    return between(rng, start, end)


def plan_event(rng: random.Random) -> Event:
    """Classification, channel, time and which traces the event leaves (at least one)."""
    classification = pick(rng, CLASSIFICATIONS, CLASS_CUM)
    if classification == "substituted":
        channel = "store" if rng.random() < 0.85 else "call_center"
    else:
        channel = pick(rng, CHANNELS, EVENT_CHANNEL_CUM)
    till = channel in TILL_CHANNELS
    if classification == "stockout":
        lookup, lost, note = rng.random() < 0.7, till and rng.random() < 0.5, rng.random() < 0.5
        note = note or not (lookup or lost)
    elif classification == "substituted":
        lookup, lost, note = rng.random() < 0.7, True, rng.random() < 0.5
    elif classification == "not_carried":
        lookup, note, lost = False, rng.random() < 0.85, till and rng.random() < 0.2
        if not (note or lost):
            lost, note = till, not till
    else:
        lookup, lost, note = False, False, True
    return Event(classification, channel, open_seconds(rng, channel), lookup, lost, note)


@dataclass
class Spacing:
    """Events of one store and day, by category, to keep same-item events 60 minutes apart."""

    seen: dict[str, list[tuple[int, str | None, str | None]]] = field(default_factory=dict)

    def clashes(self, category: str, seconds: int, family: str | None, size: str | None) -> bool:
        """True when a compatible event (same category; family and size equal or unsaid) is
        within SPACING_SECONDS."""
        for other_seconds, other_family, other_size in self.seen.get(category, ()):
            if (
                abs(seconds - other_seconds) < SPACING_SECONDS
                and (family is None or other_family is None or family == other_family)
                and (size is None or other_size is None or size == other_size)
            ):
                return True
        return False

    def add(self, category: str, seconds: int, family: str | None, size: str | None) -> None:
        self.seen.setdefault(category, []).append((seconds, family, size))


@dataclass(frozen=True)
class GapOption:
    """One never-carried demand: a category and the attribute the catalog lacks."""

    category: str
    kind: str  # family | pattern | size
    value: str


class DemandSampler:
    """Draws what customers want in a given week (seasonal categories, trending gaps)."""

    def __init__(self, catalog: Catalog, week_fraction: float) -> None:
        self.catalog = catalog
        self.categories = tuple(spec.name for spec in CATEGORIES)
        self.category_cum = tuple(
            accumulate(max(0.2, 1.0 + spec.season * (week_fraction - 0.5)) for spec in CATEGORIES)
        )
        options: list[GapOption] = []
        weights: list[float] = []
        for spec in CATEGORIES:
            for family in missing_families(catalog, spec.name):
                options.append(GapOption(spec.name, "family", family.value))
                weights.append(2.0 if family == ColorFamily.GREEN else 1.0)
            for pattern in missing_patterns(catalog, spec.name):
                options.append(GapOption(spec.name, "pattern", pattern.value))
                weights.append(1.5 if pattern in _POPULAR_PATTERNS else 0.3)
            for size in missing_sizes(catalog, spec):
                options.append(GapOption(spec.name, "size", size))
                weights.append(0.8)
        for index, option in enumerate(options):
            boost = TRENDING_GAPS.get((option.category, option.kind, option.value))
            if boost:
                weights[index] *= 1.0 + boost * week_fraction * 5
        self.gaps = tuple(options)
        self.gap_cum = tuple(accumulate(weights))

    def category(self, rng: random.Random) -> str:
        return pick(rng, self.categories, self.category_cum)

    def stockout(self, rng: random.Random, event: Event) -> None:
        """A catalog sku that was unavailable, the reason, and what was offered or bought."""
        sku = one(rng, self.catalog.by_category[self.category(rng)])
        event.sku, event.category, event.family = sku, sku.category, sku.family
        event.shade, event.pattern, event.size = sku.color, sku.pattern, sku.size
        other_sizes, other_shades = self.catalog.siblings(sku)
        roll = rng.random()
        if roll < 0.3 and other_sizes:
            event.reason, alt = ReasonCode.SIZE_UNAVAILABLE.value, one(rng, other_sizes)
            event.alternative = Alternative(size=alt.size)
        elif roll < 0.55 and other_shades:
            event.reason, alt = ReasonCode.COLOR_UNAVAILABLE.value, one(rng, other_shades)
            event.alternative = Alternative(shade=alt.color)
        else:
            event.reason = ReasonCode.OUT_OF_STOCK.value
            alt = sku
            while alt is sku and event.classification == "substituted":
                alt = one(rng, self.catalog.by_category[sku.category])
        if event.classification == "substituted":
            event.substitute = alt
            if event.alternative is None and alt.color != sku.color:
                event.alternative = Alternative(shade=alt.color)
            elif event.alternative is None and alt.size != sku.size:
                event.alternative = Alternative(size=alt.size)

    def not_carried(self, rng: random.Random, event: Event) -> None:
        """A category plus the colour family, pattern or size it never comes in, with extras."""
        gap = self.gaps[
            min(bisect(self.gap_cum, rng.random() * self.gap_cum[-1]), len(self.gaps) - 1)
        ]
        spec = CATEGORY_BY_NAME[gap.category]
        event.category = gap.category
        carried_families = sorted(self.catalog.families[gap.category])
        carried_sizes = [size for size in spec.sizes if size in self.catalog.sizes[gap.category]]
        if gap.kind == "family":
            event.family = gap.value
            event.shade = one(rng, FAMILY_SHADES[ColorFamily(gap.value)])
            event.alternative = Alternative(
                shade=one(rng, FAMILY_SHADES[one(rng, carried_families)])
            )
        elif rng.random() < 0.5:
            family = one(rng, carried_families)
            event.family, event.shade = family, one(rng, FAMILY_SHADES[ColorFamily(family)])
        if gap.kind == "pattern":
            event.pattern = gap.value
        if gap.kind == "size":
            event.size = gap.value
            event.alternative = Alternative(size=one(rng, carried_sizes))
        elif spec.sizes != ("OS",) and rng.random() < 0.6:
            event.size = one(rng, carried_sizes)

    def assign(self, rng: random.Random, event: Event, spacing: Spacing, tries: int = 30) -> bool:
        """Give the event attributes that keep the spacing rule; False if none were found."""
        if event.classification == "unknown":
            return True
        draw = self.not_carried if event.classification == "not_carried" else self.stockout
        for _ in range(tries):
            _reset(event)
            draw(rng, event)
            if not spacing.clashes(event.category, event.seconds, event.family, event.size):
                spacing.add(event.category, event.seconds, event.family, event.size)
                return True
        return False


def _reset(event: Event) -> None:
    event.category, event.family, event.shade, event.pattern, event.size = (
        "",
        None,
        None,
        None,
        None,
    )
    event.sku, event.reason, event.substitute, event.alternative = None, "", None, None
