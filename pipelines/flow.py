"""Wiring that holds on every Beam runner: tags carried in the elements, one terminal commit step.

Two rules, both forced by Beam 2.77's DaskRunner (reproduced here, see docs/scaling.md) and kept on
every runner so that a pipeline is the same graph wherever it runs:

- **No multi-output ParDo** (`with_outputs`, `TaggedOutput`, `beam.Partition`): the DaskRunner
  hands every output of a ParDo to every consumer. A DoFn with several kinds of output yields
  `tagged(tag, value)` pairs on its one output, and each consumer takes its kind with `Select(tag)`.
- **One terminal step per pipeline** (`Commit`), fed by every write: the DaskRunner computes only
  the last leaf of the graph, so a second sink would silently never be written. Each writer emits
  `Written` records; `Commit` waits for all of them, removes the run's intermediate parts and writes
  `commits/<pipeline>.json` listing every file with its rows. `verify` (called by each pipeline's
  `run()` on the driver) fails the run if that list is missing or a listed file is not there with
  its rows: a runner that skipped a step is caught before anything is published.

A side input is evaluated again inside each task that reads it on the DaskRunner, so a side input's
upstream must have no side effects (read files, never write them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import apache_beam as beam

from pipelines import io

#: Where a pipeline's commit record goes, under its output folder.
COMMITS_FOLDER = "commits"


class Written(NamedTuple):
    """One file a pipeline wrote: its dataset, its path under the output folder, its rows."""

    dataset: str
    path: str
    rows: int


class Incomplete(Exception):
    """A pipeline finished without committing everything it should have written."""


def tagged(tag: str, value: Any) -> tuple[str, Any]:
    """An element of a DoFn's one output that says which kind of output it is."""
    return tag, value


def _select(element: tuple[str, Any], tag: str) -> Iterator[Any]:
    if element[0] == tag:
        yield element[1]


class Select(beam.PTransform):
    """The values tagged `tag` of a PCollection of `tagged` pairs."""

    def __init__(self, tag: str) -> None:
        super().__init__()
        self._tag = tag

    def expand(self, pcoll):  # type: ignore[no-untyped-def]
        return pcoll | "Select" >> beam.FlatMap(_select, self._tag)


def commit_path(out_root: str, pipeline: str) -> str:
    return io.join(out_root, COMMITS_FOLDER, f"{pipeline}.json")


class CommitFn(io.FilesFn):
    """Once every write of the pipeline is done: remove the intermediate parts, then write the
    commit record (every file written, by dataset, with its rows). Emits the record."""

    def __init__(self, out_root: str, pipeline: str, parts_root: str) -> None:
        super().__init__()
        self._out_root = out_root
        self._pipeline = pipeline
        self._parts_root = parts_root

    def process(self, element: tuple[str, Iterable[Written | None]]) -> Iterator[dict[str, Any]]:
        _, writes = element
        files = sorted(Written(*w) for w in writes if w is not None)
        datasets: dict[str, dict[str, int]] = {}
        for w in files:
            entry = datasets.setdefault(w.dataset, {"files": 0, "rows": 0})
            entry["files"] += 1
            entry["rows"] += w.rows
        record = {
            "pipeline": self._pipeline,
            "datasets": datasets,
            "files": {w.path: {"dataset": w.dataset, "rows": w.rows} for w in files},
        }
        io.remove_tree(self._parts_root)
        io.write_json(commit_path(self._out_root, self._pipeline), record)
        yield record


class Commit(beam.PTransform):
    """The pipeline's terminal step: applied to the `Written` records of every sink, flattened into
    one PCollection, it runs once, after all of them. A seed element makes it run even when
    nothing was written."""

    def __init__(self, out_root: str, pipeline: str, parts_root: str) -> None:
        super().__init__()
        self._fn = CommitFn(out_root, pipeline, parts_root)
        self._pipeline = pipeline

    def expand(self, writes):  # type: ignore[no-untyped-def]
        seed = writes.pipeline | "Seed" >> beam.Create([None])
        return (
            (seed, writes)
            | "AddSeed" >> beam.Flatten()
            | "KeyByPipeline" >> beam.Map(_keyed, self._pipeline)
            | "GroupWrites" >> beam.GroupByKey()
            | "WriteCommit" >> beam.ParDo(self._fn)
        )


def _keyed(write: Written | None, pipeline: str) -> tuple[str, Written | None]:
    return pipeline, write


def read_commit(out_root: str, pipeline: str) -> dict[str, Any]:
    path = commit_path(out_root, pipeline)
    if not io.exists(path):
        raise Incomplete(
            f"the {pipeline} pipeline ended without its commit step ({path} is missing): "
            "the runner did not run every step"
        )
    record = io.read_json(path)
    assert isinstance(record, dict)
    return record


def verify(out_root: str, pipeline: str) -> dict[str, Any]:
    """The pipeline's commit record, once every file it lists is there with its rows.

    Whether the files are there comes from one listing of `out_root`, not a request per file: on
    object storage each request costs (Beam 2.77's S3 file system builds a boto3 client for each,
    ~0.2 s here; docs/scaling.md), and the listing made a tiny run's two checks 35 requests
    cheaper. Object stores list what was written (S3 is read-after-write consistent for lists)."""
    record = read_commit(out_root, pipeline)
    listed = set(io.list_files(out_root, "**"))
    for rel, entry in record["files"].items():
        path = io.join(out_root, rel)
        if path not in listed:
            raise Incomplete(f"the {pipeline} pipeline committed {rel} but it is missing")
        if rel.endswith(".parquet") and (rows := io.parquet_rows(path)) != entry["rows"]:
            raise Incomplete(
                f"the {pipeline} pipeline committed {rel} with {entry['rows']} rows but it has "
                f"{rows}"
            )
    return record
