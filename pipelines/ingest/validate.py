"""Validate one raw record of a source and turn it into a staging row, or say why not.

Pure functions: the pydantic input model checks types and ranges; the reference checks (known store,
known sku, not in the future) need the `Reference` of the run. A refused record raises `Refused` with
a readable reason, which becomes the quarantine reason.

Privacy (docs/privacy.md): free text is redacted; an identifier that is not one (ID_PATTERN) or a
label that holds a contact detail refuses the record, with a reason that never repeats the value;
a value shown in any other reason is redacted first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from pipelines.extract import (
    EXTRACTOR_VERSION,
    extract,
    normalize_category,
    normalize_color,
    normalize_pattern,
    normalize_size,
)
from pipelines.ingest.redact import (
    ID_MAYBE_CONTACT,
    contact_kinds,
    identifier_contact_kinds,
    redact,
    scrub,
    scrub_message,
)
from schemas.raw import (
    ID_PATTERN,
    IDENTIFIER,
    LABEL,
    CatalogItem,
    ConsentWithdrawal,
    FrontlineNote,
    LostSale,
    OosLookup,
    Store,
    field_kind,
)
from schemas.weeks import iso_week


class Refused(ValueError):
    """A record that cannot be accepted; the message is the quarantine reason."""


@dataclass(frozen=True)
class Reference:
    """What a record is checked against: known stores and skus, and the run's as-of time."""

    as_of: datetime
    stores: frozenset[str] = field(default_factory=frozenset)
    skus: frozenset[str] = field(default_factory=frozenset)
    #: store id -> IANA zone (schemas.raw.store_zone_name): a record's local date is its time in
    #: its store's zone, whatever offset it was written with; a store not here: the offset's date
    zones: dict[str, str] = field(default_factory=dict)
    #: customer_ref -> the latest time (UTC) they withdrew their consent to be contacted
    #: (consent_withdrawals/): a note captured at or before it keeps no customer_ref
    withdrawn: dict[str, datetime] = field(default_factory=dict)


def consent_withdrawn(
    ref: Reference, customer_ref: str | None, captured_at: datetime | None
) -> bool:
    """Whether a withdrawal of `customer_ref` covers a note captured at `captured_at` (aware):
    the latest statement wins, so a withdrawal at or after the note's time takes back the
    consent the note gave, and a note captured after the customer's latest withdrawal gives it
    again. A time that could not be read (None) is covered: it cannot be shown to come after."""
    if customer_ref is None or customer_ref not in ref.withdrawn:
        return False
    return captured_at is None or captured_at <= ref.withdrawn[customer_ref]


def describe_errors(err: ValidationError) -> str:
    """A pydantic error as one readable sentence per field: `quantity: must be >= 1 (got '-2')`."""
    parts = []
    for e in err.errors(include_url=False):
        where = ".".join(str(p) for p in e["loc"]) or "record"
        if e["type"] == "extra_forbidden":
            parts.append(f"unexpected field {where!r}")
            continue
        if e["type"] == "missing":
            parts.append(f"{where}: required field is missing")
            continue
        got = e.get("input")
        if got is None:
            parts.append(f"{where}: required field is empty")
            continue
        message = e["msg"].removeprefix("Value error, ")  # pydantic's prefix for our own checks
        parts.append(f"{where}: {scrub_message(message)} (got {shown_got(got)})")
    return "; ".join(parts)


#: A plain number as a field receives it (a JSON number or a CSV cell): 1000001, 100000.01.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+)(?:\.(\d+))?")


def shown_got(got: object) -> str:
    """The value a reason shows, with no contact detail: scrubbed before it is cut (`shown`) and
    after. A plain number the redactor hides (seven digits or more read as a phone number:
    on_hand_qty 1000001, an epoch 1763456400) is described by its shape instead, "a 7-digit
    number", which says why it failed without repeating a digit of it."""
    value = scrub(got) if isinstance(got, str) else got
    text = scrub(shown(value))
    plain = None if isinstance(got, bool) else _PLAIN_NUMBER.fullmatch(str(got).strip())
    if plain and text != shown(got):
        digits, decimals = plain.groups()
        n = len(digits)
        article = "an" if n in (8, 11, 18) else "a"
        return f"{article} {n}-digit number" + (
            f" with {len(decimals)} decimals" if decimals else ""
        )
    return text


def shown(value: object) -> str:
    """A value as a reason shows it: short text quoted, long text cut with its length, an array or
    object by its size (never its whole repr), other values short."""
    if isinstance(value, str):
        if len(value) <= 40:
            return repr(value)
        return f"{value[:40] + '...'!r} ({len(value):,} characters)"
    if isinstance(value, list):
        return f"an array of {len(value):,} items"
    if isinstance(value, dict):
        return f"an object with {len(value):,} keys"
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


