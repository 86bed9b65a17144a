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


#: Fixtures that run a whole job or pipeline (defined in the modules that use them). A test that
#: uses one is marked `slow` here even without its own mark, so `make test-fast` (-m "not slow")
#: stays free of whole-job runs when a new test reuses one of them.
WHOLE_JOB_FIXTURES = frozenset(
    {"corpus_run", "good_run", "good_run_dir", "published", "run_dir", "root", "truth_score",
     "runs", "published_once", "published_copy"}
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            names -= set(callspec.params)  # a parametrize argument named like a fixture is none
        if WHOLE_JOB_FIXTURES & names:
            item.add_marker(pytest.mark.slow)
