"""Shared fixtures: tiny golden inputs, a data root in a temp dir, Beam's in-process runner."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
TINY = TESTS / "data" / "tiny"
AS_OF = datetime(2026, 11, 25, tzinfo=UTC)


@pytest.fixture
def tiny_inputs(tmp_path: Path) -> Path:
    """A copy of tests/data/tiny: 5 catalog skus, 2 stores, a handful of records per source."""
    target = tmp_path / "inputs"
    shutil.copytree(TINY, target)
    return target


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    return root


@pytest.fixture(scope="session")
def dask_address(tmp_path_factory) -> Iterator[str]:
    """A `dask scheduler` with two single-threaded `dask worker` processes on loopback, started once
    for the tests that need it (tests/clusters.py) and torn down at the end of the session."""
    from tests import clusters

    with clusters.dask_cluster(tmp_path_factory.mktemp("dask")) as address:
        yield address
