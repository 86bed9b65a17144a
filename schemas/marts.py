"""The demand ledger (`demand_signals`, `demand_events`) and the marts built from it: the mart the
demand pipeline aggregates (`mart_unmet_demand`) and the report marts DuckDB exports, one per
report model (`mart_weekly_headline`, ...: their columns are those their SQL in
pipelines/reports/sql/ selects, in its order and with the types the export writes).

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
    Trend,
    TrendAttribute,
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


# The report marts, exported by DuckDB from the report models (pipelines/marts.py). A column that
# can be negative (a change on the week before, a fitted slope) has no bound; one the SQL leaves
# NULL (a percentage of a zero base, a left join that found nothing) admits None.

#: Where a report model writes '-': the customer did not say (coalesce(color, '-')).
_DASH = " ('-' when not stated)"


class WeeklyHeadlineRow(_Mart):
    """mart_weekly_headline: one row per ISO week, the chain's unmet events, units and revenue,
    with the change on the calendar week before (rpt_weekly_headline.sql)."""

    iso_week: str = Field(description="ISO week of the store's local date, e.g. 2026-W47")
    week_start_date: date = Field(description="the Monday the ISO week starts on")
    events: int = Field(ge=1, description="unmet demand events of the week")
    customers: int = Field(ge=0, description="distinct consenting customers behind the events")
    stores: int = Field(ge=1, description="stores with at least one event")
    lost_units: int = Field(ge=1, description="units not sold")
    lost_revenue_eur: float = Field(ge=0, description="priced lost revenue, EUR")
    estimated_revenue_eur: float = Field(ge=0, description="value of events priced by estimate")
    stockout_events: int = Field(ge=0)
    not_carried_events: int = Field(ge=0)
    substituted_events: int = Field(ge=0)
    unknown_events: int = Field(ge=0)  # its meaning: the glossary's (one definition)
    signals: int = Field(ge=1, description="notes, lookups and lost-sale lines in the events")
    prev_events: int = Field(ge=0, description="events of the calendar week before (0 if none)")
    prev_lost_revenue_eur: float = Field(
        ge=0, description="lost revenue of the calendar week before (0 if none)"
    )
    events_change: int = Field(description="events - prev_events (negative when fewer)")
    lost_revenue_change_eur: float = Field(
        description="lost_revenue_eur - prev_lost_revenue_eur (negative when less)"
    )
    events_change_pct: float | None = Field(
        ge=-100, description="events_change in % of prev_events; NULL when that is 0"
    )
    lost_revenue_change_pct: float | None = Field(
        ge=-100,
        description="lost_revenue_change_eur in % of prev_lost_revenue_eur; NULL when that is 0",
    )


class AttributeTrendRow(_Mart):
    """mart_attribute_trend: per week and chain-wide attribute value asked for that week or the
    week before (then with 0 events), its events, the change on the week before and its trend
    over the trailing weeks (rpt_attribute_trend.sql)."""

    iso_week: str = Field(description="ISO week, e.g. 2026-W47")
    attribute: TrendAttribute = Field(description="color, pattern or size")
    value: str = Field(description="the attribute value, e.g. blue")
    events: int = Field(
        ge=0,
        description="chain-wide events that asked for the value (0: asked for only the week "
        "before)",
    )
    lost_revenue_eur: float = Field(ge=0, description="their priced lost revenue, EUR")
    events_change: int = Field(
        description="events - events of the calendar week before (0 there if none; negative "
        "when fewer)"
    )
    trend: Trend = Field(
        description="new (fewer than 4 weeks, unless at 0 after events: falling), rising, "
        "falling or steady: the slope of the trailing weeks' events against twice its standard "
        "error"
    )
    trend_weeks: int = Field(ge=1, le=6, description="weeks the trend is fitted on (up to 6)")
    slope_events_per_week: float | None = Field(
        description="slope of the fitted line, events per week (any sign); NULL with 1 week"
    )
    trend_change_pct: float | None = Field(
        description="change of the fitted line over its weeks, in % (any sign); NULL with 1 week"
    )


class StoreCaptureRow(_Mart):
    """mart_store_capture: per week and store, unmet events, revenue and the capture rate (the
    share of the store's events an associate wrote down), ranked (rpt_store_ranking.sql)."""

    iso_week: str = Field(description="ISO week, e.g. 2026-W47")
    store_id: str
    store_name: str | None = Field(description="the store's name; NULL if not in stg_stores")
    region: str | None = Field(description="the store's region; NULL if not in stg_stores")
    events: int = Field(ge=1, description="unmet demand events at the store")
    not_carried_events: int = Field(ge=0)
    lost_revenue_eur: float = Field(ge=0, description="priced lost revenue, EUR")
    estimated_revenue_eur: float = Field(ge=0, description="value of events priced by estimate")
    lost_revenue_share_pct: float | None = Field(
        ge=0, le=100, description="the store's % of the week's lost revenue; NULL when that is 0"
    )
    notes: int = Field(ge=0, description="frontline notes written at the store")
    system_signals: int = Field(ge=0, description="out-of-stock lookups and lost-sale lines")
    noted_events: int = Field(ge=0, description="events with a note an associate wrote")
    capture_rate: float = Field(
        ge=0, le=1, description="noted_events / events, rounded to 2 decimals (a share)"
    )
    notes_per_system_signal: float | None = Field(
        ge=0, description="notes / system_signals (a ratio, not a share); NULL without signals"
    )
    chain_median_capture_rate: float = Field(
        ge=0, le=1, description="median capture rate of the week's stores"
    )
    rank_by_lost_revenue: int = Field(ge=1, description="1 = most lost revenue in the week")
    rank_by_capture_rate: int = Field(
        ge=1, description="1 = highest capture rate in the week (equal rates share a rank)"
    )


class NotCarriedRow(_Mart):
    """mart_not_carried: per week, the not-carried events with a known category by the exact
    combination asked for (combinations no sku has, and items a source said are not carried),
    ranked (rpt_not_carried.sql)."""

    iso_week: str = Field(description="ISO week, e.g. 2026-W47")
    category: str = Field(description="catalog category")
    color: str = Field(description="color family" + _DASH)
    pattern: str = Field(description="pattern" + _DASH)
    size: str = Field(description="size" + _DASH)
    events: int = Field(ge=1, description="not-carried events that asked for the combination")
    stores: int = Field(ge=1, description="stores the events were at")
    customers: int = Field(ge=0, description="distinct consenting customers")
    lost_revenue_eur: float = Field(ge=0, description="priced lost revenue, EUR")
    estimated_revenue_eur: float = Field(ge=0, description="value of events priced by estimate")
    rank: int = Field(ge=1, description="1 = most events in the week")


class SubstituteRow(_Mart):
    """mart_substitutes: per week, what customers asked for against the substitute they took
    (rpt_substitutes.sql)."""

    iso_week: str = Field(description="ISO week, e.g. 2026-W47")
    category: str | None = Field(description="catalog category; NULL when unknown")
    wanted_color: str = Field(description="color family asked for" + _DASH)
    took_color: str = Field(description="color family of the substitute" + _DASH)
    wanted_size: str = Field(description="size asked for" + _DASH)
    took_size: str = Field(description="size of the substitute" + _DASH)
    events: int = Field(ge=1, description="substituted events")
    demanded_revenue_eur: float | None = Field(
        ge=0,
        description="lost units x unit price of the item asked for, events with their own price "
        "only; NULL when none has one",
    )
    lost_revenue_eur: float = Field(
        ge=0, description="priced lost revenue, net of the substitute's price, EUR"
    )
