"""Arrow (Parquet) schemas derived from the pydantic models, so each record type is declared once.

Enum fields are strings; a dataset's schema is that of its model in the registry
(schemas/datasets.py, `dataset_schema`).
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache

import pyarrow as pa
from pydantic import BaseModel

from schemas.datasets import dataset

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    datetime: pa.timestamp("us", tz="UTC"),
    date: pa.date32(),
    Decimal: pa.float64(),
}


def _unwrap_optional(annotation: object) -> tuple[object, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def arrow_type(annotation: object) -> pa.DataType:
    """The Arrow type of one (non-optional) Python annotation."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    annotation, _ = _unwrap_optional(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        (item,) = typing.get_args(annotation)[:1]
        return pa.list_(arrow_type(item))
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return pa.struct(arrow_schema(annotation))
        if issubclass(annotation, Enum):
            return pa.string()
        for python_type, arrow in _SCALARS.items():
            if issubclass(annotation, python_type) and not (
                python_type is int and issubclass(annotation, bool)
            ):
                return arrow
    raise TypeError(f"no Arrow type for {annotation!r}")


@cache
def arrow_schema(model: type[BaseModel], described: bool = True) -> pa.Schema:
    """The Arrow schema of a pydantic model: one field per model field, in declaration order.

    A field is nullable exactly when its annotation admits None. Field descriptions become Arrow
    field metadata, so the Parquet files document themselves; tables passed between pipeline steps
    use `described=False` (the descriptions would be pickled with every batch).
    """
    fields = []
    for name, info in model.model_fields.items():
        _, optional = _unwrap_optional(info.annotation)
        metadata = {"description": info.description} if info.description and described else None
        fields.append(
            pa.field(name, arrow_type(info.annotation), nullable=optional, metadata=metadata)
        )
    return pa.schema(fields)


def dataset_schema(name: str, described: bool = True) -> pa.Schema:
    """The Arrow schema of a dataset of the registry (schemas/datasets.py), by name."""
    return arrow_schema(dataset(name).model, described)
