"""Incremental runs: a weekly run parses only the new input files and rebuilds only the ISO weeks
they touch; everything else is carried over from the published run by hard link (on an
object-store data root, by a server-side copy of each object: pipelines/remote.py).

The published run keeps its state inside its own folder (so crash safety and the atomic publish
hold for it as for the data):
  incremental/inputs.parquet   every input file: source, number (its place in its source's files
                               by name: its staging files are part-<number>), source_file, bytes,
                               sha256, rank (which file's copy of a repeated id is kept:
                               inputs.precedence)
  incremental/keys/<source>/bucket=BB/part-NNNNN.parquet
                               the ids each file kept (record_id, source_line, part), written by the
                               ingest (ingest/transforms.py): a new file's ids are checked against
                               them, never against the staged rows of history

`plan` compares the inputs with that state. Only pure additions go incremental: new files of a
fact source that sort after its earlier files (so no file is renumbered) and were delivered after
them (so no earlier copy of a repeated id loses its place), with the same code, library versions
(LIBRARIES), extractor, linking window and reference data (catalog, stores: they affect every
week). New or changed consent withdrawals files stay incremental too when no withdrawal the
published run applied is gone: the note files holding the notes they newly withhold are parsed
again under their own numbers (`Plan.again`, pipelines/consent_delta.py), and the weeks those
files touch rebuilt. Anything else is a full refresh, and the plan says why. The result is the
same bytes as a full refresh of the same inputs (tests/test_incremental.py). `up_to_date` decides
when nothing at all is rebuilt (the same bytes, modification-time order, settings, code and
libraries). A file the published run read that cannot be read now stops the run
(UnreadableInput): taking it as changed would drop its records from the published history.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipelines import consent_delta, flow, io, publish
from pipelines.demand.run import FACT_TABLES, week_of
from pipelines.extract import EXTRACTOR_VERSION
from pipelines.ingest import inputs
from pipelines.ingest.file import unreadable
from pipelines.ingest.parse import relative_name
from pipelines.ingest.run import MissingInput
from pipelines.ingest.sources import ALL, BY_NAME, REFERENCE
from pipelines.ingest.transforms import KEYS_FOLDER
from schemas import datasets

STATE_FOLDER = "incremental"
INPUTS_STATE = f"{STATE_FOLDER}/inputs.parquet"
INPUTS_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("number", pa.int32()),
        ("source_file", pa.string()),
        ("bytes", pa.int64()),
        ("sha256", pa.string()),
        ("rank", pa.int32()),
    ]
)
#: The ledger and mart datasets the demand pipeline writes, partitioned by iso_week (from the
#: registry, schemas/datasets.py): a week it did not rebuild is carried over whole. Not the
#: exported report marts: a week of one also reads the weeks before it, and pipelines/marts.py
#: decides which of its weeks are carried.
WEEKLY = tuple(
    d.name
    for d in datasets.DATASETS.values()
    if d.partitioning is datasets.Partitioning.ISO_WEEK and d.export is None
)
#: The code whose change may change outputs: every source and data file of these packages, but
#: the input generator, which writes no published data (the bench and the truth scorer live in
#: tools/, outside these packages).
CODE_PACKAGES = ("pipelines", "schemas")
NOT_PRODUCT = ("pipelines/generate",)
_CODE_SUFFIXES = (".py", ".json", ".csv", ".sql", ".txt")
#: The installed distributions whose code writes, parses or judges published bytes: Beam and
#: pyarrow write the Parquet (its footer names the writer: `created_by: parquet-cpp-arrow version
#: X`), DuckDB writes the marts and the database, pydantic validates records, numpy computes in
#: the ingest and demand steps, rapidfuzz and pyspellchecker decide extracted attributes, tzdata
#: resolves store time zones (where the system has no zone files), great-expectations gives the
#: gate's verdict that a carried file keeps. Recorded in the manifest with the Python version
#: (`library_versions`): another version is a full refresh.
LIBRARIES = (
    "apache-beam", "pyarrow", "duckdb", "pydantic", "pydantic-core", "numpy", "rapidfuzz",
    "pyspellchecker", "tzdata", "great-expectations",
)  # fmt: skip


class UnreadableInput(MissingInput):
    """A file the published run read can no longer be read: the run stops, nothing is published
    (a file that was never read stays a file-level reject, as before)."""


@dataclass(frozen=True)
class Plan:
    """What a run rebuilds. `incremental`: parse only the files past `carried[source]` of each
    source, and the earlier files numbered in `again[source]` (parsed again: consent
    withdrawals), on top of the published run `base`; otherwise a full refresh, for `reason`."""

    incremental: bool
    reason: str
    base: Path | None = None
    carried: dict[str, int] = field(default_factory=dict)
    new_files: list[str] = field(default_factory=list)
    again: dict[str, list[int]] = field(default_factory=dict)


def code_version() -> str:
    """sha256 over the product's code and packaged data (not NOT_PRODUCT, not the tests)."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in CODE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if (path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts
                    and not rel.startswith(NOT_PRODUCT)):  # fmt: skip
                digest.update(rel.encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """The Python version and each of LIBRARIES' installed versions ("not installed" if absent):
    the seam the plan reads them through (tests replace it)."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def libraries_changed(recorded: dict[str, str] | None) -> str | None:
    """Which library versions differ from those a run recorded ("pyarrow 25.0.1 -> 25.0.2"), or
    None when all are the same."""
    if not recorded:
        return "the published run does not record its library versions"
    now = library_versions()
    moved = [f"{name} {recorded.get(name, 'not recorded')} -> {version}"
             for name, version in now.items() if recorded.get(name) != version]  # fmt: skip
    return ", ".join(moved) or None


def why_unreadable(path: str) -> str:
    """Why `path` cannot be read now, in words (never its full path)."""
    try:
        io.check_regular(path)
        with io.open_file(path, compression_type="uncompressed") as handle:
            handle.read(1)
    except OSError as err:
        return unreadable(err).removeprefix("the file cannot be read: ")
    except Exception as err:  # noqa: BLE001 -- Beam wraps errors of its file systems
        return type(err).__name__
    return "it could not be read when it was fingerprinted"


def check_still_readable(state: list[dict], files: dict[str, list[str]], inputs_root: str,
                         prints: dict[str, str]) -> None:  # fmt: skip
    """Raise UnreadableInput for a file the published run read (its `state` has the file's
    sha256) that is still in the inputs but cannot be read now (an unmounted share, a link to a
    missing file, lost permissions): reading on would drop its records from the published
    history. A file the published run could not read either is left to the ingest."""
    paths = {relative_name(p, inputs_root): p for found in files.values() for p in found}
    for row in state:
        name = row["source_file"]
        if (name in paths and row["sha256"] != inputs.UNREADABLE
                and prints.get(name, inputs.UNREADABLE) == inputs.UNREADABLE):  # fmt: skip
            raise UnreadableInput(
                f"{name} cannot be read now: {why_unreadable(paths[name])}; the published run "
                "read it, so nothing was published: restore the file, or move it out of the "
                "inputs folder to drop its records on purpose (the next run is then a full "
                "refresh without them)"
            )


def check_sources_present(state: list[dict], files: dict[str, list[str]], inputs_root: str,
                          full_refresh: bool) -> None:  # fmt: skip
    """Raise UnreadableInput when none of the files a source's folder gave the published run is
    in the inputs now (review 12: a consent_withdrawals or lost_sales folder that was a link to an
    unmounted share, or an empty mount point, was taken for files removed on purpose: the run
    published without them, exit 0, withdrawn customers' refs back). A folder that cannot be
    listed stops the run; one that is gone or empty stops it unless --full-refresh says to
    publish without its records."""
    read: dict[str, int] = {}
    for row in state:
        if row["sha256"] != inputs.UNREADABLE:
            read[row["source"]] = read.get(row["source"], 0) + 1
    for spec in ALL:
        count = read.get(spec.name, 0)
        if not count or files.get(spec.name):
            continue
        trouble = None if "://" in inputs_root else _unlistable(Path(inputs_root) / spec.folder)
        if trouble is not None:
            raise UnreadableInput(
                f"{spec.folder}/ cannot be read now: {trouble}; the published run read {count} "
                "files from it, so nothing was published: restore it (a share not mounted?), or "
                "remove it to drop its records on purpose"
            )
        if not full_refresh:
            raise UnreadableInput(
                f"none of the {count} files of {spec.folder}/ that the published run read is in "
                "the inputs now (an empty mount point?), so nothing was published: restore them, "
                "or run with --full-refresh to publish without their records"
            )


def _unlistable(folder: Path) -> str | None:
    """Why a source's folder cannot be listed (a link to a missing path, not a folder, no
    permission); None when it can be, or is simply absent."""
    if folder.is_symlink() and not folder.exists():
        return "it is a link to a path that does not exist"
    if not folder.exists():
        return None
    if not folder.is_dir():
        return "it is not a folder"
    try:
        with os.scandir(folder) as entries:
            next(entries, None)
    except OSError as err:
        return err.strerror or type(err).__name__
    return None


def retimed(state: list[dict], files: dict[str, list[str]]) -> str | None:
    """Why the files the published run read (its `state`, by source and number: `files` must
    hold them first, as the plan has checked) would now keep other copies of a repeated id: one
    has another rank by modification time (inputs.precedence); None when none has."""
    for spec in ALL:
        old = sorted((r for r in state if r["source"] == spec.name), key=lambda r: r["number"])
        ranks = inputs.precedence(files.get(spec.name, [])[: len(old)])
        for number, row in enumerate(old):
            if number >= len(ranks) or ranks[number] != row["rank"]:
                return (f"{row['source_file']} has another modification time than at the "
                        "published run: which copy of a repeated id is kept may change")  # fmt: skip
    return None


def retimed_since(base: Path, files: dict[str, list[str]]) -> str | None:
    """`retimed` against the published run `base`'s state (a run without state: it cannot be
    told, so the run rebuilds)."""
    if not (base / INPUTS_STATE).exists():
        return f"the published run {base.name} has no incremental state"
    return retimed(pq.read_table(base / INPUTS_STATE).to_pylist(), files)


def size_of(path: str) -> int:
    """A file's size in bytes, or -1 when it cannot be read."""
    try:
        return int(FileSystems.match([path])[0].metadata_list[0].size_in_bytes)
    except (OSError, IndexError, ValueError, Exception):  # Beam wraps errors in BeamIOError
        return -1


