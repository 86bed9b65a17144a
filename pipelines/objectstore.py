"""A data root on S3-compatible object storage: the run lock, the published-run pointer, copying a
run between the bucket and the driver's disk, and removing old runs.

Object stores have no rename, no symlink and no advisory lock, so `unmet run --data-root s3://...`
(pipelines/remote.py) replaces each of them:
  runs/<run_id>/       a run's objects: the pipelines write them there; the driver adds the gate's
                       validation.json, the exported marts and, last, manifest.json
  CURRENT              the pointer: {"run_id": ..., "run": "runs/<run_id>"}. Publishing is one PUT
                       of it, and an object PUT is atomic: a reader that reads CURRENT first and
                       then the run it names always sees one complete run
  state/run.lock       the lock: created with a conditional PUT (If-None-Match: *), which fails
                       with 412 when the object exists; deleted at the end of the run
  state/unpublished    the id of a run whose manifest is being uploaded or was, until CURRENT
                       names it: a run killed there (SIGKILL) is removed by the next prune
A run stopped by SIGTERM, SIGINT or SIGHUP deletes it on its way out (cli/stop.py turns the signal
into an exception, and the lock's `with` block unwinds); a process that dies holding the lock
(SIGKILL, a lost machine) leaves the object behind (there is no OS to release it): the next run
refuses to start, and `unmet unlock` removes it once its holder is not alive.

Everything here goes through boto3's public client (installed with apache-beam[aws]), with the
endpoint and credentials of Beam's S3 flags (`--s3_endpoint_url`, `--s3_access_key_id`, ...) or,
where a flag is absent, boto3's standard configuration (AWS_* environment variables, profiles).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.publish import Locked, StillHeld, alive_here, describe, holder

POINTER = "CURRENT"
LOCK = "state/run.lock"
UNPUBLISHED = "state/unpublished"
RUNS = "runs"


class Unusable(ValueError):
    """The data root cannot be opened as an object store (wrong scheme, no bucket, no boto3)."""


def is_remote(root: str) -> bool:
    """True for an object-store URL (s3://bucket/prefix), False for a local path."""
    return "://" in root


def client(beam_args: Sequence[str]) -> Any:
    """A boto3 S3 client configured from Beam's S3 flags (the same ones the pipelines use)."""
    try:
        import boto3
    except ImportError:
        raise Unusable(
            "an s3:// data root needs boto3 and Beam's S3 file system: pip install 'unmet[s3]'"
        ) from None
    from apache_beam.options.pipeline_options import PipelineOptions, S3Options

    s3 = PipelineOptions(list(beam_args)).view_as(S3Options)
    settings = {
        "endpoint_url": s3.s3_endpoint_url,
        "aws_access_key_id": s3.s3_access_key_id,
        "aws_secret_access_key": s3.s3_secret_access_key,
        "aws_session_token": s3.s3_session_token,
        "region_name": s3.s3_region_name,
        "verify": s3.s3_verify,
    }
    return boto3.client("s3", **{k: v for k, v in settings.items() if v is not None})


@dataclass(frozen=True)
class Store:
    """The data root s3://<bucket>/<prefix> and a client for it."""

    bucket: str
    prefix: str  # without a trailing slash; "" for the bucket's top
    s3: Any

    @classmethod
    def open(cls, root: str, beam_args: Sequence[str]) -> Store:
        scheme, _, rest = root.partition("://")
        if scheme != "s3":
            raise Unusable(f"only s3:// object-store data roots are supported, not {root!r}")
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise Unusable(f"no bucket in {root!r} (expected s3://BUCKET/PREFIX)")
        return cls(bucket, prefix.strip("/"), client(beam_args))

    def key(self, *parts: str) -> str:
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p.strip("/"))

    def url(self, *parts: str) -> str:
        return f"s3://{self.bucket}/{self.key(*parts)}"

    # -- the lock -------------------------------------------------------------------------------
    def lock(self, run_id: str | None = None) -> RemoteLock:
        return RemoteLock(self, run_id)

    # -- the pointer ----------------------------------------------------------------------------
    def published(self) -> str | None:
        """The run id CURRENT names, or None when nothing is published."""
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.key(POINTER))["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return str(json.loads(body)["run_id"])

    def publish(self, run_id: str) -> None:
        """Make runs/<run_id> the published run: one PUT of the pointer object."""
        body = json.dumps({"run_id": run_id, "run": f"{RUNS}/{run_id}"}, sort_keys=True) + "\n"
        self.s3.put_object(Bucket=self.bucket, Key=self.key(POINTER), Body=body.encode(),
                           ContentType="application/json")  # fmt: skip
        if self.unpublished() == run_id:
            self.s3.delete_object(Bucket=self.bucket, Key=self.key(UNPUBLISHED))

    def mark_unpublished(self, run_id: str) -> None:
        """Name `run_id` in UNPUBLISHED before its manifest is uploaded: until `publish` removes
        it, a run killed (SIGKILL) before CURRENT named it is one `prune` removes, not keeps."""
        self.s3.put_object(Bucket=self.bucket, Key=self.key(UNPUBLISHED), Body=run_id.encode())

    def unpublished(self) -> str | None:
        """The run id UNPUBLISHED names, or None."""
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.key(UNPUBLISHED))["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return body.decode().strip() or None

    # -- objects --------------------------------------------------------------------------------
    def keys(self, *parts: str) -> Iterator[str]:
        """Every key under the folder `parts`, in key order."""
        folder = self.key(*parts) + "/"
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=folder)
        for page in pages:
            for entry in page.get("Contents", []):
                yield entry["Key"]

    def files(self, run_id: str) -> list[str]:
        """The names (relative to runs/<run_id>) of the run's objects, in key order."""
        folder = self.key(RUNS, run_id) + "/"
        return [key.removeprefix(folder) for key in self.keys(RUNS, run_id)]

    def download(self, run_id: str, target: Path, skip: Collection[str] = ()) -> int:
        """Copy every object of runs/<run_id> but those named in `skip` (relative names) into the
        local folder `target`; returns how many."""
        folder = self.key(RUNS, run_id) + "/"
        n = 0
        for key in self.keys(RUNS, run_id):
            if key.removeprefix(folder) in skip:
                continue
            path = target / key.removeprefix(folder)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.s3.download_file(self.bucket, key, str(path))
            n += 1
        return n

    def upload(self, source: Path, run_id: str, names: Sequence[str]) -> None:
        """Copy the files `names` (paths relative to the local folder `source`, in that order)
        into runs/<run_id>."""
        for name in names:
            self.s3.upload_file(str(source / name), self.bucket, self.key(RUNS, run_id, name))

    def run_ids(self) -> list[str]:
        """The run ids under runs/, sorted (run ids sort by time)."""
        folder = self.key(RUNS) + "/"
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=folder, Delimiter="/"
        )
        return sorted(
            p["Prefix"].removeprefix(folder).rstrip("/")
            for page in pages
            for p in page.get("CommonPrefixes", [])
        )

    def remove_run(self, run_id: str, keep: Sequence[str] = ()) -> None:
        """Delete every object of runs/<run_id> but those named in `keep` (relative names)."""
        folder = self.key(RUNS, run_id) + "/"
        doomed = [k for k in self.keys(RUNS, run_id) if k.removeprefix(folder) not in keep]
        for start in range(0, len(doomed), 1000):  # DeleteObjects takes at most 1,000 keys
            batch = [{"Key": k} for k in doomed[start : start + 1000]]
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def unfinish(self, run_id: str) -> None:
        """A run stopped after its upload but before CURRENT named it: its manifest goes, so the
        next prune removes the prefix as an incomplete run (it must not take the place of a
        published run among the runs kept). A published run is left alone."""
        if self.published() != run_id:
            self.s3.delete_object(Bucket=self.bucket, Key=self.key(RUNS, run_id, "manifest.json"))

    def prune(self, keep: int) -> list[str]:
        """Remove all but the newest `keep` complete runs (never the published one), and every
        incomplete run (no manifest.json: a crashed or stopped run) and the run UNPUBLISHED names
        (killed after its upload, before CURRENT named it), not counted among the kept ones.
        Called under the lock."""
        current = self.published()
        leftover = self.unpublished()  # a run killed before CURRENT named it
        if leftover is not None and leftover == current:  # killed right after the PUT
            leftover = None
            self.s3.delete_object(Bucket=self.bucket, Key=self.key(UNPUBLISHED))
        ids = self.run_ids()
        done = [r for r in ids if r != leftover and self._complete(r)]
        stale = [r for r in ids if r not in done] + done[:-keep]
        removed = [r for r in stale if r != current]
        for run_id in removed:
            self.remove_run(run_id)
        if leftover is not None:
            self.s3.delete_object(Bucket=self.bucket, Key=self.key(UNPUBLISHED))
        return removed

    def _complete(self, run_id: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=self.key(RUNS, run_id, "manifest.json"))
        except self.s3.exceptions.ClientError:
            return False
        return True


