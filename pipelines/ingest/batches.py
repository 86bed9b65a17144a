"""Cut an input file into batches of whole records, so a file is parsed a bounded piece at a time.

Pure: no Beam, no file systems (the caller passes a `read(n) -> bytes` function). A batch is cut
only where the exact path (readers.py, reading the whole file as text) would start a record, so
each record, its line number and its verdict are the same whether its file is parsed whole or
in batches:

- JSON Lines: after any `\\n` (a line that starts with a byte order mark stays inside its batch:
  only the file's first line may lose one).
- CSV: after a `\\n` that ends a record, found by reading only the lines holding a quote with
  Python's csv reader (a line without a quote cannot open or close a multi-line field). Every batch
  after the first starts with the file's header line, so a CSV file is split only when that line
  is plainly the expected header (else each batch would repeat its error).
- A file with a lone `\\r` (an old Mac line end, a line end for the exact path) is not cut from
  there on: the rest of the file is one batch.

Example: a 150 MB notes file with `batch_bytes=32 MiB` gives five batches; a 15 MB file one.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: Default batch size: at 1M records every input file is one batch, at 10M a notes file ~5.
BATCH_BYTES = 32 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"
#: Bytes asked of the file at a time.
_READ_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Batch:
    data: bytes  # whole records; for CSV batches after the first, the header line comes first
    line_offset: int  # the file's line number of the batch's line n is n + line_offset
    first: bool  # the file's first batch


def _has_lone_cr(data: bytes) -> bool:
    return b"\r" in data and b"\r" in data.replace(b"\r\n", b"")


def plain_header(line: bytes, columns: tuple[str, ...]) -> bool:
    """Whether a CSV file's first line (without its `\\n`) is exactly the expected header, written
    plainly (no quotes), so that it can be repeated at the top of every batch."""
    try:
        text = line.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        return False
    if '"' in text:
        return False
    names = [name.strip().lower() for name in text.split(",")]
    return len(set(names)) == len(names) and sorted(names) == sorted(columns)


def _record_starts(lines: list[bytes], skip: int) -> list[bool]:
    """For each of `lines` (complete lines without `\n`, the first starting a record) and for the
    line after them, whether a record starts there. Lines before `skip` are one-line records. A
    record that may go on past the last line makes its lines and the next one unknown (False)."""
    n = len(lines)
    starts = [True] * (n + 1)
    next_start = skip
    for q in range(skip, n):
        if q < next_start:
            starts[q] = False
        elif b'"' in lines[q]:
            texts = (line.decode("utf-8", "surrogateescape") + "\n" for line in lines[q:])
            reader = csv.reader(texts, strict=True)
            try:
                next(reader)
            except csv.Error:  # the exact path quarantines it; the next record starts after it
                pass
            next_start = q + reader.line_num
            if next_start >= n:  # it may go on past the lines seen so far
                starts[q:] = [False] * (n + 1 - q)
                break
    return starts


def _cut(buffer: bytes, fmt: str, first: bool) -> int | None:
    """The byte offset of the last record start in `buffer` after at least one record (None if
    there is none). `buffer` starts at a record start; its last line may be incomplete."""
    if fmt != "csv":
        end = len(buffer)
        while (newline := buffer.rfind(b"\n", 0, end)) >= 0:
            cut = newline + 1
            if len(buffer) - cut >= len(_BOM) and not buffer.startswith(_BOM, cut):
                return cut
            end = newline
        return None
    complete = buffer.split(b"\n")[:-1]
    skip = 1 if first else 0  # the header line
    starts = _record_starts(complete, skip)
    offsets = [0]
    for line in complete:
        offsets.append(offsets[-1] + len(line) + 1)
    for index in range(len(complete), skip, -1):
        if starts[index]:
            return offsets[index]
    return None


def split(read: Callable[[int], bytes], fmt: str, columns: tuple[str, ...],
          batch_bytes: int = BATCH_BYTES) -> Iterator[Batch]:  # fmt: skip
    """The batches of a file read through `read(n)`; at least one (empty for an empty file)."""
    buffer = b""
    pending: list[bytes] = []  # read, not yet joined to `buffer`
    size = 0  # bytes in buffer + pending
    line = 0  # 0-based file line at which `buffer` starts
    first = True
    prefix = b""  # CSV: the header line, repeated at the top of later batches
    splittable = True
    while chunk := read(min(batch_bytes, _READ_BYTES)):
        pending.append(chunk)
        size += len(chunk)
        if not splittable or size < batch_bytes:
            continue
        buffer = b"".join([buffer, *pending])
        pending.clear()
        if first and fmt == "csv":
            end = buffer.find(b"\n")
            if end < 0:
                continue
            splittable = plain_header(buffer[:end], columns)
            prefix = buffer[: end + 1]
        if splittable and _has_lone_cr(buffer):
            splittable = False
        cut = _cut(buffer, fmt, first) if splittable else None
        if cut is None:
            continue
        piece, buffer = buffer[:cut], buffer[cut:]
        size = len(buffer)
        yield _batch(piece, prefix, line, first, fmt)
        line += piece.count(b"\n")
        first = False
        del piece
    buffer = b"".join([buffer, *pending])
    yield _batch(buffer, prefix, line, first, fmt)


def _batch(piece: bytes, prefix: bytes, line: int, first: bool, fmt: str) -> Batch:
    if first:
        return Batch(piece, 0, True)
    if fmt == "csv":  # the batch's line 2 is its first record: file line `line + 1`
        return Batch(prefix + piece, line - 1, False)
    return Batch(piece, line, False)
