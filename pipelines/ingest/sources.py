"""The input sources: where their files live under the inputs folder, their format and their rows."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from pipelines.ingest import validate
from schemas import raw, staging


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

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.input_model.model_fields)

    @property
    def table(self) -> str:
        return f"stg_{self.name}"


FRONTLINE_NOTES = SourceSpec(
    "frontline_notes", "frontline_notes", "*.jsonl", "jsonl", raw.FrontlineNote,
    staging.StgFrontlineNote, "note_id", validate.note_row, True,
)  # fmt: skip
OOS_LOOKUPS = SourceSpec(
    "oos_lookups", "oos_lookups", "*.csv", "csv", raw.OosLookup,
    staging.StgOosLookup, "lookup_id", validate.lookup_row, True,
)  # fmt: skip
LOST_SALES = SourceSpec(
    "lost_sales", "lost_sales", "*.csv", "csv", raw.LostSale,
    staging.StgLostSale, "sale_id", validate.lost_sale_row, True,
)  # fmt: skip
CATALOG = SourceSpec(
    "catalog", "catalog", "*.csv", "csv", raw.CatalogItem,
    staging.StgCatalog, "sku", validate.catalog_row, False,
)  # fmt: skip
STORES = SourceSpec(
    "stores", "stores", "*.csv", "csv", raw.Store,
    staging.StgStore, "store_id", validate.store_row, False, ("timezone",),
)  # fmt: skip

#: Reference data, read first: the facts are checked against it.
REFERENCE = (CATALOG, STORES)
#: The three demand signals.
FACTS = (FRONTLINE_NOTES, OOS_LOOKUPS, LOST_SALES)
ALL = REFERENCE + FACTS
BY_NAME = {s.name: s for s in ALL}