def inputs_table(files: dict[str, list[str]], inputs_root: str, prints: dict[str, str]) -> pa.Table:
    """The state row of every input file (INPUTS_SCHEMA), by source and number."""
    rows = []
    for spec in ALL:
        paths = files.get(spec.name, [])
        for number, (path, rank) in enumerate(zip(paths, inputs.precedence(paths), strict=True)):
            name = relative_name(path, inputs_root)
            rows.append({"source": spec.name, "number": number, "source_file": name,
                         "bytes": size_of(path), "sha256": prints.get(name, inputs.UNREADABLE),
                         "rank": rank})  # fmt: skip
    return pa.Table.from_pylist(rows, schema=INPUTS_SCHEMA)


def write_state(run_dir: Path, files: dict[str, list[str]], inputs_root: str,
                prints: dict[str, str]) -> None:  # fmt: skip
    io.write_parquet(str(run_dir / INPUTS_STATE), inputs_table(files, inputs_root, prints))


def _future_rejects(run_dir: Path) -> int:
    """Records the run quarantined as later than its as-of time: a later run may accept them."""
    total = 0
    for path in sorted((run_dir / "rejects").rglob("*.parquet")):
        reasons = pq.read_table(path, columns=["reason"]).column("reason")
        total += int(pc.sum(pc.match_substring(reasons, "is in the future")).as_py() or 0)
    return total


