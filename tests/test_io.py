"""pipelines/io.py: intermediate Arrow parts, background Parquet writes, removing a folder."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines import io


def test_background_writes_are_all_on_disk_after_wait(tmp_path):
    writes = io.BackgroundWrites(pending=1)
    tables = {tmp_path / f"w{n}" / "part.parquet": pa.table({"n": [n] * 3}) for n in range(5)}
    for path, table in tables.items():
        writes.write(str(path), table)
    writes.wait()
    writes.close()
    for path, table in tables.items():
        assert pq.read_table(path).equals(table)


def test_a_failed_background_write_fails_the_bundle(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    writes = io.BackgroundWrites()
    writes.write(str(blocker / "part.parquet"), pa.table({"n": [1]}))  # parent is a file
    with pytest.raises(Exception):  # noqa: B017 - whatever the file system raises, it surfaces
        writes.wait()
    writes.close()


def test_arrow_parts_round_trip_and_remove_tree_leaves_nothing(tmp_path):
    table = pa.table({"id": ["a", "b"], "n": [1, None]})
    root = tmp_path / "_parts"
    io.write_arrow(str(root / "x" / "part-00000.arrow"), table)
    assert io.read_arrow(str(root / "x" / "part-00000.arrow")).equals(table)
    io.remove_tree(str(root))
    assert not root.exists()
    io.remove_tree(str(root))  # absent: nothing to do, no error
