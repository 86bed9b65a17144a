"""Fixtures for the generator tests: one small generated dataset, read back once per session."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.generate import GenerateSummary, generate

SAMPLE_ROWS = 4000
SAMPLE_SEED = 11


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _folder(folder: Path, pattern: str) -> list[dict[str, str]]:
    return [row for path in sorted(folder.glob(pattern)) for row in _csv(path)]


@dataclass(frozen=True)
class Dataset:
    """Every file of a generated dataset, parsed."""

    root: Path
    summary: GenerateSummary
    catalog: list[dict[str, str]]
    stores: list[dict[str, str]]
    notes: list[dict[str, object]]
    lookups: list[dict[str, str]]
    lost_sales: list[dict[str, str]]
    events: list[dict[str, str]]
    traces: list[dict[str, str]]
    pii: list[dict[str, str]]
    withdrawals: list[dict[str, str]]
    withdrawn_notes: list[dict[str, str]]


def load_dataset(root: Path, summary: GenerateSummary) -> Dataset:
    notes = [
        json.loads(line)
        for path in sorted((root / "frontline_notes").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    return Dataset(
        root=root,
        summary=summary,
        catalog=_csv(root / "catalog" / "catalog.csv"),
        stores=_csv(root / "stores" / "stores.csv"),
        notes=notes,
        lookups=_folder(root / "oos_lookups", "lookups-*.csv"),
        lost_sales=_folder(root / "lost_sales", "lost_sales-*.csv"),
        events=_csv(root / "truth" / "events.csv"),
        traces=_csv(root / "truth" / "traces.csv"),
        pii=_csv(root / "truth" / "pii.csv"),
        withdrawals=_csv(root / "consent_withdrawals" / "withdrawals.csv"),
        withdrawn_notes=_csv(root / "truth" / "withdrawn_notes.csv"),
    )


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A 4,000-record dataset over the default 8 weeks and 5 stores."""
    root = tmp_path_factory.mktemp("generated")
    return load_dataset(root, generate(SAMPLE_ROWS, SAMPLE_SEED, root))