def settings_changed(
    base: Path, manifest: dict, window_minutes: int, as_of: datetime
) -> str | None:
    """Why the published run `base` (its `manifest`) cannot stand for a run with these settings
    and this code, even on the same inputs; None when it can. The job's "up to date" check and
    the incremental plan both ask this."""
    if manifest.get("window_minutes") != window_minutes:
        return (f"the linking window changed ({manifest.get('window_minutes')} -> "
                f"{window_minutes} minutes): it affects every week")  # fmt: skip
    if manifest.get("extractor_version") != EXTRACTOR_VERSION:
        return (f"the extractor changed ({manifest.get('extractor_version')} -> "
                f"{EXTRACTOR_VERSION})")  # fmt: skip
    if manifest.get("code_version") != code_version():
        return "the code changed since the published run (its outputs may differ)"
    libraries = libraries_changed(manifest.get("library_versions"))
    if libraries is not None:
        return f"library versions changed since the published run ({libraries})"
    published_as_of = datetime.fromisoformat(manifest["as_of"])
    if as_of < published_as_of:
        return ("--as-of is earlier than the published run's: records it accepted may now be in "
                "the future")  # fmt: skip
    if as_of != published_as_of and _future_rejects(base):
        return ("the published run quarantined records as in the future; as of now they may be "
                "accepted")  # fmt: skip
    return None


