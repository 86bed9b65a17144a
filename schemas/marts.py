"""The demand ledger (`demand_signals`, `demand_events`) and the marts built from it.

Definitions of every column are in docs/metrics.md.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _Mart(BaseModel):
    model_config = ConfigDict(frozen=True)


class DemandSignal(_Mart):
    """One demanded item from one source record (a note can hold several)."""

    signal_id: str = Field(description="record id + '#' + item number, unique")
    source: str
    record_id: str
    item_no: int
    store_id: str
    channel: str | None
    occurred_at: datetime
    event_date: date
    iso_week: str
    category: str | None
    color: str | None = Field(description="color family")
    shade: str | None
    pattern: str | None
    size: str | None
    sku: str | None
    quantity: int
    unit_price_eur: float | None = Field(description="price paid or asked, from the lost sale")
    customer_ref: str | None = Field(description="only where the customer consented")
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
    color: str | None
    shade: str | None
    pattern: str | None
    size: str | None
    sku: str | None
    classification: str = Field(description="stockout, not_carried, substituted or unknown")
    n_signals: int
    n_notes: int
    n_lookups: int
    n_lost_sales: int
    customer_ref: str | None
    lost_units: int
    unit_price_eur: float | None
    price_basis: str = Field(
        description="how unit_price_eur was found: unit_price_paid, sku_price, "
        "estimated_from_similar or none"
    )
    price_rule: str = Field(
        description="sale, catalog, similar_attributes, category_median or none"
    )
    price_comparables: int | None = Field(
        description="for an estimated price: how many catalog skus its median is of"
    )
    substitute_price_eur: float | None = Field(
        description="list price of the substitute the customer bought instead"
    )
    lost_revenue_eur: float = Field(
        description="priced: units x (unit price - substitute price, >= 0); 0 when estimated"
    )
    estimated_revenue_eur: float = Field(
        description="the same for an estimated price; 0 when priced"
    )
    substitute_sku: str | None
    substitute_color: str | None
    substitute_pattern: str | None
    substitute_size: str | None


class UnmetDemandRow(_Mart):
    """mart_unmet_demand: unmet demand by week x store (or chain) x category x attribute value."""

    iso_week: str
    level: str = Field(description="store or chain")
    store_id: str = Field(description="the store, or ALL at chain level")
    category: str = Field(description="catalog category, or (unknown)")
    attribute: str = Field(
        description="total (every event once), color, pattern, size, color+size, color+pattern"
    )
    value: str = Field(description="the attribute value, e.g. blue or blue|L; all for total")
    events: int
    customers: int = Field(description="distinct consenting customers")
    lost_units: int
    lost_revenue_eur: float = Field(description="priced lost revenue (sku or sale price)")
    estimated_revenue_eur: float = Field(description="value of events priced by estimate")
    stockout_events: int
    not_carried_events: int
    substituted_events: int
    unknown_events: int
