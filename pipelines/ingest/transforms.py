"""The ingest's composite transforms: parse files, drop duplicate ids, write staging Parquet."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines import io
from pipelines.flow import Select, Written, tagged
from pipelines.ingest import inputs, tables
from pipelines.ingest.batches import BATCH_BYTES
from pipelines.ingest.parse import FileParse, local_path, portable, relative_name
from pipelines.ingest.sources import BY_NAME, SourceSpec
from pipelines.ingest.validate import Reference
from pipelines.pause import PARSING, pause
from schemas.arrow import arrow_schema
from schemas.raw import known_zone_name

#: Hash buckets for the duplicate-id check (the unit of parallelism of that step).
ID_BUCKETS = 4


def part_path(parts_root: str, source: str, index: int, batch: int) -> str:
    """Where batch `batch` of file `index` of `source` leaves its accepted rows."""
    return io.join(parts_root, source, f"part-{index:05d}-{batch:05d}.arrow")


def keys_path(parts_root: str, source: str, index: int, bucket: int) -> str:
    """Where file `index` of `source` leaves the keys of its rows in id bucket `bucket`."""
    return io.join(parts_root, source, f"keys-{index:05d}-{bucket:02d}.arrow")


#: The run's key table (the ids it kept, for the duplicate check of later incremental runs), under
#: its output folder: `<KEYS_FOLDER>/<source>/bucket=BB/part-NNNNN.parquet`, one file per input
#: file and id bucket, columns record_id, source_line, part, sorted by record_id.
KEYS_FOLDER = "incremental/keys"


def key_table_folder(root: str, source: str, bucket: int) -> str:
    """The key-table folder of `source`'s id bucket `bucket` in the run folder `root`."""
    return io.join(root, KEYS_FOLDER, source, f"bucket={bucket:02d}")


def earlier_keys(root: str, source: str, bucket: int, ids: pa.Array,
                 again: Iterable[int] = ()) -> pa.Table | None:  # fmt: skip
    """The rows of an earlier run's key table (run folder `root`) whose id is among `ids`, in
    KEY_COLUMNS (row -1: an earlier file's rows are never dropped again); None if there are none.
    It reads the id bucket's key files only, never the staged rows; not those of the files
    numbered `again` (parsed again by this run: their keys are among the new ones)."""
    found = []
    skipped = {f"part-{index:05d}.parquet" for index in again}
    for path in io.list_files(key_table_folder(root, source, bucket), "*.parquet"):
        if path.rsplit("/", 1)[-1] in skipped:
            continue
        table = io.read_parquet(path).select(["record_id", "source_line", "part"])
        found.append(table.filter(pc.is_in(table.column("record_id"), value_set=ids)))
    table = pa.concat_tables(found) if found else None
    if table is None or not table.num_rows:
        return None
    return pa.table(
        {
            "record_id": table.column("record_id"),
            "source_line": table.column("source_line"),
            "part": table.column("part"),
            "row": pa.array(np.full(table.num_rows, -1, dtype=np.int32)),
        }
    )


