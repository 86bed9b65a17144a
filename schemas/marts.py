"""The demand ledger (`demand_signals`, `demand_events`) and the marts built from it.

Definitions of every column are in docs/metrics.md. Allowed values and bounds are declared here,
on the fields (Enum types, `Field(ge=..., le=...)`): the gate checks them (pipelines/checks/suites.py
reads them with schemas.rules); enum columns are strings in Arrow and Parquet.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from schemas.enums import (
    Attribute,
    Channel,
    Classification,
    ColorFamily,
    Level,
    Pattern,
    PriceBasis,
    PriceRule,
    Source,
)
from schemas.raw import LostSale
from schemas.rules import bounds

#: Most units a signal or an event carries: one lost-sale line's (the input's bound, read from it).
MAX_UNITS = bounds(LostSale, "quantity").high  # type: ignore[union-attr]
#: Highest unit price, EUR: the input's bound on a lost sale's unit price, read from it.
MAX_PRICE_EUR = bounds(LostSale, "unit_price").high  # type: ignore[union-attr]


class _Mart(BaseModel):
    model_config = ConfigDict(frozen=True)


class DemandSignal(_Mart):
    """One demanded item from one source record (a note can hold several)."""

    signal_id: str = Field(description="record id + '#' + item number, unique")
    source: Source
    record_id: str
    item_no: int = Field(ge=1)
    store_id: str
    channel: Channel | None
    occurred_at: datetime
    event_date: date
    iso_week: str
    category: str | None
    color: ColorFamily | None = Field(description="color family")
    shade: str | None
    pattern: Pattern | None
    size: str | None
    sku: str | None
    quantity: int = Field(ge=1, le=MAX_UNITS)
    unit_price_eur: float | None = Field(
        ge=0, le=MAX_PRICE_EUR, description="price paid or asked, from the lost sale"
    )
    customer_ref: str | None = Field(
        description="only where the customer consented and has not withdrawn it since"
    )
    customer_named: bool = Field(
        description="a note that named a customer, consenting or not: never linked with a note "
        "of another customer"
    )
    substitute_sku: str | None
    hint: str | None = Field(
        description="what the source said: note, lookup:<result>, sale:<reason>"
    )
    extractor_version: str | None
    event_id: str = Field(description="the demand event this signal was linked into")
    link_reason: str = Field(description="why this signal joined its event")


class DemandEvent(_Mart):
    """One customer moment of unmet demand: one or more linked signals."""

    event_id: str
    store_id: str
    event_date: date
    iso_week: str
    first_at: datetime
    last_at: datetime
    category: str | None
    color: ColorFamily | None
    shade: str | None
    pattern: Pattern | None
    size: str | None
    sku: str | None
    classification: Classification = Field(
        description="stockout, not_carried, substituted or unknown"
    )
    n_signals: int = Field(ge=1)
    n_notes: int = Field(ge=0)
    n_lookups: int = Field(ge=0)
    n_lost_sales: int = Field(ge=0)
    customer_ref: str | None
    lost_units: int = Field(ge=1, le=MAX_UNITS)
    unit_price_eur: float | None = Field(ge=0, le=MAX_PRICE_EUR)
    price_basis: PriceBasis = Field(
        description="how unit_price_eur was found: unit_price_paid, sku_price, "
        "estimated_from_similar or none"
    )
    price_rule: PriceRule = Field(
        description="sale, catalog, similar_attributes, category_median or none"
    )
    price_comparables: int | None = Field(
        ge=1, description="for an estimated price: how many catalog skus its median is of"
    )
    substitute_price_eur: float | None = Field(
        description="list price of the substitute the customer bought instead"
    )
    lost_revenue_eur: float = Field(
        ge=0, description="priced: units x (unit price - substitute price, >= 0); 0 when estimated"
    )
    estimated_revenue_eur: float = Field(
        ge=0, description="the same for an estimated price; 0 when priced"
    )
    substitute_sku: str | None
    substitute_color: ColorFamily | None
    substitute_pattern: Pattern | None
    substitute_size: str | None


class UnmetDemandRow(_Mart):
    """mart_unmet_demand: unmet demand by week x store (or chain) x category x attribute value."""

    iso_week: str
    level: Level = Field(description="store or chain")
    store_id: str = Field(description="the store, or ALL at chain level")
    category: str = Field(description="catalog category, or (unknown)")
    attribute: Attribute = Field(
        description="total (every event once), color, pattern, size, color+size, color+pattern"
    )
    value: str = Field(description="the attribute value, e.g. blue or blue|L; all for total")
    events: int = Field(ge=1)
    customers: int = Field(ge=0, description="distinct consenting customers")
    lost_units: int = Field(ge=1)
    lost_revenue_eur: float = Field(ge=0, description="priced lost revenue (sku or sale price)")
    estimated_revenue_eur: float = Field(ge=0, description="value of events priced by estimate")
    stockout_events: int = Field(ge=0)
    not_carried_events: int = Field(ge=0)
    substituted_events: int = Field(ge=0)
    unknown_events: int = Field(ge=0)
