"""Every dataset of unmet, declared once: its name, row model, keys, layer, partitioning, inputs.

The rest is derived from this registry, never listed again:
- the Arrow/Parquet schema of a dataset (`schemas.arrow.dataset_schema`);
- the input sources of the ingest: folder, file pattern, format, id column, staging table
  (pipelines/ingest/sources.py, which adds only each source's row function);
- the DuckDB views, one per published dataset (pipelines/warehouse.py `DATASETS`);
- the report marts DuckDB exports, with the report model each is and the input weeks a week of
  it reads (pipelines/warehouse.py `EXPORTS`, written by pipelines/marts.py);
- the datasets the gate's Great Expectations suites cover, with their keys and the input model
  whose constraints carry over to staging (pipelines/checks/suites.py `DATASETS`);
- the demand-signal sources: the staging tables the demand pipeline reads
  (pipelines/demand/run.py `FACT_TABLES`) and that the gate traces each signal back to
  (pipelines/checks/facts.py `SIGNAL_SOURCES`);
- the dataset descriptions of docs/data-dictionary.md (pipelines/reports/dictionary.py).

A dataset's name is its folder in a run, its DuckDB view and its Parquet files' prefix (raw ->
`stg_*` -> ledger -> `mart_*`). Which raw sources are demand signals is the `enums.Source`
enumeration (the values of `demand_signals.source`); the others are reference data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from schemas import marts, raw, staging
from schemas.enums import Source


class Layer(StrEnum):
    RAW = "raw"  # input files as delivered (not published; read by the ingest)
    STAGING = "staging"  # stg_*: validated, typed, redacted input records
    QUARANTINE = "quarantine"  # rejects: refused input records with their reasons
    AUDIT = "audit"  # ingest_files: what the ingest read from each input file
    LEDGER = "ledger"  # demand_signals, demand_events
    MART = "mart"  # mart_*: aggregates for the reports


class Partitioning(StrEnum):
    """The column a dataset's files are split by (`<column>=<value>/` folders)."""

    EVENT_DATE = "event_date"
    ISO_WEEK = "iso_week"
    SOURCE = "source"


#: The layers the gate validates before a run is published (pipelines/checks/suites.py).
GATED_LAYERS = (Layer.STAGING, Layer.LEDGER, Layer.MART)


@dataclass(frozen=True)
class Input:
    """Where a raw dataset's files are under the inputs root, and how they are written."""

    folder: str  # folder under the inputs root
    glob: str  # file pattern inside the folder
    format: Literal["csv", "jsonl"]
    optional: tuple[str, ...] = ()  # CSV columns a file may leave out (their values are then null)
    required: bool = True  # False: a run without any file of it reads it as empty

    @property
    def pattern(self) -> str:
        """The file pattern relative to the inputs root, e.g. `lost_sales/*.csv`."""
        return f"{self.folder}/{self.glob}"


@dataclass(frozen=True)
class Export:
    """How a report mart is made: a report model (SQL) exported by DuckDB, one `iso_week=W`
    partition per week (pipelines/marts.py). Which input weeks the rows of week W read decides
    which weeks an incremental run rebuilds: `lookback` weeks before W and W itself; with
    `series`, the model also numbers each series' weeks from its first week in all history (it
    is computed over every week, and a series whose first week moved earlier is rebuilt in all
    its weeks)."""

    model: str  # the report model, pipelines/reports/sql/<model>.sql
    lookback: int  # the calendar weeks before W that W's rows read
    series: tuple[str, ...] = ()  # columns of a series numbered from its first week (see above)


@dataclass(frozen=True)
class Dataset:
    name: str  # run folder, DuckDB view and Parquet prefix; a raw source's name for inputs
    model: type[BaseModel]  # one row (record) of the dataset
    keys: tuple[str, ...]  # columns that identify a row (unique); () where none is declared
    layer: Layer
    description: str  # one sentence; the data dictionary shows it
    partitioning: Partitioning | None = None  # None: the dataset's files sit in its folder
    input: Input | None = None  # raw datasets: their files
    staged_from: str | None = None  # staging datasets: the raw dataset they validate
    export: Export | None = None  # report marts: the report model DuckDB exports

    @property
    def published(self) -> bool:
        """Whether a run writes it (and the DuckDB file has a view of it): every layer but raw."""
        return self.layer is not Layer.RAW

    @property
    def gated(self) -> bool:
        """Whether the gate validates it before publishing."""
        return self.layer in GATED_LAYERS


def _doc(model: type[BaseModel]) -> str:
    """The first paragraph of a model's docstring, on one line."""
    return " ".join((model.__doc__ or "").strip().split("\n\n")[0].split())


def _raw(name: str, model: type[BaseModel], key: str, source: Input) -> Dataset:
    return Dataset(name, model, (key,), Layer.RAW, _doc(model), input=source)


def _export(name: str, model: type[BaseModel], keys: tuple[str, ...], export: Export) -> Dataset:
    return Dataset(name, model, keys, Layer.MART, _doc(model), Partitioning.ISO_WEEK,
                   export=export)  # fmt: skip


def _stg(raw_name: str, model: type[BaseModel], key: str, description: str,
         partitioning: Partitioning | None) -> Dataset:  # fmt: skip
    return Dataset(
        f"stg_{raw_name}", model, (key,), Layer.STAGING, description, partitioning,
        staged_from=raw_name,
    )  # fmt: skip