def _model(model: type[BaseModel], fields: dict[str, Any]) -> Any:
    try:
        rec = model.model_validate(fields)
    except ValidationError as err:
        raise Refused(describe_errors(err)) from None
    _check_private(rec)
    return rec


_IDENTIFIER = re.compile(ID_PATTERN)


def identifier_problem(value: str) -> str | None:
    """Why `value` cannot be an identifier (without repeating it), or None if it can."""
    if _IDENTIFIER.match(value) and not ID_MAYBE_CONTACT.search(value):
        return None  # the common case, without running the redactor
    kinds = identifier_contact_kinds(value)
    if kinds or "@" in value:
        what = " and ".join(kinds) or "an e-mail address"
        return f"looks like {what}; identifiers may not hold contact details (value withheld)"
    if not _IDENTIFIER.match(value):
        return (
            f"{value!r} is not an identifier: use letters, digits and - _ . : / only, "
            "starting with a letter or digit"
        )
    return None


@functools.cache
def _private_fields(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(field, kind) of the identifiers and labels of an input model."""
    kinds = ((name, field_kind(model, name)) for name in model.model_fields)
    return tuple((name, kind) for name, kind in kinds if kind in (IDENTIFIER, LABEL))


def _check_private(rec: BaseModel) -> None:
    """Refuse a record whose identifier is not one, or whose label holds a contact detail. A
    note's customer_ref without consent is dropped before staging, so it is not judged (a
    withdrawal's always is)."""
    for name, kind in _private_fields(type(rec)):
        value = getattr(rec, name)
        if not value or (
            name == "customer_ref" and getattr(rec, "customer_consent", True) is False
        ):
            continue
        if kind == IDENTIFIER:
            problem = identifier_problem(value)
            if problem:
                raise Refused(f"{name}: {problem}")
        elif kinds := contact_kinds(value):
            raise Refused(f"{name}: holds {' and '.join(kinds)} (value withheld)")


def _utc(ts: datetime, name: str) -> datetime:
    """The time in UTC; refused when it falls outside years 1-9999 once converted (an offset can
    push 0001-01-01T00:30:00+01:00 before year 1), which Python's datetime cannot hold."""
    try:
        return ts.astimezone(UTC)
    except OverflowError:
        raise Refused(
            f"{name}: {ts.isoformat()} is out of range: it falls outside years 1-9999 in UTC"
        ) from None


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _when(ts: datetime, name: str, ref: Reference, store_id: str) -> dict[str, Any]:
    """The UTC time, local date (in the store's zone) and ISO week of a record's timestamp, or
    Refused."""
    utc = _utc(ts, name)
    if utc > ref.as_of:
        raise Refused(
            f"{name}: {ts.isoformat()} is in the future (run as of {ref.as_of.isoformat()})"
        )
    zone = ref.zones.get(store_id)
    try:
        local = (ts if zone is None else utc.astimezone(_zone(zone))).date()
    except OverflowError:
        raise Refused(
            f"{name}: {ts.isoformat()} is out of range: it falls outside years 1-9999 in the "
            f"store's time zone ({zone})"
        ) from None
    return {"event_date": local, "iso_week": iso_week(local), "utc": utc}


def _store(store_id: str, ref: Reference) -> None:
    if store_id not in ref.stores:
        raise Refused(f"store_id: unknown store {store_id!r} (not in stores.csv)")


def _sku(sku: str | None, name: str, ref: Reference) -> None:
    if sku is not None and sku not in ref.skus:
        raise Refused(f"{name}: unknown sku {sku!r} (no accepted catalog row has it)")


def note_text_fields(raw_text: str) -> dict[str, Any]:
    """The staging fields derived from a note's text: the redacted text and what it demands."""
    text, redactions = redact(raw_text)
    found = extract(text)
    return {
        "text": text,
        "redactions": redactions,
        "demand_expressed": found.demand,
        "category": found.category,
        "demanded": [
            {
                "category": i.category,
                "color": i.color,
                "shade": i.shade,
                "pattern": i.pattern,
                "size": i.size,
                "size_modifier": i.size_modifier,
            }
            for i in found.items
        ],
        "rejected_colors": found.rejected("color"),
    }


def note_row(fields: dict[str, Any], ref: Reference) -> dict[str, Any]:
    rec: FrontlineNote = _model(FrontlineNote, fields)
    _store(rec.store_id, ref)
    _sku(rec.sku, "sku", ref)
    when = _when(rec.captured_at, "captured_at", ref, rec.store_id)
    return {
        "note_id": rec.note_id,
        "store_id": rec.store_id,
        "channel": rec.channel.value,
        "associate_id": rec.associate_id,
        "captured_at": when["utc"],
        "event_date": when["event_date"],
        "iso_week": when["iso_week"],
        "sku": rec.sku,
        "customer_ref": (
            rec.customer_ref
            if rec.customer_consent and not consent_withdrawn(ref, rec.customer_ref, when["utc"])
            else None
        ),
        "customer_consent": rec.customer_consent,
        "customer_named": bool(rec.customer_ref),
        **note_text_fields(rec.text),
        "extractor_version": EXTRACTOR_VERSION,
    }


def lookup_row(fields: dict[str, Any], ref: Reference) -> dict[str, Any]:
    rec: OosLookup = _model(OosLookup, fields)
    _store(rec.store_id, ref)
    _sku(rec.sku, "sku", ref)
    when = _when(rec.looked_up_at, "looked_up_at", ref, rec.store_id)
    return {
        "lookup_id": rec.lookup_id,
        "store_id": rec.store_id,
        "channel": rec.channel.value,
        "sku": rec.sku,
        "looked_up_at": when["utc"],
        "event_date": when["event_date"],
        "iso_week": when["iso_week"],
        "result": rec.result.value,
        "on_hand_qty": rec.on_hand_qty,
    }


def lost_sale_row(fields: dict[str, Any], ref: Reference) -> dict[str, Any]:
    rec: LostSale = _model(LostSale, fields)
    _store(rec.store_id, ref)
    _sku(rec.sku, "sku", ref)
    _sku(rec.substitute_sku, "substitute_sku", ref)
    when = _when(rec.occurred_at, "occurred_at", ref, rec.store_id)
    description, redactions = redact(rec.description) if rec.description else (None, 0)
    return {
        "sale_id": rec.sale_id,
        "store_id": rec.store_id,
        "sku": rec.sku,
        "reason_code": rec.reason_code.value,
        "quantity": rec.quantity,
        "unit_price": float(rec.unit_price) if rec.unit_price is not None else None,
        "currency": rec.currency.value,
        "occurred_at": when["utc"],
        "event_date": when["event_date"],
        "iso_week": when["iso_week"],
        "substitute_sku": rec.substitute_sku,
        "description": description,
        "redactions": redactions,
    }


#: Catalog values normalised with the notes' lexicon, once per distinct value (a catalog repeats
#: a few hundred values over tens of thousands of rows).
_catalog_color = lru_cache(maxsize=8192)(normalize_color)
_CATALOG_VALUE = {
    "category": lru_cache(maxsize=8192)(normalize_category),
    "pattern": lru_cache(maxsize=8192)(normalize_pattern),
    "size": lru_cache(maxsize=8192)(normalize_size),
}


def catalog_values(category: str, color: str, pattern: str, size: str) -> dict[str, Any]:
    """A catalog row's category, pattern and size as the notes' lexicon writes them, and the
    color's family: "Dresss" -> dress, "Solid" -> solid, "Medium" -> M, "UK 8" -> 8,
    "W32 L30" -> 32x30, "Navy" -> blue. A category, pattern or size the lexicon does not
    know refuses the row (it could never match what customers ask for); an unknown color keeps a
    null family (the sku then matches only demand that named no color)."""
    found: dict[str, Any] = {}
    for name, raw in (("category", category), ("pattern", pattern), ("size", size)):
        value = _CATALOG_VALUE[name](raw)
        if value is None:
            shown = repr(raw) if len(raw) <= 40 else repr(raw[:40] + "...")
            raise Refused(f"{name}: unknown {name} {shown} (not in the lexicon)")
        found[name] = value
    family_shade = _catalog_color(color)
    found["color_family"] = family_shade[0] if family_shade else None
    return found


def catalog_row(fields: dict[str, Any], ref: Reference) -> dict[str, Any]:
    rec: CatalogItem = _model(CatalogItem, fields)
    values = catalog_values(rec.category, rec.color, rec.pattern, rec.size)
    return {
        "sku": rec.sku,
        "style": scrub(rec.style),
        "category": values["category"],
        "color": rec.color,
        "color_family": values["color_family"],
        "pattern": values["pattern"],
        "size": values["size"],
        "list_price": float(rec.list_price),
    }


def store_row(fields: dict[str, Any], ref: Reference) -> dict[str, Any]:
    rec: Store = _model(Store, fields)
    return {**rec.model_dump(), "name": scrub(rec.name)}


def withdrawal_row(fields: dict[str, Any], ref: Reference) -> dict[str, Any]:
    rec: ConsentWithdrawal = _model(ConsentWithdrawal, fields)
    withdrawn_at = _utc(rec.withdrawn_at, "withdrawn_at")
    if withdrawn_at > ref.as_of:  # the gate's rule too: no time after the run's as-of
        raise Refused(
            f"withdrawn_at: {rec.withdrawn_at.isoformat()} is in the future (run as of "
            f"{ref.as_of.isoformat()}); not applied until it is corrected"
        )
    return {
        "withdrawal_id": rec.withdrawal_id,
        "customer_ref": rec.customer_ref,
        "withdrawn_at": withdrawn_at,
        "channel": rec.channel.value,
    }


RowFn = Callable[[dict[str, Any], Reference], dict[str, Any]]
