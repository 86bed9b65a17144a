"""schemas.rules reads each field's bounds, allowed values and digits off its pydantic model."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from schemas import enums, marts, raw, rules, staging
from schemas.rules import Bounds


@pytest.mark.parametrize(
    ("model", "field", "expected"),
    [
        (raw.LostSale, "quantity", Bounds(1, 1000)),
        (raw.LostSale, "unit_price", Bounds(0, 100_000)),
        (raw.OosLookup, "on_hand_qty", Bounds(0, 1_000_000)),
        (raw.CatalogItem, "list_price", Bounds(0, 100_000, strict_low=True)),
        (staging.StgCatalog, "list_price", Bounds(0, None, strict_low=True)),
        (marts.DemandEvent, "n_signals", Bounds(1, None)),
        (raw.LostSale, "sale_id", None),
        (marts.DemandSignal, "color", None),
    ],
)
def test_bounds_are_read_from_the_model(model, field, expected) -> None:
    assert rules.bounds(model, field) == expected


def test_the_ledger_reads_its_unit_and_price_bounds_from_the_input() -> None:
    assert rules.bounds(marts.DemandSignal, "quantity") == rules.bounds(raw.LostSale, "quantity")
    assert rules.bounds(marts.DemandEvent, "lost_units") == rules.bounds(raw.LostSale, "quantity")
    assert rules.bounds(marts.DemandSignal, "unit_price_eur").high == (
        rules.bounds(raw.LostSale, "unit_price").high  # type: ignore[union-attr]
    )


def test_strict_bounds_and_an_unknown_field() -> None:
    class Model(BaseModel):
        ratio: float = Field(gt=0, lt=1)

    assert rules.bounds(Model, "ratio") == Bounds(0, 1, strict_low=True, strict_high=True)
    with pytest.raises(KeyError):
        rules.bounds(Model, "missing")


@pytest.mark.parametrize(
    ("model", "field", "enum"),
    [
        (raw.OosLookup, "result", enums.LookupResult),
        (raw.FrontlineNote, "channel", enums.Channel),
        (marts.DemandSignal, "channel", enums.Channel),  # optional
        (marts.DemandEvent, "classification", enums.Classification),
        (marts.UnmetDemandRow, "attribute", enums.Attribute),
        (staging.StgCatalog, "color_family", enums.ColorFamily),
    ],
)
def test_allowed_values_of_an_enumeration(model, field, enum) -> None:
    assert rules.enum_of(model, field) is enum
    assert rules.allowed_values(model, field) == enums.values(enum)


def test_a_plain_string_has_no_allowed_values() -> None:
    assert rules.allowed_values(marts.DemandSignal, "shade") is None
    assert rules.allowed_values(raw.LostSale, "description") is None


def test_the_currency_rule_is_declared_once_on_the_input_model() -> None:
    """Only EUR: the enum on raw.LostSale, which the fast parser, the record validator and the
    gate (a rule carried over to stg_lost_sales) all read."""
    assert rules.allowed_values(raw.LostSale, "currency") == ["EUR"]


def test_digits_of_a_decimal() -> None:
    assert rules.decimal_places(raw.LostSale, "unit_price") == 2
    assert rules.max_digits(raw.LostSale, "unit_price") == 12
    assert rules.decimal_places(raw.LostSale, "quantity") is None


def test_longest_string() -> None:
    assert rules.max_length(raw.OosLookup, "lookup_id") == 64  # an Id
    assert rules.max_length(raw.LostSale, "sku") == 64  # an OptionalId
    assert rules.max_length(raw.FrontlineNote, "text") == raw.MAX_TEXT_CHARS
    assert rules.max_length(raw.LostSale, "quantity") is None


def test_unwrap_sees_through_optional_and_annotated() -> None:
    inner, optional, metadata = rules.unwrap(raw.OptionalId)
    assert inner is str and optional
    assert raw.IDENTIFIER in metadata
