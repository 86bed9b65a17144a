from __future__ import annotations

import pyarrow as pa

from pipelines.ingest.tables import bucket_of, first_occurrences, split_by_bucket, split_by_value


def table(rows):
    return pa.Table.from_pylist(rows)


def test_bucket_is_stable_across_processes():
    # crc32, not hash(): the same id lands in the same bucket in every worker.
    assert bucket_of("L-1", 16) == 3
    assert {bucket_of(f"id-{i}", 4) for i in range(100)} == {0, 1, 2, 3}


def test_first_occurrence_wins_by_file_then_line_and_the_rest_are_quarantined():
    rows = [
        {"id": "b", "source_file": "x/2.csv", "source_line": 2},
        {"id": "a", "source_file": "x/1.csv", "source_line": 3},
        {"id": "b", "source_file": "x/1.csv", "source_line": 9},
        {"id": "b", "source_file": "x/1.csv", "source_line": 4},
    ]
    kept, rejects = first_occurrences(table(rows), "id", "oos_lookups")
    assert kept.to_pylist() == [
        {"id": "a", "source_file": "x/1.csv", "source_line": 3},
        {"id": "b", "source_file": "x/1.csv", "source_line": 4},
    ]
    assert [(r["source_file"], r["source_line"], r["reason"]) for r in rejects.to_pylist()] == [
        ("x/1.csv", 9, "duplicate id 'b': first seen in x/1.csv line 4"),
        ("x/2.csv", 2, "duplicate id 'b': first seen in x/1.csv line 4"),
    ]


def test_splits_are_complete_and_disjoint():
    t = table([{"id": f"r{i}", "day": f"2026-11-{10 + i % 3}"} for i in range(30)])
    by_bucket = dict(split_by_bucket(t, "id", 4))
    assert sum(p.num_rows for p in by_bucket.values()) == 30
    by_day = dict(split_by_value(t, "day"))
    assert sorted(by_day) == ["2026-11-10", "2026-11-11", "2026-11-12"]
    assert [p.num_rows for p in by_day.values()] == [10, 10, 10]


def test_first_occurrences_matches_a_plain_loop_on_many_repeats():
    import random

    rng = random.Random(5)
    rows = [
        {"id": f"i{rng.randrange(40)}", "source_file": f"f{rng.randrange(3)}.csv", "source_line": n}
        for n in range(300)
    ]
    kept, rejects = first_occurrences(table(rows), "id", "oos_lookups")
    first: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: (r["id"], r["source_file"], r["source_line"])):
        first.setdefault(row["id"], row)
    assert kept.to_pylist() == sorted(first.values(), key=lambda r: r["id"])
    expected = sorted(
        (r["source_file"], r["source_line"], f"duplicate id {r['id']!r}: first seen in "
         f"{first[r['id']]['source_file']} line {first[r['id']]['source_line']}")
        for r in rows
        if r is not first[r["id"]]
    )  # fmt: skip
    got = sorted((r["source_file"], r["source_line"], r["reason"]) for r in rejects.to_pylist())
    assert got == expected
    assert kept.num_rows + rejects.num_rows == len(rows)
