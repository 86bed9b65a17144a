"""The whole job, step by step: ingest -> demand ledger -> marts -> checks -> warehouse -> report
-> publish.

Everything a run writes goes into runs/<run_id>.partial first; only a run whose counts add up and
whose checks pass (on its staging, ledger and mart datasets, the exported report marts included)
is renamed, gets its DuckDB file and reports inside its folder, and is then published (one atomic
symlink swap). See pipelines/publish.py for the layout.

Step boundaries: after each step the run passes a named boundary (`BOUNDARIES`; `plan`: the
inputs are fingerprinted and the plan made, nothing read yet). With the environment variable
UNMET_TEST_PAUSE_AT=<boundary> it prints `paused at <boundary>` on stderr and blocks there until
killed: tests kill a run at a named point, never after a fixed sleep (pipelines/pause.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipelines import consent_delta, incremental, marts, publish, summary, warehouse
from pipelines import progress as watching
from pipelines.demand import run as demand_run
from pipelines.extract import EXTRACTOR_VERSION
from pipelines.ingest import inputs, reads
from pipelines.ingest import run as ingest_run
from pipelines.ingest.parse import shown_folder, shown_path
from pipelines.pause import PAUSE_ENV, pause  # noqa: F401 (PAUSE_ENV: the tests' name for it)
from schemas.weeks import iso_week

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
    up_to_date: bool = False  # nothing new to ingest: the published run was kept
    redelivered: dict[str, str] = field(default_factory=dict)  # file -> earlier file, same bytes
    no_report: str | None = None  # why the --week asked for got no report (it has no data)


def last_complete_week(as_of: datetime) -> str:
    """The ISO week (%G-W%V) before the one `as_of` falls in."""
    day = as_of.date() - timedelta(days=as_of.isoweekday())
    return iso_week(day)


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ")


#: Every step boundary of a run that rebuilds, in order (named after the step just completed).
BOUNDARIES = (
    "lock", "plan", "ingest", "demand", "marts", "checks", "manifest", "finish", "warehouse", "report",
    "publish", "prune",
)  # fmt: skip


def boundary(name: str) -> None:
    """A step boundary: with UNMET_TEST_PAUSE_AT=<name>, announce it and block until killed
    (pipelines/pause.py)."""
    pause(name)


def _step(timings: dict[str, float], name: str, progress: Callable[[str], None], fn, *args,  # type: ignore[no-untyped-def]
          probe: watching.Probe | None = None):  # fmt: skip
    """Run one step, saying when it starts and ends (with its counts, if it has a probe); a
    watching.Reporter also shows the probe while the step runs (pipelines/progress.py)."""
    started = datetime.now(UTC)
    progress(f"{name} ...")
    live = isinstance(progress, watching.Reporter) and probe is not None
    with progress.watch(name, probe) if live else nullcontext():  # type: ignore[union-attr,arg-type]
        result = fn(*args)
    seconds = (datetime.now(UTC) - started).total_seconds()
    timings[name] = round(seconds, 2)
    done = probe() if probe is not None else None
    progress(f"{name} done in {seconds:.1f}s" + (f": {done.describe(exact=True)}" if done else ""))
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
    full_refresh: bool = False,
    keep_runs: int = publish.KEEP_RUNS,
) -> JobResult:
    """Run everything under the run lock; raises on any failure, leaving published data untouched.

    Incremental: when the input files (by content) and settings are those of the published run,
    nothing is re-ingested; only a missing report is rendered. When the only change is new fact
    files, only they are ingested and only the weeks they touch rebuilt, on top of the published
    run (pipelines/incremental.py). `full_refresh` rebuilds everything anyway.
    """
    data_root = data_root.resolve()
    inputs_root = inputs_root.resolve()
    now = datetime.now(UTC)
    as_of = as_of or now
    run_id = new_run_id(now)
    timings: dict[str, float] = {}
    with publish.RunLock(data_root, run_id):
        boundary("lock")
        publish.prune(data_root, keep_runs)
        files = ingest_run.find_inputs(str(inputs_root))
        prints = inputs.fingerprint(files, str(inputs_root))
        redelivered = inputs.redeliveries(files, str(inputs_root), prints)
        kept = (
            None if full_refresh else _up_to_date(data_root, files, prints, window_minutes, as_of)
        )
        if kept is not None:
            return _keep_published(
                data_root, kept, as_of, week, render_report, progress, redelivered
            )
        plan = incremental.plan(data_root, files, str(inputs_root), prints, window_minutes,
                                as_of, full_refresh)  # fmt: skip
        progress(f"{'incremental' if plan.incremental else 'full refresh'}: {plan.reason}")
        base = plan.base if plan.incremental else None
        partial = data_root / "runs" / f"{run_id}.partial"
        partial.mkdir(parents=True)
        boundary("plan")  # inputs fingerprinted, plan made; the ingest has read nothing yet
        files = _step(timings, "ingest", progress, ingest_run.run, str(inputs_root), str(partial),
                      as_of, beam_args, ingest_run.BATCH_BYTES, plan.carried or None,
                      str(base) if base else None, files, plan.again or None,
                      probe=watching.ingest(str(inputs_root), str(partial)))  # fmt: skip
        # the bytes the ingest read must be those planned from (a file re-delivered in place
        # meanwhile was read empty or cut short): else stop, nothing published (ingest/reads.py)
        reads.check(str(partial), files, str(inputs_root), prints, plan.carried or None,
                    plan.again or None)  # fmt: skip
        carried = incremental.carry_ingest(base, partial, plan.again) if base else []
        if base and consent_delta.withdrawals_read(files, plan.carried, plan.again):
            consent_delta.check(partial)  # no note may keep a ref a withdrawal covers
        incremental.write_state(partial, files, str(inputs_root), prints)
        counts = summary.count(str(partial))
        summary.check(counts)
        boundary("ingest")
        weeks = incremental.touched_weeks(partial) if base else None
        _step(timings, "demand", progress, demand_run.run, str(partial), str(partial),
              window_minutes, beam_args, demand_run.UNIT_ROWS, weeks,
              probe=watching.demand(str(partial)))  # fmt: skip
        carried += incremental.carry_weeks(base, partial, weeks or set()) if base else []
        boundary("demand")
        same_weeks = _step(timings, "marts", progress, marts.export, partial, base, weeks,
                           probe=watching.marts(partial, list(warehouse.EXPORTED_MARTS)))  # fmt: skip
        carried += same_weeks
        boundary("marts")
        # the gate of an incremental run validates what this run wrote (the mart weeks exported
        # again included); a carried file keeps its earlier result if its bytes are the same
        written = (
            incremental.written(partial) | marts.written(partial, same_weeks) if base else None
        )
        _step(timings, "checks", progress, _checks, partial, counts, as_of, written, base)
        boundary("checks")
        manifest = manifest_of(run_id, as_of, str(inputs_root), files, prints, redelivered,
                               counts, window_minutes, beam_args, timings)  # fmt: skip
        manifest.update({
            "mode": "incremental" if base else "full refresh",
            "mode_reason": plan.reason,
            "base_run": base.name if base else None,
            "origins": incremental.origins(partial, run_id, base, carried),
        })  # fmt: skip
        write_manifest(partial, manifest)
        boundary("manifest")
        run_dir = publish.finish_run(partial)
        try:
            boundary("finish")
            db_path = _step(timings, "warehouse", progress, warehouse.build, run_dir,
                            run_dir / "unmet.duckdb")  # fmt: skip
            boundary("warehouse")
            chosen = week or default_week(db_path, as_of)
            (run_dir / "reports").mkdir(exist_ok=True)  # published with the run, even if empty
            report_dir = None
            no_report = _without_data(db_path, week) if render_report else None
            if render_report and chosen is not None and no_report is None:
                weeks = _report_weeks(data_root, chosen, _weeks_with_data(db_path), quiet=True)
                report_dir = _step(timings, "report", progress, _reports, data_root, run_dir, chosen,
                                   probe=watching.reports(run_dir / "reports", weeks))  # fmt: skip
            boundary("report")
            _step(timings, "publish", progress, publish.publish, data_root, run_dir)
            boundary("publish")
        except BaseException:  # a stop signal or an error before readers saw the run
            publish.unfinish(data_root, run_dir)
            raise
        publish.prune(data_root, keep_runs)
        boundary("prune")
    shown_db = data_root / "unmet.duckdb"
    shown_report = data_root / "reports" / report_dir.name if report_dir is not None else None
    return JobResult(run_id, run_dir, counts, chosen, shown_db, shown_report, timings,
                     redelivered=redelivered, no_report=no_report)  # fmt: skip


def manifest_of(run_id: str, as_of: datetime, inputs_root: str, files: dict[str, list[str]],
                prints: dict[str, str], redelivered: dict[str, str],
                counts: list[summary.SourceCount], window_minutes: int,
                beam_args: Sequence[str], timings: dict[str, float]) -> dict:  # fmt: skip
    """The run's manifest.json, but for how it was built (mode, mode_reason, base_run, origins)."""
    return {
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "inputs_root": shown_folder(inputs_root),  # an address in a folder name is replaced
        "input_files": {source: [shown_path(p) for p in paths] for source, paths in files.items()},
        "input_sha256": prints,
        "redelivered": redelivered,
        "counts": summary.as_dicts(counts),
        "window_minutes": window_minutes,
        "beam_args": shown_args(beam_args),
        "timings_s": timings,
        "code_version": incremental.code_version(),
        "library_versions": incremental.library_versions(),
        "extractor_version": EXTRACTOR_VERSION,
    }


