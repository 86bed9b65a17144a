"""`unmet run --data-root s3://BUCKET/PREFIX --local-root DIR`: the whole job with the data root on
object storage (pipelines/objectstore.py for the layout there).

The pipelines run wherever the Beam runner puts them and write the run's objects straight into
runs/<run_id>/ in the bucket; nothing they do needs a disk shared with the driver. The driver then
copies the run's objects once onto its own disk, under DIR/runs/<run_id>.partial/, and runs the
steps that cannot read s3:// here on that copy, as a local run does: the marts DuckDB exports,
the Great Expectations gate (which validates those marts too), the manifest (DuckDB reads object
storage only through its httpfs extension, which it would download at run time). What the driver
adds to the run (the exported marts, validation.json, manifest.json last) is uploaded into the
run's prefix, and one PUT of the
pointer object CURRENT publishes it. DIR then gets the same layout as a local data root (the run
folder with its DuckDB file and reports, `published`, DIR/unmet.duckdb, DIR/reports), so `unmet
report` and `unmet query --data-root DIR` read it as they read a local run.

Runs are incremental as on a local data root (pipelines/incremental.py), planned from DIR's copy of
the run CURRENT names (its manifest, inputs state and validation record): only the new input
files are ingested and only the ISO weeks they touch rebuilt, on the workers, into the new run's
prefix; every other file of the published run is carried over by a server-side copy of its object
(`carry`: no download, no upload), the driver downloads only what the pipelines wrote and links
the carried files from DIR's copy, and the gate re-validates only what was written. A run whose
inputs, settings and code are the published run's rebuilds nothing (checked against DIR's copy of
that run); without that copy a run is a full refresh. The ingest and demand steps show their
start and end only (the local run's live probes list the run folder every half second; on a
bucket that is a request each).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pipelines import (
    consent_delta,
    incremental,
    io,
    marts,
    objectstore,
    publish,
    summary,
    warehouse,
)
from pipelines import job as local_job
from pipelines.checks import run as checks_run
from pipelines.demand import run as demand_run
from pipelines.ingest import inputs, reads
from pipelines.ingest import run as ingest_run
from pipelines.options import pipeline_options


def run_job(
    data_root: str,
    inputs_root: str,
    local_root: Path,
    *,
    as_of: datetime | None = None,
    week: str | None = None,
    window_minutes: int = 30,
    beam_args: Sequence[str] = (),
    progress: Callable[[str], None] = lambda _: None,
    render_report: bool = True,
    full_refresh: bool = False,
    keep_runs: int = publish.KEEP_RUNS,
) -> local_job.JobResult:
    """Run everything under the bucket's run lock (and DIR's); raises on any failure, leaving the
    published run (CURRENT) untouched. When the inputs (by content), settings and code are those
    of the published run, nothing is rebuilt, as in a local data root (`full_refresh` rebuilds)."""
    pipeline_options(beam_args)  # Beam's file systems get the S3 flags before the driver lists
    store = objectstore.Store.open(data_root, beam_args)
    local_root = local_root.resolve()
    if not objectstore.is_remote(inputs_root):  # a local inputs folder: the same path everywhere
        inputs_root = str(Path(inputs_root).resolve())
    now = datetime.now(UTC)
    as_of = as_of or now
    run_id = local_job.new_run_id(now)
    run_url = store.url(objectstore.RUNS, run_id)
    timings: dict[str, float] = {}
    step = local_job._step
    with store.lock(run_id), publish.RunLock(local_root, run_id):
        local_job.boundary("lock")
        store.prune(keep_runs)
        publish.prune(local_root, keep_runs)
        files = ingest_run.find_inputs(inputs_root)
        prints = inputs.fingerprint(files, inputs_root)
        redelivered = inputs.redeliveries(files, inputs_root, prints)
        kept = (
            None
            if full_refresh
            else _up_to_date(store, local_root, files, prints, window_minutes, as_of)
        )
        if kept is not None:
            return local_job._keep_published(local_root, kept, as_of, week, render_report,
                                             progress, redelivered)  # fmt: skip
        plan = incremental.plan_on(_base_copy(store, local_root), files, inputs_root, prints,
                                   window_minutes, as_of, full_refresh)  # fmt: skip
        if not plan.incremental and not full_refresh and (why := no_copy(store, local_root)):
            plan = dataclasses.replace(plan, reason=why)
        progress(f"{'incremental' if plan.incremental else 'full refresh'}: {plan.reason}")
        base = plan.base if plan.incremental else None  # DIR's copy of the run CURRENT names
        base_url = store.url(objectstore.RUNS, base.name) if base else None
        local_job.boundary(
            "plan"
        )  # inputs fingerprinted, plan made; the ingest has read nothing yet
        step(timings, "ingest", progress, ingest_run.run, inputs_root, run_url, as_of, beam_args,
             ingest_run.BATCH_BYTES, plan.carried or None, base_url, files,
             plan.again or None)  # fmt: skip
        # the ingest read the bytes planned from, or the run stops (pipelines/ingest/reads.py)
        reads.check(run_url, files, inputs_root, prints, plan.carried or None, plan.again or None)
        carried = (step(timings, "carry", progress, carry, store, base.name, run_id,
                        incremental.INGEST_FOLDERS, None, plan.again) if base else [])  # fmt: skip
        state = incremental.inputs_table(files, inputs_root, prints)
        io.write_parquet(io.join(run_url, incremental.INPUTS_STATE), state)
        copies = {io.join(run_url, rel): str(base / rel) for rel in carried} if base else {}
        counts = summary.count(run_url, copies)  # a carried file's footer read in DIR's copy
        summary.check(counts)
        local_job.boundary("ingest")
        weeks = incremental.touched_weeks(run_url) if base else None
        step(timings, "demand", progress, demand_run.run, run_url, run_url, window_minutes,
             beam_args, demand_run.UNIT_ROWS, weeks)  # fmt: skip
        if base:
            carried += step(timings, "carry weeks", progress, carry, store, base.name, run_id,
                            (), weeks or set())  # fmt: skip
        local_job.boundary("demand")

        partial = local_root / "runs" / f"{run_id}.partial"
        partial.mkdir(parents=True)
        step(timings, "copy", progress, fetch, store, run_id, partial, base, carried)
        if base and consent_delta.withdrawals_read(files, plan.carried, plan.again):
            consent_delta.check(partial)  # no note may keep a ref a withdrawal covers
        same_weeks = step(timings, "marts", progress, marts.export, partial, base, weeks)
        if same_weeks:  # the carried mart weeks: a server-side copy, like the ledger's
            assert base is not None
            io.copy_files([store.url(objectstore.RUNS, base.name, rel) for rel in same_weeks],
                          [store.url(objectstore.RUNS, run_id, rel) for rel in same_weeks])  # fmt: skip
        carried += same_weeks
        local_job.boundary("marts")
        # as a local run: what this run wrote is validated, the mart weeks exported again included
        written = (
            incremental.written(partial) | marts.written(partial, same_weeks) if base else None
        )
        try:
            step(timings, "checks", progress, local_job._checks, partial, counts, as_of, written,
                 base)  # fmt: skip
        except checks_run.ChecksFailed as err:
            stopped(store, run_id, partial, personal=err.personal)
            raise
        local_job.boundary("checks")
        manifest = local_job.manifest_of(run_id, as_of, inputs_root, files, prints, redelivered,
                                         counts, window_minutes, beam_args, timings)  # fmt: skip
        manifest.update({"mode": "incremental" if base else "full refresh",
                         "mode_reason": plan.reason, "base_run": base.name if base else None,
                         "data_root": data_root,
                         "origins": incremental.origins(partial, run_id, base, carried)})  # fmt: skip
        local_job.write_manifest(partial, manifest)
        # manifest.json last: a run prefix with a manifest is complete (objectstore.Store.prune)
        added = [checks_run.VALIDATION_FILE] + [
            rel
            for mart in warehouse.EXPORTED_MARTS
            for path in sorted((partial / mart).rglob("*.parquet"))
            if (rel := path.relative_to(partial).as_posix()) not in set(same_weeks)
        ]
        run_dir = None
        try:
            store.mark_unpublished(run_id)  # a SIGKILL from here on: the next prune removes it
            step(timings, "upload", progress, store.upload, partial, run_id,
                 [*added, "manifest.json"])  # fmt: skip
            local_job.boundary("manifest")
            run_dir = publish.finish_run(partial)
            local_job.boundary("finish")
            db_path = step(timings, "warehouse", progress, warehouse.build, run_dir,
                           run_dir / "unmet.duckdb")  # fmt: skip
            local_job.boundary("warehouse")
            chosen = week or local_job.default_week(db_path, as_of)
            (run_dir / "reports").mkdir(exist_ok=True)
            report_dir = None
            no_report = local_job._without_data(db_path, week) if render_report else None
            if render_report and chosen is not None and no_report is None:
                report_dir = step(timings, "report", progress, local_job._reports, local_root,
                                  run_dir, chosen)  # fmt: skip
            local_job.boundary("report")
            step(timings, "publish", progress, _publish, store, run_id, local_root, run_dir)
            local_job.boundary("publish")
        except BaseException:  # a stop signal or an error before CURRENT named the run
            with contextlib.suppress(Exception):  # the first error is the one to report
                store.unfinish(run_id)
            if run_dir is not None:
                publish.unfinish(local_root, run_dir)
            raise
        store.prune(keep_runs)
        publish.prune(local_root, keep_runs)
        local_job.boundary("prune")
    shown_report = local_root / "reports" / report_dir.name if report_dir is not None else None
    return local_job.JobResult(run_id, run_dir, counts, chosen, local_root / "unmet.duckdb",
                               shown_report, timings, redelivered=redelivered,
                               no_report=no_report)  # fmt: skip


def _base_copy(store: objectstore.Store, local_root: Path) -> Path | None:
    """DIR's copy of the run CURRENT names, the base of an incremental run (its manifest, inputs
    state and validation record are read there, as a local run reads its published run); None
    when nothing is published or DIR has no complete copy of it (the run is then a full
    refresh)."""
    run_id = store.published()
    if run_id is None:
        return None
    copy = local_root / "runs" / run_id
    return copy if publish.complete(copy) else None


def no_copy(store: objectstore.Store, local_root: Path) -> str | None:
    """Why a run on this data root is a full refresh although a run is published: `local_root`
    holds no complete copy of it (another machine's --local-root, or the folder was removed);
    None when nothing is published or the copy is there."""
    run_id = store.published()
    if run_id is None or _base_copy(store, local_root) is not None:
        return None
    return (f"--local-root {local_root} holds no complete copy of the published run {run_id} "
            "(another machine's, or the folder was removed)")  # fmt: skip


def carry(store: objectstore.Store, base_id: str, run_id: str, folders: Sequence[str] = (),
          weeks: set[str] | None = None, again: dict[str, list[int]] | None = None
          ) -> list[str]:  # fmt: skip
    """Carry the base run's objects over into runs/<run_id>, as incremental.carry_ingest and
    carry_weeks link them locally: those under `folders` (but those the files parsed `again`
    replace), or (with `weeks`) the ledger and mart weeks not in `weeks`, that the run has not
    written. A server-side copy through Beam's file
    systems: the bytes are not downloaded. Returns their names (relative to the run)."""
    base_files = store.files(base_id)
    chosen = (
        incremental.other_weeks(base_files, weeks)
        if weeks is not None
        else incremental.under(base_files, folders, again)
    )
    have = set(store.files(run_id))
    todo = [rel for rel in chosen if rel not in have]
    io.copy_files([store.url(objectstore.RUNS, base_id, rel) for rel in todo],
                  [store.url(objectstore.RUNS, run_id, rel) for rel in todo])  # fmt: skip
    return todo


def fetch(store: objectstore.Store, run_id: str, partial: Path, base: Path | None,
          carried: list[str]) -> None:  # fmt: skip
    """The run's objects on the driver's disk for the gate and the marts: every object the run
    wrote is downloaded; a carried one is linked from DIR's copy of the base run (the same bytes:
    the object was copied from that run's, which DIR's copy was downloaded from)."""
    store.download(run_id, partial, skip=set(carried))
    for rel in carried:
        assert base is not None
        incremental.link(base / rel, partial / rel)


def _up_to_date(store: objectstore.Store, local_root: Path, files: dict[str, list[str]],
                prints: dict[str, str], window_minutes: int,
                as_of: datetime) -> dict | None:  # fmt: skip
    """The manifest of the run CURRENT names if it was made from exactly these inputs, with these
    settings, code and libraries (incremental.up_to_date, as job._up_to_date), and DIR holds its
    copy; DIR's `published` is then pointed at it (a run that died between the PUT and DIR's
    swap left DIR behind). Without DIR's copy the run is rebuilt."""
    copy = _base_copy(store, local_root)
    if copy is None:
        return None
    manifest = incremental.up_to_date(copy, files, prints, window_minutes, as_of)
    if manifest is None:
        return None
    publish.publish(local_root, copy)
    return manifest


