"""The demand pipeline's unit of work is an ISO week's store group: splitting a week into more
groups changes how much each unit holds, never what is published."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipelines.demand import run as demand_run
from pipelines.ingest import run as ingest_run

pytestmark = pytest.mark.slow  # the ingest and demand pipelines on the sample

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
MULTI_PROCESS = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]


@pytest.fixture(scope="module")
def staging(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("staging")
    ingest_run.run(str(SAMPLE), str(out), datetime(2026, 11, 25, tzinfo=UTC))
    return out


def staged_paths(staging: Path) -> list[str]:
    return [p for t in demand_run.FACT_TABLES for p in demand_run.staged_files(str(staging), t)]


def test_a_week_is_split_into_groups_of_at_most_unit_rows(staging):
    paths = staged_paths(staging)
    rows: Counter[str] = Counter()
    for path in paths:
        day = date.fromisoformat(path.split("event_date=")[1][:10])
        rows[day.strftime("%G-W%V")] += pq.ParquetFile(path).metadata.num_rows
    assert demand_run.store_groups(paths, unit_rows=100) == {
        week: math.ceil(n / 100) for week, n in rows.items()
    }
    assert set(demand_run.store_groups(paths).values()) == {1}  # the sample is small


@pytest.fixture(scope="module")
def whole(staging, tmp_path_factory) -> Path:
    """The demand pipeline's outputs with one unit per week (in-process)."""
    out = tmp_path_factory.mktemp("whole")
    demand_run.run(str(staging), str(out))
    return out


def ledger(root: Path, table: str, key: str) -> list[dict]:
    return pq.read_table(root / table, partitioning=None).sort_by(key).to_pylist()


@pytest.mark.parametrize("mode", [[], MULTI_PROCESS], ids=["in_process", "multi_process"])
def test_split_units_publish_the_same_ledger_and_mart(staging, whole, tmp_path, mode):
    split = tmp_path / "split"
    demand_run.run(str(staging), str(split), beam_args=mode, unit_rows=100)

    weeks = sorted(p.name for p in (split / "demand_events").iterdir())
    assert any(len(list((split / "demand_events" / w).glob("*.parquet"))) > 1 for w in weeks)
    for table, key in (("demand_signals", "signal_id"), ("demand_events", "event_id")):
        assert ledger(split, table, key) == ledger(whole, table, key)
    mart_key = [
        (c, "ascending")
        for c in ("iso_week", "level", "store_id", "category", "attribute", "value")
    ]
    whole_mart = pq.read_table(whole / "mart_unmet_demand", partitioning=None)
    split_mart = pq.read_table(split / "mart_unmet_demand", partitioning=None)
    assert whole_mart.num_rows > 0
    assert split_mart.sort_by(mart_key).equals(whole_mart.sort_by(mart_key))
    for week in weeks:  # the chain level, summed over the week's groups, byte for byte
        chain = Path("mart_unmet_demand", week, "chain.parquet")
        assert (split / chain).read_bytes() == (whole / chain).read_bytes()
    assert not (split / "_parts").exists()
