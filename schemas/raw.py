"""Input records as they arrive, one pydantic model per source.

Each model validates one raw record (strings from CSV, JSON values from JSON Lines). Its error messages
become the quarantine reasons, so every constraint carries a readable message. The formats, with a
real example line each, are documented in docs/formats.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from schemas.enums import Channel, Currency, LookupResult, ReasonCode, WithdrawalChannel

#: Longest free text kept (characters). Longer notes are quarantined, not truncated.
MAX_TEXT_CHARS = 10_000

#: What an identifier (note_id, store_id, associate_id, sku, customer_ref, ...) may hold: letters,
#: digits and `- _ . : /`, starting with a letter or digit. No spaces, `@` or `+`, so no e-mail
#: address or formatted phone number fits; a bare number that reads as a phone, card or IBAN is
#: refused by pipelines/ingest/validate.py (docs/formats.md, "Identifiers").
#: The characters an identifier may hold besides letters and digits, declared once: ID_PATTERN and
#: the redactor's reading of digit groups in an id (`pipelines.ingest.redact.ID_DIGIT_GROUPS`:
#: "C.06.47.19.83.53", "CC.06/12/34/56/78" are phone numbers whatever joins the groups) are both
#: built from it. The hyphen last, so that it reads as itself in a character class.
ID_SEPARATORS = "_.:/-"
ID_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9{ID_SEPARATORS}]*$"


class FieldKind(str):
    """How a string field is treated for privacy (Annotated metadata, read by validate.py and the
    gate's suites): an identifier must match ID_PATTERN and hold no contact detail; a label (a
    catalog attribute, a region) must hold no contact detail; free text is redacted."""


IDENTIFIER = FieldKind("identifier")
LABEL = FieldKind("label")
FREE_TEXT = FieldKind("free text")

_IdText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Id = Annotated[_IdText, IDENTIFIER]
OptionalId = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)], IDENTIFIER
] | None  # fmt: skip
Label = Annotated[_IdText, LABEL]
OptionalLabel = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)], LABEL
] | None  # fmt: skip
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS), FREE_TEXT]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), FREE_TEXT]
_EPOCH = re.compile(r"^\s*[+-]?\d+(\.\d*)?\s*$")


def _iso_only(value: object) -> object:
    """Refuse a number (JSON, or digits in CSV) where a timestamp belongs: pydantic would read it
    as seconds since 1970, a silent guess; the format is ISO 8601 with an offset."""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        or (isinstance(value, str) and _EPOCH.match(value))
    ):
        raise PydanticCustomError(
            "epoch_number",
            "is a number (epoch seconds?), not an ISO 8601 timestamp with an offset "
            "such as 2026-11-17T14:03:00+01:00",
        )
    return value


#: The earliest time a record may carry (docs/formats.md, "Timestamps"). Systems write a null
#: date as 0001-01-01 (.NET's DateTime.MinValue) or 1970-01-01T00:00:00 (epoch 0): such a time is
#: no event, and one in years 1-999 once stopped every run (review 14, D5). No input of this
#: product (sales, lookups, notes, consent) comes from before 2000; the generator's default
#: covers the 8 weeks up to 2026-11-22, and it refuses to write any day before this.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def _not_before_earliest(value: datetime) -> datetime:
    """Refuse a time before EARLIEST_TIME, the instant (whatever offset it is written with)."""
    if value < EARLIEST_TIME:
        raise PydanticCustomError(
            "before_earliest_time",
            "is before 2000-01-01T00:00:00Z, the earliest time accepted: a null date such as "
            "0001-01-01 or 1970-01-01, not an event's time",
        )
    return value


#: A timestamp with its UTC offset, written in ISO 8601; never a number; not before
#: EARLIEST_TIME.
Timestamp = Annotated[
    AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_not_before_earliest)
]


#: How a number of the formats is written (docs/formats.md): ASCII digits, and for a decimal a
#: point and its decimals. No sign: no number field of the formats may be negative (a field that
#: could would take `-?` here). Python's int(), float() and Decimal() read far more (`1_0`,
#: `1e2`, `-0.00`, full-width `１２９`, Arabic-Indic `١٢٩`): each a silent guess at what was
#: meant (review 14, D6), so a number is matched against these first and refused otherwise.
WHOLE_NUMBER_TEXT = re.compile(r"[0-9]+")
DECIMAL_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _number_text(pattern: re.Pattern[str], what: str) -> Callable[[object], object]:
    """A before-validator: a string (a CSV cell) must be `pattern` once the spaces at its edges
    are removed; an integer (JSON) passes; anything else (a JSON float such as 1e2, a bool) is
    refused with `what` the format expects."""

    def check(value: object) -> object:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        if isinstance(value, str) and pattern.fullmatch(value.strip()):
            return value.strip()
        raise PydanticCustomError(
            "number_format",
            f"is not {what}: no sign, exponent, separator or other digits",
        )

    return check


#: A whole number as the formats write it (`12`): WHOLE_NUMBER_TEXT.
WholeNumber = Annotated[
    int, BeforeValidator(_number_text(WHOLE_NUMBER_TEXT, "a whole number in digits 0-9 (12)"))
]
#: A decimal as the formats write it (`129.00`, `129`): DECIMAL_TEXT; its places are the field's.
DecimalNumber = Annotated[
    Decimal,
    BeforeValidator(_number_text(DECIMAL_TEXT, "a number in digits 0-9 and a point (129.00)")),
]


class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_missing(cls, data: object) -> object:
        # CSV has no null: an empty cell means "not given". One pass per record, not per field.
        if isinstance(data, dict):
            return {k: None if isinstance(v, str) and not v.strip() else v for k, v in data.items()}
        return data


class FrontlineNote(_Raw):
    """A note an associate (or a customer in chat/app/web) wrote at the moment of truth.

    JSON Lines, one note per line:
    {"note_id": "N-000017", "store_id": "S003", "channel": "store", "associate_id": "A0311",
     "captured_at": "2026-11-17T14:03:00+01:00", "text": "wanted the wool coat in sage green, size L,
     we only had black", "sku": null, "customer_ref": "C-20417", "customer_consent": true}
    """

    note_id: Id
    store_id: Id
    channel: Channel
    associate_id: OptionalId = None
    captured_at: Timestamp
    text: Text
    sku: OptionalId = None
    customer_ref: OptionalId = None
    # JSON true or false only: consent given as "yes", "on", 1 or "TRUE" is not a consent the
    # format can vouch for (pydantic's lax bool would read them all as true); refused instead
    customer_consent: StrictBool = False


class OosLookup(_Raw):
    """A stock lookup made in a store system.

    CSV with header:
    lookup_id,store_id,channel,sku,looked_up_at,result,on_hand_qty
    L-0000042,S003,store,SKU-10482,2026-11-17T14:05:12+01:00,out_of_stock,0
    """

    lookup_id: Id
    store_id: Id
    channel: Channel
    sku: Id
    looked_up_at: Timestamp
    result: LookupResult
    on_hand_qty: WholeNumber = Field(ge=0, le=1_000_000)


class LostSale(_Raw):
    """A sale the till logged as lost, with its reason code.

    CSV with header (sku blank when the item was never carried; description is free text):
    sale_id,store_id,sku,reason_code,quantity,unit_price,currency,occurred_at,substitute_sku,description
    LS-000913,S003,SKU-10482,size_unavailable,1,129.00,EUR,2026-11-17T14:09:40+01:00,SKU-10477,
    """

    sale_id: Id
    store_id: Id
    sku: OptionalId = None
    reason_code: ReasonCode
    quantity: WholeNumber = Field(ge=1, le=1000)
    unit_price: DecimalNumber | None = Field(
        default=None, ge=0, le=100_000, max_digits=12, decimal_places=2
    )
    currency: Currency = Currency.EUR
    occurred_at: Timestamp
    substitute_sku: OptionalId = None
    description: Text | None = None


class CatalogItem(_Raw):
    """One sellable sku of the product catalog.

    CSV with header:
    sku,style,category,color,pattern,size,list_price
    SKU-10482,Wool overcoat,coat,navy,solid,L,189.00
    """

    sku: Id
    style: Name
    category: Label
    color: Label
    pattern: Label
    size: Label
    # above 0: a free sku would value lost sales at 0 (staging and the gate say so too)
    list_price: DecimalNumber = Field(gt=0, le=100_000, max_digits=12, decimal_places=2)


class Store(_Raw):
    """A store of the chain (reference data).

    CSV with header (the timezone column is optional):
    store_id,name,region,country,timezone
    S003,Berlin Mitte,East,DE,Europe/Berlin
    """

    store_id: Id
    name: Name
    region: Label
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    timezone: OptionalLabel = None  # an IANA name (Etc/GMT+1 has a +): a label, not an identifier

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: give an IANA name such as Europe/Berlin"
            ) from None
        return value


class ConsentWithdrawal(_Raw):
    """A customer's withdrawal of their consent to be contacted (reference data).

    CSV with header (no free text: what the customer said stays with the privacy team):
    withdrawal_id,customer_ref,withdrawn_at,channel
    CW-000001,C-000123,2026-11-20T10:15:00+01:00,phone
    """

    withdrawal_id: Id
    customer_ref: Id
    withdrawn_at: Timestamp
    channel: WithdrawalChannel

    # A withdrawal is not to be lost to a slip of typing: spaces around the time, "Phone".
    @field_validator("withdrawn_at", mode="before")
    @classmethod
    def _time_without_spaces(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("channel", mode="before")
    @classmethod
    def _channel_in_any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


#: A store's time zone when stores.csv gives none: its country's (docs/formats.md), else UTC.
COUNTRY_TIMEZONES = {
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "NL": "Europe/Amsterdam",
    "IE": "Europe/Dublin",
}


def known_zone_name(timezone: str | None, country: str | None) -> str | None:
    """The IANA name of a store's time zone: its `timezone` if a known zone, else its country's
    (COUNTRY_TIMEZONES), else None. With a zone, a record's local date and ISO week are its time
    there (the ingest); without one, the offset the record was written with decides."""
    for name in (timezone, COUNTRY_TIMEZONES.get(str(country))):
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return None


def store_zone_name(timezone: str | None, country: str | None) -> str:
    """The zone a store page shows times in: `known_zone_name`, else UTC."""
    return known_zone_name(timezone, country) or "UTC"


def utc(ts: datetime) -> datetime:
    """An aware timestamp converted to UTC."""
    return ts.astimezone(UTC)


def field_kind(model: type[BaseModel], name: str) -> FieldKind | None:
    """The privacy kind of a field of an input model (IDENTIFIER, LABEL, FREE_TEXT), if any."""
    return _kind_in(model.model_fields[name].metadata) or _kind_in(
        [model.model_fields[name].annotation]
    )


def _kind_in(items: list[object]) -> FieldKind | None:
    import typing

    for item in items:
        if isinstance(item, FieldKind):
            return item
        for arg in typing.get_args(item):
            found = _kind_in([arg])
            if found is not None:
                return found
    return None
