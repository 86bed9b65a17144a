"""Build hook: compile the extractor's hot modules with Cython when a compiler is available.

The pure-Python modules stay the source of truth. Cython (pure-Python mode) compiles the same
``.py`` files into extension modules that Python imports in their place; if Cython is missing,
``UNMET_PURE_PYTHON=1`` is set, or the C compiler fails, the package installs and runs as plain
Python with the same results (tests/extract/test_extract_compiled.py checks both agree).
Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

#: The modules worth compiling: per-note text extraction (docs/performance.md).
COMPILED = [
    "pipelines/extract/scanner.py",
    "pipelines/extract/extractor.py",
    "pipelines/extract/sizes.py",  # the number and size-word rules the scanner calls per match
    "pipelines/extract/context.py",  # the context rules the scanner calls per match
    # the polarity model's features and dot product run once per mention (docs/extraction.md)
    "pipelines/extract/polarity.py",
    "pipelines/extract/polarity_rows.py",  # each mention's model rows, looked up per template
]


def _warn(message: str) -> None:
    print(f"unmet setup.py: {message}; using the pure-Python modules", file=sys.stderr)


class OptionalBuildExt(build_ext):
    """`build_ext` that never fails the install: a module it cannot build stays pure Python."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler at all (distutils raises its own error types)
            _warn(f"compiling failed ({exc})")

    def build_extension(self, ext) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            _warn(f"compiling {ext.name} failed ({exc})")


def extensions() -> list:
    if os.environ.get("UNMET_PURE_PYTHON"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        _warn("Cython is not installed")
        return []
    try:
        return cythonize(
            COMPILED,
            compiler_directives={"language_level": "3"},
            quiet=True,
        )
    except Exception as exc:
        _warn(f"cythonize failed ({exc})")
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
