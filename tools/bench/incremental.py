"""The bench's `incremental` line: a weekly run on top of eight published weeks vs a run of that
one week alone (issue 17's target: at most 1.3x).

For size N it generates N records over 9 weeks (cached under data/bench/), publishes the first 8
weeks once (not measured), then, each repeat, starts from a copy of that published data root, adds
the 9th week's fact files (copied: a later modification time, as a real delivery) and times
`unmet run` (an incremental run: pipelines/incremental.py). The reference is `unmet run` on a fresh
data root with the catalog, the stores and only the 9th week's files. Both print their step times
from the run's manifest.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

WEEKS = 9
FACTS = ("frontline_notes", "oos_lookups", "lost_sales")
REFERENCE = ("catalog", "stores")


def generated(root: Path, rows: int, seed: int) -> Path:
    folder = root / f"inputs-{rows}-seed{seed}-weeks{WEEKS}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {rows:,} records over {WEEKS} weeks into {folder} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "cli", "generate", "--rows", str(rows), "--seed", str(seed),
             "--weeks", str(WEEKS), "--out", str(folder)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        (folder / ".complete").touch()
    return folder


def last_week_files(folder: Path) -> list[Path]:
    """The fact files of the last generated week (files are named by ISO week: notes-2026-W47)."""
    last = max(p.stem[-8:] for p in (folder / "frontline_notes").glob("*.jsonl"))
    return sorted(p for source in FACTS for p in (folder / source).glob(f"*{last}*"))


def _inputs(target: Path, generated_folder: Path, facts: list[Path]) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    for folder in (*REFERENCE, *FACTS):
        (target / folder).mkdir(parents=True)
    for folder in REFERENCE:
        for path in (generated_folder / folder).iterdir():
            shutil.copy(path, target / folder / path.name)
    for path in facts:
        shutil.copy(path, target / path.parent.name / path.name)
    return target


def run_cmd(data_root: Path, inputs: Path) -> list[str]:
    return [sys.executable, "-m", "cli", "run", "--data-root", str(data_root), "--inputs",
            str(inputs), "--as-of", "2026-11-25", "--no-report"]  # fmt: skip


def measure_incremental(
    root: Path,
    rows: int,
    seed: int,
    repeats: int,
    measure: Callable[[list[str]], Any],
    stage_seconds: Callable[[Path], dict[str, float]],
) -> dict[str, Any]:
    """Median wall times of the incremental run and of the new week alone, and their ratio."""
    folder = generated(root, rows, seed)
    new = last_week_files(folder)
    old = sorted(p for s in FACTS for p in (folder / s).iterdir() if p not in set(new))
    published = root / "incremental-8-weeks"
    inputs = _inputs(root / "incremental-inputs", folder, old)
    shutil.rmtree(published, ignore_errors=True)
    subprocess.run(run_cmd(published, inputs), check=True, capture_output=True)
    alone_inputs = _inputs(root / "incremental-week-alone", folder, new)
    times: dict[str, list[float]] = {"incremental": [], "week_alone": []}
    cpu: dict[str, list[float]] = {"incremental": [], "week_alone": []}
    steps: dict[str, list[dict[str, float]]] = {"incremental": [], "week_alone": []}
    for i in range(repeats):
        data_root = root / "incremental-root"
        shutil.rmtree(data_root, ignore_errors=True)
        shutil.copytree(published, data_root, symlinks=True)
        for path in new:
            shutil.copy(path, inputs / path.parent.name / path.name)
        measured = measure(run_cmd(data_root, inputs))
        times["incremental"].append(measured.wall)
        cpu["incremental"].append(measured.cpu)
        steps["incremental"].append(stage_seconds(data_root))
        for path in new:
            (inputs / path.parent.name / path.name).unlink()
        alone_root = root / "incremental-alone-root"
        shutil.rmtree(alone_root, ignore_errors=True)
        measured = measure(run_cmd(alone_root, alone_inputs))
        times["week_alone"].append(measured.wall)
        cpu["week_alone"].append(measured.cpu)
        steps["week_alone"].append(stage_seconds(alone_root))
        print(f"  incremental      N={rows:>10,} run {i + 1}: 8 weeks + 1: "
              f"{times['incremental'][-1]:7.2f}s (cpu {cpu['incremental'][-1]:.1f}s)  the week "
              f"alone: {measured.wall:7.2f}s (cpu {measured.cpu:.1f}s)", flush=True)  # fmt: skip
    result: dict[str, Any] = {"weeks": WEEKS, "new_files": [p.name for p in new]}
    for name, walls in times.items():
        result[f"{name}_wall_s"] = round(statistics.median(walls), 2)
        result[f"{name}_cpu_s"] = round(statistics.median(cpu[name]), 2)
        names = sorted({k for s in steps[name] for k in s})
        result[f"{name}_steps_median_s"] = {
            k: round(statistics.median(s.get(k, 0.0) for s in steps[name]), 2) for k in names
        }
    result["ratio"] = round(result["incremental_wall_s"] / result["week_alone_wall_s"], 2)
    result["cpu_ratio"] = round(result["incremental_cpu_s"] / result["week_alone_cpu_s"], 2)
    return result
