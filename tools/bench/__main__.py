"""`make bench`: the full unmet job vs the plain-DuckDB baseline on generated inputs.

Systems (env BENCH_SYSTEMS, default unmet,duckdb_baseline,incremental; unmet_2proc adds Beam's
multi-process mode; incremental is a weekly run on top of 8 published weeks vs that week alone,
tools/bench/incremental.py). For each size N (env BENCH_ROWS, default 1000000,10000000) it
generates the inputs once (cached under data/bench/), runs each system BENCH_REPEATS times
(default 3) in a fresh process, and reports the median wall time, CPU time (user + system of the
command and its children: less sensitive to other load on a shared machine), records per second and peak
memory (RSS of the whole process tree, sampled every 50 ms with psutil), the ratio of wall times,
and for unmet the time of each step of the job (from the run's manifest.json: ingest, demand,
checks, marts, warehouse) and of the two Beam pipelines alone. Results go to
data/bench/results-<timestamp>.json.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import psutil

from tools.bench.incremental import measure_incremental

ROOT = Path(os.environ.get("BENCH_DIR", "data/bench"))
SEED = 11


def stage_seconds(data_root: Path) -> dict[str, float]:
    """The step timings the job wrote into the published run's manifest (empty for the baseline)."""
    manifest = data_root / "published" / "manifest.json"
    if not manifest.exists():
        return {}
    return json.loads(manifest.read_text()).get("timings_s", {})


STEP_STARTED = re.compile(r"\] (\w+) \.\.\.$")


class Measured(NamedTuple):
    """One command's wall seconds, CPU seconds (user + system of the process and every child
    it waited for: on a shared machine, less sensitive to other load than the wall time), peak
    RSS bytes of the process tree, and peak RSS of each step."""

    wall: float
    cpu: float
    peak: int
    steps: dict[str, int]


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(cmd: list[str]) -> Measured:
    """`Measured` of one command; fails loudly. A step runs from its `[HH:MM:SS] <step> ...`
    progress line (stderr) to the next one; the baseline prints none, so its step peaks are
    empty. Commands are measured one at a time (the CPU time is a difference of this process's
    children's totals)."""
    cpu_before = _cpu_of_children()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr: list[str] = []
    current = ["start"]

    def follow() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            stderr.append(line)
            found = STEP_STARTED.search(line.rstrip())
            if found:
                current[0] = found.group(1)

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    ps = psutil.Process(proc.pid)
    peak = 0
    steps: dict[str, int] = {}
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(
                c.memory_info().rss for c in ps.children(recursive=True)
            )
            peak = max(peak, rss)
            steps[current[0]] = max(steps.get(current[0], 0), rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - started
    reader.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{''.join(stderr)[-3000:]}")
    return Measured(wall, _cpu_of_children() - cpu_before, peak, steps)


def inputs_for(rows: int) -> Path:
    folder = ROOT / f"inputs-{rows}-seed{SEED}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {rows:,} records into {folder} ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cli",
                "generate",
                "--rows",
                str(rows),
                "--seed",
                str(SEED),
                "--out",
                str(folder),
            ],  # fmt: skip
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (folder / ".complete").touch()
    return folder


def count_records(folder: Path) -> int:
    total = 0
    for sub in ("frontline_notes", "oos_lookups", "lost_sales"):
        for path in (folder / sub).iterdir():
            with path.open("rb") as handle:
                lines = sum(1 for _ in handle)
            total += lines - (1 if path.suffix == ".csv" else 0)
    return total


