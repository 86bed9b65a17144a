"""Which input files there are and which copy of a repeated record is the original (inputs.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pipelines.ingest import inputs
from pipelines.ingest.parse import relative_name, shown_path
from pipelines.ingest.tables import find_duplicates
from tests.ingest.test_tables import _keys

T0 = 1_763_000_000  # a fixed modification time (seconds)


def _write(path: Path, text: str, mtime: float) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))
    return str(path)


@pytest.mark.parametrize("resent_name", ["a-resent.csv", "z-resent.csv"])
def test_the_copy_delivered_first_is_the_original_whatever_the_names(tmp_path, resent_name):
    original = _write(tmp_path / "lost_sales" / "m-original.csv", "x\n", T0)
    resent = _write(tmp_path / "lost_sales" / resent_name, "x\n", T0 + 60)
    paths = sorted([original, resent])
    ranks = inputs.precedence(paths)
    assert ranks[paths.index(original)] == 0 and ranks[paths.index(resent)] == 1
    files = {"lost_sales": paths}
    prints = inputs.fingerprint(files, str(tmp_path))
    assert inputs.redeliveries(files, str(tmp_path), prints) == {
        f"lost_sales/{resent_name}": "lost_sales/m-original.csv"
    }


def test_same_time_falls_back_to_the_name(tmp_path):
    paths = [_write(tmp_path / name, "x\n", T0) for name in ("b.csv", "a.csv")]
    assert inputs.precedence(paths) == [1, 0]


def test_a_lone_file_is_first_without_asking_its_time(monkeypatch):
    """On object storage a modification time is a request: one file has nothing to rank against."""

    def asked(path: str) -> float:
        raise AssertionError(f"asked the time of {path}")

    monkeypatch.setattr(inputs, "modified", asked)
    assert inputs.precedence(["s3://bucket/inputs/lost_sales/only.csv"]) == [0]
    assert inputs.precedence([]) == []
    with pytest.raises(AssertionError, match="asked the time"):
        inputs.precedence(["a.csv", "b.csv"])


def test_empty_files_and_files_of_other_sources_are_not_redeliveries(tmp_path):
    files = {
        "frontline_notes": [_write(tmp_path / "frontline_notes" / "e.jsonl", "", T0)],
        "oos_lookups": [_write(tmp_path / "oos_lookups" / "e.csv", "", T0 + 1),
                        _write(tmp_path / "oos_lookups" / "f.csv", "", T0 + 2)],
        "lost_sales": [_write(tmp_path / "lost_sales" / "same.csv", "a,b\n", T0)],
        "stores": [_write(tmp_path / "stores" / "same.csv", "a,b\n", T0 + 1)],
    }  # fmt: skip
    prints = inputs.fingerprint(files, str(tmp_path))
    assert inputs.redeliveries(files, str(tmp_path), prints) == {}


def test_a_repeated_id_is_kept_in_the_file_delivered_first(tmp_path):
    rows = [
        {"id": "r", "source_file": "a-resent.csv", "source_line": 2},
        {"id": "r", "source_file": "m-original.csv", "source_line": 2},
    ]
    keys, names = _keys(rows)  # numbered by name: a-resent.csv is file 0
    by_name = find_duplicates(keys, "id", names)
    assert by_name.column("reason").to_pylist() == [
        "duplicate id 'r': first seen in a-resent.csv line 2"
    ]
    by_time = find_duplicates(keys, "id", names, {0: 1, 1: 0})
    assert by_time.column("row").to_pylist() == [0]
    assert by_time.column("reason").to_pylist() == [
        "duplicate id 'r': first seen in m-original.csv line 2"
    ]


def test_broken_links_are_listed_so_that_they_are_refused_not_skipped(tmp_path):
    folder = tmp_path / "frontline_notes"
    good = _write(folder / "good.jsonl", "{}\n", T0)
    (folder / "loop.jsonl").symlink_to(folder / "loop.jsonl")
    (folder / "gone.jsonl").symlink_to(folder / "removed.jsonl")
    (folder / "other.txt").symlink_to(folder / "other.txt")
    assert inputs.list_files(str(folder), "*.jsonl") == sorted(
        [good, str(folder / "loop.jsonl"), str(folder / "gone.jsonl")]
    )
    files = {"frontline_notes": inputs.list_files(str(folder), "*.jsonl")}
    prints = inputs.fingerprint(files, str(tmp_path))
    assert prints["frontline_notes/loop.jsonl"] == inputs.UNREADABLE
    assert inputs.precedence(files["frontline_notes"])[files["frontline_notes"].index(good)] == 0


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("frontline_notes/notes-2026-W47.jsonl", r"frontline_notes/notes-2026-W47\.jsonl"),
        ("frontline_notes/notes-jane.doe@example.com.jsonl",
         r"frontline_notes/\[email-[0-9a-f]{8}\]\.jsonl"),
        ("/in/jane@example.com/notes.jsonl", r"/in/\[email-[0-9a-f]{8}\]/notes\.jsonl"),
    ],
)  # fmt: skip
def test_a_file_name_is_written_without_an_e_mail_address(path, shown):
    assert re.fullmatch(shown, shown_path(path))
    assert relative_name("/root/" + path.lstrip("/"), "/root") == shown_path(path).lstrip("/")


def test_two_files_named_after_two_addresses_stay_two_files(tmp_path):
    """Both used to be `frontline_notes/[email].jsonl`: one hash overwrote the other, a false
    're-delivered' was said, and a changed file was taken as unchanged and never read again
    (review 8). The token keeps them apart, the same in every run."""
    jane = _write(tmp_path / "frontline_notes" / "notes-jane@example.com.jsonl", "{}\n", T0)
    john = _write(tmp_path / "frontline_notes" / "notes-john@example.com.jsonl", "{}\n\n", T0)
    files = {"frontline_notes": sorted([jane, john])}
    prints = inputs.fingerprint(files, str(tmp_path))
    assert len(prints) == 2 and all("@" not in name for name in prints)
    assert inputs.redeliveries(files, str(tmp_path), prints) == {}
    assert inputs.fingerprint(files, str(tmp_path)) == prints


def test_what_a_source_folder_holds_that_is_not_read_is_named(tmp_path):
    """A week delivered as .CSV or .gz, a stray .txt or a sub-folder is not an input: `unmet run`
    names them (inputs.not_read) instead of dropping them without a word."""
    folder = tmp_path / "oos_lookups"
    _write(folder / "lookups-2026-W47.csv", "x\n", T0)
    _write(folder / "lookups-2026-W48.CSV", "x\n", T0)
    _write(folder / "lookups-2026-W49.csv.gz", "x\n", T0)
    _write(folder / "sub" / "lookups-2026-W50.csv", "x\n", T0)
    _write(folder / "README.md", "about these files\n", T0)
    assert inputs.not_read(str(tmp_path), "oos_lookups", "*.csv") == [
        "oos_lookups/lookups-2026-W48.CSV",
        "oos_lookups/lookups-2026-W49.csv.gz",
        "oos_lookups/sub/",
    ]
    assert inputs.not_read(str(tmp_path), "lost_sales", "*.csv") == []  # no such folder


def test_what_the_top_of_an_inputs_folder_holds_that_is_not_read_is_named(tmp_path):
    """A misnamed source folder or a week's file left at the top is named by `unmet run`; the
    sources' folders, the generator's truth/, a README and dot-files are not."""
    for folder in ("frontline_notes", "oos-lookups", "truth"):
        (tmp_path / folder).mkdir()
    _write(tmp_path / "lost_sales-2026-W47.csv", "x\n", T0)
    _write(tmp_path / "README.md", "about\n", T0)
    _write(tmp_path / ".DS_Store", "x", T0)
    assert inputs.not_read_at_top(str(tmp_path), frozenset({"frontline_notes", "lost_sales"})) == [
        "lost_sales-2026-W47.csv",
        "oos-lookups/",
    ]
