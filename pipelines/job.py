"""The whole job, step by step: ingest -> demand ledger -> checks -> publish -> warehouse -> report.

Everything a run writes goes into runs/<run_id>.partial first; only a run whose counts add up and whose
checks pass is renamed, published (one atomic symlink swap) and turned into the DuckDB file and the
report. See pipelines/publish.py for the layout.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipelines import publish, summary, warehouse
from pipelines.demand import run as demand_run
from pipelines.ingest import run as ingest_run

log = logging.getLogger("unmet.job")


@dataclass
class JobResult:
    run_id: str
    run_dir: Path
    counts: list[summary.SourceCount]
    week: str | None
    db_path: Path
    report_dir: Path | None
    timings: dict[str, float] = field(default_factory=dict)


def last_complete_week(as_of: datetime) -> str:
    """The ISO week (%G-W%V) before the one `as_of` falls in."""
    day = as_of.date() - timedelta(days=as_of.isoweekday())
    return day.strftime("%G-W%V")


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ")


def _step(timings: dict[str, float], name: str, progress: Callable[[str], None], fn, *args):  # type: ignore[no-untyped-def]
    started = datetime.now(UTC)
    progress(f"{name} ...")
    result = fn(*args)
    seconds = (datetime.now(UTC) - started).total_seconds()
    timings[name] = round(seconds, 2)
    progress(f"{name} done in {seconds:.1f}s")
    return result


def run_job(
    data_root: Path,
    inputs_root: Path,
    *,
    as_of: datetime | None = None,
    week: str | None = None,
    window_minutes: int = 30,
    beam_args: Sequence[str] = (),
    progress: Callable[[str], None] = lambda _: None,
    render_report: bool = True,
) -> JobResult:
    """Run everything under the run lock; raises on any failure, leaving published data untouched."""
    data_root = data_root.resolve()
    inputs_root = inputs_root.resolve()
    now = datetime.now(UTC)
    as_of = as_of or now
    run_id = new_run_id(now)
    timings: dict[str, float] = {}
    with publish.RunLock(data_root):
        publish.prune(data_root)
        partial = data_root / "runs" / f"{run_id}.partial"
        partial.mkdir(parents=True)
        files = _step(timings, "ingest", progress, ingest_run.run,
                      str(inputs_root), str(partial), as_of, beam_args)  # fmt: skip
        counts = summary.count(str(partial))
        summary.check(counts)
        _step(timings, "demand", progress, demand_run.run,
              str(partial), str(partial), window_minutes, beam_args)  # fmt: skip
        _step(timings, "checks", progress, _checks, partial, counts, as_of)
        manifest = {
            "run_id": run_id,
            "as_of": as_of.isoformat(),
            "inputs_root": str(inputs_root),
            "input_files": files,
            "counts": summary.as_dicts(counts),
            "window_minutes": window_minutes,
            "beam_args": list(beam_args),
            "timings_s": timings,
        }
        (partial / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        run_dir = publish.finish_run(partial)
        publish.publish(data_root, run_dir)
        db_path = _step(timings, "warehouse", progress, warehouse.build, run_dir,
                        data_root / "unmet.duckdb")  # fmt: skip
        chosen = week or default_week(db_path, as_of)
        report_dir = None
        if render_report and chosen is not None:
            from pipelines.reports import render

            report_dir = _step(timings, "report", progress, render.write_weekly,
                               db_path, data_root / "reports", chosen)  # fmt: skip
        publish.prune(data_root)
    return JobResult(run_id, run_dir, counts, chosen, db_path, report_dir, timings)


def _checks(run_dir: Path, counts: list[summary.SourceCount], as_of: datetime) -> None:
    """Data-quality gates on what is about to be published (see pipelines/checks)."""
    from pipelines.checks import run as checks_run

    checks_run.gate(run_dir, counts, as_of)


def default_week(db_path: Path, as_of: datetime) -> str | None:
    """The last complete ISO week as of `as_of`; if it has no data, the latest week that has."""
    target = last_complete_week(as_of)
    con = warehouse.connect_read_only(db_path)
    try:
        weeks = [r[0] for r in con.execute("select distinct iso_week from demand_events").fetchall()]
    finally:
        con.close()
    if not weeks or target in weeks:
        return target if weeks else None
    earlier = [w for w in weeks if w <= target]
    return max(earlier) if earlier else max(weeks)


def parse_week(text: str) -> str:
    """Validate an ISO week like 2026-W47."""
    try:
        monday = datetime.strptime(text + "-1", "%G-W%V-%u").date()
    except ValueError:
        raise ValueError(f"not an ISO week: {text!r} (expected e.g. 2026-W47)") from None
    if monday.strftime("%G-W%V") != text:
        raise ValueError(f"not an ISO week: {text!r} (expected e.g. 2026-W47)")
    return text


def week_monday(week: str) -> date:
    return datetime.strptime(week + "-1", "%G-W%V-%u").date()
