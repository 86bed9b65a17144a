"""Progress of `unmet run`: the probes (pipelines/progress.py) count what a step has written, and
the display (cli/progress.py) draws a tqdm bar on a terminal and time-stamped lines elsewhere.

No test waits a fixed time: a watch's updates are awaited through the probe being called.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pyarrow as pa
import pytest

from cli import progress as display
from pipelines import flow, progress
from pipelines import io as pio
from pipelines.ingest.transforms import keys_path, part_path
from pipelines.progress import Snapshot

TINY = Path(__file__).parent / "data" / "tiny"


# --- the display -------------------------------------------------------------------------------


class Steps:
    """A probe that returns `snapshots` one after another (then the last one again), and lets a
    test wait until it has been called `n` times."""

    def __init__(self, *snapshots: Snapshot) -> None:
        self._snapshots = snapshots
        self.calls = 0
        self._called = threading.Condition()

    def __call__(self) -> Snapshot:
        with self._called:
            self.calls += 1
            self._called.notify_all()
        return self._snapshots[min(self.calls, len(self._snapshots)) - 1]

    def wait_for(self, n: int) -> None:
        with self._called:
            assert self._called.wait_for(lambda: self.calls >= n, timeout=60)


STEPS = (
    Snapshot(3, 40, "files", (("records", 250_000),), 0.1),
    Snapshot(12, 40, "files", (("records", 1_234_567),), 0.3),
)


def test_off_a_terminal_a_long_step_adds_time_stamped_lines_with_its_counts():
    out = io.StringIO()
    shown = display.Display(out, bar=False, every=0.001)
    probe = Steps(*STEPS)
    with shown.watch("ingest", probe):
        probe.wait_for(3)  # two updates printed, a third under way
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2
    pattern = (r"\[\d\d:\d\d:\d\d\] ingest: 12 of 40 files, 1\.23M records, "
               r"[\d.,]+[kM]? records/s, about \w+ left")  # fmt: skip
    assert re.fullmatch(pattern, lines[-1]), lines[-1]
    assert "\r" not in out.getvalue() and "%|" not in out.getvalue()  # nothing redrawn


def test_on_a_terminal_a_step_is_a_progress_bar_erased_at_its_end(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    shown = display.Display(out, bar=True, every=0.001)
    probe = Steps(*STEPS)
    with shown.watch("ingest", probe):
        probe.wait_for(3)
    text = out.getvalue()
    frames = [f for f in text.split("\r") if f.strip()]
    assert any(re.search(r"ingest:  30%\|█+", f) for f in frames), frames
    assert any("12 of 40 files, 1.23M records" in f and "records/s" in f for f in frames)
    assert text.endswith("\r") and not text.rstrip("\r").split("\r")[-1].strip()  # erased
    assert "\x1b[3" not in text  # no colour


def test_messages_are_time_stamped_off_a_terminal_and_go_to_the_log(caplog):
    import logging

    out = io.StringIO()
    log = logging.getLogger("unmet.test_progress")
    with caplog.at_level(logging.INFO, logger=log.name):
        display.Display(out, log, bar=False)("ingest done in 1.0s: 5 of 5 files")
    assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] ingest done in 1\.0s: 5 of 5 files\n", out.getvalue())
    assert caplog.messages == ["ingest done in 1.0s: 5 of 5 files"]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "env", "bar"),
    [
        (io.StringIO(), {}, False),  # a pipe or a file: lines
        (Tty(), {}, True),
        (Tty(), {"TERM": "dumb"}, False),
        (Tty(), {"UNMET_PROGRESS": "lines"}, False),
        (io.StringIO(), {"UNMET_PROGRESS": "bar"}, True),
    ],
)
def test_a_bar_only_on_a_terminal_unless_told(stream, env, bar, monkeypatch):
    monkeypatch.delenv("UNMET_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert display.wants_bar(stream) is bar


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.4, "0s"), (45, "45s"), (150, "2m"), (3599, "60m"), (3900, "1h05m")]
)
def test_time_left_is_written_briefly(seconds, text):
    assert display.left(seconds) == text


@pytest.mark.parametrize(("n", "text"), [(12_788, "12.8k"), (9_999, "9,999"), (1_234_567, "1.23M")])
def test_counts_are_compact_while_running(n, text):
    assert progress.compact(n) == text


def test_a_step_with_nothing_known_yet_says_no_time_left():
    line = display.line("demand", Snapshot(0, 168, "staged files"), 3.0)
    assert line == "demand: 0 of 168 staged files"


# --- the probes --------------------------------------------------------------------------------


def _rows(n: int) -> pa.Table:
    return pa.table({"record_id": [f"R{i}" for i in range(n)]})


def test_the_ingest_probe_counts_parsed_files_and_rows_and_skips_a_half_written_part(tmp_path):
    out = tmp_path / "run"
    parts = str(out / pio.PARTS_FOLDER / "facts")
    probe = progress.ingest(str(TINY), str(out))
    assert probe() == Snapshot(0, 5, "files", (("records", 0),), 0.0)
    # lost_sales (its only file, number 0) parsed: a batch part and its keys
    pio.write_arrow(part_path(parts, "lost_sales", 0, 0), _rows(4))
    pio.write_arrow(keys_path(parts, "lost_sales", 0, 1), _rows(4))
    # frontline_notes: one batch written, another still being written
    pio.write_arrow(part_path(parts, "frontline_notes", 0, 0), _rows(3))
    Path(part_path(parts, "frontline_notes", 0, 1)).write_bytes(b"ARROW1\x00\x00half")
    seen = probe()
    assert seen is not None
    assert (seen.done, seen.total, seen.counts) == (1, 5, (("records", 7),))
    assert 0 < seen.share < 0.7
    assert "1 of 5 files, 7 records" in display.line("ingest", seen, 1.0)
    # the commit step removes the parts before it writes its record: nothing goes backwards
    import shutil

    shutil.rmtree(out / pio.PARTS_FOLDER)
    pio.write_parquet(str(out / "stg_lost_sales" / "part-00000.parquet"), _rows(4))
    after = probe()
    assert after is not None and after.counts == (("records", 7),) and after.done == 1
    assert after.share >= seen.share


def test_the_ingest_probe_ends_with_the_commit_record(tmp_path):
    out = tmp_path / "run"
    pio.write_json(
        flow.commit_path(str(out), "ingest"),
        {"datasets": {"stg_lost_sales": {"files": 1, "rows": 4},
                      "rejects": {"files": 1, "rows": 1},
                      "ingest_files": {"files": 1, "rows": 5}}},
    )  # fmt: skip
    done = progress.ingest(str(TINY), str(out))()
    assert done == Snapshot(5, 5, "files", (("records read", 5),), 1.0)
    assert done.describe(exact=True) == "5 of 5 files, 5 records read"


def test_the_demand_probe_counts_staged_files_then_units(tmp_path):
    out = tmp_path / "run"
    for day in ("2026-11-17", "2026-11-18"):
        target = out / "stg_lost_sales" / f"event_date={day}" / "part-00000.parquet"
        pio.write_parquet(str(target), _rows(2))
    probe = progress.demand(str(out))
    signals = out / pio.PARTS_FOLDER / "signals" / "lost_sales"
    pio.write_arrow(str(signals / "00000-2026-W47-00000.arrow"), _rows(2))
    pio.write_arrow(str(signals / "00000-2026-W47-00001.arrow"), _rows(1))
    assert probe() == Snapshot(1, 2, "staged files", (("signals", 3),), 0.25)
    events = out / "demand_events" / "iso_week=2026-W47"
    pio.write_parquet(str(events / "part-00001.parquet"), _rows(1))
    (events / "part-00000.parquet").write_bytes(b"PAR1 being written")
    assert probe() == Snapshot(1, 2, "units", (("signals", 3), ("events", 1)), 0.75)


def test_the_marts_and_report_probes_count_finished_files(tmp_path):
    (tmp_path / "mart_a" / "iso_week=2026-W47").mkdir(parents=True)  # a week being written
    (tmp_path / "mart_a" / "iso_week=2026-W47" / "part-00000.parquet").write_bytes(b"x")
    assert progress.marts(tmp_path, ["mart_a", "mart_b"])() == Snapshot(1, 2, "marts")
    (tmp_path / "reports" / "2026-W47").mkdir(parents=True)
    (tmp_path / "reports" / "2026-W47" / "report.html").write_text("<html>")
    probe = progress.reports(tmp_path / "reports", ["2026-W46", "2026-W47"])
    assert probe() == Snapshot(1, 2, "reports")


def test_a_probe_that_meets_a_vanished_folder_reports_nothing_instead_of_failing():
    def vanished() -> Snapshot:
        raise FileNotFoundError("the commit step removed it")

    assert progress.safe(vanished)() is None


def test_a_bar_drawn_into_a_pipe_or_file_is_not_cut_to_a_guessed_width():
    assert display.width(io.StringIO()) is None


class GoneTerminal(io.StringIO):
    """A terminal that went away (a closed pty): every write fails with EIO."""

    def write(self, text: str) -> int:
        raise OSError(5, "Input/output error")


def test_a_terminal_that_went_away_stops_the_display_not_the_run(caplog):
    import logging

    log = logging.getLogger("unmet.test_progress")
    shown = display.Display(GoneTerminal(), log, bar=False, every=0.001)
    probe = Steps(*STEPS)
    with caplog.at_level(logging.INFO, logger=log.name):
        shown("ingest ...")
        with shown.watch("ingest", probe):
            probe.wait_for(3)
        shown("ingest done in 1.0s")
    assert caplog.messages == ["ingest ...", "ingest done in 1.0s"]


def test_an_exit_error_on_a_terminal_that_went_away_still_exits_with_its_code():
    from cli.common import ExitError

    err = ExitError("stopped by SIGHUP; nothing published", 129)
    err.show(GoneTerminal())  # SIGHUP: its terminal is gone; the message cannot be shown
    assert err.exit_code == 129
