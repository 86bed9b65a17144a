"""A published run is laid out as the dataset registry (schemas/datasets.py) says: a folder per
dataset, split by its partitioning column, its files in the registry's Arrow schema; no Parquet
dataset that the registry does not declare (the exported report marts are in it). Checked on the
hostile-corpus run, the one run of the suite that has rows in every dataset (but
mart_substitutes), quarantine included."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from pipelines.incremental import STATE_FOLDER
from pipelines.warehouse import EXPORTED_MARTS
from schemas import datasets
from schemas.arrow import dataset_schema

pytestmark = pytest.mark.slow  # reads the corpus run (one whole job for the session)


def test_the_run_has_a_folder_for_every_published_dataset_and_no_other(corpus_run) -> None:
    assert corpus_run.result.exit_code == 0, corpus_run.result.output
    with_parquet = {
        p.relative_to(corpus_run.run_dir).parts[0] for p in corpus_run.run_dir.rglob("*.parquet")
    }
    declared = {d.name for d in datasets.published()}
    # the incremental state (inputs seen, ids kept) is the run's own bookkeeping, not a dataset
    assert with_parquet <= declared | {STATE_FOLDER}
    # an exported mart has a file per week with rows (this corpus has no substitution: that
    # mart's folder has none), and its folder in any case
    assert declared - with_parquet == {"mart_substitutes"}
    assert all((corpus_run.run_dir / mart).is_dir() for mart in EXPORTED_MARTS)


@pytest.mark.parametrize("mart", sorted(EXPORTED_MARTS))
def test_exported_marts_are_split_by_iso_week(corpus_run, mart) -> None:
    """pipelines/marts.py: one file per week, in its `iso_week=W` folder, holding only week W."""
    for path in sorted((corpus_run.run_dir / mart).rglob("*.parquet")):
        (folder,) = path.relative_to(corpus_run.run_dir / mart).parts[:-1]
        weeks = set(pq.read_table(path, columns=["iso_week"]).column("iso_week").to_pylist())
        assert path.name == "part-00000.parquet" and {f"iso_week={w}" for w in weeks} == {folder}


@pytest.mark.parametrize("ds", datasets.published(), ids=lambda d: d.name)
def test_files_are_partitioned_and_typed_as_declared(corpus_run, ds) -> None:
    """An exported mart's files are DuckDB's: the model's columns and types, with the nullability
    DuckDB infers and no descriptions (kept as they were published before the marts had models);
    the gate checks the model's not-null rules on them."""
    files = sorted((corpus_run.run_dir / ds.name).rglob("*.parquet"))
    assert files or ds.name == "mart_substitutes", ds.name  # see above
    expected = dataset_schema(ds.name)
    for path in files:
        folders = path.relative_to(corpus_run.run_dir / ds.name).parts[:-1]
        if ds.partitioning is None:
            assert folders == (), path
        else:
            assert len(folders) == 1 and folders[0].startswith(f"{ds.partitioning.value}="), path
        written = pq.read_schema(path)
        if ds.export is not None:
            assert [(f.name, f.type) for f in written] == [(f.name, f.type) for f in expected]
            continue
        assert written.equals(expected, check_metadata=False), path
        assert [f.metadata for f in written] == [f.metadata for f in expected], path
