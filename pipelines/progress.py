"""How far a running step of `unmet run` has got, read from the files it has written so far.

Beam runs the ingest and demand steps; the driver only waits for the runner. Beam's metrics are no
help while a step runs: the in-process runner (FnApiRunner) runs the whole pipeline inside
`run()` and gives its metrics only at the end, and what other runners report, and when, differs.
What every runner does alike is write the step's files into the run folder, which the driver can
list: each step's probe counts those files (input files parsed, staged files turned into signals,
units of work written, marts exported, reports rendered) and the rows in them. A probe only reads,
never writes, and reads a file only once it is complete (a half-written file is skipped until its
footer is there), so watching a run cannot change its outputs. Figures while a step runs are
estimates (a part of an input file stands for `batch_bytes` of it); the figures at the end of a
step come from the step's commit record (pipelines/flow.py).

`Reporter` is where run_job reports its steps: plain messages, and a live view of a step's probe
(none here; the CLI's display, cli/progress.py, draws a bar on a terminal and prints time-stamped
lines with counts elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Snapshot:
    """What a step has done: `done` of `total` `noun` (e.g. 12 of 40 files), counts of what it
    made so far (e.g. (("records", 1200000),)), and the share of its work done (0 to 1)."""

    done: int
    total: int
    noun: str
    counts: tuple[tuple[str, int], ...] = ()
    fraction: float | None = None

    @property
    def share(self) -> float:
        if self.fraction is not None:
            return min(max(self.fraction, 0.0), 1.0)
        return self.done / self.total if self.total else 0.0

    def describe(self, exact: bool = False) -> str:
        """'12 of 40 files, 1.23M records' ('1,234,567 records' if `exact`)."""
        parts = [f"{self.done:,} of {self.total:,} {self.noun}"]
        parts += [f"{n:,} {what}" if exact else f"{compact(n)} {what}" for what, n in self.counts]
        return ", ".join(parts)


Probe = Callable[[], Snapshot | None]

# This module is imported by the CLI before Beam and pyarrow may be (cli/common.quiet_libraries):
# the probes import them when they are made.

#: What a probe may meet while the step it watches writes and deletes files: a file that vanished
#: or is half-written, a folder not there yet. A probe that meets one reports nothing this time.
#: (pyarrow's ArrowInvalid and ArrowIOError, and Beam's BeamIOError, are among them.)
SKIPPED = (OSError, ValueError, KeyError)


def compact(n: int) -> str:
    """12,788 / 123.4k / 1.23M: exact below ten thousand."""
    if n < 10_000:
        return f"{n:,}"
    if n < 1_000_000:
        return f"{n / 1000:.1f}k"
    return f"{n / 1_000_000:.2f}M"


def safe(probe: Probe) -> Probe:
    """The probe, reporting nothing instead of failing: a progress display never stops a run."""

    def checked() -> Snapshot | None:
        try:
            return probe()
        except SKIPPED:
            return None

    return checked


class Reporter:
    """Where a run reports its steps. Called with a message; `watch` shows a step's probe while the
    step runs (here: nothing; cli/progress.py's display draws it)."""

    def __init__(self, say: Callable[[str], None] = lambda _: None) -> None:
        self._say = say

    def __call__(self, message: str) -> None:
        self._say(message)

    @contextmanager
    def watch(self, step: str, probe: Probe) -> Iterator[None]:
        yield


class _Rows:
    """Rows of complete files, each read once (files do not change once complete)."""

    def __init__(self, read: Callable[[str], int]) -> None:
        self._read = read
        self._seen: dict[str, int] = {}

    def __call__(self, path: str) -> int | None:
        """The file's rows; None while it is being written (or if it is gone): counted next time."""
        if path not in self._seen:
            try:
                self._seen[path] = self._read(path)
            except SKIPPED:
                return None
        return self._seen[path]


def _arrow_rows(path: str) -> int:
    from pipelines import io

    return io.read_arrow(path).num_rows


def _sizes(paths: Sequence[str]) -> list[int]:
    from apache_beam.io.filesystems import FileSystems

    sizes = []
    for path in paths:
        try:
            sizes.append(FileSystems.match([path])[0].metadata_list[0].size_in_bytes)
        except (*SKIPPED, IndexError):
            sizes.append(0)  # a broken link: refused by the ingest, nothing to parse
    return sizes


def _committed(out_root: str, pipeline: str) -> dict | None:
    from pipelines import flow, io

    path = flow.commit_path(out_root, pipeline)
    return flow.read_commit(out_root, pipeline) if io.exists(path) else None


_PART = re.compile(r"/(\w+)/(part|keys)-(\d{5})-\d+\.arrow$")
_STAGED = re.compile(r"part-(\d{5})\.parquet$")


def ingest(inputs_root: str, out_root: str, batch_bytes: int | None = None) -> Probe:
    """Input files parsed (a file's keys or staged rows are written once it is parsed; before, each
    batch part written stands for `batch_bytes` of it), rows accepted so far; at the end, records
    read (staged + quarantined) from the commit record. Its share of the work: 70% parsing
    (bytes), 30% writing staging (files)."""
    from pipelines import io
    from pipelines.ingest import run as ingest_run
    from pipelines.ingest.batches import BATCH_BYTES
    from pipelines.ingest.sources import BY_NAME

    step = batch_bytes or BATCH_BYTES
    rows = _Rows(_arrow_rows)
    known: dict[str, object] = {}
    seen = {"records": 0, "share": 0.0}

    def probe() -> Snapshot | None:
        if "files" not in known:
            files = ingest_run.find_inputs(inputs_root)
            keys = [(source, i) for source in sorted(files) for i in range(len(files[source]))]
            paths = [files[s][i] for s, i in keys]
            known["files"] = dict(zip(keys, _sizes(paths), strict=True))
        sizes: dict[tuple[str, int], int] = known["files"]  # type: ignore[assignment]
        total = len(sizes)
        commit = _committed(out_root, "ingest")
        if commit is not None:
            # records read = staged + quarantined: the file table and the incremental key
            # table (ids of staged rows, counted again) are not records
            read = sum(
                d["rows"]
                for name, d in commit["datasets"].items()
                if name not in ("ingest_files", "keys")
            )
            return Snapshot(total, total, "files", (("records read", read),), 1.0)
        parts: dict[tuple[str, int], int] = {}
        parsed: set[tuple[str, int]] = set()
        accepted = 0
        for path in io.list_files(io.join(out_root, io.PARTS_FOLDER), "**.arrow"):
            found = _PART.search(path)
            if found is None:
                continue
            key = (found.group(1), int(found.group(3)))
            if found.group(2) == "keys":
                parsed.add(key)
            else:
                parts[key] = parts.get(key, 0) + 1
                accepted += rows(path) or 0
        staged: set[tuple[str, int]] = set()
        for source, spec in BY_NAME.items():
            for path in io.list_files(io.join(out_root, spec.table), "**.parquet"):
                if found := _STAGED.search(path):
                    staged.add((source, int(found.group(1))))
        done = parsed | staged
        all_bytes = sum(sizes.values()) or 1
        parsed_bytes = sum(
            size if key in done else min(size, parts.get(key, 0) * step)
            for key, size in sizes.items()
        )
        written = min(1.0, len(staged) / len(parsed)) if parsed else 0.0
        # the commit step removes the parts before it writes its record: keep what was seen
        seen["records"] = accepted = max(seen["records"], accepted)
        seen["share"] = share = max(seen["share"], 0.7 * parsed_bytes / all_bytes + 0.3 * written)
        return Snapshot(len(done), total, "files", (("records", accepted),), share)

    return safe(probe)


_SIGNALS = re.compile(r"/(\w+)/(\d{5})-(\d{4}-W\d{2})-(\d{5})\.arrow$")
_UNIT = re.compile(r"iso_week=(\d{4}-W\d{2})/part-(\d{5})\.parquet$")


def demand(out_root: str) -> Probe:
    """Staged files turned into signals, then units of work (ISO week x store group) whose events
    are written, with the signals and events so far; at the end, from the commit record. Its share
    of the work: half each."""
    from pipelines import io
    from pipelines.demand import run as demand_run

    signal_rows = _Rows(_arrow_rows)
    event_rows = _Rows(io.parquet_rows)
    known: dict[str, int] = {"units": 0, "signals": 0}

    def probe() -> Snapshot | None:
        if "staged" not in known:
            known["staged"] = sum(
                len(demand_run.staged_files(out_root, t)) for t in demand_run.FACT_TABLES
            )
        total = known["staged"]
        commit = _committed(out_root, "demand")
        if commit is not None:
            made = commit["datasets"]
            counts = tuple(
                (n, made.get(f"demand_{n}", {}).get("rows", 0)) for n in ("signals", "events")
            )
            return Snapshot(total, total, "staged files", counts, 1.0)
        files: set[tuple[str, int]] = set()
        units: set[tuple[str, int]] = set()
        signals = 0
        for path in io.list_files(io.join(out_root, io.PARTS_FOLDER, "signals"), "**.arrow"):
            if found := _SIGNALS.search(path):
                files.add((found.group(1), int(found.group(2))))
                units.add((found.group(3), int(found.group(4))))
                signals += signal_rows(path) or 0
        done_units = []
        for path in io.list_files(io.join(out_root, "demand_events"), "**.parquet"):
            if _UNIT.search(path) and (n := event_rows(path)) is not None:
                done_units.append(n)
        if not done_units:  # still reading staging into signals
            return Snapshot(len(files), total, "staged files", (("signals", signals),),
                            0.5 * len(files) / (total or 1))  # fmt: skip
        # the commit step removes the signal parts before it writes its record: keep what was seen
        known["units"] = total_units = max(known["units"], len(units), len(done_units))
        known["signals"] = signals = max(known["signals"], signals)
        counts = (("signals", signals), ("events", sum(done_units)))
        share = 0.5 + 0.5 * len(done_units) / total_units
        return Snapshot(len(done_units), total_units, "units", counts, share)

    return safe(probe)


def marts(run_dir: Path, names: Sequence[str]) -> Probe:
    """Marts exported so far (one Parquet file a week each, written by DuckDB, pipelines/marts.py;
    a mart counts once its folder is there)."""

    def probe() -> Snapshot | None:
        done = sum((run_dir / name).is_dir() for name in names)
        return Snapshot(done, len(names), "marts")

    return safe(probe)


def reports(folder: Path, weeks: Sequence[str]) -> Probe:
    """Weekly reports rendered so far into `folder` (each week's folder is swapped in whole)."""

    def probe() -> Snapshot | None:
        done = sum((folder / week / "report.html").is_file() for week in weeks)
        return Snapshot(done, len(weeks), "reports")

    return safe(probe)