def up_to_date(base: Path, files: dict[str, list[str]], prints: dict[str, str],
               window_minutes: int, as_of: datetime) -> dict | None:  # fmt: skip
    """The manifest of the published run `base` if it stands for a run on these inputs: the same
    bytes (`prints`), the same order of modification times (`retimed_since`), the same settings,
    code and library versions (`settings_changed`); else None (the run rebuilds and its plan says
    why). `unmet run`'s "up to date" on a local and on an object-store data root."""
    manifest = json.loads((base / "manifest.json").read_text())
    if manifest.get("input_sha256") != prints:
        return None
    if settings_changed(base, manifest, window_minutes, as_of) is not None:
        return None
    if retimed_since(base, files) is not None:
        return None
    return manifest


def plan(data_root: Path, files: dict[str, list[str]], inputs_root: str, prints: dict[str, str],
         window_minutes: int, as_of: datetime, full_refresh: bool) -> Plan:  # fmt: skip
    """Incremental on top of the published run, or a full refresh and why (module docstring)."""
    base = publish.published_run(data_root)
    return plan_on(base, files, inputs_root, prints, window_minutes, as_of, full_refresh)


def plan_on(base: Path | None, files: dict[str, list[str]], inputs_root: str,
            prints: dict[str, str], window_minutes: int, as_of: datetime,
            full_refresh: bool) -> Plan:  # fmt: skip
    """`plan` on top of the published run's folder `base` (on an object-store data root, the
    driver's copy of it: pipelines/remote.py); None when nothing is published. Raises
    UnreadableInput (with --full-refresh too) when a file the published run read cannot be read
    now."""
    stated = base is not None and publish.complete(base) and (base / INPUTS_STATE).exists()
    state = pq.read_table(base / INPUTS_STATE).to_pylist() if stated and base else []
    check_still_readable(state, files, inputs_root, prints)
    check_sources_present(state, files, inputs_root, full_refresh)
    if full_refresh:
        return Plan(False, "--full-refresh asked for a full rebuild")
    if base is None or not publish.complete(base):
        return Plan(False, "no run is published yet")
    if not stated:
        return Plan(False, f"the published run {base.name} has no incremental state")
    manifest = json.loads((base / "manifest.json").read_text())
    changed = settings_changed(base, manifest, window_minutes, as_of)
    if changed is not None:
        return Plan(False, changed)
    carried: dict[str, int] = {}
    new_files: list[str] = []
    withdrawals_changed = False
    for spec in ALL:
        paths = files.get(spec.name, [])
        names = [relative_name(p, inputs_root) for p in paths]
        old = sorted((r for r in state if r["source"] == spec.name), key=lambda r: r["number"])
        if spec.name == consent_delta.SOURCE:  # read again whole when any of them changed
            gone = [r["source_file"] for r in old if r["source_file"] not in names]
            if gone:
                return Plan(False, f"{gone[0]} was removed since the published run: a consent "
                                   "withdrawal removed may give consent back")  # fmt: skip
            withdrawals_changed = len(names) > len(old) or any(
                names[r["number"]] != r["source_file"]
                or prints.get(r["source_file"]) != r["sha256"]
                or size_of(paths[names.index(r["source_file"])]) != r["bytes"]
                for r in old
            )  # fmt: skip
            carried[spec.name] = len(old)
            continue
        for row in old:
            name = row["source_file"]
            if name not in names:
                return Plan(False, f"{name} was removed since the published run")
            if (
                prints.get(name) != row["sha256"]
                or size_of(paths[names.index(name)]) != row["bytes"]
            ):
                return Plan(False, f"{name} changed since the published run")
            if names.index(name) != row["number"]:
                before = names[row["number"]]
                return Plan(False, f"new file {before} sorts before {name}: files are numbered "
                                   "by name, so earlier files would be renumbered")  # fmt: skip
        added = names[len(old) :]
        if added and spec in REFERENCE:
            return Plan(False, f"new {spec.name} file {added[0]}: reference data affects every "
                               "week")  # fmt: skip
        moved = retimed(old, {spec.name: paths})
        if moved is not None:
            return Plan(False, moved)
        ranks = inputs.precedence(paths)
        for number in range(len(old), len(paths)):
            if ranks[number] < len(old):
                return Plan(False, f"new file {names[number]} was delivered (modified) before "
                                   "an earlier file: its copies of repeated ids would come "
                                   "first")  # fmt: skip
        carried[spec.name] = len(old)
        new_files += added
    found = None
    if withdrawals_changed:
        found = consent_delta.delta(base, state, files.get(consent_delta.SOURCE, []),
                                    inputs_root, as_of)  # fmt: skip
        if found.refused is not None:
            return Plan(False, found.refused)
    if not new_files and found is None:
        return Plan(False, "no new input file")
    listed = ", ".join(new_files[:5]) + (" ..." if len(new_files) > 5 else "")
    if found is None:
        return Plan(True, f"{len(new_files)} new input file(s) on top of run {base.name}: "
                          + listed, base, carried, new_files)  # fmt: skip
    also = f"; and {len(new_files)} new input file(s): {listed}" if new_files else ""
    return Plan(True, f"{found.describe()} on top of run {base.name}{also}", base, carried,
                new_files, found.again)  # fmt: skip