class RemoteLock:
    """The run lock on an object-store data root: a conditional PUT of state/run.lock, whose
    content says who holds it (publish.holder)."""

    def __init__(self, store: Store, run_id: str | None = None) -> None:
        self.store = store
        self.run_id = run_id
        self._held = False

    def __enter__(self) -> RemoteLock:
        store = self.store
        body = holder(self.run_id)
        from botocore.exceptions import BotoCoreError

        try:
            store.s3.put_object(Bucket=store.bucket, Key=store.key(LOCK), Body=body.encode(),
                                IfNoneMatch="*")  # fmt: skip
        except BotoCoreError as err:  # no endpoint, no credentials: the first request says so
            raise Unusable(f"cannot reach {store.url(LOCK)}: {err}") from None
        except store.s3.exceptions.ClientError as err:
            if err.response.get("Error", {}).get("Code") not in ("PreconditionFailed", "412"):
                # a missing bucket, a refused key: botocore's message names the error, not secrets
                raise Unusable(f"cannot write the lock object {store.url(LOCK)}: {err}") from None
            raise Locked(
                f"another unmet run is in progress ({describe(self.content() or '')}); lock: "
                f"{store.url(LOCK)} (if no run is in progress, a run that died left it: "
                "`unmet unlock` removes it)"
            ) from None
        except BaseException:  # stopped (a signal) mid-request: the object may be there, ours
            if self.content() == body:
                store.s3.delete_object(Bucket=store.bucket, Key=store.key(LOCK))
            raise
        self._held = True
        return self

    def content(self) -> str | None:
        """The lock object's content (who holds it), or None if there is none."""
        store = self.store
        try:
            data = store.s3.get_object(Bucket=store.bucket, Key=store.key(LOCK))["Body"].read()
        except store.s3.exceptions.ClientError:
            return None
        return str(data.decode(errors="replace"))

    def __exit__(self, *exc: object) -> None:
        if self._held:
            self.store.s3.delete_object(Bucket=self.store.bucket, Key=self.store.key(LOCK))
            self._held = False

    def remove_stale(self) -> str:
        """`unmet unlock`: delete a lock a dead run left, after saying who held it; StillHeld if
        its holder is a live process of this host (of another host, nothing can tell)."""
        from botocore.exceptions import BotoCoreError

        try:
            content = self.content()
        except BotoCoreError as err:
            raise Unusable(f"cannot reach {self.store.url(LOCK)}: {err}") from None
        if content is None:
            return f"no lock: {self.store.url(LOCK)} does not exist"
        if alive_here(content):
            raise StillHeld(f"the run holding {self.store.url(LOCK)} is alive: "
                            f"{describe(content)}; stop it (SIGTERM) and its lock is "
                            "removed")  # fmt: skip
        self.store.s3.delete_object(Bucket=self.store.bucket, Key=self.store.key(LOCK))
        return f"removed {self.store.url(LOCK)}, held by {describe(content)}"
