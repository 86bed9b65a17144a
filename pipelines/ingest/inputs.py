"""The input files of a run: which there are (unreadable ones included), which copy of a record
is the original, and which files are re-deliveries of others.

- Listing: Beam's file systems list the files that match a source's pattern, but silently skip a
  local entry they cannot stat (a symbolic link loop, a link to a removed file). Those are listed
  here too, so the ingest refuses them with a reason instead of never seeing them.
- Precedence: when the same id occurs in several files, the occurrence in the file delivered first
  is kept: the earlier modification time, then the name (so a re-delivered copy whose name sorts
  first does not push out the original). A file whose time cannot be read comes last.
- Re-deliveries: a non-empty file with the same bytes as another file of the same source that
  takes precedence over it.
"""

from __future__ import annotations

import fnmatch
import glob
import hashlib
import math
import os
from collections.abc import Callable

from apache_beam.io.filesystems import FileSystems

from pipelines import io
from pipelines.ingest.parse import relative_name

#: sha256 of no bytes: an empty file is never a re-delivery of another.
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
#: The fingerprint of a file that could not be read.
UNREADABLE = "unreadable"


def list_files(folder: str, pattern: str) -> list[str]:
    """The files matching `pattern` in `folder`, sorted, with the broken links among them."""
    files = io.list_files(folder, pattern)
    if "://" not in folder:
        listed = set(files)
        broken = [
            path
            for path in glob.glob(os.path.join(glob.escape(folder), pattern))
            if path not in listed and os.path.islink(path) and not os.path.exists(path)
        ]
        files = sorted(files + broken)
    return files


def not_read(inputs_root: str, folder: str, pattern: str) -> list[str]:
    """What sits in a source's folder that the run will not read, as relative names: a file of
    another name or extension (`lookups-2026-W47.CSV`, `notes.jsonl.gz`, `notes.txt`) and a
    sub-folder (`sub/`). Said by `unmet run`, so that a week delivered under the wrong name is
    not dropped without a word. On object storage, the keys under the folder's prefix (Beam's
    file systems must have the run's S3 flags). A `README*` is documentation, not an input."""
    if "://" in inputs_root:
        entries = _remote_entries(io.join(inputs_root, folder).rstrip("/") + "/")
    else:
        entries = _local_entries(os.path.join(inputs_root, folder))
    return _named(
        entries, inputs_root, lambda name, is_dir: is_dir or not fnmatch.fnmatchcase(name, pattern)
    )


#: What may sit at the top of an inputs folder besides the sources' folders: the generator's
#: planted truth (docs/formats.md, "Truth files").
OTHER_TOP = frozenset({"truth"})


def not_read_at_top(inputs_root: str, folders: frozenset[str]) -> list[str]:
    """What sits at the top of a local inputs folder that is neither a source's folder nor
    documented: a misnamed folder (`oos-lookups/`) or a file left there (`lost_sales-2026-W47.csv`),
    whose records the run would otherwise drop without a word. A `README*` and dot-files are left
    alone."""
    if "://" in inputs_root:
        return []
    known = folders | OTHER_TOP
    return _named(_local_entries(inputs_root), inputs_root, lambda name, _: name not in known)


#: (name, path, is_dir) of an entry of a folder.
_Entry = tuple[str, str, bool]


def _local_entries(folder: str) -> list[_Entry]:
    try:
        return [(e.name, e.path, e.is_dir(follow_symlinks=False)) for e in os.scandir(folder)]
    except OSError:  # no such folder: find_inputs says what is missing
        return []


def _remote_entries(prefix: str) -> list[_Entry]:
    """The keys right under `prefix`, and each deeper prefix once, as a folder."""
    try:
        paths = io.list_files(prefix, "**")
    except Exception:  # noqa: BLE001 -- an unreachable bucket: the run says so when it lists
        return []
    entries: set[_Entry] = set()
    for path in paths:
        top, slash, _ = path.removeprefix(prefix).partition("/")
        entries.add((top, prefix + top, True) if slash else (top, path, False))
    return list(entries)


def _named(entries: list[_Entry], inputs_root: str,
           unread: Callable[[str, bool], bool]) -> list[str]:  # fmt: skip
    """The relative names (a folder with a trailing /) of the entries `unread` picks, sorted;
    README* and dot-files are never named."""
    return sorted(
        relative_name(path, inputs_root) + ("/" if is_dir else "")
        for name, path, is_dir in entries
        if not name.startswith(("README", ".")) and unread(name, is_dir)
    )


def modified(path: str) -> float:
    """The file's modification time (seconds), or +inf when it cannot be read."""
    try:
        return float(FileSystems.last_updated(path))
    except (OSError, ValueError):
        return math.inf


def precedence(paths: list[str]) -> list[int]:
    """For each of `paths`, its rank when a repeated id decides which copy to keep: by earlier
    modification time, then by path (0 = kept first). A lone file is first without asking its
    time: on object storage each time is a request (docs/scaling.md)."""
    if len(paths) < 2:
        return [0] * len(paths)
    order = sorted(range(len(paths)), key=lambda i: (modified(paths[i]), paths[i]))
    ranks = [0] * len(paths)
    for rank, index in enumerate(order):
        ranks[index] = rank
    return ranks


def sha256(path: str) -> str:
    """The sha256 of a file's bytes, or UNREADABLE when it cannot be read."""
    digest = hashlib.sha256()
    try:
        io.check_regular(path)  # a named pipe or a device would block or never end
        with io.open_file(path, compression_type="uncompressed") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return UNREADABLE
    return digest.hexdigest()


def fingerprint(files: dict[str, list[str]], inputs_root: str) -> dict[str, str]:
    """Every input file (path relative to the inputs root) -> sha256 of its bytes."""
    prints = {
        relative_name(path, inputs_root): sha256(path) for paths in files.values() for path in paths
    }
    return dict(sorted(prints.items()))


def redeliveries(files: dict[str, list[str]], inputs_root: str,
                 prints: dict[str, str]) -> dict[str, str]:  # fmt: skip
    """Files whose bytes equal those of an earlier file of the same source (`precedence`), each
    -> that earlier file: their records are quarantined as duplicates, never counted twice.
    Empty and unreadable files are nobody's re-delivery."""
    again: dict[str, str] = {}
    for paths in files.values():
        first: dict[str, str] = {}
        ranks = precedence(paths)
        for index in sorted(range(len(paths)), key=ranks.__getitem__):
            name = relative_name(paths[index], inputs_root)
            digest = prints.get(name, UNREADABLE)
            if digest in (EMPTY_SHA256, UNREADABLE):
                continue
            if digest in first:
                again[name] = first[digest]
            else:
                first[digest] = name
    return dict(sorted(again.items()))
