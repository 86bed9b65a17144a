"""One job run over the hostile input corpus (tests/data/bad), shared by the bad-input and privacy
tests, plus helpers to read a run's Parquet output."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from cli.main import cli

BAD = Path(__file__).parents[1] / "data" / "bad"
AS_OF = "2026-11-25T00:00:00+00:00"
#: Characters of the generated huge fields (a 1 MB note, a 1 MB CSV description).
HUGE_CHARS = 1_000_000
#: Characters of the generated 10 MB lines.
LONG_LINE_CHARS = 10_000_000
#: The corpus files' modification time; re-delivered copies are written an hour later, so that the
#: copy delivered first is the original whatever the names (pipelines/ingest/inputs.py).
DELIVERED = 1_763_000_000
REDELIVERED = ("lost_sales/redelivered_2.csv", "oos_lookups/again_weekly.csv")


def run_cli(data_root: Path, inputs: Path, *extra: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of", AS_OF, *extra],
    )


def read_folder(folder: Path) -> pa.Table | None:
    files = sorted(folder.rglob("*.parquet"))
    if not files:
        return None
    return pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")


def _write_huge_files(inputs: Path) -> None:
    """Generated, not committed: a 1 MB note and a 1 MB CSV field, each between good records."""
    big = "wanted navy coat " * (HUGE_CHARS // 17)
    good = (
        '{{"note_id": "{}", "store_id": "S001", "channel": "store", '
        '"captured_at": "2026-11-17T14:03:00+01:00", "text": "{}"}}\n'
    )
    (inputs / "frontline_notes" / "huge_field.jsonl").write_text(
        good.format("HF-1", "navy coat in L")
        + good.format("HF-2", big)
        + good.format("HF-3", "black coat M")
    )
    header = (
        "sale_id,store_id,sku,reason_code,quantity,unit_price,currency,occurred_at,"
        "substitute_sku,description\n"
    )
    row = "{},S001,SKU-1,size_unavailable,1,129.00,EUR,2026-11-17T14:09:40+01:00,,{}\n"
    (inputs / "lost_sales" / "huge_field.csv").write_text(
        header
        + row.format("HS-1", "")
        + row.format("HS-2", '"' + big + '"')
        + row.format("HS-3", "")
    )


def _write_generated_cases(inputs: Path) -> None:
    """Generated, not committed: values nested 100,000 deep, a 100,000-element array as a note's
    text, a 10 MB line in each format, a symbolic link loop and a link to a file that is gone
    (the file listed, then missing when it is read)."""
    note = (
        '{{"note_id": "{}", "store_id": "S001", "channel": "store", '
        '"captured_at": "2026-11-17T14:03:00+01:00", "text": {}}}\n'
    )
    notes = inputs / "frontline_notes"

    def three(prefix: str, text: str) -> str:
        return (
            note.format(f"{prefix}-1", '"navy coat"')
            + note.format(f"{prefix}-2", text)
            + (note.format(f"{prefix}-3", '"black coat M"'))
        )

    (notes / "deep_nesting.jsonl").write_text(three("NX", "[" * 100_000 + "]" * 100_000))
    (notes / "array_text.jsonl").write_text(three("AT", "[" + ",".join(["1"] * 100_000) + "]"))
    (notes / "long_line.jsonl").write_text(three("LL", '"' + "x" * LONG_LINE_CHARS + '"'))
    header = (
        "sale_id,store_id,sku,reason_code,quantity,unit_price,currency,occurred_at,"
        "substitute_sku,description\n"
    )
    row = "{},S001,SKU-1,size_unavailable,1,129.00,EUR,2026-11-17T14:09:40+01:00,,{}\n"
    (inputs / "lost_sales" / "long_line.csv").write_text(
        header + row.format("LC-1", "") + row.format("LC-2", "y" * LONG_LINE_CHARS)
        + row.format("LC-3", "")
    )  # fmt: skip
    (notes / "loop.jsonl").symlink_to("loop.jsonl")
    (inputs / "oos_lookups" / "vanished.csv").symlink_to("removed-after-listing.csv")
    # files that are not regular files: reading them would wait forever (a named pipe) or never
    # end (a device); and a name that is not UTF-8 (Latin-1 "é"), which Beam's coders refused
    os.mkfifo(inputs / "oos_lookups" / "pipe.csv")
    (inputs / "lost_sales" / "zero.csv").symlink_to("/dev/zero")
    # a week delivered with an upper-case extension: not an input, but named by the run
    (inputs / "oos_lookups" / "upper.CSV").write_text("lookup_id\n")
    latin1 = os.fsencode(notes) + b"/caf\xe9.jsonl"
    with open(latin1, "wb") as handle:
        handle.write(note.format("LN-1", '"navy coat in L"').encode())


def _set_delivery_times(inputs: Path) -> None:
    for path in inputs.rglob("*"):
        if path.is_file() and not path.is_symlink():
            late = str(path.relative_to(inputs)) in REDELIVERED
            os.utime(path, (DELIVERED + 3600 * late,) * 2)


@dataclass(frozen=True)
class CorpusRun:
    data_root: Path
    inputs: Path
    result: Result

    @property
    def run_dir(self) -> Path:
        return (self.data_root / "published").resolve()

    def table(self, name: str) -> pa.Table | None:
        return read_folder(self.run_dir / name)

    def datasets(self) -> dict[str, pa.Table]:
        """Every Parquet dataset of the run, by folder name."""
        folders = sorted(p for p in self.run_dir.iterdir() if p.is_dir())
        tables = {f.name: read_folder(f) for f in folders}
        return {name: t for name, t in tables.items() if t is not None}


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    """The whole job, once, on a copy of tests/data/bad plus the generated cases."""
    base = tmp_path_factory.mktemp("bad")
    inputs = base / "inputs"
    shutil.copytree(BAD, inputs, ignore=shutil.ignore_patterns("*.md"))
    _write_huge_files(inputs)
    _write_generated_cases(inputs)
    _set_delivery_times(inputs)
    data_root = base / "data"
    return CorpusRun(data_root, inputs, run_cli(data_root, inputs))
