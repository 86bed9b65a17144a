"""Headless Chromium renders the weekly report: headline numbers, SVG charts, no console errors.

Skipped where Chromium is not installed (`make browser` installs it; `make test` depends on it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from reports_png import distinct_colors

from pipelines.reports import render

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make browser)")


def chromium(tmp: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.fixture(scope="module")
def report_html(synthetic_root: Path) -> Path:
    folder = render.write_weekly(
        synthetic_root / "unmet.duckdb", synthetic_root / "reports", "2026-W47"
    )
    return folder / "report.html"


def test_console_errors_are_detected(tmp_path: Path):
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>throw new Error('boom')</script></body></html>")
    result = chromium(tmp_path, page.as_uri(), "--dump-dom")
    assert any("boom" in line for line in console_errors(result.stderr))


def test_report_renders_numbers_and_charts(report_html: Path, synthetic_root: Path, tmp_path: Path):
    result = chromium(tmp_path, report_html.as_uri(), "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert console_errors(result.stderr) == []
    con = duckdb.connect(str(synthetic_root / "unmet.duckdb"), read_only=True)
    events, lost = con.execute(
        "select events, lost_revenue_eur from rpt_weekly_headline where iso_week = '2026-W47'"
    ).fetchone()
    con.close()
    text = re.sub(r"<[^>]+>", " ", dom)
    assert f"customers left {events:,} times" in " ".join(text.split())
    assert f"€{lost:,.0f}" in dom
    assert len(re.findall(r"<svg[ >]", dom)) >= 4
    assert len(re.findall(r"<(?:polyline|rect|circle)[ >]", dom)) > 50
    assert "<script" not in dom.split("<body", 1)[1].split("</body>")[0].replace(
        "&lt;script", ""
    )  # the note with <script> in it is escaped, never live


def test_report_screenshot_is_not_blank(report_html: Path, tmp_path: Path):
    shot = tmp_path / "report.png"
    result = chromium(
        tmp_path, report_html.as_uri(), f"--screenshot={shot}", "--window-size=1280,2000"
    )
    assert shot.exists(), result.stderr[-2000:]
    assert console_errors(result.stderr) == []
    assert distinct_colors(shot, max_rows=700) > 100
