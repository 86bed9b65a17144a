"""File access through Beam's file systems, so the same code reads local paths, gs:// and s3://."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

#: Parquet settings fixed so that the same rows always give the same bytes.
PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "row_group_size": 256 * 1024,
}


def join(*parts: str) -> str:
    return FileSystems.join(*parts)


def list_files(folder: str, pattern: str) -> list[str]:
    """Files matching `pattern` in `folder`, sorted; an absent folder has none."""
    result = FileSystems.match([FileSystems.join(folder, pattern)])[0]
    return sorted(m.path for m in result.metadata_list)


#: A run's intermediate files (rows handed from one pipeline step to a later one), under its output
#: folder; each pipeline's terminal step (flow.Commit) removes its own.
PARTS_FOLDER = "_parts"


def exists(path: str) -> bool:
    return FileSystems.exists(path)


def copy_files(sources: list[str], targets: list[str]) -> None:
    """Copy each of `sources` to the target in the same place, in one call to Beam's file
    systems (on S3 one client, and a server-side copy per object: the bytes never pass through
    this process). Beam 2.77's S3 file system returns its failures instead of raising them
    (`S3FileSystem.copy` hands back `(source, target, error)` per pair, read here 2026-12-05):
    any error raises."""
    results = FileSystems.copy(sources, targets) or []
    failed = [(source, error) for source, _, error in results if error is not None]
    if failed:
        source, error = failed[0]
        raise OSError(f"could not copy {len(failed)} file(s), first {source}: {error}")


def remove_tree(folder: str) -> None:
    """Delete `folder` and everything under it (on object stores: every object under the prefix)."""
    files = list_files(folder, "**")
    if files:
        FileSystems.delete(files)
    if FileSystems.exists(folder):  # local folders outlive their files
        FileSystems.delete([folder])


class _Hashing(io.RawIOBase):
    """A readable stream that hashes the bytes it passes on."""

    def __init__(self, raw: io.IOBase) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha256.update(data)
        self.bytes += n
        return n


class HashedReader:
    """An input file read as bytes (`read(n)`, fewer at the end, b"" once done) while hashing them."""

    def __init__(self, path: str) -> None:
        self._raw = FileSystems.open(path, compression_type="uncompressed")
        self._hashing = _Hashing(self._raw)

    def read(self, size: int) -> bytes:
        return self._hashing.read(size) or b""

    def finish(self) -> tuple[str, int]:
        """Read what is left (to hash the whole file) and close; returns (sha256, bytes)."""
        while self._hashing.read(1 << 20):
            pass
        self._raw.close()
        return self._hashing.sha256.hexdigest(), self._hashing.bytes


def write_parquet(path: str, table: pa.Table) -> None:
    """Write one Parquet file through Beam's file systems."""
    sink = FileSystems.create(path, mime_type="application/octet-stream")
    try:
        pq.write_table(table, sink, **PARQUET_OPTIONS)
    finally:
        sink.close()


class BackgroundWrites:
    """Parquet writes on one background thread: a DoFn computes its next element while the last
    one is encoded and compressed (pyarrow does that without the GIL, so on the second core).
    At most `pending` tables wait to be written. Create it in `DoFn.setup`, call `wait()` in
    `finish_bundle` (the bundle is done only when its files are; it re-raises a failed write)
    and `close()` in `teardown`.
    """

    def __init__(self, pending: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unmet-write")
        self._slots = threading.BoundedSemaphore(pending)
        self._futures: list[Future[None]] = []

    def write(self, path: str, table: pa.Table) -> None:
        self._slots.acquire()
        future = self._pool.submit(write_parquet, path, table)
        future.add_done_callback(lambda _: self._slots.release())
        self._futures.append(future)

    def wait(self) -> None:
        futures, self._futures = self._futures, []
        for future in futures:
            future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)


#: The Beam flags of the pipeline last built in this process (set_file_system_args): FilesFn
#: DoFns built after it carry them to the workers.
_file_system_args: list[str] = []


def set_file_system_args(args: Sequence[str]) -> None:
    """Hand a pipeline's Beam flags to Beam's file systems in this process (the driver lists and
    reads files itself) and to the FilesFn DoFns built next."""
    _file_system_args[:] = list(args)
    FileSystems.set_options(PipelineOptions(list(args)))


class FilesFn(beam.DoFn):
    """A DoFn that reads or writes through Beam's file systems, wherever it runs.

    Beam hands the pipeline's options to a worker's file systems only in workers started through
    `sdk_worker_main`; the SDK workers of a worker pool (EXTERNAL) and the DaskRunner's workers get
    none, and an s3:// path then fails with "Must provide one of client or options" (reproduced
    with moto, 2026-12-05). So the DoFn carries the pipeline's Beam flags from the driver (as they
    were when it was built) and hands them to the file systems in `setup`.
    """

    def __init__(self) -> None:
        super().__init__()
        self._file_system_args = list(_file_system_args)

    def setup(self) -> None:
        if self._file_system_args:
            FileSystems.set_options(PipelineOptions(self._file_system_args))


class FileMapFn(FilesFn):
    """`beam.Map(fn, *args)` for a function that reads or writes files: yields fn(element, *args)."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self._fn = fn
        self._args = args

    def process(self, element: Any) -> Iterator[Any]:
        yield self._fn(element, *self._args)


class WritingFn(FilesFn):
    """A DoFn that writes Parquet in the background: `self.writes.write(path, table)`."""

    def setup(self) -> None:
        super().setup()
        self.writes = BackgroundWrites()

    def finish_bundle(self) -> None:
        self.writes.wait()

    def teardown(self) -> None:
        self.writes.close()


def read_parquet(path: str) -> pa.Table:
    with FileSystems.open(path) as handle:
        return pq.read_table(pa.BufferReader(handle.read()))


def parquet_rows(path: str) -> int:
    """The number of rows of a Parquet file, from its footer."""
    with FileSystems.open(path) as handle:
        return pq.ParquetFile(handle).metadata.num_rows


def write_arrow(path: str, table: pa.Table) -> None:
    """Write an intermediate table (not a published dataset) as an Arrow IPC file, lz4-compressed:
    cheaper than Parquet to write and read back, for data a later step of the same run reads."""
    sink = FileSystems.create(path, mime_type="application/vnd.apache.arrow.file")
    try:
        options = pa.ipc.IpcWriteOptions(compression="lz4")
        with pa.ipc.new_file(sink, table.schema, options=options) as writer:
            writer.write_table(table)
    finally:
        sink.close()


def read_arrow(path: str) -> pa.Table:
    with FileSystems.open(path) as handle:
        return pa.ipc.open_file(pa.BufferReader(handle.read())).read_all()


def write_json(path: str, value: object) -> None:
    sink = FileSystems.create(path, mime_type="application/json")
    try:
        sink.write(json.dumps(value, indent=2, sort_keys=True, default=str).encode() + b"\n")
    finally:
        sink.close()


def read_json(path: str) -> object:
    with FileSystems.open(path) as handle:
        return json.loads(handle.read())
