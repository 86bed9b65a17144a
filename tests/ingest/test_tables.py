from __future__ import annotations

import pyarrow as pa

from pipelines.ingest.tables import (
    KEY_COLUMNS,
    bucket_of,
    drop_rows,
    find_duplicates,
    keys_table,
    split_by_bucket,
    split_by_value,
)


def table(rows):
    return pa.Table.from_pylist(rows)


def test_bucket_is_stable_across_processes():
    # crc32, not hash(): the same id lands in the same bucket in every worker.
    assert bucket_of("L-1", 16) == 3
    assert {bucket_of(f"id-{i}", 4) for i in range(100)} == {0, 1, 2, 3}


def _keys(rows):
    """KEY_COLUMNS of `rows` (files numbered in name order; `row` is the position in `rows`)
    and the names of the file numbers."""
    names = sorted({r["source_file"] for r in rows})
    keys = pa.table(
        {
            "record_id": [r["id"] for r in rows],
            "source_line": [r["source_line"] for r in rows],
            "part": pa.array([names.index(r["source_file"]) for r in rows], pa.int32()),
            "row": pa.array(range(len(rows)), pa.int32()),
        }
    )
    return keys, dict(enumerate(names))


def test_first_occurrence_wins_by_file_then_line_and_the_rest_are_dropped():
    rows = [
        {"id": "b", "source_file": "x/2.csv", "source_line": 2},
        {"id": "a", "source_file": "x/1.csv", "source_line": 3},
        {"id": "b", "source_file": "x/1.csv", "source_line": 9},
        {"id": "b", "source_file": "x/1.csv", "source_line": 4},
    ]
    keys, names = _keys(rows)
    drops = find_duplicates(keys, "id", names)
    got = zip(drops.column("row").to_pylist(), drops.column("reason").to_pylist(), strict=True)
    assert sorted(got) == [
        (0, "duplicate id 'b': first seen in x/1.csv line 4"),
        (2, "duplicate id 'b': first seen in x/1.csv line 4"),
    ]
    kept, rejects = drop_rows(table(rows), drops, "id", "oos_lookups")
    assert kept.to_pylist() == [rows[1], rows[3]]
    assert [(r["source_file"], r["source_line"], r["record_id"]) for r in rejects.to_pylist()] == [
        ("x/2.csv", 2, "b"),
        ("x/1.csv", 9, "b"),
    ]
    assert rejects.column("raw").to_pylist() == ['{"id": "b"}', '{"id": "b"}']


def test_keys_table_points_at_each_row_of_its_part():
    rows = table([{"sale_id": "s2", "source_file": "f.csv", "source_line": 7},
                  {"sale_id": "s1", "source_file": "f.csv", "source_line": 8}])  # fmt: skip
    keys = keys_table(rows, "sale_id", 3)
    assert keys.column_names == list(KEY_COLUMNS)
    assert keys.to_pylist() == [
        {"record_id": "s2", "source_line": 7, "part": 3, "row": 0},
        {"record_id": "s1", "source_line": 8, "part": 3, "row": 1},
    ]
    assert find_duplicates(keys, "sale_id", {3: "f.csv"}).num_rows == 0


def test_splits_are_complete_and_disjoint():
    t = table([{"id": f"r{i}", "day": f"2026-11-{10 + i % 3}"} for i in range(30)])
    by_bucket = dict(split_by_bucket(t, "id", 4))
    assert sum(p.num_rows for p in by_bucket.values()) == 30
    by_day = dict(split_by_value(t, "day"))
    assert sorted(by_day) == ["2026-11-10", "2026-11-11", "2026-11-12"]
    assert [p.num_rows for p in by_day.values()] == [10, 10, 10]


def test_find_duplicates_matches_a_plain_loop_on_many_repeats():
    import random

    rng = random.Random(5)
    rows = [
        {"id": f"i{rng.randrange(40)}", "source_file": f"f{rng.randrange(3)}.csv", "source_line": n}
        for n in range(300)
    ]
    keys, names = _keys(rows)
    drops = find_duplicates(keys, "id", names)
    first: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: (r["id"], r["source_file"], r["source_line"])):
        first.setdefault(row["id"], row)
    expected = sorted(
        (n, f"duplicate id {r['id']!r}: first seen in "
         f"{first[r['id']]['source_file']} line {first[r['id']]['source_line']}")
        for n, r in enumerate(rows)
        if r is not first[r["id"]]
    )  # fmt: skip
    got = sorted(
        zip(drops.column("row").to_pylist(), drops.column("reason").to_pylist(), strict=True)
    )
    assert got == expected
    kept, rejects = drop_rows(table(rows), drops, "id", "oos_lookups")
    assert sorted(r["id"] for r in kept.to_pylist()) == sorted(first)
    assert kept.num_rows + rejects.num_rows == len(rows)
