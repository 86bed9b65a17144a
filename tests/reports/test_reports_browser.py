"""Headless Chromium renders the weekly report and a store page: headline numbers, SVG charts, no
console errors, and nothing clipped or overflowing at a phone's width (390 px) or a desktop's (1400 px).

The layout check shows each page in an iframe of each width (Chromium windows are at least 500 px
wide) and runs layout_probe.js on it, which measures the laid-out page (scrollWidth against
clientWidth of the page and of every table, figure and card; elements that cut their content off;
chart text outside its chart) and writes the problems into the DOM: one Chromium run for all.

Skipped where Chromium is not installed (`make browser` installs it; `make test` depends on it).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from reports_png import distinct_colors

from pipelines.reports import render, store

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make browser)")
PROBE = (Path(__file__).parent / "layout_probe.js").read_text()
WIDTHS = (390, 768, 1400, 1920)


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


@pytest.fixture(scope="module")
def store_html(synthetic_root: Path, report_html: Path) -> Path:
    return store.write_store(
        synthetic_root / "unmet.duckdb", synthetic_root / "reports", "2026-W47", "S003"
    )


def framed(frames: dict[str, tuple[Path, int]], height: int, probe: bool, out: Path) -> Path:
    """A page showing each (page, width) in an iframe that wide; with `probe`, each is measured."""
    script = f"<script>{PROBE}</script>" if probe else ""
    iframes = "".join(
        f"<iframe data-key='{key}' style='border:0;display:block;width:{width}px;"
        f'height:{height}px\' srcdoc="{html.escape(page.read_text())}"'
        + (" onload='layoutProbe(this)'" if probe else "")
        + "></iframe>"
        for key, (page, width) in frames.items()
    )
    out.write_text(
        f"<!doctype html><html><body style='margin:0'>{script}{iframes}</body></html>",
        encoding="utf-8",
    )
    return out


def layout_problems(frames: dict[str, tuple[Path, int]], tmp: Path) -> dict[str, list[str]]:
    """key -> what overflows or is clipped when its page is laid out at its width, all measured in
    one Chromium run (layout_probe.js)."""
    wrapper = framed(frames, 1000, probe=True, out=tmp / "framed.html")
    result = chromium(
        tmp, wrapper.as_uri(), "--dump-dom", "--hide-scrollbars", "--window-size=2000,1000"
    )
    found = dict(
        re.findall(r"<pre class=\"layout-probe\" data-key=\"([^\"]+)\">(.*?)</pre>", result.stdout)
    )
    assert set(found) == set(frames), result.stderr[-2000:]
    out = {}
    for key, text in found.items():
        report = json.loads(html.unescape(text))
        assert report["viewport"] == frames[key][1]  # really laid out at this width
        out[key] = report["problems"]
    return out


@pytest.fixture(scope="module")
def layouts(
    report_html: Path, store_html: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[str]]:
    pages = {"report": report_html, "store": store_html}
    frames = {f"{which}-{w}": (page, w) for which, page in pages.items() for w in WIDTHS}
    return layout_problems(frames, tmp_path_factory.mktemp("layout"))


def test_layout_probe_catches_overflow_and_clipping(tmp_path: Path):
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><head><meta name='viewport' content='width=device-width'></head><body>"
        "<table><tr><td style='white-space:nowrap'>" + "wide " * 200 + "</td></tr></table>"
        "<div class='card' style='width:80px;overflow:hidden;white-space:nowrap'>EUR 2,334,630 "
        "runs out of its card</div><svg viewBox='0 0 100 20' width='100'><text x='-30' y='10'>"
        "clipped label</text></svg></body></html>"
    )
    fine = tmp_path / "fine.html"
    fine.write_text("<html><body><p>short</p></body></html>")
    problems = layout_problems({"bad": (page, 390), "fine": (fine, 390)}, tmp_path)
    bad = problems["bad"]
    assert any(p.startswith("page scrolls sideways") for p in bad), bad
    assert any(p.startswith("text cut off") and "runs out" in p for p in bad), bad
    assert any(p.startswith("chart text clipped: «clipped label»") for p in bad), bad
    assert problems["fine"] == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["report", "store"])
def test_nothing_overflows_or_is_clipped(which: str, width: int, layouts: dict[str, list[str]]):
    assert layouts[f"{which}-{width}"] == []


def test_store_page_at_phone_width_is_not_blank(store_html: Path, tmp_path: Path):
    """A screenshot of the store page 390 px wide (left in tmp_path to look at)."""
    wrapper = framed({"store": (store_html, 390)}, 3000, probe=False, out=tmp_path / "f.html")
    shot = tmp_path / "store-390.png"
    chromium(tmp_path, wrapper.as_uri(), f"--screenshot={shot}", "--window-size=500,3000")
    assert distinct_colors(shot, max_rows=700) > 50


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
