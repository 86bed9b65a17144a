"""Shared fixtures: tiny golden inputs, a data root in a temp dir, Beam's in-process runner, and
the whole job run once per session on the tiny inputs for the modules that only read its output."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

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


class TinyJob(NamedTuple):
    inputs: Path
    data_root: Path
    result: object  # click's Result of the `unmet run`


def _tree_state(folder: Path) -> dict[str, str]:
    """Every file and link under `folder`: a link's target, a file's sha256."""
    return {
        str(p.relative_to(folder)): f"-> {os.readlink(p)}"
        if p.is_symlink()
        else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


@pytest.fixture(scope="session")
def tiny_job(tmp_path_factory) -> Iterator[TinyJob]:
    """`unmet run` (the whole job, report included, in-process runner) once per session on a copy
    of tests/data/tiny, for every module that only reads what it published: compare its bytes,
    query it, or copy it to change the copy. A whole run costs ~10 s on this 2-core machine; five
    modules used to run this same job each. Nothing may change it: its files are checked at the
    end of the session, and a test that changed one fails there."""
    from click.testing import CliRunner

    from cli.main import cli

    base = tmp_path_factory.mktemp("tiny-job")
    inputs, data_root = base / "inputs", base / "data"
    shutil.copytree(TINY, inputs)
    data_root.mkdir()
    args = ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of"]
    result = CliRunner().invoke(cli, [*args, AS_OF.isoformat()], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    before = {"inputs": _tree_state(inputs), "data": _tree_state(data_root)}
    yield TinyJob(inputs, data_root, result)
    after = {"inputs": _tree_state(inputs), "data": _tree_state(data_root)}
    assert after == before, "a test changed the session's tiny job (tiny_job): work on a copy"


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
     "runs", "published_once", "published_copy", "tiny_job", "in_process"}
)  # fmt: skip


#: The session-scoped fixtures of the conftest files (tests/test_conftest.py keeps this list whole).
#: `make test` runs the suite on two pytest-xdist workers, each a session of its own: every module
#: using one of these goes to the same worker, so each is built once per run, as without workers.
SESSION_FIXTURES = frozenset(
    {"tiny_job", "dask_address", "corpus_run", "dataset", "golden_db", "synthetic_root"}
)


def _used_fixtures(item: pytest.Item) -> set[str]:
    names = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        names -= set(callspec.params)  # a parametrize argument named like a fixture is none
    return names


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def worker_groups(items: list[pytest.Item]) -> dict[str, str]:
    """Module -> the pytest-xdist group its tests run in (`--dist loadgroup`): the module itself
    (its module-scoped fixtures, often a whole job, are built once), joined with every module it
    shares a session fixture with (connected modules form one group)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for item in items:
        for fixture in sorted(_used_fixtures(item) & SESSION_FIXTURES):
            a, b = sorted((root(_module(item)), root("fixture:" + fixture)))
            parent[b] = a
    return {_module(item): root(_module(item)) for item in items}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow_modules = set()
    for item in items:
        if WHOLE_JOB_FIXTURES & _used_fixtures(item):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("slow"):
            slow_modules.add(_module(item))
    groups = worker_groups(items)
    for item in items:
        item.add_marker(pytest.mark.xdist_group(groups[_module(item)]))
    # the groups that run whole jobs are handed out first (`--no-loadscope-reorder` keeps this
    # order), so that a long one does not start last while the other worker has nothing left
    first = {groups[m] for m in slow_modules}
    items.sort(key=lambda item: groups[_module(item)] not in first)
