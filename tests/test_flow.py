"""The wiring rules of pipelines/flow.py, checked on the pipelines' graphs without running them,
and the driver-side check that fails a run whose runner skipped a write."""

from __future__ import annotations

from pathlib import Path

import apache_beam as beam
import pyarrow as pa
import pytest
from apache_beam.pipeline import PipelineVisitor
from apache_beam.testing.util import assert_that, equal_to

from pipelines import flow, io
from pipelines.demand import run as demand_run
from pipelines.ingest import run as ingest_run
from pipelines.options import pipeline_options
from tests.conftest import AS_OF, TINY


class GraphVisitor(PipelineVisitor):
    """Every primitive step with the PCollections it reads (main and side inputs) and writes."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, set, list]] = []

    def visit_transform(self, applied) -> None:  # type: ignore[no-untyped-def]
        reads = set(applied.inputs) | {side.pvalue for side in applied.side_inputs}
        self.steps.append((applied.full_label, reads, list(applied.outputs.values())))


def graph(build) -> GraphVisitor:  # type: ignore[no-untyped-def]
    p = beam.Pipeline(options=pipeline_options())
    build(p)
    visitor = GraphVisitor()
    p.visit(visitor)
    return visitor


def ingest_graph(tmp_path: Path) -> GraphVisitor:
    files = ingest_run.find_inputs(str(TINY))
    return graph(lambda p: ingest_run.build(p, files, str(TINY), str(tmp_path), AS_OF))


def demand_graph(tmp_path: Path) -> GraphVisitor:
    return graph(lambda p: demand_run.build(p, str(tmp_path), str(tmp_path), 30))


@pytest.mark.parametrize("pipeline", ["ingest", "demand"])
def test_the_pipeline_ends_in_one_step_its_commit(pipeline, tmp_path):
    """Beam 2.77's DaskRunner computes only the last leaf: any second leaf would be skipped."""
    visitor = ingest_graph(tmp_path) if pipeline == "ingest" else demand_graph(tmp_path)
    read = set().union(*(reads for _, reads, _ in visitor.steps))
    leaves = [label for label, _, outputs in visitor.steps if not read.intersection(outputs)]
    assert leaves == ["Commit/WriteCommit"]
    assert visitor.steps[-1][0] == "Commit/WriteCommit"  # the step the DaskRunner computes


@pytest.mark.parametrize("pipeline", ["ingest", "demand"])
def test_no_step_has_more_than_one_output(pipeline, tmp_path):
    """The DaskRunner hands every output of a ParDo to every consumer: tags go in the elements."""
    visitor = ingest_graph(tmp_path) if pipeline == "ingest" else demand_graph(tmp_path)
    assert len(visitor.steps) > 20
    assert [label for label, _, outputs in visitor.steps if len(outputs) > 1] == []


def test_select_takes_the_values_of_one_tag():
    with beam.Pipeline(options=pipeline_options()) as p:
        mixed = p | beam.Create([flow.tagged("a", 1), flow.tagged("b", 2), flow.tagged("a", 3)])
        assert_that(mixed | "SelectA" >> flow.Select("a"), equal_to([1, 3]))


def committed(tmp_path: Path) -> Path:
    """A pipeline output folder with one Parquet file of 3 rows and its commit record."""
    out = tmp_path / "out"
    io.write_parquet(str(out / "things" / "part-00000.parquet"), pa.table({"x": [1, 2, 3]}))
    (out / "_parts").mkdir()
    (out / "_parts" / "p.arrow").write_bytes(b"x")
    fn = flow.CommitFn(str(out), "toy", str(out / "_parts"))
    writes = [None, flow.Written("things", "things/part-00000.parquet", 3)]
    [record] = fn.process(("toy", writes))
    assert record["datasets"] == {"things": {"files": 1, "rows": 3}}
    return out


def test_commit_removes_the_parts_and_verify_accepts_what_it_lists(tmp_path):
    out = committed(tmp_path)
    assert not (out / "_parts").exists()
    assert flow.verify(str(out), "toy")["files"] == {
        "things/part-00000.parquet": {"dataset": "things", "rows": 3}
    }


def test_verify_fails_when_the_commit_step_never_ran(tmp_path):
    out = committed(tmp_path)
    (out / "commits" / "toy.json").unlink()
    with pytest.raises(flow.Incomplete, match="ended without its commit step"):
        flow.verify(str(out), "toy")


def test_verify_fails_when_a_committed_file_is_missing_or_short(tmp_path):
    out = committed(tmp_path)
    part = out / "things" / "part-00000.parquet"
    io.write_parquet(str(part), pa.table({"x": [1]}))
    with pytest.raises(flow.Incomplete, match="with 3 rows but it has 1"):
        flow.verify(str(out), "toy")
    part.unlink()
    with pytest.raises(flow.Incomplete, match="committed things/part-00000.parquet but it is"):
        flow.verify(str(out), "toy")
