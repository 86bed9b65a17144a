"""Staging tables (`stg_*`): validated, typed, redacted input records, one table per source.

Every staging row keeps `source_file` and `source_line`, so any number traces back to an input line.
Timestamps are UTC; `event_date` and `iso_week` are the store's local date and ISO week. The
constraints of the input models (schemas/raw.py) carry over to the staging columns of the same name;
the ones declared here are those staging adds. Which staging table stages which input is declared in
schemas/datasets.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from schemas.enums import ColorFamily, Pattern
from schemas.rules import Why

#: A count of personal details redacted from a text.
RedactionCount = Annotated[int, Why("redactions is a count (>= 0)")]


class _Stg(BaseModel):
    model_config = ConfigDict(frozen=True)


class DemandedItem(_Stg):
    """One item a note asked for (extracted from free text)."""

    category: str | None = Field(None, description="catalog category, e.g. coat")
    color: str | None = Field(None, description="color family, e.g. blue")
    shade: str | None = Field(None, description="shade as normalised, e.g. navy")
    pattern: str | None = Field(None, description="pattern, e.g. plaid")
    size: str | None = Field(
        None, description="normalised size: XS..XXXL, 38, 8.5, 32x30, M/L, 10/12, OS"
    )
    size_modifier: str | None = Field(None, description="petite, tall, plus, wide or regular")


class StgFrontlineNote(_Stg):
    note_id: str = Field(description="note id, unique across all files")
    store_id: str
    channel: str
    associate_id: str | None
    captured_at: datetime = Field(description="when the note was written, UTC")
    event_date: date = Field(description="local date at the store")
    iso_week: str = Field(description="ISO week of event_date, e.g. 2026-W47")
    text: str = Field(description="note text with phone numbers, e-mails and card numbers redacted")
    redactions: RedactionCount = Field(
        ge=0, description="how many personal details were redacted from the text"
    )
    sku: str | None
    customer_ref: str | None = Field(
        description="customer reference, only where consent is true and no withdrawal of that "
        "customer (stg_consent_withdrawals) comes at or after captured_at"
    )
    customer_consent: bool
    customer_named: bool = Field(
        description="the note named a customer (their reference is kept only with consent)"
    )
    demand_expressed: bool = Field(
        description="the note says a customer asked for or could not get something (extracted)"
    )
    category: str | None = Field(description="category the note is about (extracted)")
    demanded: list[DemandedItem] = Field(description="items the customer wanted (extracted)")
    rejected_colors: list[str] = Field(description="color families the customer rejected")
    extractor_version: str
    source_file: str
    source_line: int


class StgOosLookup(_Stg):
    lookup_id: str
    store_id: str
    channel: str
    sku: str
    looked_up_at: datetime = Field(description="UTC")
    event_date: date
    iso_week: str
    result: str
    on_hand_qty: int
    source_file: str
    source_line: int


class StgLostSale(_Stg):
    sale_id: str
    store_id: str
    sku: str | None
    reason_code: str
    quantity: int
    unit_price: float | None = Field(description="price in the sale's currency")
    currency: str
    occurred_at: datetime = Field(description="UTC")
    event_date: date
    iso_week: str
    substitute_sku: str | None
    description: str | None = Field(description="free text, redacted")
    redactions: RedactionCount = Field(ge=0)
    source_file: str
    source_line: int


class StgCatalog(_Stg):
    sku: str
    style: str
    category: str = Field(
        description="category read with the notes' lexicon, e.g. coat (Coat, Dresss -> dress)"
    )
    color: str = Field(description="color as the catalog writes it, e.g. navy")
    color_family: ColorFamily | None = Field(description="normalised color family, e.g. blue")
    pattern: Pattern = Field(
        description="pattern read with the notes' lexicon (Solid, plain -> solid)"
    )
    size: str = Field(
        description="size read with the notes' lexicon (Medium -> M, UK 8 -> 8, W32 L30 -> 32x30)"
    )
    # Above 0, as the input (schemas/raw.py): a catalog row priced 0 is quarantined at ingest.
    list_price: Annotated[
        float, Why("every catalog sku has a price above 0 (a free sku values lost sales at 0)")
    ] = Field(gt=0, description="list price, EUR")
    source_file: str
    source_line: int


class StgStore(_Stg):
    store_id: str
    name: str
    region: str
    country: str
    timezone: str | None = Field(
        description="IANA time zone of the store if stores.csv gives one (else the reports use "
        "the country's zone, docs/formats.md)"
    )
    source_file: str
    source_line: int


class StgConsentWithdrawal(_Stg):
    withdrawal_id: str
    customer_ref: str = Field(description="the customer who withdrew their consent")
    withdrawn_at: datetime = Field(
        description="when, UTC: the customer_ref of every note captured at or before it is "
        "withheld from staging on (docs/privacy.md)"
    )
    channel: str = Field(description="store, phone, email, web or app")
    source_file: str
    source_line: int


class Reject(_Stg):
    """A quarantined input record: where it came from, what it was, and why it was refused."""

    source: str = Field(
        description="frontline_notes, oos_lookups, lost_sales, catalog, stores or "
        "consent_withdrawals"
    )
    source_file: str
    source_line: int = Field(description="1-based line where the record starts")
    record_id: str | None = Field(description="the record's id when it could be read")
    reason: str = Field(
        description="why the record was quarantined, in words, at most 200 characters"
    )
    raw: str = Field(description="the raw record, redacted, cut at 2,000 characters")


class FileStat(_Stg):
    """What the ingest read from one input file."""

    source: str
    source_file: str
    sha256: str
    bytes: int
    records_read: int
    records_parsed: int = Field(description="records that passed validation inside the file")
    lines_read: int = Field(
        description="physical lines of the file, counted from its bytes (a line ends at a line "
        "feed, CR LF or a lone CR)"
    )
    lines_skipped: int = Field(description="lines that are no record: blank lines, the CSV header")
    lines_parsed: int = Field(description="lines of the records that passed validation in the file")
    lines_rejected: int = Field(
        description="lines of the records quarantined while the file was parsed; "
        "lines_read = lines_skipped + lines_parsed + lines_rejected"
    )
    note: str | None = Field(description="e.g. 'file is empty'")
