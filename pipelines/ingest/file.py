"""An input file as the ingest reads it: its bytes (hashed), whether they are text at all, why it
cannot be read, and how many physical lines it has.

Pure apart from opening the file through Beam's file systems (pipelines.io). The verdicts are in
words for the on-call data engineer; a file refused here becomes one quarantined record (parse.py).
"""

from __future__ import annotations

import errno

from pipelines import io

#: Bytes read first to tell text from compressed or binary data.
SNIFF_BYTES = 4096

#: Signatures of files that are not UTF-8 text (checked longest first).
_SIGNATURES = (
    (b"\xff\xfe\x00\x00", "the file is UTF-32 text; the format is UTF-8"),
    (b"\x00\x00\xfe\xff", "the file is UTF-32 text; the format is UTF-8"),
    (b"\xff\xfe", "the file is UTF-16 text; the format is UTF-8"),
    (b"\xfe\xff", "the file is UTF-16 text; the format is UTF-8"),
    (b"\x1f\x8b", "the file is gzip-compressed, not text: decompress it and deliver it again"),
    (b"PK\x03\x04", "the file is a zip archive, not text: unpack it and deliver it again"),
    (b"BZh", "the file is bzip2-compressed, not text: decompress it and deliver it again"),
    (b"\x28\xb5\x2f\xfd", "the file is zstd-compressed, not text: decompress it and deliver it"),
    (b"PAR1", "the file is Parquet, not text: export it as the documented text format"),
)

_ERRNO = {
    errno.ENOENT: "it no longer exists (removed or renamed after it was listed, or a link to "
    "a missing file)",
    errno.ELOOP: "it is a symbolic link that leads back to itself (a link loop)",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a folder, not a file",
    errno.EIO: "an input/output error of the disk or network",
}


def not_text(head: bytes) -> str | None:
    """Why a file starting with `head` is not UTF-8 text (compressed, binary, UTF-16), or None.

    A file whose first bytes are more than 10% NUL bytes is binary or UTF-16/32 without a byte
    order mark; a stray NUL in a text file is left to the record it is in."""
    for signature, reason in _SIGNATURES:
        if head.startswith(signature):
            return reason
    if head and head.count(0) * 10 > len(head):
        return "the file holds NUL bytes: it is binary, or UTF-16/32 text; the format is UTF-8"
    return None


def unreadable(err: OSError) -> str:
    """Why a file could not be opened or read, in words (never its full path)."""
    if err.errno in _ERRNO:
        return "the file cannot be read: " + _ERRNO[err.errno]
    return "the file cannot be read: " + (err.strerror or type(err).__name__)


class Reader:
    """An input file's bytes through `read(n)` (hashed as they pass, pipelines.io.HashedReader),
    after its first SNIFF_BYTES were looked at (`head`, `not_text()`). Raises OSError if it
    cannot be opened or read."""

    def __init__(self, path: str) -> None:
        self._hashed = io.HashedReader(path)
        self.head = self._hashed.read(SNIFF_BYTES)
        self._pending = self.head

    def not_text(self) -> str | None:
        return not_text(self.head)

    def read(self, size: int) -> bytes:
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        return self._hashed.read(size)

    def finish(self) -> tuple[str, int]:
        """Read what is left (to hash the whole file) and close; returns (sha256, bytes)."""
        return self._hashed.finish()


class LineCount:
    """The physical lines of bytes given in order: a line ends at `\\n`, `\\r\\n` or a lone `\\r`
    (where the readers' text decoding splits lines); a last line without a line end counts."""

    def __init__(self) -> None:
        self.lines = 0  # lines ended so far
        self._last = b""

    def add(self, data: bytes) -> None:
        if not data:
            return
        ends = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
        if self._last == b"\r" and data.startswith(b"\n"):  # a \r\n cut in two: one line end
            ends -= 1
        self.lines += ends
        self._last = data[-1:]

    def finish(self) -> int:
        """All the lines, counting a last line that has no line end."""
        return self.lines + (1 if self._last not in (b"", b"\n", b"\r") else 0)