_ALL = (
    # Raw inputs (docs/formats.md); reference data first: the facts are checked against it.
    _raw("catalog", raw.CatalogItem, "sku", Input("catalog", "*.csv", "csv")),
    _raw("stores", raw.Store, "store_id", Input("stores", "*.csv", "csv", ("timezone",))),
    _raw("consent_withdrawals", raw.ConsentWithdrawal, "withdrawal_id",
         Input("consent_withdrawals", "*.csv", "csv", required=False)),
    _raw("frontline_notes", raw.FrontlineNote, "note_id",
         Input("frontline_notes", "*.jsonl", "jsonl")),
    _raw("oos_lookups", raw.OosLookup, "lookup_id", Input("oos_lookups", "*.csv", "csv")),
    _raw("lost_sales", raw.LostSale, "sale_id", Input("lost_sales", "*.csv", "csv")),
    # Published, in the order of the DuckDB views and of the data dictionary.
    _stg("frontline_notes", staging.StgFrontlineNote, "note_id",
         "Frontline notes: what a customer asked for, written by an associate; validated, "
         "redacted, with the extracted attributes.", Partitioning.EVENT_DATE),
    _stg("oos_lookups", staging.StgOosLookup, "lookup_id",
         "Out-of-stock lookups made at the stores' terminals.", Partitioning.EVENT_DATE),
    _stg("lost_sales", staging.StgLostSale, "sale_id",
         "Lost-sale lines logged at the till, with their reason.", Partitioning.EVENT_DATE),
    _stg("catalog", staging.StgCatalog, "sku",
         "The product catalog: one row per sku; category, pattern and size read with the notes' "
         "lexicon, color normalised to a family.", None),
    _stg("stores", staging.StgStore, "store_id", "The stores of the chain.", None),
    _stg("consent_withdrawals", staging.StgConsentWithdrawal, "withdrawal_id",
         "Customers who withdrew their consent to be contacted, and when: no note captured up "
         "to then keeps their customer_ref.", None),
    Dataset("rejects", staging.Reject, (), Layer.QUARANTINE, _doc(staging.Reject),
            Partitioning.SOURCE),
    Dataset("ingest_files", staging.FileStat, (), Layer.AUDIT, _doc(staging.FileStat)),
    Dataset("demand_signals", marts.DemandSignal, ("signal_id",), Layer.LEDGER,
            _doc(marts.DemandSignal), Partitioning.ISO_WEEK),
    Dataset("demand_events", marts.DemandEvent, ("event_id",), Layer.LEDGER,
            _doc(marts.DemandEvent), Partitioning.ISO_WEEK),
    Dataset("mart_unmet_demand", marts.UnmetDemandRow,
            ("iso_week", "level", "store_id", "category", "attribute", "value"), Layer.MART,
            _doc(marts.UnmetDemandRow), Partitioning.ISO_WEEK),
    # The report marts, exported by DuckDB after the ledger, before the gate. Their dependencies
    # are read off their SQL: the headline compares each week with the calendar week before; the
    # trend's line runs through the trailing 6 weeks of a value (5 before) and counts them from
    # the value's first week (its rows at 0 events, for a value asked for only the week before,
    # read that week: within the 5); the store ranking, the long tail and the substitutes group
    # and rank within one week.
    _export("mart_weekly_headline", marts.WeeklyHeadlineRow, ("iso_week",),
            Export("rpt_weekly_headline", lookback=1)),
    _export("mart_attribute_trend", marts.AttributeTrendRow, ("iso_week", "attribute", "value"),
            Export("rpt_attribute_trend", lookback=5, series=("attribute", "value"))),
    _export("mart_store_capture", marts.StoreCaptureRow, ("iso_week", "store_id"),
            Export("rpt_store_ranking", lookback=0)),
    _export("mart_not_carried", marts.NotCarriedRow,
            ("iso_week", "category", "color", "pattern", "size"),
            Export("rpt_not_carried", lookback=0)),
    _export("mart_substitutes", marts.SubstituteRow,
            ("iso_week", "category", "wanted_color", "took_color", "wanted_size", "took_size"),
            Export("rpt_substitutes", lookback=0)),
)  # fmt: skip

#: Every dataset by name, in declaration order.
DATASETS: dict[str, Dataset] = {d.name: d for d in _ALL}


def dataset(name: str) -> Dataset:
    """The dataset called `name` (KeyError naming the known ones if there is none)."""
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"no dataset {name!r}: known are {', '.join(DATASETS)}") from None


def of_layer(*layers: Layer) -> tuple[Dataset, ...]:
    """The datasets of the given layers, in declaration order."""
    return tuple(d for d in _ALL if d.layer in layers)


def published() -> tuple[Dataset, ...]:
    """Every dataset a run writes and the DuckDB file has a view of, in declaration order."""
    return tuple(d for d in _ALL if d.published)


def gated() -> tuple[Dataset, ...]:
    """Every dataset the gate validates, in declaration order."""
    return tuple(d for d in _ALL if d.gated)


def exported() -> tuple[Dataset, ...]:
    """The report marts DuckDB exports (those with an `export`), in declaration order."""
    return tuple(d for d in _ALL if d.export is not None)


def signal_sources() -> tuple[Dataset, ...]:
    """The raw datasets whose records become demand signals, in `enums.Source` order."""
    return tuple(DATASETS[source.value] for source in Source)


def reference_sources() -> tuple[Dataset, ...]:
    """The raw datasets that are reference data (not demand signals), in declaration order."""
    signals = {source.value for source in Source}
    return tuple(d for d in of_layer(Layer.RAW) if d.name not in signals)


def staging_of(raw_name: str) -> Dataset:
    """The staging dataset that validates the raw dataset `raw_name`."""
    (found,) = [d for d in _ALL if d.staged_from == raw_name]
    return found


def input_model(dataset_: Dataset) -> type[BaseModel] | None:
    """The raw model of the records a staging dataset validates (its constraints carry over to
    the staging columns of the same name); None for other layers."""
    return DATASETS[dataset_.staged_from].model if dataset_.staged_from else None
