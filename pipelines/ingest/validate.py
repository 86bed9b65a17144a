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
from typing import Any

from pydantic import BaseModel, ValidationError

from pipelines.extract import EXTRACTOR_VERSION, extract
from pipelines.extract import normalize_color as _normalize_color
from pipelines.ingest.redact import (
    ID_MAYBE_CONTACT,
    contact_kinds,
    redact,
    scrub,
    scrub_message,
)
from schemas.raw import (
    ID_PATTERN,
    IDENTIFIER,
    LABEL,
    CatalogItem,
    FrontlineNote,
    LostSale,
    OosLookup,
    Store,
    field_kind,
)


class Refused(ValueError):
    """A record that cannot be accepted; the message is the quarantine reason."""


@dataclass(frozen=True)
class Reference:
    """What a record is checked against: known stores and skus, and the run's as-of time."""

    as_of: datetime
    stores: frozenset[str] = field(default_factory=frozenset)
    skus: frozenset[str] = field(default_factory=frozenset)


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
        if isinstance(got, str):
            got = scrub(got)  # never repeat a contact detail
        shown = repr(got) if not isinstance(got, str) or len(got) <= 40 else repr(got[:40] + "...")
        shown = scrub(shown)  # a number, a list: its text too
        if isinstance(got, str) and len(got) > 40:
            shown += f" ({len(got)} characters)"
        parts.append(f"{where}: {scrub_message(e['msg'])} (got {shown})")
    return "; ".join(parts)


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
    kinds = contact_kinds(value)
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
    customer_ref without consent is dropped before staging, so it is not judged."""
    for name, kind in _private_fields(type(rec)):
        value = getattr(rec, name)
        if not value or (name == "customer_ref" and not getattr(rec, "customer_consent", False)):
            continue
        if kind == IDENTIFIER:
            problem = identifier_problem(value)
            if problem:
                raise Refused(f"{name}: {problem}")
        elif kinds := contact_kinds(value):
            raise Refused(f"{name}: holds {' and '.join(kinds)} (value withheld)")


def _when(ts: datetime, name: str, ref: Reference) -> dict[str, Any]:
    if ts > ref.as_of:
        raise Refused(
            f"{name}: {ts.isoformat()} is in the future (run as of {ref.as_of.isoformat()})"
        )
    local = ts.date()
    year, week, _ = local.isocalendar()
    return {"event_date": local, "iso_week": f"{year}-W{week:02d}"}


def _store(store_id: str, ref: Reference) -> None:
    if store_id not in ref.stores:
        raise Refused(f"store_id: unknown store {store_id!r} (not in stores.csv)")


def _sku(sku: str | None, name: str, ref: Reference) -> None:
    if sku is not None and sku not in ref.skus:
        raise Refused(f"{name}: unknown sku {sku!r} (not in the catalog)")


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
    return {
        "note_id": rec.note_id,
        "store_id": rec.store_id,
        "channel": rec.channel.value,
        "associate_id": rec.associate_id,
        "captured_at": rec.captured_at.astimezone(UTC),
        **_when(rec.captured_at, "captured_at", ref),
        "sku": rec.sku,
        "customer_ref": rec.customer_ref if rec.customer_consent else None,
        "customer_consent": rec.customer_consent,
        **note_text_fields(rec.text),
        "extractor_version": EXTRACTOR_VERSION,
    }


def lookup_row(fields: dict[str, Any], ref: Reference) -> dict[str, Any]:
    rec: OosLookup = _model(OosLookup, fields)
    _store(rec.store_id, ref)
    _sku(rec.sku, "sku", ref)
    return {
        "lookup_id": rec.lookup_id,
        "store_id": rec.store_id,
        "channel": rec.channel.value,
        "sku": rec.sku,
        "looked_up_at": rec.looked_up_at.astimezone(UTC),
        **_when(rec.looked_up_at, "looked_up_at", ref),
        "result": rec.result.value,
        "on_hand_qty": rec.on_hand_qty,
    }


def lost_sale_row(fields: dict[str, Any], ref: Reference) -> dict[str, Any]:
    rec: LostSale = _model(LostSale, fields)
    _store(rec.store_id, ref)
    _sku(rec.sku, "sku", ref)
    _sku(rec.substitute_sku, "substitute_sku", ref)
    if rec.currency != "EUR":
        raise Refused(f"currency: only EUR is supported (got {rec.currency!r})")
    description, redactions = redact(rec.description) if rec.description else (None, 0)
    return {
        "sale_id": rec.sale_id,
        "store_id": rec.store_id,
        "sku": rec.sku,
        "reason_code": rec.reason_code.value,
        "quantity": rec.quantity,
        "unit_price": float(rec.unit_price) if rec.unit_price is not None else None,
        "currency": rec.currency,
        "occurred_at": rec.occurred_at.astimezone(UTC),
        **_when(rec.occurred_at, "occurred_at", ref),
        "substitute_sku": rec.substitute_sku,
        "description": description,
        "redactions": redactions,
    }


def catalog_row(fields: dict[str, Any], ref: Reference) -> dict[str, Any]:
    rec: CatalogItem = _model(CatalogItem, fields)
    color = _normalize_color(rec.color)
    return {
        "sku": rec.sku,
        "style": scrub(rec.style),
        "category": rec.category,
        "color": rec.color,
        "color_family": color[0] if color else None,
        "pattern": rec.pattern,
        "size": rec.size,
        "list_price": float(rec.list_price),
    }


def store_row(fields: dict[str, Any], ref: Reference) -> dict[str, Any]:
    rec: Store = _model(Store, fields)
    return {**rec.model_dump(), "name": scrub(rec.name)}


RowFn = Callable[[dict[str, Any], Reference], dict[str, Any]]
