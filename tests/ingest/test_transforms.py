"""The ingest composites on Beam's in-process runner, with exact expected output."""

from __future__ import annotations

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from pipelines.ingest.batches import BATCH_BYTES
from pipelines.ingest.transforms import KEYS_FOLDER, IngestSources
from tests.conftest import AS_OF

RUNNER = "FnApiRunner"


def _staged(root, table, id_field):
    return sorted(
        (path.relative_to(root / table).as_posix(), i)
        for path in (root / table).rglob("*.parquet")
        for i in pq.read_table(path).column(id_field).to_pylist()
    )


def _reasons(table: pa.Table):
    return [(r["source_line"], r["record_id"], r["reason"]) for r in table.to_pylist()]


@pytest.mark.parametrize("batch_bytes", [BATCH_BYTES, 40], ids=["whole-files", "batches"])
def test_ingest_source_partitions_by_day_and_quarantines_with_reasons(
    tiny_inputs, tmp_path, batch_bytes
):
    """Also with each file parsed in batches of a record or two: the same rows, lines, rejects,
    stats and staging files (the duplicate check spans batches and files)."""
    files = [str(tiny_inputs / "oos_lookups" / "lookups-2026-W47.csv")] * 2  # re-delivered
    reference = {"stores": ["S001", "S002"], "catalog": ["SKU-1", "SKU-2", "SKU-4"]}
    out_root, parts = tmp_path / "staging", tmp_path / "parts"
    with BeamTestPipeline(runner=RUNNER) as p:
        ref = p | "Ref" >> beam.Create([reference])
        out = p | IngestSources(
            {"oos_lookups": files}, str(tiny_inputs), AS_OF, str(out_root), str(parts), ref,
            batch_bytes,
        )  # fmt: skip
        assert_that(
            out["written"] | beam.Filter(lambda w: w.dataset != "keys"),
            equal_to(
                [  # one record per staging file; the second delivery wrote none
                    ("stg_oos_lookups", f"stg_oos_lookups/event_date={day}/part-00000.parquet", n)
                    for day, n in (("2026-11-17", 2), ("2026-11-20", 1))
                ]
            ),
            label="Written",
        )
        assert_that(
            out["written"] | beam.Filter(lambda w: w.dataset == "keys") | beam.Map(lambda w: w.rows)
            | beam.CombineGlobally(sum),
            equal_to([3]),
            label="WrittenKeys",
        )  # fmt: skip
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
    # the first delivery (part 0) keeps every id; the second's rows were all repeats
    assert _staged(out_root, "stg_oos_lookups", "lookup_id") == [
        ("event_date=2026-11-17/part-00000.parquet", "L-1"),
        ("event_date=2026-11-17/part-00000.parquet", "L-2"),
        ("event_date=2026-11-20/part-00000.parquet", "L-4"),
    ]
    # the key table (for later incremental runs) holds the ids kept, by the file that kept them
    keys = pq.read_table(out_root / KEYS_FOLDER / "oos_lookups").sort_by("record_id")
    assert keys.select(["record_id", "source_line", "part"]).to_pylist() == [
        {"record_id": i, "source_line": line, "part": 0}
        for i, line in (("L-1", 2), ("L-2", 3), ("L-4", 5))
    ]


def test_a_file_removed_after_listing_is_one_reject_and_the_others_are_staged(
    tiny_inputs, tmp_path
):
    """The file list is made, then one file is removed before the pipeline reads it: that file
    becomes one quarantined record with its reason and stats; the run goes on."""
    folder = tiny_inputs / "oos_lookups"
    gone = folder / "lookups-2026-W48.csv"
    gone.write_bytes((folder / "lookups-2026-W47.csv").read_bytes())
    files = [str(folder / "lookups-2026-W47.csv"), str(gone)]
    gone.unlink()
    reference = {"stores": ["S001", "S002"], "catalog": ["SKU-1", "SKU-2", "SKU-4"]}
    with BeamTestPipeline(runner=RUNNER) as p:
        ref = p | "Ref" >> beam.Create([reference])
        out = p | IngestSources(
            {"oos_lookups": files}, str(tiny_inputs), AS_OF, str(tmp_path / "staging"),
            str(tmp_path / "parts"), ref,
        )  # fmt: skip
        assert_that(
            out["written"] | beam.Map(lambda w: (w.dataset, w.rows)) | beam.CombinePerKey(sum),
            equal_to([("stg_oos_lookups", 3), ("keys", 3)]),
            label="Written",
        )
        assert_that(
            out["rejects"] | beam.FlatMap(_reasons),
            equal_to(
                [
                    (4, "L-3", "store_id: unknown store 'S009' (not in stores.csv)"),
                    (
                        1,
                        None,
                        "the file cannot be read: it no longer exists (removed or renamed "
                        "after it was listed, or a link to a missing file)",
                    ),
                ]
            ),  # fmt: skip
            label="Rejects",
        )
        assert_that(
            out["stats"]
            | beam.Map(lambda s: (s["source_file"], s["records_read"], s["lines_read"], s["note"])),
            equal_to(
                [
                    ("oos_lookups/lookups-2026-W47.csv", 4, 5, None),
                    (
                        "oos_lookups/lookups-2026-W48.csv",
                        1,
                        0,
                        "refused whole: the file cannot be "
                        "read: it no longer exists (removed or renamed after it was listed, or a link "
                        "to a missing file)",
                    ),
                ]
            ),  # fmt: skip
            label="Stats",
        )