class ParseFileFn(io.FilesFn):
    """Parse one input file a batch at a time (parse.FileParse), write each batch's accepted rows
    once as an Arrow IPC part and the file's keys (tables.KEY_COLUMNS) as one Arrow IPC file per id
    bucket, and emit only paths and small tables. Elements are (source, index, path); `index`
    numbers the files of a source (their part and staging file names).

    Output (one, tagged: flow.tagged): 'keys' = ((source, bucket), keys path) for the duplicate-id
    check, 'parts' = ((source, index), part path) per batch, 'rejects' = table of rejects, 'stats'
    = one FileStat dict. Passing paths instead of rows or ids keeps the runner's shuffles small
    (the local runner holds a group-by's whole input in memory): rows and keys move through files.
    """

    def __init__(self, inputs_root: str, as_of: datetime, parts_root: str, fast: bool = True,
                 batch_bytes: int = BATCH_BYTES) -> None:  # fmt: skip
        super().__init__()
        self._inputs_root = inputs_root
        self._as_of = as_of
        self._parts_root = parts_root
        self._fast = fast
        self._batch_bytes = batch_bytes

    def setup(self) -> None:
        super().setup()
        self._schemas = {
            name: arrow_schema(spec.staging_model, described=False)
            for name, spec in BY_NAME.items()
        }

    def process(
        self, element: tuple[str, int, str], reference: dict[str, list[str]] | None = None
    ) -> Iterator[Any]:
        pause(PARSING)  # a test's stop signal inside a Beam step (pipelines/pause.py)
        source, index, path = element[0], element[1], local_path(element[2])
        spec: SourceSpec = BY_NAME[source]
        ref = Reference(
            as_of=self._as_of,
            stores=frozenset((reference or {}).get("stores", ())),
            skus=frozenset((reference or {}).get("catalog", ())),
            zones=store_zones((reference or {}).get(STORE_ZONES, ())),
            withdrawn=withdrawals((reference or {}).get(WITHDRAWALS, ())),
        )
        parse = FileParse(spec, self._schemas[source], path,
                          relative_name(path, self._inputs_root), ref, self._fast,
                          self._batch_bytes)  # fmt: skip
        keys: list[pa.Table] = []
        rows = 0  # accepted rows of the file so far: the first row's position in the next part
        for batch, parsed in enumerate(parse.batches()):
            if parsed.rows.num_rows:
                target = part_path(self._parts_root, source, index, batch)
                io.write_arrow(target, parsed.rows)
                yield tagged("parts", ((source, index), target))
                keys.append(tables.keys_table(parsed.rows, spec.id_field, index, rows))
                rows += parsed.rows.num_rows
            if parsed.rejects.num_rows:
                yield tagged("rejects", parsed.rejects)
        if keys:
            for bucket, part in tables.split_by_bucket(pa.concat_tables(keys), "record_id",
                                                       ID_BUCKETS):  # fmt: skip
                target = keys_path(self._parts_root, source, index, bucket)
                io.write_arrow(target, part)
                yield tagged("keys", ((source, bucket), target))
        yield tagged("stats", parse.stat)


#: The reference side input's key for "store id=IANA zone" entries (beside each source's ids).
STORE_ZONES = "store_zones"


def store_zones(entries: Iterable[str]) -> dict[str, str]:
    """store id -> zone from the side input's entries. A store given two different zones (two
    stores files, or two rows of which the gate keeps the first by file precedence) gets none:
    its records are dated by the offset they were written with, never by a zone the published
    stores table may not show."""
    found: dict[str, set[str]] = {}
    for entry in entries:
        store, zone = entry.split("=", 1)
        found.setdefault(store, set()).add(zone)
    return {store: next(iter(zones)) for store, zones in found.items() if len(zones) == 1}


#: The reference side input's key for what ReferenceIdsFn read of each reference file: JSON
#: [relative name, sha256] entries ("" when it could not be read), recorded by WriteReadsFn.
READS = "reads"
#: Where WriteReadsFn records them, in the ingest's output folder (removed by ingest/reads.py).
READS_FILE = "ingest_reads/reference.json"


#: The reference side input's key for "customer_ref=withdrawn_at (UTC, ISO)" entries.
WITHDRAWALS = "withdrawals"


def withdrawals(entries: Iterable[str]) -> dict[str, datetime]:
    """customer_ref -> their latest withdrawal of consent (UTC) from the side input's entries:
    the latest statement wins (validate.consent_withdrawn)."""
    found: dict[str, datetime] = {}
    for entry in entries:
        customer, when = entry.split("=", 1)
        at = datetime.fromisoformat(when)
        if customer not in found or at > found[customer]:
            found[customer] = at
    return found