def link(source: Path, target: Path) -> None:
    """Carry a file over: a hard link (the same bytes, not rewritten), or a copy where the file
    system has none. Never replaces an existing file (a write through a link would change the
    published run's file too)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError as err:
        if err.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
            raise
        shutil.copy2(source, target)


#: What an incremental ingest carries over (the staging files, quarantine and key table of the
#: earlier files; the new ones have new numbers, so no name is taken twice).
INGEST_FOLDERS = (*(f"stg_{spec.name}" for spec in ALL), "rejects", KEYS_FOLDER)


def under(files: Iterable[str], folders: Iterable[str],
          again: dict[str, list[int]] | None = None) -> list[str]:  # fmt: skip
    """The Parquet files among `files` (names relative to a run) inside any of `folders`, but
    those `replaced` by the files parsed again (`again`)."""
    prefixes = tuple(f"{folder}/" for folder in folders)
    return sorted(
        rel
        for rel in files
        if rel.endswith(".parquet") and rel.startswith(prefixes) and not replaced(rel, again)
    )


def replaced(rel: str, again: dict[str, list[int]] | None) -> bool:
    """Whether the published run's file `rel` is rewritten (or dropped) by an ingest that parses
    again the files numbered `again[source]`: their staging parts and key files (part-NNNNN),
    and their source's rejects (written again whole, without the files' earlier records)."""
    parts = rel.split("/")
    for source, numbers in (again or {}).items():
        if not numbers:
            continue
        if rel.startswith(f"rejects/source={source}/"):
            return True
        own = rel.startswith((f"{BY_NAME[source].table}/", f"{KEYS_FOLDER}/{source}/"))
        if own and parts[-1] in {f"part-{n:05d}.parquet" for n in numbers}:
            return True
    return False


def other_weeks(files: Iterable[str], rebuilt: set[str]) -> list[str]:
    """The ledger and mart files (WEEKLY) among `files` in a week folder not in `rebuilt`."""
    return sorted(
        rel
        for rel in files
        if rel.endswith(".parquet")
        and len(parts := rel.split("/")) > 2
        and parts[0] in WEEKLY
        and parts[1].removeprefix("iso_week=") not in rebuilt
    )


def run_files(run_dir: Path) -> list[str]:
    """Every Parquet file of a local run folder, relative to it."""
    return sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*.parquet"))


def _carry(base: Path, run_dir: Path, chosen: list[str]) -> list[str]:
    """Link every file of `chosen` (names relative to `base`) that `run_dir` does not have yet."""
    carried = []
    for rel in chosen:
        if not (run_dir / rel).exists():
            link(base / rel, run_dir / rel)
            carried.append(rel)
    return carried


def carry_ingest(base: Path, run_dir: Path, again: dict[str, list[int]] | None = None
                 ) -> list[str]:  # fmt: skip
    """After an incremental ingest: INGEST_FOLDERS' files of the published run (not those of the
    files parsed `again`); `ingest_files` and a source's rejects that had new rows were rewritten
    whole by the ingest."""
    return _carry(base, run_dir, under(run_files(base), INGEST_FOLDERS, again))


def touched_weeks(run_dir: Path | str) -> set[str]:
    """The ISO weeks of the fact staging files this run's ingest wrote (`run_dir`: a folder or
    an object-store URL)."""
    written = flow.read_commit(str(run_dir), "ingest")["files"]
    tables = {f"stg_{name}" for name in FACT_TABLES}
    return {
        week
        for rel, entry in written.items()
        if entry["dataset"] in tables and (week := week_of(rel)) is not None
    }


def written(run_dir: Path) -> set[str]:
    """Every file this run's pipelines wrote (their commit records), relative to its folder."""
    return {
        rel
        for name in ("ingest", "demand")
        for rel in flow.read_commit(str(run_dir), name)["files"]
    }


def carry_weeks(base: Path, run_dir: Path, rebuilt: set[str]) -> list[str]:
    """After an incremental demand run: every ledger and mart week it did not rebuild."""
    return _carry(base, run_dir, other_weeks(run_files(base), rebuilt))


def origins(run_dir: Path, run_id: str, base: Path | None, carried: list[str]) -> dict[str, str]:
    """Every Parquet file of the run -> the run that wrote it (for a carried file, the run its
    base had it from)."""
    earlier: dict[str, str] = {}
    if base is not None:
        manifest = json.loads((base / "manifest.json").read_text())
        earlier = manifest.get("origins", {})
    kept = set(carried)
    result = {}
    for path in sorted(run_dir.rglob("*.parquet")):
        rel = path.relative_to(run_dir).as_posix()
        result[rel] = earlier.get(rel, base.name) if rel in kept and base is not None else run_id
    return result
