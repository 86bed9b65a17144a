"""No project file touches a private attribute or a private module of a dependency (STYLE.md,
"Avoid"): an AST walk over every .py file of pipelines, schemas, cli, tests and tools.

What is flagged, outside the project's own names:
- an import from a module whose dotted path has a part starting with `_` (`pyarrow._parquet`), or
  of a name starting with `_`;
- `x._name` where `x` is not `self`, `cls` or one of the project's modules, unless `_name` is one
  of the project's own private names (defined somewhere in the project: a function, class,
  module variable, `self._name = ...` or a `__slots__` entry);
- `getattr`/`setattr`/`hasattr`/`delattr` (and `monkeypatch.setattr`/`delattr`) with a literal
  `_name`, or a dotted `"pkg.mod._name"` target;
- Great Expectations, which marks its public API in its code (`@public_api`, whose docstrings
  start with `--Public API--`): a name imported from it that is neither a module nor so marked
  (`great_expectations.validator.v1_validator.Validator`); and, at run time, every GE function the
  gate calls straight from project code (a method, a property, a constructor) must be marked, or
  be a public or protocol member of a marked class: `ExecutionEngine.batch_manager`,
  `BatchManager.reset_batch_cache` and `BatchManager.batch_data_cache` are not.

What it cannot see: `self._name` inherited from a dependency's class, and `x._name` on a
dependency's object when the project happens to define a private name `_name` of its own.
"""

from __future__ import annotations

import ast
import gc
import importlib
import inspect
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import CodeType

import pytest

ROOT = Path(__file__).parents[1]
PROJECT = ("pipelines", "schemas", "cli", "tests", "tools")
GE = "great_expectations"
GE_PUBLIC_TAG = "--Public API--"

#: The old gate's code (pipelines/checks/run.py before branch ge17): it must be caught.
OLD_GATE = """
import great_expectations as gx
from great_expectations.validator.v1_validator import Validator

def _forget_batches(engine):
    batches = getattr(engine, "batch_manager", None)
    batches.reset_batch_cache()
    batches.batch_data_cache.clear()
"""


def _files() -> list[Path]:
    return sorted(p for top in PROJECT if (ROOT / top).is_dir() for p in (ROOT / top).rglob("*.py"))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_project(module: str) -> bool:
    return module.split(".")[0] in PROJECT


def _targets(node: ast.Assign) -> set[str]:
    return {t.id for t in node.targets if isinstance(t, ast.Name)}


@cache
def _project_private_names() -> frozenset[str]:
    """Every private name the project defines itself."""
    names: set[str] = set()
    for path in _files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            if isinstance(node, ast.Assign) and "__slots__" in _targets(node):
                names.update(c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant))
    return frozenset(n for n in names if isinstance(n, str) and _private(n))


def _ge_import_is_public(module: str, name: str) -> bool:
    imported = getattr(importlib.import_module(module), name, None)
    if imported is None:
        return inspect.ismodule(importlib.import_module(f"{module}.{name}"))
    return inspect.ismodule(imported) or GE_PUBLIC_TAG in (imported.__doc__ or "")


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _named(node: ast.Call, own: set[str]) -> tuple[str, bool] | None:
    """(the attribute name a getattr-like call names, whether its owner is the project's), for
    getattr(x, "name") and the like, and monkeypatch.setattr("pkg.module.name", value)."""
    if _call_name(node) not in ("getattr", "setattr", "hasattr", "delattr") or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value, _is_project(first.value)
    if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
        if isinstance(node.args[1].value, str):
            owner = _root(first)
            return node.args[1].value, isinstance(owner, ast.Name) and owner.id in own
    return None


def findings(source: str, filename: str = "<source>") -> list[str]:
    """Every touch of a dependency's private attribute or module in `source`, one line each."""
    tree = ast.parse(source, filename)
    own = {"self", "cls"}
    found: list[str] = []

    def flag(node: ast.AST, what: str) -> None:
        found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_project(alias.name):
                    own.add((alias.asname or alias.name).split(".")[0])
                if any(_private(part) for part in alias.name.split(".")):
                    flag(node, f"imports the private module {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _is_project(node.module):
                own.update(alias.asname or alias.name for alias in node.names)
                continue
            if any(_private(part) for part in node.module.split(".")):
                flag(node, f"imports from the private module {node.module}")
            for alias in node.names:
                if _private(alias.name):
                    flag(node, f"imports the private name {node.module}.{alias.name}")
                elif node.module.split(".")[0] == GE and not _ge_import_is_public(
                    node.module, alias.name
                ):
                    flag(node, f"imports {node.module}.{alias.name}, not in GE's public API")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            root = _root(node)
            is_own = isinstance(root, ast.Name) and root.id in own
            if _private(node.attr) and not is_own and node.attr not in _project_private_names():
                flag(node, f"reads the private attribute .{node.attr}")
        elif isinstance(node, ast.Call) and _named(node, own) is not None:
            text, owner_is_own = _named(node, own)  # type: ignore[misc]
            private = {part for part in text.split(".") if _private(part)}
            if private and not owner_is_own and not private <= _project_private_names():
                flag(node, f"{_call_name(node)} of the private name {text!r}")
    return found


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_project_file_touches_a_dependency_private(path):
    assert findings(path.read_text(), str(path.relative_to(ROOT))) == []


def test_the_old_gate_code_is_caught():
    """Its import statically; its calls at run time (test_the_old_gate_calls_are_caught)."""
    assert findings(OLD_GATE) == [
        "<source>:3: imports great_expectations.validator.v1_validator.Validator, "
        "not in GE's public API",
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import pyarrow._parquet", "imports the private module pyarrow._parquet"),
        ("from pyarrow._fs import LocalFileSystem", "imports from the private module pyarrow._fs"),
        ("from apache_beam.io import _helper", "imports the private name apache_beam.io._helper"),
        ("import duckdb\nduckdb.connect()._conn", "reads the private attribute ._conn"),
        ("getattr(client, '_scheduler')", "getattr of the private name '_scheduler'"),
        (
            "monkeypatch.setattr('apache_beam.io.filesystems._x', 1)",
            "setattr of the private name 'apache_beam.io.filesystems._x'",
        ),
    ],
)
def test_a_dependency_private_is_caught(source, expected):
    assert [f.split(": ", 1)[1] for f in findings(source)] == [expected]


