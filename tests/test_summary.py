"""The run summary's balance: records and physical lines (pipelines/summary.py)."""

from __future__ import annotations

import pytest

from pipelines.summary import CountMismatch, SourceCount, check, render


def count(**changes: int) -> SourceCount:
    fields = dict(source="lost_sales", files=2, read=10, accepted=4, quarantined=6,
                  lines_read=14, lines_skipped=2, lines_parsed=9, lines_rejected=3)  # fmt: skip
    return SourceCount(**{**fields, **changes})


def test_balanced_records_and_lines_pass_and_print_the_lines():
    check([count()])
    assert render([count()]).splitlines()[1].split() == [
        "lost_sales", "2", "10", "4", "6", "14", "ok"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quarantined": 5}, "lost_sales: read 10 but accepted 4 + quarantined 5"),
        (
            {"lines_read": 15},
            "lost_sales: 15 lines read but 2 skipped + 9 in records parsed + "
            "3 in records quarantined",
        ),  # fmt: skip
    ],
    ids=["records", "lines"],
)
def test_a_lost_record_or_line_stops_the_run(changes, message):
    with pytest.raises(CountMismatch, match=message.replace("+", r"\+")):
        check([count(), count(**changes)])
    assert "MISMATCH" in render([count(**changes)])