class ReferenceIdsFn(io.FilesFn):
    """(source, path) of a reference file -> (source, ids of its accepted rows), parsed the way
    ParseFileFn parses it but writing nothing. The facts are checked against these ids through a
    side input, and a side input's upstream must have no side effects: the DaskRunner evaluates it
    again inside every task that reads it (pipelines/flow.py). Reference files are small (the
    catalog, the stores and the consent withdrawals), so parsing them twice costs little. Besides
    the ids: each store's zone (STORE_ZONES) and each withdrawal's customer and time
    (WITHDRAWALS), which decide how the facts are staged."""

    def __init__(self, inputs_root: str, as_of: datetime, batch_bytes: int = BATCH_BYTES) -> None:
        super().__init__()
        self._inputs_root = inputs_root
        self._as_of = as_of
        self._batch_bytes = batch_bytes

    def process(self, element: tuple[str, str]) -> Iterator[tuple[str, list[str]]]:
        source, path = element[0], local_path(element[1])
        spec = BY_NAME[source]
        parse = FileParse(spec, arrow_schema(spec.staging_model, described=False), path,
                          relative_name(path, self._inputs_root), Reference(as_of=self._as_of),
                          batch_bytes=self._batch_bytes)  # fmt: skip
        ids: list[str] = []
        zones: dict[str, str | None] = {}  # the first row of each store in the file, as staged
        withdrawn: list[str] = []  # every accepted withdrawal (its customer and time)
        for parsed in parse.batches():
            ids.extend(parsed.rows.column(spec.id_field).to_pylist())
            if source == "consent_withdrawals":
                for r in parsed.rows.select(["customer_ref", "withdrawn_at"]).to_pylist():
                    withdrawn.append(f"{r['customer_ref']}={r['withdrawn_at'].isoformat()}")
            if source == "stores":  # and each store's zone, which dates the facts' records
                for r in parsed.rows.select(["store_id", "timezone", "country"]).to_pylist():
                    zones.setdefault(r["store_id"], known_zone_name(r["timezone"], r["country"]))
        yield source, ids
        if source == "stores":  # a store without a known zone: its records' offsets decide
            yield STORE_ZONES, [f"{store}={zone}" for store, zone in zones.items() if zone]
        if source == "consent_withdrawals":
            yield WITHDRAWALS, withdrawn
        # the bytes this second read saw, compared with the planned ones after the ingest
        digest = parse.stat["sha256"] if parse.stat else ""
        yield READS, [json.dumps([relative_name(path, self._inputs_root), digest])]


class WriteReadsFn(io.FilesFn):
    """Record what ReferenceIdsFn read of each reference file (`READS` of the side input, as the
    facts were checked against it) in READS_FILE: {relative name: sha256}. Emits None, into the
    pipeline's Commit (so that every runner runs it) without listing the file there."""

    def __init__(self, out_root: str) -> None:
        super().__init__()
        self._out_root = out_root

    def process(self, element: Any, reference: dict[str, list[str]]) -> Iterator[None]:
        read = dict(json.loads(entry) for entry in reference.get(READS, ()))
        io.write_json(io.join(self._out_root, READS_FILE), dict(sorted(read.items())))
        yield None


class FindDuplicateIdsFn(io.FilesFn):
    """Within one id bucket (the paths of its files' keys): find every occurrence of an id after
    its first (by the file's precedence, then line).
    Emits ((source, index), drops table (part, row, reason)) for each file with repeats.
    `names` maps each source's file numbers to the files' relative names, for the reasons;
    `ranks` to their precedence (inputs.precedence: the file delivered first keeps its ids);
    `again`: per source, the earlier files parsed again (their earlier keys are left out)."""

    def __init__(self, names: dict[str, dict[int, str]],
                 ranks: dict[str, dict[int, int]] | None = None,
                 earlier: str | None = None,
                 again: dict[str, list[int]] | None = None) -> None:  # fmt: skip
        super().__init__()
        self._names = names
        self._ranks = ranks or {}
        self._earlier = earlier
        self._again = again or {}

    def process(self, element: tuple[tuple[str, int], Iterable[str]]) -> Iterator[Any]:
        (source, bucket), paths = element
        keys = pa.concat_tables([io.read_arrow(path) for path in sorted(paths)])
        if self._earlier is not None:  # an incremental run: the ids earlier runs kept count too
            ids = pc.unique(keys.column("record_id"))
            earlier = earlier_keys(self._earlier, source, bucket, ids,
                                   self._again.get(source, ()))  # fmt: skip
            if earlier is not None:
                keys = pa.concat_tables([keys, earlier.cast(keys.schema)])
        drops = tables.find_duplicates(keys, BY_NAME[source].id_field, self._names[source],
                                       self._ranks.get(source))  # fmt: skip
        del keys
        if self._earlier is not None and pc.any(pc.equal(drops.column("row"), -1)).as_py():
            # incremental.plan only lets through new files delivered after every earlier one
            raise RuntimeError(f"{source}: a new file repeats ids of an earlier file it precedes")
        for index, part in tables.split_by_value(drops, "part"):
            yield (source, int(index)), part


