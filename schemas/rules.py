"""Read a field's rules off its pydantic model: its numeric bounds, its allowed values, its digits.

Each rule is declared once, on the model (`Field(ge=1, le=1000)`, an Enum annotation); whoever
checks it elsewhere reads it from there through these helpers: the ingest's column-at-a-time path
(pipelines/ingest/fast.py) and the gate's expectations (pipelines/checks/suites.py). Only public
pydantic and annotated-types APIs are used (`model_fields`, `FieldInfo.metadata`).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from enum import Enum

import annotated_types
from pydantic import BaseModel


@dataclass(frozen=True)
class Why:
    """A field's bounds in words, as Annotated metadata (`Annotated[float, Why("...")]`): the
    sentence the gate shows for them instead of the generated "x is between a and b"."""

    text: str


@dataclass(frozen=True)
class Bounds:
    """A field's numeric range: `low` and `high` are inclusive unless `strict_low`/`strict_high`
    (gt/lt); None is open."""

    low: float | int | None = None
    high: float | int | None = None
    strict_low: bool = False
    strict_high: bool = False


def unwrap(annotation: object) -> tuple[object, bool, list[object]]:
    """(inner type, admits None, Annotated metadata) of an annotation: `Annotated[str, ...] | None`
    gives (str, True, [...])."""
    metadata: list[object] = []
    optional = False
    for _ in range(3):
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            metadata.extend(extra)
        elif origin in (typing.Union, types.UnionType):
            args = typing.get_args(annotation)
            optional = optional or type(None) in args
            rest = [a for a in args if a is not type(None)]
            if len(rest) != 1:
                break
            annotation = rest[0]
        else:
            break
    return annotation, optional, metadata


def metadata(model: type[BaseModel], field: str) -> list[object]:
    """Every constraint of a field: those of `Field(...)` and those inside its annotation."""
    info = model.model_fields[field]  # KeyError for a field the model does not have
    return [*info.metadata, *unwrap(info.annotation)[2]]


def bounds_in(items: list[object]) -> Bounds | None:
    """The numeric bounds among constraint objects (annotated_types Ge, Gt, Le, Lt), if any."""
    found: dict[str, object] = {}
    for item in items:
        if isinstance(item, annotated_types.Ge):
            found["low"] = item.ge
        elif isinstance(item, annotated_types.Gt):
            found.update(low=item.gt, strict_low=True)
        elif isinstance(item, annotated_types.Le):
            found["high"] = item.le
        elif isinstance(item, annotated_types.Lt):
            found.update(high=item.lt, strict_high=True)
    return Bounds(**found) if found else None  # type: ignore[arg-type]


def bounds(model: type[BaseModel], field: str) -> Bounds | None:
    """The numeric bounds declared on `model.field` (`Field(ge=..., le=...)`), None if it has none.

    >>> from schemas.raw import LostSale
    >>> bounds(LostSale, "quantity")
    Bounds(low=1, high=1000, strict_low=False, strict_high=False)
    """
    return bounds_in(metadata(model, field))


def why(model: type[BaseModel], field: str) -> str | None:
    """The sentence a field's bounds are explained with (its `Why` metadata), if it has one."""
    for item in metadata(model, field):
        if isinstance(item, Why):
            return item.text
    return None


def enum_of(model: type[BaseModel], field: str) -> type[Enum] | None:
    """The Enum a field's values come from (its annotation, optional or not), None if not one."""
    inner = unwrap(model.model_fields[field].annotation)[0]
    return inner if isinstance(inner, type) and issubclass(inner, Enum) else None


def allowed_values(model: type[BaseModel], field: str) -> list[str] | None:
    """The values a field may take, in declaration order, when its type is an Enum; else None."""
    enum = enum_of(model, field)
    return None if enum is None else [member.value for member in enum]


def max_length(model: type[BaseModel], field: str) -> int | None:
    """The most characters a string field allows (`StringConstraints(max_length=...)`)."""
    for item in metadata(model, field):
        length = getattr(item, "max_length", None)
        if length is not None:
            return int(length)
    return None


def decimal_places(model: type[BaseModel], field: str) -> int | None:
    """The most digits after the point a decimal field allows (`Field(decimal_places=2)`)."""
    for item in metadata(model, field):
        places = getattr(item, "decimal_places", None)
        if places is not None:
            return int(places)
    return None


def max_digits(model: type[BaseModel], field: str) -> int | None:
    """The most digits in all a decimal field allows (`Field(max_digits=12)`)."""
    for item in metadata(model, field):
        digits = getattr(item, "max_digits", None)
        if digits is not None:
            return int(digits)
    return None
