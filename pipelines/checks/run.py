"""Data-quality gates run before anything is published."""

from __future__ import annotations

from pathlib import Path

from pipelines import summary


class ChecksFailed(Exception):
    """An expectation failed: nothing is published."""


def gate(run_dir: Path, counts: list[summary.SourceCount]) -> None:
    summary.check(counts)
