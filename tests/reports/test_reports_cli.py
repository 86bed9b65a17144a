"""End to end through the CLI: `unmet run` on the tiny inputs, then report, store page, follow-ups
and query on its data root. The data-quality gate (tested in tests/checks) is stubbed out here to
keep the run short; `test_query_while_run_rebuilds` runs the real, unstubbed job in a subprocess.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cli.main import cli

TINY = Path(__file__).parents[1] / "data" / "tiny"
WEEK = "2026-W47"
EXTRA_NOTES = [
    {
        "note_id": "N-5",
        "store_id": "S002",
        "channel": "store",
        "associate_id": "A7",
        "captured_at": "2026-11-18T12:00:00+01:00",
        "sku": None,
        "customer_ref": "C-5",
        "customer_consent": True,
        "text": "<script>alert(1)</script> wanted a green plaid coat size M, mail jo@example.com",
    },
    {
        "note_id": "N-6",
        "store_id": "S001",
        "channel": "store",
        "associate_id": "A1",
        "captured_at": "2026-11-19T12:00:00+01:00",
        "sku": None,
        "customer_ref": "C-6",
        "customer_consent": False,
        "text": '=HYPERLINK("x") red floral scarf',
    },
]
NEW_CATALOG = """sku,style,category,color,pattern,size,list_price
NEW-1,Check coat,coat,sage,plaid,M,199.00
NEW-2,Wool overcoat,coat,navy,solid,L,189.00
NEW-3,Silk scarf,scarf,crimson,floral,OS,49.00
NEW-4,Check coat,coat,sage,plaid,L,199.00
"""


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def make_inputs(target: Path) -> Path:
    shutil.copytree(TINY, target)
    notes = next((target / "frontline_notes").glob("*.jsonl"))
    with notes.open("a", encoding="utf-8") as handle:
        for note in EXTRA_NOTES:
            handle.write(json.dumps(note) + "\n")
    return target


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipelines import job

    base = tmp_path_factory.mktemp("e2e")
    inputs = make_inputs(base / "inputs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(job, "_checks", lambda *_: None)
        result = invoke(
            "run",
            "--data-root",
            str(base / "data"),
            "--inputs",
            str(inputs),
            "--as-of",
            "2026-11-25",
            "--week",
            WEEK,
        )
    assert result.exit_code == 0, result.output
    return base / "data"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
def test_run_writes_the_weekly_report(root: Path):
    folder = root / "reports" / WEEK
    html = (folder / "report.html").read_text()
    assert "What customers asked for and did not get" in html and "<svg" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    headline = read_csv(folder / "rpt_weekly_headline.csv")
    assert headline[-1]["iso_week"] == WEEK and int(headline[-1]["events"]) >= 5
    for name in (
        "rpt_top_attributes",
        "rpt_not_carried",
        "rpt_substitutes",
        "rpt_store_ranking",
        "rpt_category_summary",
        "rpt_attribute_trend",
    ):
        assert (folder / f"{name}.csv").exists()


@pytest.mark.slow
def test_report_default_week_is_the_week_with_data(root: Path):
    result = invoke("report", "--data-root", str(root))
    assert result.exit_code == 0, result.output
    assert f"(week {WEEK})" in result.output


@pytest.mark.slow
def test_report_refuses_a_bad_week_and_a_missing_database(root: Path, tmp_path: Path):
    bad = invoke("report", "--data-root", str(root), "--week", "2026-W60")
    assert bad.exit_code == 2 and "not an ISO week" in bad.output
    missing = invoke("report", "--data-root", str(tmp_path))
    assert missing.exit_code == 1 and "run `unmet run" in missing.output


@pytest.mark.slow
def test_store_page_escapes_notes_and_lists_consenting_customers(root: Path):
    result = invoke("report", "--data-root", str(root), "--week", WEEK, "--store", "S002")
    assert result.exit_code == 0, result.output
    page = root / "reports" / WEEK / "stores" / "S002.html"
    html = page.read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "jo@example.com" not in html
    followups = read_csv(page.with_name("S002.followups.csv"))
    assert [r["customer_ref"] for r in followups] == ["C-5"]
    assert {r["color"] for r in followups} == {"green"}
    # what the customer asked for, in their (redacted) words, on the page and in the CSV
    assert "green plaid coat size M" in followups[0]["asked_for"]
    assert "jo@example.com" not in followups[0]["asked_for"]
    assert "What they asked for" in html and "times in Europe/" in html


def test_store_id_matches_in_any_letter_case(root: Path):
    result = invoke("report", "--data-root", str(root), "--week", WEEK, "--store", "s002")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"stores/S002.html (week {WEEK})")


@pytest.mark.slow
def test_store_csv_cells_are_formula_safe(root: Path):
    assert (
        invoke("report", "--data-root", str(root), "--week", WEEK, "--store", "S001").exit_code == 0
    )
    notes = read_csv(root / "reports" / WEEK / "stores" / "S001.notes.csv")
    texts = [r["redacted_text"] for r in notes]
    assert any(t.startswith("'=HYPERLINK") for t in texts), texts
    assert not any(t.startswith("=") for t in texts)
    # a value the customer did not state is an empty cell, not '- (a quoted dash)
    cells = [
        v for r in read_csv(root / "reports" / WEEK / "rpt_not_carried.csv") for v in r.values()
    ]
    assert cells and "'-" not in cells and "-" not in cells


@pytest.mark.slow
def test_unknown_store_is_a_clear_error(root: Path):
    result = invoke("report", "--data-root", str(root), "--week", WEEK, "--store", "S999")
    assert result.exit_code == 1
    assert "unknown store 'S999'; known stores: S001, S002" in result.output


@pytest.mark.slow
def test_followups_match_attributes_and_need_consent(root: Path, tmp_path: Path):
    catalog = tmp_path / "new.csv"
    catalog.write_text(NEW_CATALOG)
    out = tmp_path / "calls.csv"
    result = invoke(
        "followups", "--data-root", str(root), "--catalog", str(catalog), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    got = {
        (
            r["customer_ref"],
            r["store_id"],
            r["category"],
            r["color"],
            r["pattern"],
            r["size"],
            r["style_1"],
            r["skus_1"],
        )
        for r in rows
    }
    assert got == {
        ("C-1", "S001", "coat", "blue", "solid", "L", "Wool overcoat", "NEW-2"),  # navy is blue
        ("C-5", "S002", "coat", "green", "plaid", "M", "Check coat", "NEW-1"),  # sage is green
    }
    assert {(r["customer_ref"], r["last_asked_on"], r["times_asked"]) for r in rows} == {
        ("C-1", "2026-11-17", "1"),
        ("C-5", "2026-11-18", "1"),
    }
    # C-1 was listed above (the ledger, docs/followups.md): listed again only with --include-sent
    args = ("followups", "--data-root", str(root), "--catalog", str(catalog), "--store", "S001")
    assert list(csv.DictReader(invoke(*args).stdout.splitlines())) == []
    only = invoke(*args, "--include-sent")
    assert [r["customer_ref"] for r in csv.DictReader(only.stdout.splitlines())] == ["C-1"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sku,style\nA,b\n", "header must be sku,style,category,color,pattern,size,list_price"),
        (
            "sku,style,category,color,pattern,size,list_price\nA,s,coat,red,solid,L,abc\n",
            "bad.csv:2: list_price",
        ),
        (
            "sku,style,category,color,pattern,size,list_price\nA,s,coat\n",
            "bad.csv:2: expected 7 fields",
        ),
        ("sku,style,category,color,pattern,size,list_price\n", "the catalog has no rows"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
    ],
)
def test_followups_refuse_a_bad_catalog(root: Path, tmp_path: Path, content, message):
    catalog = tmp_path / "bad.csv"
    catalog.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = invoke("followups", "--data-root", str(root), "--catalog", str(catalog))
    assert result.exit_code == 1 and message in result.output, result.output
    missing = invoke("followups", "--data-root", str(root), "--catalog", str(tmp_path / "no.csv"))
    assert missing.exit_code == 1 and "catalog file not found" in missing.output


@pytest.mark.slow
def test_query_formats(root: Path, tmp_path: Path):
    sql = "select iso_week, events from rpt_weekly_headline"
    table = invoke("query", "--data-root", str(root), sql)
    assert table.exit_code == 0 and table.output.splitlines()[0].split() == ["iso_week", "events"]
    assert "(1 row)" in table.output
    as_csv = invoke("query", "--data-root", str(root), sql, "--format", "csv")
    assert as_csv.output.splitlines()[1].startswith(f"{WEEK},")
    as_json = json.loads(invoke("query", "--data-root", str(root), sql, "--format", "json").output)
    assert as_json[0]["iso_week"] == WEEK
    out = tmp_path / "h.parquet"
    assert (
        invoke(
            "query", "--data-root", str(root), sql, "--format", "parquet", "--out", str(out)
        ).exit_code
        == 0
    )
    assert pq.read_table(out).column_names == ["iso_week", "events"]
    no_out = invoke("query", "--data-root", str(root), sql, "--format", "parquet")
    assert no_out.exit_code == 2 and "--out" in no_out.output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("drop view rpt_not_carried", "DROP statements are not allowed"),
        ("create table x as select 1", "CREATE statements are not allowed"),
        ("copy demand_events to 'x.csv'", "COPY statements are not allowed"),
        ("select 1; select 2", "one statement at a time"),
        ("select nope from demand_events", "nope"),
    ],
)
def test_query_refuses_writes_and_reports_sql_errors(root: Path, sql: str, message: str):
    result = invoke("query", "--data-root", str(root), sql)
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_help_has_examples():
    for name in ("report", "query", "followups"):
        assert "Example:" in invoke(name, "--help").output


@pytest.mark.slow
def test_query_while_run_rebuilds(root: Path, tmp_path: Path):
    """The real job rebuilds unmet.duckdb in a subprocess while queries run: all succeed."""
    data = tmp_path / "data"
    shutil.copytree(root, data, symlinks=True)
    unmet = [sys.executable, "-m", "cli"]
    run = subprocess.Popen(
        [
            *unmet,
            "run",
            "--data-root",
            str(data),
            "--inputs",
            str(make_inputs(tmp_path / "in")),
            "--as-of",
            "2026-11-25",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sql = (
        "select count(*) as n from demand_events join rpt_store_ranking using (iso_week, store_id)"
    )
    results = []
    try:
        while run.poll() is None or len(results) < 3:
            q = subprocess.run(
                [*unmet, "query", "--data-root", str(data), sql],
                capture_output=True,
                text=True,
                timeout=60,
            )
            results.append(q)
            time.sleep(0.1)
    finally:
        output = run.communicate(timeout=120)[0]
    assert run.returncode == 0, output
    failed = [(q.returncode, q.stderr[-500:]) for q in results if q.returncode != 0]
    assert failed == [] and len(results) >= 3
    after = subprocess.run(
        [*unmet, "query", "--data-root", str(data), sql], capture_output=True, text=True, timeout=60
    )
    assert after.returncode == 0, after.stderr


def test_a_report_written_while_another_run_publishes_stays_in_its_own_run(
    synthetic_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # review 9: the page was read from one run and written through the `reports` link into the
    # run published meanwhile, replacing that run's page with the older figures
    from pipelines.reports import store

    root = tmp_path / "data"
    for run in ("A", "B"):
        (root / "runs" / run / "reports").mkdir(parents=True)
        shutil.copy(synthetic_root / "unmet.duckdb", root / "runs" / run / "unmet.duckdb")
    (root / "published").symlink_to("runs/A")
    (root / "unmet.duckdb").symlink_to("published/unmet.duckdb")
    (root / "reports").symlink_to("published/reports")
    write_store = store.write_store

    def publish_b_then_write(*args: object) -> Path:
        (root / "published").unlink()
        (root / "published").symlink_to("runs/B")
        return write_store(*args)

    monkeypatch.setattr(store, "write_store", publish_b_then_write)
    result = CliRunner().invoke(
        cli, ["report", "--data-root", str(root), "--week", "2026-W47", "--store", "S001"]
    )
    assert result.exit_code == 1 and "a newer run was published" in result.output
    assert (root / "runs" / "A" / "reports" / "2026-W47" / "stores" / "S001.html").is_file()
    assert not list((root / "runs" / "B" / "reports").rglob("*"))


def test_a_store_page_of_a_week_without_a_chain_report_gets_one_to_link_to(
    synthetic_root: Path, tmp_path: Path
):
    # review 9: the page's "chain report" link (../report.html) pointed at nothing
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(synthetic_root / "unmet.duckdb", root / "unmet.duckdb")
    result = CliRunner().invoke(
        cli, ["report", "--data-root", str(root), "--week", "2026-W45", "--store", "S001"]
    )
    assert result.exit_code == 0, result.output
    page = root / "reports" / "2026-W45" / "stores" / "S001.html"
    assert "href='../report.html'" in page.read_text()
    assert (page.parent.parent / "report.html").is_file()
