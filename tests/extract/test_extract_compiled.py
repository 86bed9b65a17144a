"""The Cython build of the extractor (setup.py) gives exactly what the pure-Python source gives.

The compiled modules are built from the same ``.py`` files, so they can only differ through a
Cython semantics difference or a stale build (an ``.so`` older than an edited ``.py``, which
Python would import in its place). Both would show up here.
"""

from __future__ import annotations

import importlib.machinery
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.extract import context, extractor, polarity, polarity_rows, scanner, sizes

ROOT = Path(__file__).resolve().parents[2]
COMPILED = (scanner, extractor, sizes, context, polarity, polarity_rows)
NOTE_FILES = [
    *sorted((ROOT / "tests" / "data" / "extract").glob("*.jsonl")),
    *sorted((ROOT / "data" / "sample" / "frontline_notes").glob("*.jsonl")),
]

needs_build = pytest.mark.skipif(
    not all(m.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)) for m in COMPILED),
    reason="the Cython extension modules are not built (pure-Python install: no Cython or no "
    "C compiler, or UNMET_PURE_PYTHON was set); nothing compiled to compare",
)

#: Runs in a subprocess: imports the compiled modules from their .py files, never the .so.
PURE_PYTHON_RUN = """
import importlib.util, json, sys
root = sys.argv[1]
class PureSource:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in ("pipelines.extract.scanner", "pipelines.extract.extractor",
                    "pipelines.extract.sizes", "pipelines.extract.context",
                    "pipelines.extract.polarity", "pipelines.extract.polarity_rows"):
            file = root + "/" + name.replace(".", "/") + ".py"
            return importlib.util.spec_from_file_location(name, file)
        return None
sys.meta_path.insert(0, PureSource)
from pipelines.extract import context, extractor, polarity, polarity_rows, scanner, sizes
assert all(m.__file__.endswith(".py")
           for m in (scanner, extractor, sizes, context, polarity, polarity_rows))
notes = json.load(sys.stdin)
print(json.dumps([repr(extractor.extract(t)) for t in notes]))
"""


def _notes() -> list[str]:
    notes = []
    for path in NOTE_FILES:
        for line in path.read_text("utf-8").splitlines():
            notes.append(json.loads(line)["text"])
    return notes


def test_note_files_found() -> None:
    assert len(_notes()) > 500


@needs_build
@pytest.mark.parametrize("module", COMPILED, ids=lambda m: m.__name__)
def test_extension_is_not_older_than_its_source(module) -> None:
    source = Path(module.__file__).parent / (module.__name__.rsplit(".", 1)[1] + ".py")
    assert Path(module.__file__).stat().st_mtime >= source.stat().st_mtime, (
        f"{module.__file__} is older than {source.name}: rebuild with `make setup`"
    )


@needs_build
def test_compiled_and_pure_python_give_identical_extractions() -> None:
    notes = _notes()
    compiled = [repr(extractor.extract(t)) for t in notes]
    pure = subprocess.run(
        [sys.executable, "-c", PURE_PYTHON_RUN, str(ROOT)],
        input=json.dumps(notes),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert json.loads(pure.stdout) == compiled
