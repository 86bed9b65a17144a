"""The ingest composites on Beam's in-process runner, with exact expected output."""

from __future__ import annotations

import apache_beam as beam
import pyarrow as pa
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from pipelines.ingest.transforms import IngestSources
from tests.conftest import AS_OF

RUNNER = "FnApiRunner"


def _ids(element, id_field):
    (source, partition), table = element
    return [(source, partition, i) for i in table.column(id_field).to_pylist()]


def _reasons(table: pa.Table):
    return [(r["source_line"], r["record_id"], r["reason"]) for r in table.to_pylist()]


def test_ingest_source_partitions_by_day_and_quarantines_with_reasons(tiny_inputs):
    files = [str(tiny_inputs / "oos_lookups" / "lookups-2026-W47.csv")] * 2  # re-delivered
    reference = {"stores": ["S001", "S002"], "catalog": ["SKU-1", "SKU-2", "SKU-4"]}
    with BeamTestPipeline(runner=RUNNER) as p:
        ref = p | "Ref" >> beam.Create([reference])
        out = p | IngestSources({"oos_lookups": files}, str(tiny_inputs), AS_OF, ref)
        assert_that(
            out["partitions"] | beam.FlatMap(_ids, "lookup_id"),
            equal_to(
                [
                    ("oos_lookups", "event_date=2026-11-17", "L-1"),
                    ("oos_lookups", "event_date=2026-11-17", "L-2"),
                    ("oos_lookups", "event_date=2026-11-20", "L-4"),
                ]
            ),
            label="Accepted",
        )
        assert_that(
            out["rejects"] | beam.FlatMap(_reasons),
            equal_to(
                [
                    (4, "L-3", "store_id: unknown store 'S009' (not in stores.csv)"),
                    (4, "L-3", "store_id: unknown store 'S009' (not in stores.csv)"),
                    *[
                        (
                            line,
                            i,
                            f"duplicate lookup_id '{i}': first seen in "
                            f"oos_lookups/lookups-2026-W47.csv line {line}",
                        )  # fmt: skip
                        for line, i in ((2, "L-1"), (3, "L-2"), (5, "L-4"))
                    ],
                ]
            ),
            label="Rejects",
        )
        assert_that(
            out["stats"]
            | beam.Map(lambda s: (s["source_file"], s["records_read"], s["records_parsed"])),
            equal_to([("oos_lookups/lookups-2026-W47.csv", 4, 3)] * 2),
            label="Stats",
        )
