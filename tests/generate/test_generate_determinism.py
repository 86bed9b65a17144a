"""Same seed and arguments give byte-identical files; the record budget is met within 1%."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipelines.generate import generate


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    generate(1500, 3, first)
    generate(1500, 3, second)
    assert _files(first) == _files(second)


def test_different_seed_different_files(tmp_path: Path) -> None:
    generate(1500, 3, tmp_path / "a")
    generate(1500, 4, tmp_path / "b")
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first.keys() == second.keys()
    assert first["truth/events.csv"] != second["truth/events.csv"]
    assert first["catalog/catalog.csv"] != second["catalog/catalog.csv"]


def test_rerun_into_same_folder_replaces_weekly_files(tmp_path: Path) -> None:
    generate(500, 1, tmp_path, weeks=4)
    generate(500, 1, tmp_path, weeks=2)
    assert len(list((tmp_path / "frontline_notes").iterdir())) == 2


@pytest.mark.parametrize(
    ("rows", "weeks", "stores"), [(1000, 8, None), (6000, 2, 3), (12_000, 1, 40)]
)
def test_row_count_within_one_percent(tmp_path: Path, rows, weeks, stores) -> None:
    summary = generate(rows, 5, tmp_path, weeks=weeks, stores=stores)
    assert abs(summary.rows - rows) <= max(2, rows // 100)
    written = sum(
        1 for path in (tmp_path / "frontline_notes").iterdir() for _ in path.open(encoding="utf-8")
    )
    for folder in ("oos_lookups", "lost_sales"):
        written += sum(
            sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in (tmp_path / folder).iterdir()
        )
    assert written == summary.rows
    assert summary.stores == (stores or 5)


def test_end_date_and_weeks(tmp_path: Path) -> None:
    generate(300, 2, tmp_path, weeks=2, end_date=date(2026, 3, 29))
    names = sorted(path.name for path in (tmp_path / "oos_lookups").iterdir())
    assert names == ["lookups-2026-W12.csv", "lookups-2026-W13.csv"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"rows": 0}, "rows"), ({"weeks": 0}, "weeks"), ({"stores": 0}, "stores")],
)
def test_bad_arguments(tmp_path: Path, kwargs, message) -> None:
    arguments = {"rows": 100, "seed": 1, "out": tmp_path} | kwargs
    with pytest.raises(ValueError, match=message):
        generate(**arguments)
