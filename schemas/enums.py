"""Every enumeration of unmet, declared once.

Input formats, staging tables, marts, the extractor and the Great Expectations suites all take their
allowed values from here.
"""

from __future__ import annotations

from enum import StrEnum


class Source(StrEnum):
    FRONTLINE_NOTES = "frontline_notes"
    OOS_LOOKUPS = "oos_lookups"
    LOST_SALES = "lost_sales"


class Channel(StrEnum):
    STORE = "store"
    CALL_CENTER = "call_center"
    CHAT = "chat"
    APP = "app"
    WEB = "web"


class Currency(StrEnum):
    """The currency of a lost sale's price: unmet values demand in euros only (a price in another
    currency is refused at ingest rather than converted at an unknown rate)."""

    EUR = "EUR"


class WithdrawalChannel(StrEnum):
    """How a customer withdrew their consent to be contacted (consent_withdrawals/)."""

    STORE = "store"
    PHONE = "phone"
    EMAIL = "email"
    WEB = "web"
    APP = "app"


class LookupResult(StrEnum):
    IN_STOCK = "in_stock"
    OUT_OF_STOCK = "out_of_stock"
    NOT_CARRIED = "not_carried"


class ReasonCode(StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    SIZE_UNAVAILABLE = "size_unavailable"
    COLOR_UNAVAILABLE = "color_unavailable"
    NOT_CARRIED = "not_carried"
    PRICE = "price"
    OTHER = "other"


#: Lost-sale reasons that are unmet demand (price and other are not: the item was there).
UNMET_REASONS = frozenset(
    {
        ReasonCode.OUT_OF_STOCK,
        ReasonCode.SIZE_UNAVAILABLE,
        ReasonCode.COLOR_UNAVAILABLE,
        ReasonCode.NOT_CARRIED,
    }
)

#: Lookup results that are unmet demand.
UNMET_RESULTS = frozenset({LookupResult.OUT_OF_STOCK, LookupResult.NOT_CARRIED})


class Classification(StrEnum):
    """What kind of unmet demand an event is (docs/metrics.md)."""

    STOCKOUT = "stockout"
    NOT_CARRIED = "not_carried"
    SUBSTITUTED = "substituted"
    UNKNOWN = "unknown"


class Level(StrEnum):
    """The level of a mart row: one store, or the whole chain (store_id ALL)."""

    STORE = "store"
    CHAIN = "chain"


class Attribute(StrEnum):
    """What a mart_unmet_demand row groups by (docs/metrics.md); `total` counts every event once.
    pipelines/demand/aggregate.py DEFAULT_ATTRIBUTES lists the same values (a test checks)."""

    TOTAL = "total"
    COLOR = "color"
    PATTERN = "pattern"
    SIZE = "size"
    COLOR_SIZE = "color+size"
    COLOR_PATTERN = "color+pattern"


class TrendAttribute(StrEnum):
    """The attributes mart_attribute_trend follows, chain-wide (rpt_attribute_trend.sql)."""

    COLOR = "color"
    PATTERN = "pattern"
    SIZE = "size"


class Trend(StrEnum):
    """The trend of an attribute value over its trailing weeks (rpt_attribute_trend.sql)."""

    NEW = "new"  # fewer than 4 weeks to judge (a value at 0 after events is FALLING then)
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"


class PriceBasis(StrEnum):
    """How an event's unit price was found (docs/metrics.md, "Pricing")."""

    UNIT_PRICE_PAID = "unit_price_paid"
    SKU_PRICE = "sku_price"
    ESTIMATED_FROM_SIMILAR = "estimated_from_similar"
    NONE = "none"


class PriceRule(StrEnum):
    """The rule within the basis: which evidence gave the price."""

    SALE = "sale"
    CATALOG = "catalog"
    SIMILAR_ATTRIBUTES = "similar_attributes"
    CATEGORY_MEDIAN = "category_median"
    NONE = "none"


class ColorFamily(StrEnum):
    BLACK = "black"
    WHITE = "white"
    GREY = "grey"
    RED = "red"
    PINK = "pink"
    ORANGE = "orange"
    YELLOW = "yellow"
    GREEN = "green"
    BLUE = "blue"
    PURPLE = "purple"
    BROWN = "brown"
    BEIGE = "beige"
    METALLIC = "metallic"  # gold, silver, copper, bronze, rose gold (LABELLING.md)


class Pattern(StrEnum):
    SOLID = "solid"
    STRIPED = "striped"
    PLAID = "plaid"
    CHECKED = "checked"
    FLORAL = "floral"
    POLKA_DOT = "polka dot"
    PAISLEY = "paisley"
    ANIMAL_PRINT = "animal print"
    CAMOUFLAGE = "camouflage"
    GEOMETRIC = "geometric"
    GRAPHIC = "graphic"
    TIE_DYE = "tie-dye"
    HOUNDSTOOTH = "houndstooth"
    HERRINGBONE = "herringbone"
    EMBROIDERED = "embroidered"
    PRINTED = "printed"


#: Letter sizes in order, smallest first.
LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")


class SizeModifier(StrEnum):
    PETITE = "petite"
    TALL = "tall"
    PLUS = "plus"
    WIDE = "wide"
    REGULAR = "regular"  # "30 reg": the regular length, said against petite or tall


class Polarity(StrEnum):
    WANTED = "wanted"
    REJECTED = "rejected"
    OFFERED = "offered"
    MENTIONED = "mentioned"


def values(enum: type[StrEnum]) -> list[str]:
    """The allowed values of an enumeration, in declaration order."""
    return [member.value for member in enum]
