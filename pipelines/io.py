"""File access through Beam's file systems, so the same code reads local paths, gs:// and s3://."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import stat
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import BeamIOError, CompressionTypes, FileSystem
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


#: Beam 2.77's S3 file system builds a new boto3 session and client for every file it opens or
#: creates (each `S3FileSystem` call makes an `S3IO(options=...)`): 0.13-0.25 s of CPU each here,
#: mostly botocore decoding its JSON service models again, and 150 of them were 38 of the 80 s of an
#: `unmet run` of the tiny inputs on moto (cProfile, load ~7, 2026-12-05). So an s3:// file is opened
#: through one `S3IO` per thread and set of file-system flags, made with Beam's public constructor
#: and kept (one per thread: its client remembers where its last download stood). Same calls, same
#: exceptions, same bytes as `FileSystems.open`/`create`. `list_files` lists a glob's prefix
#: through it too (36 more clients per run); exists, metadata and delete still go through
#: `FileSystems` (a few calls per run).
_s3 = threading.local()


def _s3io(path: str, compression_type: str) -> Any | None:
    """This thread's S3IO for the current file-system flags, when `path` is an s3:// file read or
    written as is (None otherwise: compressed files and other schemes go through FileSystems)."""
    if not path.startswith("s3://") or not _file_system_args:
        return None
    if compression_type == CompressionTypes.AUTO:
        compression_type = CompressionTypes.detect_compression_type(path)
    if compression_type != CompressionTypes.UNCOMPRESSED:
        return None
    from apache_beam.io.aws.s3io import S3IO

    key = tuple(_file_system_args)
    kept = getattr(_s3, "clients", None)
    if kept is None:
        kept = _s3.clients = {}
    if key not in kept:
        kept[key] = S3IO(options=PipelineOptions(list(key)))
    return kept[key]


def open_file(path: str, compression_type: str = CompressionTypes.AUTO) -> Any:
    """`FileSystems.open(path, compression_type=...)`, with a kept client for s3:// files."""
    s3 = _s3io(path, compression_type)
    if s3 is None:
        return FileSystems.open(path, compression_type=compression_type)
    return s3.open(path, "rb")


def create_file(path: str, mime_type: str) -> Any:
    """`FileSystems.create(path, mime_type=...)`, with a kept client for s3:// files."""
    s3 = _s3io(path, CompressionTypes.AUTO)
    if s3 is None:
        return FileSystems.create(path, mime_type=mime_type)
    return s3.open(path, "wb", mime_type=mime_type)


def join(*parts: str) -> str:
    return FileSystems.join(*parts)


def list_files(folder: str, pattern: str) -> list[str]:
    """Files matching `pattern` in `folder`, sorted; an absent folder has none."""
    full = FileSystems.join(folder, pattern)
    prefix = re.match(r"^[^[*?]*", full).group(0)  # type: ignore[union-attr]
    s3 = _s3io(full, CompressionTypes.UNCOMPRESSED) if prefix != full else None
    if s3 is None:
        return sorted(m.path for m in FileSystems.match([full])[0].metadata_list)
    # what FileSystems.match does for a glob on S3 (list the prefix, keep what the pattern
    # matches), through the kept client; errors are raised as FileSystems.match raises them
    try:
        listed = [p for p, _ in s3.list_files(prefix, with_metadata=True)]
        keep = re.compile(FileSystem.translate_pattern(full)).match
        return sorted(p for p in listed if keep(p))
    except Exception as exc:
        raise BeamIOError("Match operation failed", {full: exc}) from exc


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


#: What a local path that is not a regular file is, by its stat mode (what the reason says).
_SPECIAL = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
            (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))  # fmt: skip


def check_regular(path: str) -> None:
    """Raise OSError if the local `path` (links followed) is not a regular file: opening a named
    pipe waits for a writer forever and a device such as /dev/zero never ends, so neither may be
    opened as an input. Object-store paths are always files."""
    if "://" in path:
        return
    mode = os.stat(path).st_mode
    for test, what in _SPECIAL:
        if test(mode):
            raise OSError(errno.EINVAL, f"it is {what}, not a regular file")


class HashedReader:
    """An input file read as bytes (`read(n)`, fewer at the end, b"" once done) while hashing them."""

    def __init__(self, path: str) -> None:
        check_regular(path)
        self._raw = open_file(path, compression_type=CompressionTypes.UNCOMPRESSED)
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
    sink = create_file(path, mime_type="application/octet-stream")
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
            set_file_system_args(self._file_system_args)


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
    with open_file(path) as handle:
        return pq.read_table(pa.BufferReader(handle.read()))


def parquet_rows(path: str) -> int:
    """The number of rows of a Parquet file, from its footer."""
    with open_file(path) as handle:
        return pq.ParquetFile(handle).metadata.num_rows


def write_arrow(path: str, table: pa.Table) -> None:
    """Write an intermediate table (not a published dataset) as an Arrow IPC file, lz4-compressed:
    cheaper than Parquet to write and read back, for data a later step of the same run reads."""
    sink = create_file(path, mime_type="application/vnd.apache.arrow.file")
    try:
        options = pa.ipc.IpcWriteOptions(compression="lz4")
        with pa.ipc.new_file(sink, table.schema, options=options) as writer:
            writer.write_table(table)
    finally:
        sink.close()


def read_arrow(path: str) -> pa.Table:
    with open_file(path) as handle:
        return pa.ipc.open_file(pa.BufferReader(handle.read())).read_all()


def write_json(path: str, value: object) -> None:
    sink = create_file(path, mime_type="application/json")
    try:
        sink.write(json.dumps(value, indent=2, sort_keys=True, default=str).encode() + b"\n")
    finally:
        sink.close()


def read_json(path: str) -> object:
    with open_file(path) as handle:
        return json.loads(handle.read())
