"""Tooling stays out of the product: nothing the wheel installs (pipelines, schemas, cli) imports
the top-level `tools` package (the bench, the truth scorer, the plumbing count), and the packages
pyproject.toml installs are exactly the product's (issue 17)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from setuptools import find_packages

ROOT = Path(__file__).parents[1]
PRODUCT = ("pipelines", "schemas", "cli")
TOOLING = "tools"


def _is_tooling(name: str | None) -> bool:
    return name is not None and (name == TOOLING or name.startswith(TOOLING + "."))


def tooling_imports(source: str) -> list[str]:
    """The `tools` modules a source imports: `import tools...`, `from tools... import`, or a
    literal module name handed to `importlib.import_module`/`__import__` or `python -m`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_tooling(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_tooling(node.module):
            found.append(node.module)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and _is_tooling(node.value)):  # fmt: skip
            found.append(node.value)
    return found


def test_the_check_sees_every_way_of_importing_tooling():
    source = (
        "import tools.bench\nfrom tools import truth\nfrom tools.truth import score\n"
        "import importlib\nimportlib.import_module('tools.plumbing')\n"
        "cmd = ['python', '-m', 'tools.bench.baseline']\n"
        "import toolsy\nfrom pipelines import tools_like\nname = 'tools are nice'\n"
    )
    assert tooling_imports(source) == [
        "tools.bench", "tools", "tools.truth", "tools.plumbing", "tools.bench.baseline",
    ]  # fmt: skip


@pytest.mark.parametrize("package", PRODUCT)
def test_no_product_module_imports_tooling(package):
    offenders = {
        path.relative_to(ROOT).as_posix(): found
        for path in sorted((ROOT / package).rglob("*.py"))
        if (found := tooling_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_installed_packages_are_the_product_only():
    """What `pip install` puts in the wheel: the packages pyproject.toml's packages.find selects.
    The bench and the truth scorer are no longer among them; the generator (`unmet generate`,
    whose output includes its planted truth) is."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    find = config["tool"]["setuptools"]["packages"]["find"]
    packages = set(find_packages(where=str(ROOT), include=find["include"]))
    assert {"pipelines", "pipelines.demand", "pipelines.generate", "schemas", "cli"} <= packages
    assert not any(_is_tooling(name) for name in packages)
    assert "pipelines.bench" not in packages
    assert not (ROOT / "pipelines" / "demand" / "truth.py").exists()