class WritePartFn(io.WritingFn):
    """Write one file's accepted rows, less its repeated ids, to staging: one Parquet file per
    partition the file touches (`event_date=YYYY-MM-DD/part-<index>.parquet`, rows sorted by id),
    and the ids it kept to the run's key table (KEYS_FOLDER, one file per id bucket).
    Output (tagged): 'rejects' = table of repeats, 'written' = a flow.Written per file."""

    def __init__(self, out_root: str) -> None:
        super().__init__()
        self._out_root = out_root

    def process(self, element: tuple[tuple[str, int], dict[str, Iterable[Any]]]) -> Iterator[Any]:
        (source, index), grouped = element
        spec = BY_NAME[source]
        paths = sorted(grouped["parts"])  # the file's batches, in order
        if not paths:
            return
        drops = list(grouped["drops"])
        rows, rejects = tables.drop_rows(
            pa.concat_tables([io.read_arrow(path) for path in paths]).combine_chunks(),
            pa.concat_tables(drops) if drops else None,
            spec.id_field,
            source,
        )
        if rejects.num_rows:
            yield tagged("rejects", rejects)
        schema = arrow_schema(spec.staging_model)
        name = f"part-{index:05d}.parquet"
        partitions = (
            ((f"event_date={day}", part) for day, part in tables.split_by_value(rows, "event_date"))
            if spec.partitioned
            else [("", rows)]
        )
        for partition, part in partitions:
            if not part.num_rows:  # every row of the file repeated earlier ids
                continue
            rel = f"{spec.table}/{partition}/{name}" if partition else f"{spec.table}/{name}"
            self.writes.write(io.join(self._out_root, rel),
                              part.sort_by(spec.id_field).cast(schema))  # fmt: skip
            yield tagged("written", Written(spec.table, rel, part.num_rows))
        keys = pa.table(
            {
                "record_id": rows.column(spec.id_field),
                "source_line": rows.column("source_line"),
                "part": pa.array(np.full(rows.num_rows, index, dtype=np.int32)),
            }
        )
        for bucket, part in tables.split_by_bucket(keys, "record_id", ID_BUCKETS):
            rel = f"{KEYS_FOLDER}/{source}/bucket={bucket:02d}/{name}"
            self.writes.write(io.join(self._out_root, rel), part.sort_by("record_id"))
            yield tagged("written", Written("keys", rel, part.num_rows))


def rejects_path(root: str, source: str) -> str:
    return io.join(root, "rejects", f"source={source}", "part-00000.parquet")


class WriteRejectsFn(io.FilesFn):
    """Write all quarantined records of one source as one Parquet file; emit its flow.Written.
    With `earlier` (an incremental run: the published run's folder), that run's quarantined
    records of the source are written with the new ones, but those of the files this run parsed
    (`parsed`: their relative names; a file parsed again replaces its records). Nothing is
    written when no record is left (a source seeded with an empty table: one parsed again)."""

    def __init__(self, out_root: str, earlier: str | None = None,
                 parsed: frozenset[str] = frozenset()) -> None:  # fmt: skip
        super().__init__()
        self._out_root = out_root
        self._earlier = earlier
        self._parsed = parsed

    def process(self, element: tuple[str, Iterable[pa.Table]]) -> Iterator[Written]:
        source, parts = element
        tables_ = [part.cast(tables.REJECT_SCHEMA) for part in parts]
        if self._earlier is not None and io.exists(rejects_path(self._earlier, source)):
            before = io.read_parquet(rejects_path(self._earlier, source))
            if self._parsed:
                replaced = pa.array(sorted(self._parsed), pa.string())
                before = before.filter(
                    pc.invert(pc.is_in(before.column("source_file"), value_set=replaced))
                )
            tables_.append(before.cast(tables.REJECT_SCHEMA))
        if not sum(t.num_rows for t in tables_):
            return
        table = (
            pa.concat_tables(tables_)
            .sort_by(
                [
                    ("source_file", "ascending"),
                    ("source_line", "ascending"),
                    ("reason", "ascending"),
                ]
            )
            .cast(tables.REJECT_SCHEMA)
        )
        rel = f"rejects/source={source}/part-00000.parquet"
        io.write_parquet(rejects_path(self._out_root, source), table)
        yield Written("rejects", rel, table.num_rows)