@pytest.mark.parametrize(
    "source",
    [
        "class A:\n    def f(self):\n        return self._x",
        "from pipelines.checks import run as checks_run\nchecks_run._run",
        "import great_expectations as gx\ngx.get_context(mode='ephemeral').data_sources",
        "x.__class__.__name__",
    ],
)
def test_the_project_own_names_and_public_apis_pass(source):
    assert findings(source) == []


# --- Great Expectations at run time: every call the gate makes into it is public API ----------


def _tagged(obj: object) -> bool:
    return GE_PUBLIC_TAG in (getattr(obj, "__doc__", None) or "")


def _function(member: object) -> object | None:
    """The function behind a class member (a method, property, class or static method)."""
    if isinstance(member, property):
        return member.fget
    if isinstance(member, classmethod | staticmethod):
        return member.__func__
    return member if inspect.isfunction(member) else None


@cache
def _ge_functions() -> dict[CodeType, tuple[str, bool]]:
    """Great Expectations' functions and methods by code object: (name, public). Public: marked
    so itself, or a public-named or protocol (__init__, ...) member of a class marked so."""
    import great_expectations  # noqa: F401  (loads its modules)

    found: dict[CodeType, tuple[str, bool]] = {}
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith(GE) or module is None:
            continue
        for obj in list(vars(module).values()):
            if not getattr(obj, "__module__", "").startswith(GE):
                continue
            if inspect.isfunction(obj):
                found[obj.__code__] = (obj.__qualname__, _tagged(obj))
            elif inspect.isclass(obj):
                for name, member in vars(obj).items():
                    function = _function(member)
                    code = getattr(function, "__code__", None)
                    if code is None:
                        continue
                    public = _tagged(function) or (
                        _tagged(obj) and (not _private(name) or name.startswith("__"))
                    )
                    seen = found.get(code, ("", False))[1]
                    found[code] = (f"{obj.__qualname__}.{name}", public or seen)
    return found


def calls_into_ge(run: Callable[[], object], callers: tuple[str, ...]) -> dict[str, bool]:
    """Run `run`; every Great Expectations function called straight from code in a file under
    one of `callers`, by name, with whether it is public API."""
    import great_expectations

    ge_dir = str(Path(great_expectations.__file__).parent)
    called: dict[CodeType, tuple[str, bool]] = {}

    def hook(frame, event, arg):  # type: ignore[no-untyped-def]
        code = frame.f_code
        if event != "call" or code in called or not code.co_filename.startswith(ge_dir):
            return
        caller = frame.f_back
        if caller is not None and caller.f_code.co_filename.startswith(callers):
            called[code] = _describe(code)  # now, while a function made at run time is alive

    sys.setprofile(hook)
    try:
        run()
    finally:
        sys.setprofile(None)
    return dict(called.values())


def _describe(code: CodeType) -> tuple[str, bool]:
    """(name, public) of a Great Expectations function; one its classes do not hold (a function
    made at run time, such as the data sources' add_* methods) is public if marked so."""
    if code in _ge_functions():
        return _ge_functions()[code]
    functions = [f for f in gc.get_referrers(code) if inspect.isfunction(f)]
    return code.co_qualname, any(_tagged(f) for f in functions)


def _small_gate() -> None:
    """The gate's validation of one small table, with a passing and a failing rule."""
    import pyarrow as pa

    from pipelines.checks import run as checks_run
    from pipelines.checks import suites

    suite = suites.Suite(
        "t",
        (
            suites.Rule("ExpectColumnValuesToNotBeNull", {"column": "x"}, "x is never null"),
            suites.Rule("ExpectColumnValuesToBeBetween", {"column": "x", "min_value": 2}, "x>1"),
        ),
    )
    outcomes, rows, _ = checks_run.validate([suite], lambda _: [pa.table({"x": [1.0, 2.0]})])
    assert rows == {"t": 2} and [o.success for o in outcomes] == [True, False]


def test_the_gate_calls_only_public_great_expectations():
    called = calls_into_ge(_small_gate, tuple(str(ROOT / top) for top in PROJECT[:-2]))
    assert called and {name: public for name, public in called.items() if not public} == {}


def test_the_old_gate_calls_are_caught(tmp_path):
    """The old _forget_batches, run as if it were a project file, on a real execution engine."""
    import great_expectations as gx

    old = str(ROOT / "pipelines" / "checks" / "old_gate.py")  # never written: only its name
    namespace: dict[str, object] = {}
    exec(compile(OLD_GATE, old, "exec"), namespace)
    source = gx.get_context(mode="ephemeral").data_sources.add_pandas("old")
    engine = source.get_execution_engine()
    called = calls_into_ge(lambda: namespace["_forget_batches"](engine), (old,))  # type: ignore[operator]
    assert called == {
        "ExecutionEngine.batch_manager": False,
        "BatchManager.reset_batch_cache": False,
        "BatchManager.batch_data_cache": False,
    }
