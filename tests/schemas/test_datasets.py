"""The dataset registry (schemas/datasets.py) is consistent with its models and the sample inputs,
and the modules that used to keep their own lists now take theirs from it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines import incremental, marts, warehouse
from pipelines.checks import facts, suites
from pipelines.demand import aggregate
from pipelines.demand import run as demand_run
from pipelines.ingest import sources
from schemas import datasets, enums
from schemas.arrow import dataset_schema
from schemas.datasets import DATASETS, Layer, Partitioning

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
ALL = list(DATASETS.values())


@pytest.mark.parametrize("ds", ALL, ids=lambda d: d.name)
def test_keys_and_partitioning_are_columns_of_the_model(ds: datasets.Dataset) -> None:
    columns = set(ds.model.model_fields)
    assert set(ds.keys) <= columns
    if ds.partitioning is not None:
        assert ds.partitioning.value in columns


@pytest.mark.parametrize("ds", datasets.published(), ids=lambda d: d.name)
def test_every_published_dataset_has_an_arrow_schema_with_one_field_per_model_field(ds) -> None:
    assert dataset_schema(ds.name).names == list(ds.model.model_fields)


def test_each_raw_dataset_is_staged_once_keeping_its_id() -> None:
    raws = datasets.of_layer(Layer.RAW)
    staged = datasets.of_layer(Layer.STAGING)
    assert sorted(d.staged_from or "" for d in staged) == sorted(r.name for r in raws)
    for raw in raws:
        stg = datasets.staging_of(raw.name)
        assert stg.name == f"stg_{raw.name}"
        assert stg.keys == raw.keys  # the input's id is the staging table's key
        assert datasets.input_model(stg) is raw.model
    assert all(d.input is not None for d in raws)
    assert all(d.input is None for d in DATASETS.values() if d.layer is not Layer.RAW)


@pytest.mark.parametrize("raw", datasets.of_layer(Layer.RAW), ids=lambda d: d.name)
def test_the_input_pattern_finds_the_sample_files(raw: datasets.Dataset) -> None:
    assert raw.input is not None
    found = sorted(SAMPLE.glob(raw.input.pattern))
    assert found, raw.input.pattern
    assert {p.suffix for p in found} == {f".{raw.input.format}"}


def test_every_input_folder_of_the_sample_is_a_raw_dataset() -> None:
    folders = {p.name for p in SAMPLE.iterdir() if p.is_dir()} - {"truth"}
    assert folders == {d.input.folder for d in datasets.of_layer(Layer.RAW) if d.input}


def test_signal_sources_are_the_source_enumeration_staged_by_event_date() -> None:
    assert [d.name for d in datasets.signal_sources()] == enums.values(enums.Source)
    for raw in datasets.signal_sources():
        assert datasets.staging_of(raw.name).partitioning is Partitioning.EVENT_DATE
    for raw in datasets.reference_sources():
        assert datasets.staging_of(raw.name).partitioning is None


def test_registries_elsewhere_are_derived_from_it() -> None:
    published = [d.name for d in datasets.published()]
    assert list(warehouse.DATASETS) == published
    assert [model for _, model in warehouse.DATASETS.values()] == [
        d.model for d in datasets.published()
    ]
    assert list(suites.DATASETS) == [d.name for d in datasets.gated()]
    assert "rejects" in published and "rejects" not in suites.DATASETS
    # the exported report marts: declared once there, published, gated, key facts over their weeks
    exported = [d.name for d in datasets.exported()]
    assert exported == [m.name for m in warehouse.EXPORTS] == list(warehouse.EXPORTED_MARTS)
    assert exported == [
        "mart_weekly_headline", "mart_attribute_trend", "mart_store_capture", "mart_not_carried",
        "mart_substitutes",
    ]  # fmt: skip
    assert set(exported) <= set(published) & set(suites.DATASETS) & set(facts.WEEKLY)
    # ... but neither read by the export nor carried with the ledger's weeks (marts.py does)
    assert set(exported).isdisjoint(marts.INPUTS) and set(exported).isdisjoint(incremental.WEEKLY)
    assert [s.name for s in sources.ALL] == [
        "catalog", "stores", "consent_withdrawals", *enums.values(enums.Source)
    ]  # fmt: skip
    assert demand_run.FACT_TABLES == tuple(enums.values(enums.Source))
    assert facts.SIGNAL_SOURCES == {
        "frontline_notes": ("stg_frontline_notes", "note_id"),
        "oos_lookups": ("stg_oos_lookups", "lookup_id"),
        "lost_sales": ("stg_lost_sales", "sale_id"),
    }


def test_ingest_sources_carry_the_registry_inputs() -> None:
    for spec in sources.ALL:
        raw = datasets.dataset(spec.name)
        assert raw.input is not None
        assert (spec.folder, spec.glob, spec.format, spec.optional) == (
            raw.input.folder, raw.input.glob, raw.input.format, raw.input.optional,
        )  # fmt: skip
        assert spec.input_model is raw.model
        assert spec.staging_model is datasets.staging_of(spec.name).model
        assert spec.id_field == raw.keys[0]
    assert sources.BY_NAME["stores"].optional == ("timezone",)
    assert [s.partitioned for s in sources.ALL] == [False, False, False, True, True, True]
    # a run without consent withdrawals is a run where nobody withdrew yet; the rest is required
    assert [s.name for s in sources.ALL if not s.required] == ["consent_withdrawals"]


def test_the_mart_enumerations_match_what_the_aggregation_writes() -> None:
    """aggregate.py names the attributes and classes it groups by; the mart's model declares the
    same values (the gate checks the mart against the model)."""
    assert enums.values(enums.Attribute) == list(aggregate.DEFAULT_ATTRIBUTES)
    assert enums.values(enums.Classification) == list(aggregate.CLASSES)


def test_an_unknown_dataset_is_a_readable_error() -> None:
    with pytest.raises(KeyError, match="no dataset .stg_nope.: known are catalog, stores"):
        datasets.dataset("stg_nope")


def test_descriptions_are_one_line_sentences() -> None:
    for ds in ALL:
        assert ds.description and "\n" not in ds.description, ds.name


@pytest.mark.parametrize("ds", datasets.exported(), ids=lambda d: d.name)
def test_an_exported_mart_is_a_week_partitioned_mart_of_a_report_model(ds) -> None:
    assert ds.layer is Layer.MART and ds.partitioning is Partitioning.ISO_WEEK
    assert ds.export is not None and ds.keys[0] == "iso_week"
    assert ds.export.model in dict(warehouse.report_models())
    assert set(ds.export.series) <= set(ds.model.model_fields)


def test_the_exported_marts_models_are_the_columns_and_types_their_sql_writes() -> None:
    """Each model is what the export writes (its report model over empty inputs, as marts.export
    selects it): the same columns in the same order, with the same Arrow types."""
    con = duckdb.connect()
    marts.register_empty(con, marts.INPUTS)
    marts.create_views(con, {name: [] for name in marts.INPUTS}, None)
    warehouse.create_report_models(con)
    for mart in warehouse.EXPORTS:
        select = warehouse.counts_as_bigint(con, mart.model)
        written = con.sql(f"select {select} from {mart.model} limit 0").to_arrow_table().schema
        declared = dataset_schema(mart.name)
        assert [(f.name, f.type) for f in written] == [(f.name, f.type) for f in declared], mart
