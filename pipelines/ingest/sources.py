"""The input sources: where their files live under the inputs folder, their format and their rows.

Derived from the dataset registry (schemas/datasets.py): each raw dataset there is a source here,
with its staging dataset; this module adds only the row function that validates one record.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from pipelines.ingest import validate
from schemas import datasets


@dataclass(frozen=True)
class SourceSpec:
    name: str  # also the staging table's suffix: stg_<name>
    folder: str  # folder under the inputs root
    glob: str  # file pattern inside the folder
    format: str  # "csv" or "jsonl"
    input_model: type[BaseModel]
    staging_model: type[BaseModel]
    id_field: str
    row: validate.RowFn
    partitioned: bool  # staging partitioned by event_date (facts) or one file (reference data)
    optional: tuple[str, ...] = ()  # CSV columns a file may leave out (its values are then null)
    required: bool = True  # a run needs at least one file of it (reference data but withdrawals)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.input_model.model_fields)

    @property
    def table(self) -> str:
        return f"stg_{self.name}"


#: The function that turns one validated record of each source into its staging row.
ROWS: dict[str, validate.RowFn] = {
    "catalog": validate.catalog_row,
    "stores": validate.store_row,
    "consent_withdrawals": validate.withdrawal_row,
    "frontline_notes": validate.note_row,
    "oos_lookups": validate.lookup_row,
    "lost_sales": validate.lost_sale_row,
}


def _spec(raw: datasets.Dataset) -> SourceSpec:
    assert raw.input is not None, raw.name
    staged = datasets.staging_of(raw.name)
    assert staged.name == f"stg_{raw.name}", staged.name  # SourceSpec.table names it so
    (id_field,) = raw.keys
    return SourceSpec(
        name=raw.name,
        folder=raw.input.folder,
        glob=raw.input.glob,
        format=raw.input.format,
        input_model=raw.model,
        staging_model=staged.model,
        id_field=id_field,
        row=ROWS[raw.name],
        partitioned=staged.partitioning is datasets.Partitioning.EVENT_DATE,
        optional=raw.input.optional,
        required=raw.input.required,
    )


#: Reference data, read first: the facts are checked against it.
REFERENCE = tuple(_spec(d) for d in datasets.reference_sources())
#: The three demand signals.
FACTS = tuple(_spec(d) for d in datasets.signal_sources())
ALL = REFERENCE + FACTS
BY_NAME = {s.name: s for s in ALL}