#: Beam flags whose values are secrets: never written to a manifest or a log.
SECRET_FLAGS = ("--s3_access_key_id", "--s3_secret_access_key", "--s3_session_token")


def shown_args(beam_args: Sequence[str]) -> list[str]:
    """The Beam flags as they may be shown: the values of SECRET_FLAGS replaced by '***'."""
    shown: list[str] = []
    for arg in beam_args:
        if shown and shown[-1] in SECRET_FLAGS:  # `--flag value`: the value is the next argument
            shown.append("***")
        elif arg.partition("=")[0] in SECRET_FLAGS and "=" in arg:
            shown.append(f"{arg.partition('=')[0]}=***")
        else:
            shown.append(arg)
    return shown


def write_manifest(run_dir: Path, manifest: dict) -> None:
    (run_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _without_data(db_path: Path, week: str | None) -> str | None:
    """Why the week asked for with --week gets no report (it has no demand events: the message
    lists the weeks that have), as `unmet report --week` refuses it; None if it has data or none
    was asked for. The run is still published: its data does not depend on the week."""
    if week is None:
        return None
    from pipelines.reports.weekly_data import NoDataForWeek, check_week

    con = warehouse.connect_read_only(db_path)
    try:
        check_week(con, week)
    except NoDataForWeek as err:
        return str(err)
    finally:
        con.close()
    return None


def _reports(data_root: Path, run_dir: Path, week: str) -> Path:
    """Render the run's reports into its own folder: `week`'s, and again every week the published
    run has a report of (from this run's data, so no report outlives the data it was made from),
    each with the store pages the published run has for that week (`unmet report --store`), so a
    store team's page is neither stale nor lost."""
    from pipelines.reports import render, store

    folder = run_dir / "reports"
    db_path = run_dir / "unmet.duckdb"
    published = data_root / "reports"

    def write(one: str) -> Path:
        return render.write_weekly(db_path, folder, one, stores=store.store_pages(published / one))

    for other in _report_weeks(data_root, week, _weeks_with_data(db_path))[:-1]:
        write(other)
    return write(week)


def _weeks_with_data(db_path: Path) -> set[str]:
    from pipelines.reports.weekly_data import weeks_with_data

    con = warehouse.connect_read_only(db_path)
    try:
        return set(weeks_with_data(con))
    finally:
        con.close()


def _report_weeks(data_root: Path, week: str, with_data: set[str], quiet: bool = False
                  ) -> list[str]:  # fmt: skip
    """The weeks _reports renders, `week` last: every week the published run has a report of and
    this run has data for (review 11: a week whose files were removed kept a page saying "no
    unmet demand was recorded", which `unmet report --week` refuses to write)."""
    shown = data_root / "reports"  # the published run's (or, in the earlier layout, a folder)
    publish.recover_swaps(shown)  # a week's folder a killed re-render left aside is listed again
    earlier = sorted(p.name for p in shown.iterdir()) if shown.is_dir() else []
    kept = [other for other in earlier if other != week and _is_week(other)]
    gone = [other for other in kept if other not in with_data]
    if gone and not quiet:
        log.warning("reports not rendered again (no demand events now): %s", ", ".join(gone))
    return [other for other in kept if other in with_data] + [week]


def _is_week(text: str) -> bool:
    try:
        parse_week(text)
    except ValueError:
        return False
    return True


def _up_to_date(data_root: Path, files: dict[str, list[str]], prints: dict[str, str],
                window_minutes: int, as_of: datetime) -> dict | None:  # fmt: skip
    """The published run's manifest if it was made from exactly these inputs (their bytes and
    the order of their modification times: which copy of a repeated id is kept), with these
    settings, this code and these library versions (a refitted extractor or new code rebuilds,
    as does an as-of that may now accept what the run quarantined as in the future)."""
    current = publish.published_run(data_root)
    if current is None or not publish.complete(current):
        return None  # nothing published yet, or published by the earlier layout: rebuild
    return incremental.up_to_date(current, files, prints, window_minutes, as_of)


def _keep_published(data_root: Path, manifest: dict, as_of: datetime, week: str | None,
                    render_report: bool, progress: Callable[[str], None],
                    redelivered: dict[str, str]) -> JobResult:  # fmt: skip
    run_dir = data_root / "runs" / manifest["run_id"]
    publish.link_outputs(data_root)  # a link someone removed by hand comes back
    progress(f"no new or changed input files since run {manifest['run_id']}: nothing to ingest "
             "(--full-refresh rebuilds)")  # fmt: skip
    fields = {f for f in summary.SourceCount.__dataclass_fields__}
    counts = [summary.SourceCount(**{k: v for k, v in c.items() if k in fields})
              for c in manifest["counts"]]  # fmt: skip
    db_path = data_root / "unmet.duckdb"
    chosen = week or default_week(db_path, as_of)
    report_dir = None
    no_report = _without_data(db_path, week) if render_report else None
    if render_report and chosen is not None and no_report is None:
        report_dir = data_root / "reports" / chosen
        if week is not None or not (report_dir / "report.html").exists():
            from pipelines.reports import render

            # into the published run's own folder (DATA_ROOT/reports is a link to it)
            render.write_weekly(run_dir / "unmet.duckdb", run_dir / "reports", chosen)
    return JobResult(manifest["run_id"], run_dir, counts, chosen, db_path, report_dir,
                     up_to_date=True, redelivered=redelivered, no_report=no_report)  # fmt: skip


def _checks(run_dir: Path, counts: list[summary.SourceCount], as_of: datetime,
            only: set[str] | None = None, base: Path | None = None) -> None:  # fmt: skip
    """Data-quality gates on what is about to be published (see pipelines/checks); `only`: the
    files an incremental run wrote on top of the run `base` (a carried file whose bytes are
    those `base`'s gate recorded keeps that result; any other is validated again)."""
    from pipelines.checks import run as checks_run

    try:
        checks_run.gate(run_dir, counts, as_of, only=only, base=base)
    except checks_run.ChecksFailed as err:
        if not err.personal:
            raise
        publish.strip_stopped(run_dir)
        raise checks_run.ChecksFailed(
            f"{err}\nA rule on personal data failed: the stopped run's datasets were removed "
            f"(only {checks_run.VALIDATION_FILE} is kept, without the values).",
            personal=True,
        ) from None


def default_week(db_path: Path, as_of: datetime) -> str | None:
    """The last complete ISO week as of `as_of`; if it has no data, the latest week that has."""
    target = last_complete_week(as_of)
    con = warehouse.connect_read_only(db_path)
    try:
        weeks = [
            r[0] for r in con.execute("select distinct iso_week from demand_events").fetchall()
        ]
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
    if iso_week(monday) != text:
        raise ValueError(f"not an ISO week: {text!r} (expected e.g. 2026-W47)")
    return text


def week_monday(week: str) -> date:
    return datetime.strptime(week + "-1", "%G-W%V-%u").date()