def parsed_files(
    files: dict[str, list[str]],
    carried: dict[str, int] | None = None,
    again: dict[str, list[int]] | None = None,
) -> list[tuple[str, int, str]]:
    """The (source, number, path) of every file an ingest parses: all, or in an incremental run
    those past `carried[source]` and those numbered in `again[source]`."""
    return [
        (source, index, path)
        for source in sorted(files)
        for index, path in enumerate(files[source])
        if index >= (carried or {}).get(source, 0) or index in (again or {}).get(source, ())
    ]


class IngestSources(beam.PTransform):
    """Parse, validate and de-duplicate the files of some sources and write them to staging, in
    one flow (one element per file, keyed by source from then on: fewer stages than one flow per
    source). A file is parsed a batch at a time (`batch_bytes`). Rows go from the parser to the
    staging writer through an Arrow IPC part per batch under `parts_root`, and ids to the
    duplicate check through keys files; only paths (and drop lists) go through the runner's
    group-bys.

    Returns a dict of PCollections: 'written' (a flow.Written per staging file), 'rejects'
    (tables), 'stats' (FileStat dicts). Every DoFn has one output of tagged elements, split with
    flow.Select (pipelines/flow.py: the DaskRunner does not route tagged outputs).

    An incremental run (pipelines/incremental.py) passes `carried`: per source, how many of its
    first files the published run (folder `earlier`) already ingested. Those are not parsed (but
    the ones numbered in `again`, parsed again under their numbers: consent withdrawals); the
    new files' ids are checked against that run's key table instead.
    """

    def __init__(self, files: dict[str, list[str]], inputs_root: str, as_of: datetime,
                 out_root: str, parts_root: str, reference=None,
                 batch_bytes: int = BATCH_BYTES, carried: dict[str, int] | None = None,
                 earlier: str | None = None,
                 again: dict[str, list[int]] | None = None) -> None:  # fmt: skip
        super().__init__(label=None)
        self._all = [
            (source, index, path)
            for source in sorted(files)
            for index, path in enumerate(files[source])
        ]
        self._files = parsed_files(files, carried, again)
        self._again = {s: v for s, v in (again or {}).items() if s in files}
        self._earlier = earlier
        self._inputs_root = inputs_root
        self._as_of = as_of
        self._out_root = out_root
        self._parts_root = parts_root
        self._reference = reference
        self._batch_bytes = batch_bytes

    def expand(self, pbegin):  # type: ignore[no-untyped-def]
        side = [beam.pvalue.AsSingleton(self._reference)] if self._reference is not None else []
        parse = ParseFileFn(self._inputs_root, self._as_of, self._parts_root,
                            batch_bytes=self._batch_bytes)  # fmt: skip
        names: dict[str, dict[int, str]] = {}
        paths: dict[str, list[str]] = {}
        for source, index, path in self._all:
            names.setdefault(source, {})[index] = relative_name(path, self._inputs_root)
            paths.setdefault(source, []).append(path)
        ranks = {source: dict(enumerate(inputs.precedence(mine))) for source, mine in paths.items()}
        parsed = (
            pbegin
            | "ListFiles" >> beam.Create([(s, i, portable(p)) for s, i, p in self._files])
            | "ParseFiles" >> beam.ParDo(parse, *side)
        )
        drops = (
            parsed
            | "SelectKeys" >> Select("keys")
            | "GroupByIdBucket" >> beam.GroupByKey()
            | "FindDuplicateIds"
            >> beam.ParDo(FindDuplicateIdsFn(names, ranks, self._earlier, self._again))
        )
        staged = (
            {"parts": parsed | "SelectParts" >> Select("parts"), "drops": drops}
            | "GroupByFile" >> beam.CoGroupByKey()
            | "WriteStaging" >> beam.ParDo(WritePartFn(self._out_root))
        )
        rejects = (
            parsed | "SelectParseRejects" >> Select("rejects"),
            staged | "SelectRepeats" >> Select("rejects"),
        ) | "MergeRejects" >> beam.Flatten()
        return {
            "written": staged | "SelectWritten" >> Select("written"),
            "rejects": rejects,
            "stats": parsed | "SelectStats" >> Select("stats"),
        }
