from __future__ import annotations

import pickle

import pyarrow as pa

from pipelines.demand.transforms import ArrowTableCoder


def test_arrow_table_coder_round_trips_schema_nulls_and_chunks():
    schema = pa.schema([("week", pa.string()), ("n", pa.int64())], metadata={b"k": b"v"})
    table = pa.concat_tables(
        [
            pa.table({"week": ["2026-W47", None], "n": [1, None]}, schema=schema),
            pa.table({"week": ["2026-W48"], "n": [3]}, schema=schema),
        ]
    )
    coder = ArrowTableCoder()
    decoded = coder.decode(coder.encode(table))
    assert decoded.schema == table.schema
    assert decoded.schema.metadata == {b"k": b"v"}
    assert decoded.to_pylist() == table.to_pylist()
    assert pickle.loads(pickle.dumps(coder)).decode(coder.encode(table)).equals(table)
