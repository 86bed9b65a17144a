"""The suite's own plumbing (tests/conftest.py): the list of session fixtures that decides which
modules share a pytest-xdist worker is whole, and the grouping joins exactly the modules that share
one."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

from tests.conftest import SESSION_FIXTURES, worker_groups

TESTS = Path(__file__).parent


def _session_fixtures(path: Path) -> set[str]:
    """Names of the functions decorated with `pytest.fixture(scope="session")` in a file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and any(
                k.arg == "scope" and getattr(k.value, "value", None) == "session"
                for k in decorator.keywords
            ):
                found.add(node.name)
    return found


def test_every_session_fixture_is_listed():
    defined = set().union(*(_session_fixtures(p) for p in TESTS.rglob("*.py")))
    assert defined == SESSION_FIXTURES


def _item(module: str, *fixtures: str) -> SimpleNamespace:
    return SimpleNamespace(
        nodeid=f"tests/{module}.py::test_x", fixturenames=["tmp_path", *fixtures]
    )


def test_modules_sharing_a_session_fixture_share_a_group_and_the_others_keep_their_own():
    items = [
        _item("a", "tiny_job"),
        _item("a"),
        _item("b", "tiny_job"),
        _item("c", "data_root"),
        _item("d", "dataset"),
        _item("e", "dataset", "dask_address"),
        _item("f", "dask_address"),
        _item("g", "golden_db"),
    ]
    groups = worker_groups(items)
    assert groups["tests/a.py"] == groups["tests/b.py"]
    assert groups["tests/d.py"] == groups["tests/e.py"] == groups["tests/f.py"]
    distinct = {groups[f"tests/{m}.py"] for m in ("a", "c", "d", "g")}
    assert len(distinct) == 4


def test_a_parametrize_argument_named_like_a_session_fixture_joins_no_group():
    item = _item("h", "dataset")
    item.callspec = SimpleNamespace(params={"dataset": "x"})
    groups = worker_groups([item, _item("i", "dataset")])
    assert groups["tests/h.py"] != groups["tests/i.py"]
