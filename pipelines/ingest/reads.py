"""Did the ingest read the bytes the run was planned from?

A run fingerprints every input file (sha256, pipelines/ingest/inputs.py) before it plans, and
parses the files later. A feed that re-delivers a file in place meanwhile (`cp` truncates, then
writes) or removes it and writes it again can leave the ingest reading it empty, cut short or
gone, while the run would record the planned fingerprint: every later run would then take the file
as read and never parse it again (its records lost for good; a consent withdrawal never applied).

So after the ingest, the sha256 it computed of what it actually read of each file it parsed
(`ingest_files`, FileParse's stat) is compared with the planned one, for every source (notes,
lookups, lost sales, catalog, stores, consent withdrawals); so is the sha256 of the second read
of every reference file, the one the facts are checked against through a side input
(transforms.ReferenceIdsFn, recorded by WriteReadsFn in READS_FILE, removed here). On any
difference the run stops before anything is published (`ChangedWhileRead`), its state unchanged:
the next run plans from the file as it is then and reads it.
"""

from __future__ import annotations

from pipelines import io
from pipelines.ingest.inputs import EMPTY_SHA256, UNREADABLE
from pipelines.ingest.parse import relative_name
from pipelines.ingest.run import STATS
from pipelines.ingest.transforms import READS_FILE, parsed_files


class ChangedWhileRead(Exception):
    """An input file's bytes as the ingest read them are not those the run was planned from."""

    def __init__(self, changed: list[tuple[str, str]]) -> None:
        self.changed = changed  # (relative name, what the ingest read), sorted by name
        name, read = changed[0]
        more = f" (and {len(changed) - 1} more file(s))" if len(changed) > 1 else ""
        super().__init__(
            f"{name} changed while the run read it: the ingest read {read}, not the bytes the "
            f"run was planned from (re-delivered in place?){more}; nothing was published; run "
            "again: the next run plans from the file as it is then and reads it"
        )


def _described(read: str) -> str:
    """What the ingest read, in words, from its sha256 ('' when it could not read the file)."""
    if read == EMPTY_SHA256:
        return "an empty file"
    if read in ("", UNREADABLE):
        return "no complete file (it could not be read, or went away while it was read)"
    return "other bytes"


def _same(planned: str, read: str) -> bool:
    """A file unreadable when planned and when read counts as unchanged (it is quarantined as one
    file-level reject, as documented)."""
    if planned == UNREADABLE:
        return read in ("", UNREADABLE)
    return planned == read


def check(out_root: str, files: dict[str, list[str]], inputs_root: str, prints: dict[str, str],
          carried: dict[str, int] | None = None,
          again: dict[str, list[int]] | None = None) -> None:  # fmt: skip
    """Raise ChangedWhileRead if any file the ingest in `out_root` parsed (`files`, less the
    `carried` ones but those read `again`: transforms.parsed_files) was read with other bytes than
    its planned fingerprint in `prints` (relative name -> sha256), or has no row in ingest_files."""
    rows = io.read_parquet(io.join(out_root, STATS)).select(["source_file", "sha256"]).to_pylist()
    read = {row["source_file"]: row["sha256"] for row in rows}
    changed = {}
    for _, _, path in parsed_files(files, carried, again):
        name = relative_name(path, inputs_root)
        planned = prints.get(name, UNREADABLE)
        if name not in read:
            changed[name] = "no record of it (its read was not recorded)"
        elif not _same(planned, read[name]):
            changed[name] = _described(read[name])
    # the reference files' second read, for the side input the facts were checked against
    # (every catalog, stores and withdrawals file, carried ones included): transforms.WriteReadsFn
    side = io.join(out_root, READS_FILE)
    if io.exists(side):
        seen = io.read_json(side)
        assert isinstance(seen, dict)
        for name, digest in seen.items():
            if name not in changed and not _same(prints.get(name, UNREADABLE), digest):
                changed[name] = _described(digest) + " for the facts' reference check"
        io.remove_tree(io.join(out_root, READS_FILE.split("/")[0]))  # not part of the run
    if changed:
        raise ChangedWhileRead(sorted(changed.items()))