#: The systems BENCH_SYSTEMS may name (incremental is measured by tools/bench/incremental.py).
SYSTEMS = ("unmet", "unmet_2proc", "duckdb_baseline", "incremental")


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_ROWS", "1000000,10000000").split(",")]
    repeats = int(os.environ.get("BENCH_REPEATS", "3"))
    wanted = os.environ.get("BENCH_SYSTEMS", "unmet,duckdb_baseline,incremental").split(",")
    unknown = sorted(set(wanted) - set(SYSTEMS))
    if unknown:  # before generating anything
        sys.exit(f"BENCH_SYSTEMS: unknown {', '.join(unknown)} (known: {', '.join(SYSTEMS)})")
    results = []
    for rows in sizes:
        inputs = inputs_for(rows)
        records = count_records(inputs)
        unmet = [sys.executable, "-m", "cli", "run", "--data-root", str(ROOT / "root"),
                 "--inputs", str(inputs), "--as-of", "2026-11-25", "--no-report"]  # fmt: skip
        systems = {
            "unmet": unmet,
            "unmet_2proc": [
                *unmet,
                "--direct_running_mode=multi_processing",
                "--direct_num_workers=2",
            ],  # fmt: skip
            "duckdb_baseline": [
                sys.executable,
                "-m",
                "tools.bench.baseline",
                str(inputs),
                str(ROOT / "baseline-out"),
            ],  # fmt: skip
        }
        systems = {name: cmd for name, cmd in systems.items() if name in wanted}
        row = {"rows": rows, "records": records}
        for name, cmd in systems.items():
            runs = []
            for i in range(repeats):
                shutil.rmtree(ROOT / "root", ignore_errors=True)
                wall, cpu, peak, step_peaks = measure(cmd)
                stages = stage_seconds(ROOT / "root")
                runs.append((wall, peak, stages, step_peaks, cpu))
                steps = "  ".join(
                    f"{k} {v:.1f}s/{step_peaks.get(k, 0) / 2**20:.0f}MiB" for k, v in stages.items()
                )
                print(
                    f"  {name:<16} N={rows:>10,} run {i + 1}: {wall:7.2f}s (cpu {cpu:.1f}s)  "
                    f"peak {peak / 2**20:7.0f} MiB  {steps}",
                    flush=True,
                )
            wall = statistics.median(r[0] for r in runs)
            peak = statistics.median(r[1] for r in runs)
            row[name] = {
                "wall_s": round(wall, 2),
                "cpu_s": round(statistics.median(r[4] for r in runs), 2),
                "records_per_s": round(records / wall),
                "peak_rss_mib": round(peak / 2**20),
                "us_per_record": round(wall / records * 1e6, 2),
                "runs": [
                    {
                        "wall_s": round(w, 2),
                        "cpu_s": round(c, 2),
                        "peak_rss_mib": round(p / 2**20),
                        "steps_s": st,
                        "steps_peak_rss_mib": {k: round(v / 2**20) for k, v in sp.items()},
                    }
                    for w, p, st, sp, c in runs
                ],
            }
            step_names = sorted({k for r in runs for k in r[2]})
            if step_names:
                row[name]["steps_median_s"] = {
                    k: round(statistics.median(r[2].get(k, 0.0) for r in runs), 2)
                    for k in step_names
                }
                row[name]["steps_median_peak_rss_mib"] = {
                    k: round(statistics.median(r[3].get(k, 0) for r in runs) / 2**20)
                    for k in step_names
                }
                row[name]["pipelines_s"] = round(
                    statistics.median(r[2].get("ingest", 0) + r[2].get("demand", 0) for r in runs),
                    2,
                )
        if "incremental" in wanted:
            row["incremental"] = measure_incremental(ROOT, rows, SEED, repeats, measure,
                                                     stage_seconds)  # fmt: skip
        base = row["duckdb_baseline"]["wall_s"] if "duckdb_baseline" in row else None
        for name in systems:
            if name != "duckdb_baseline" and base is not None:
                row[f"ratio_wall_{name}"] = round(row[name]["wall_s"] / base, 2)
                if "pipelines_s" in row[name]:
                    row[f"ratio_pipelines_{name}"] = round(row[name]["pipelines_s"] / base, 2)
        results.append(row)
    print()
    if systems:
        print(f"{'N':>10} {'system':<16} {'wall s':>8} {'rec/s':>10} {'peak MiB':>9} {'us/rec':>7}")
    for row in results:
        for name in systems:
            r = row[name]
            print(f"{row['rows']:>10,} {name:<16} {r['wall_s']:>8} {r['records_per_s']:>10,} "
                  f"{r['peak_rss_mib']:>9} {r['us_per_record']:>7}")  # fmt: skip
        for name in systems:
            if name == "duckdb_baseline":
                continue
            if f"ratio_wall_{name}" in row:
                ratio = row[f"ratio_wall_{name}"]
                print(f"{'':>10} ratio {name} / duckdb_baseline wall time: {ratio}x")
            if "steps_median_s" in row[name]:
                peaks = row[name]["steps_median_peak_rss_mib"]
                steps = ", ".join(
                    f"{k} {v}s / {peaks[k]} MiB" for k, v in row[name]["steps_median_s"].items()
                )
                print(f"{'':>10} {name} steps (median): {steps}")
            if f"ratio_pipelines_{name}" in row:
                print(f"{'':>10} ratio {name} Beam pipelines only (ingest + demand) / "
                      f"duckdb_baseline: {row[f'ratio_pipelines_{name}']}x")  # fmt: skip
        if "incremental" in row:
            inc = row["incremental"]
            print(f"{row['rows']:>10,} incremental: 8 published weeks + 1 new week "
                  f"{inc['incremental_wall_s']}s / the new week alone {inc['week_alone_wall_s']}s"
                  f" = {inc['ratio']}x (target at most 1.3x); CPU time {inc['incremental_cpu_s']}s"
                  f" / {inc['week_alone_cpu_s']}s = {inc['cpu_ratio']}x")  # fmt: skip
            for name in ("incremental", "week_alone"):
                steps = ", ".join(f"{k} {v}s" for k, v in inc[f"{name}_steps_median_s"].items())
                print(f"{'':>10} {name} steps (median): {steps}")
    out = ROOT / f"results-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    machine = {"cpus": os.cpu_count(), "mem_gib": round(psutil.virtual_memory().total / 2**30)}
    report = {"machine": machine, "repeats": repeats, "results": results}
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