def stopped(store: objectstore.Store, run_id: str, partial: Path, personal: bool) -> None:
    """A run the gate stopped: its record (validation.json) goes into the run's prefix; on a rule
    about personal data everything else of the run is removed from the bucket first, as from a
    local run folder (docs/privacy.md). The prefix has no manifest: the next run removes it."""
    if personal:
        store.remove_run(run_id, keep=[checks_run.VALIDATION_FILE])
    if (partial / checks_run.VALIDATION_FILE).exists():
        store.upload(partial, run_id, [checks_run.VALIDATION_FILE])


def _publish(store: objectstore.Store, run_id: str, local_root: Path, run_dir: Path) -> None:
    """The pointer object first (what every reader of the bucket sees), then DIR's symlink."""
    store.publish(run_id)
    publish.publish(local_root, run_dir)


def published_manifest(data_root: str, beam_args: Sequence[str]) -> dict | None:
    """The manifest of the run CURRENT names, read from the bucket (None if nothing is
    published): how a reader finds the published run."""
    store = objectstore.Store.open(data_root, beam_args)
    run_id = store.published()
    if run_id is None:
        return None
    key = store.key(objectstore.RUNS, run_id, "manifest.json")
    return json.loads(store.s3.get_object(Bucket=store.bucket, Key=key)["Body"].read())
