"""`unmet followups` on a hand-written published run (no Beam): a catalog in real-world spelling,
one row per customer and item, only skus new since the previous catalog, the --weeks window,
quarantined catalog rows and the warnings."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from reports_golden import STORES, event, make_db

from cli.main import cli
from pipelines import warehouse
from pipelines.ingest.validate import Reference, Refused, catalog_row
from pipelines.reports.catalog_file import load_catalog
from pipelines.reports.followup_ledger import read_ledger, record, split_sent
from pipelines.reports.followups import find_followups
from pipelines.reports.tables import Table

HEADER = "sku,style,category,color,pattern,size,list_price\n"
#: The published run's catalog (what --since defaults to). P-3 was dropped from it.
PUBLISHED = [
    ("P-1", "Wool overcoat", "coat", "navy", "blue", "solid", "L"),
    ("P-2", "Midi dress", "dress", "red", "red", "solid", "38"),
]
CATALOG_FIELDS = ("sku", "style", "category", "color", "color_family", "pattern", "size")
#: A new catalog as shops write it. Lines: 2 = P-1 (already published), 3-12 new.
NEW_CATALOG = HEADER + (
    "P-1,Wool overcoat,coat,navy,solid,L,189.00\n"
    "N-1,Pea coat,Coat,Cobalt,Solid,Large,159.00\n"
    "N-2,Car coat,COAT,Navy,solid,l,149.00\n"
    "N-3,Slip dress,Dresss,Sage Green,plain,38,99.00\n"
    "N-4,Tea dress,Dress,Red,Floral,UK 8,89.00\n"
    "N-5,Oxford shirt,Shirt,White,Solid,Medium,49.00\n"
    "N-6,Linen shirt,shirt,Ivory,solid,m,59.00\n"
    "N-7,Slim jeans,Jeans,Black,Solid,32,79.00\n"
    "N-8,Parka,coat,,solid,L,199.00\n"
    "N-9,Widget,Gizmo,red,solid,OS,9.00\n"
    "P-3,Duffle coat,coat,black,solid,M,199.00\n"
    "N-10,Trench coat,Coat,Jet Black,Solid,Medium,229.00\n"
)
NEWEST = date(2026, 11, 20)  # the newest published demand: window ends Sunday 2026-11-22


def _consenting(
    rows: dict[str, list[dict[str, Any]]], eid: str, customer: str, consent: bool = True, **kw: Any
) -> None:
    """An event with a note by `customer` (consenting or not) linked to it."""
    e = event(eid, customer_ref=customer, n_notes=1, **kw)
    rows["demand_events"].append(e)
    note_id = f"N{eid}"
    rows["demand_signals"].append(
        {
            "signal_id": f"{note_id}#1",
            "source": "frontline_notes",
            "record_id": note_id,
            "item_no": 1,
            "store_id": e["store_id"],
            "occurred_at": e["first_at"],
            "event_date": e["event_date"],
            "iso_week": e["iso_week"],
            "quantity": 1,
            "event_id": eid,
            "link_reason": "first signal",
        }
    )
    rows["stg_frontline_notes"].append(
        {
            "note_id": note_id,
            "store_id": e["store_id"],
            "channel": "store",
            "captured_at": e["first_at"],
            "event_date": e["event_date"],
            "iso_week": e["iso_week"],
            "text": "wanted it",
            "redactions": 0,
            "customer_ref": customer,
            "customer_consent": consent,
            "demanded": [],
            "rejected_colors": [],
        }
    )


def _at(day: date, hour: int = 10) -> dict[str, Any]:
    return {"event_date": day, "first_at": datetime(day.year, day.month, day.day, hour, tzinfo=UTC)}


def published_rows() -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {
        "demand_events": [],
        "demand_signals": [],
        "stg_frontline_notes": [],
        "stg_stores": STORES,
        "stg_catalog": [
            dict(zip(CATALOG_FIELDS, p, strict=True)) | {"list_price": 100.0} for p in PUBLISHED
        ],
    }
    coat = {"category": "coat", "color": "blue", "pattern": "solid", "size": "L"}
    # C-1 asked for the same navy coat three times at two stores: one row, latest store (S003)
    _consenting(rows, "E1", "C-1", store_id="S001", sku="P-1", shade="navy", **coat,
                **_at(date(2026, 11, 2)))  # fmt: skip
    _consenting(rows, "E2", "C-1", store_id="S002", sku="P-1", shade="navy", **coat,
                **_at(date(2026, 11, 16)))  # fmt: skip
    _consenting(rows, "E3", "C-1", store_id="S003", shade="navy", **coat,
                **_at(date(2026, 11, 19)))  # fmt: skip
    _consenting(rows, "E4", "C-2", category="dress", color="green", size="38",
                classification="not_carried", **_at(date(2026, 11, 17)))  # fmt: skip
    _consenting(rows, "E5", "C-3", category="jeans", color="black", size="32x30",
                **_at(date(2026, 11, 18)))  # fmt: skip
    _consenting(rows, "E6", "C-4", category="shirt", color="white", size="M",
                classification="not_carried", **_at(date(2026, 11, 18)))  # fmt: skip
    _consenting(rows, "E7", "C-5", category="dress", pattern="floral", size="8",
                classification="not_carried", store_id="S002", **_at(NEWEST))  # fmt: skip
    # C-6 asked in 2026-W41, six weeks before the newest demand (W47): inside --weeks 7
    _consenting(rows, "E8", "C-6", category="coat", color="blue",
                classification="not_carried", **_at(date(2026, 10, 8)))  # fmt: skip
    # C-7 did not consent: never listed
    _consenting(rows, "E9", "C-7", consent=False, **coat, **_at(date(2026, 11, 18)))
    # C-8 asked for P-3, which the published catalog had dropped: the same sku is back
    _consenting(rows, "E10", "C-8", category="coat", color="black", pattern="solid", size="M",
                sku="P-3", **_at(date(2026, 11, 18)))  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def published_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_db(tmp_path_factory.mktemp("followups") / "unmet.duckdb", published_rows())


@pytest.fixture
def root(published_db: Path, tmp_path: Path) -> Path:
    """A data root of the test's own: `unmet followups` records what it lists under it."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(published_db, folder / "unmet.duckdb")
    return folder


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "spring.csv"
    path.write_text(NEW_CATALOG)
    return path


def followups(root: Path, *args: str) -> tuple[int, list[dict[str, str]], str]:
    result = CliRunner().invoke(
        cli, ["followups", "--data-root", str(root), *args], catch_exceptions=False
    )
    return result.exit_code, list(csv.DictReader(io.StringIO(result.stdout))), result.stderr


def brief(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    return [
        (r["customer_ref"], r["category"], r["matched_on"], r["style_1"], r["skus_1"]) for r in rows
    ]


def test_real_world_catalog_gives_one_row_per_customer_and_item(root: Path, catalog: Path):
    code, rows, err = followups(root, "--catalog", str(catalog))
    assert code == 0, err
    assert brief(rows) == [
        # "Navy" is the shade C-1 asked for, so the Car coat ranks above the Cobalt Pea coat
        ("C-1", "coat", "category, color, pattern, size", "Car coat", "N-2"),
        # "Dresss" is read as dress, "Sage Green" as green
        ("C-2", "dress", "category, color, size", "Slip dress", "N-3"),
        # waist-only "32" serves 32x30
        ("C-3", "jeans", "category, color, size", "Slim jeans", "N-7"),
        # "Medium" and "m" are M; "Ivory" is in the white family
        ("C-4", "shirt", "category, color, size", "Linen shirt", "N-6"),
        # "Floral" and "UK 8"
        ("C-5", "dress", "category, pattern, size", "Tea dress", "N-4"),
        # the very sku asked for is back, ranked first; a new trench coat matches on attributes
        ("C-8", "coat", "same sku; category, color, pattern, size", "Duffle coat", "P-3"),
    ]
    c1 = rows[0]
    assert (c1["store_id"], c1["store_name"]) == ("S003", "Lille <Centre>")
    assert (c1["first_asked_on"], c1["last_asked_on"], c1["times_asked"]) == (
        "2026-11-02",
        "2026-11-19",
        "3",
    )
    assert (c1["asked_skus"], c1["last_event_id"], c1["styles_matched"]) == ("P-1", "E3", "2")
    assert (c1["style_2"], c1["skus_2"], c1["style_3"]) == ("Pea coat", "N-1", "")
    assert rows[3]["style_2"] == "Oxford shirt" and rows[3]["skus_matched"] == "2"
    assert rows[5]["style_2"] == "Trench coat"
    # the blank color and the unknown category are quarantined with file and line; the rest goes on
    assert f"{catalog}:10: color: required field is empty" in err
    assert f"{catalog}:11: category: unknown category 'Gizmo'" in err
    assert "2 of 12 catalog rows quarantined" in err
    assert "9 skus of" in err and "from 2026-10-26 to 2026-11-22 (4 ISO weeks)" in err


def test_the_same_catalog_twice_gives_no_rows(root: Path, catalog: Path, tmp_path: Path):
    code, rows, err = followups(root, "--catalog", str(catalog), "--since", str(catalog))
    assert (code, rows) == (0, [])
    assert "has no sku that" in err and "nothing new" in err
    # by default the previous catalog is the published run's: feeding that one lists nobody
    published = tmp_path / "published"
    published.mkdir()
    (published / "catalog.csv").write_text(
        HEADER + "".join(f"{p[0]},{p[1]},{p[2]},{p[3]},{p[5]},{p[6]},100.00\n" for p in PUBLISHED)
    )
    code, rows, err = followups(root, "--catalog", str(published))
    assert (code, rows) == (0, []) and "nothing new" in err
    # a folder as --since: the skus of every file in it
    code, rows, _ = followups(root, "--catalog", str(catalog), "--since", str(published))
    assert code == 0 and [r["customer_ref"] for r in rows] == [
        "C-1",
        "C-2",
        "C-3",
        "C-4",
        "C-5",
        "C-8",
    ]


def test_a_sku_asked_for_is_not_offered_back_when_the_text_asked_for_another_color(
    tmp_path: Path, catalog: Path
):
    """C-9's note scanned P-3 (a black duffle coat in M) but says "wanted this in navy": the
    ledger classifies the ask as a navy coat in M, not P-3 (docs/metrics.md, row 4), so P-3 back
    in the catalog is no follow-up for it; no new sku is a navy coat in M, so nothing is."""
    rows = published_rows()
    _consenting(rows, "E11", "C-9", category="coat", color="blue", pattern="solid", size="M",
                sku="P-3", classification="not_carried", **_at(date(2026, 11, 19)))  # fmt: skip
    folder = tmp_path / "data"
    folder.mkdir()
    make_db(folder / "unmet.duckdb", rows)
    code, listed, err = followups(folder, "--catalog", str(catalog), "--no-record")
    assert code == 0, err
    assert [r["customer_ref"] for r in listed] == ["C-1", "C-2", "C-3", "C-4", "C-5", "C-8"]
    assert listed[-1]["matched_on"] == "same sku; category, color, pattern, size"  # P-3 for C-8


def read_ledger_lines(root: Path) -> list[dict[str, str]]:
    with (root / "state" / "followups_sent.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_next_catalog_lists_only_asks_not_followed_up_yet(
    root: Path, catalog: Path, tmp_path: Path
):
    """Two successive catalogs: the second run leaves out the asks the first listed (C-1's coat
    is served again by the new Pea coat, yet C-1 was already called about it)."""
    winter = tmp_path / "winter.csv"  # the first catalog: the Car coat and the Slip dress are new
    winter.write_text(HEADER + "".join(NEW_CATALOG.splitlines(keepends=True)[3:5]))
    code, first, err = followups(root, "--catalog", str(winter))
    assert code == 0, err
    assert [(r["customer_ref"], r["style_1"]) for r in first] == [
        ("C-1", "Car coat"),
        ("C-2", "Slip dress"),
    ]
    assert "2 asks recorded as followed up in" in err
    lines = read_ledger_lines(root)
    assert [(r["customer_ref"], r["category"], r["size"], r["last_event_id"], r["catalog"])
            for r in lines] == [("C-1", "coat", "L", "E3", "winter.csv"),
                                ("C-2", "dress", "38", "E4", "winter.csv")]  # fmt: skip
    assert all(r["last_asked_on"] for r in lines)
    produced = datetime.fromisoformat(lines[0]["produced_at"])
    assert produced.tzinfo is not None and abs(datetime.now(UTC) - produced).total_seconds() < 3600

    # the next catalog: every sku of `catalog` is new since winter but the Car coat and Slip dress
    code, second, err = followups(root, "--catalog", str(catalog), "--since", str(winter))
    assert code == 0, err
    assert [r["customer_ref"] for r in second] == ["C-3", "C-4", "C-5", "C-8"]
    assert "1 of the 5 follow-ups were listed before" in err and "left out" in err
    # --include-sent lists C-1 again (the ledger keeps the first date of each ask)
    code, again, err = followups(root, "--catalog", str(catalog), "--since", str(winter),
                                 "--include-sent", "--no-record")  # fmt: skip
    assert code == 0 and [r["customer_ref"] for r in again] == ["C-1", "C-3", "C-4", "C-5", "C-8"]
    after = read_ledger_lines(root)
    assert after[:2] == lines and [r["customer_ref"] for r in after] == [
        "C-1", "C-2", "C-3", "C-4", "C-5", "C-8"
    ]  # fmt: skip
    # only consenting customers' refs, as in the follow-up file (C-7 did not consent)
    assert "C-7" not in (root / "state" / "followups_sent.csv").read_text()
    # and a third run with the same catalogs lists nobody
    code, third, err = followups(root, "--catalog", str(catalog), "--since", str(winter))
    assert (code, third) == (0, []) and "5 of the 5 follow-ups were listed before" in err


def test_a_preview_records_nothing_and_a_new_ask_is_listed_again(root: Path, catalog: Path):
    code, rows, _ = followups(root, "--catalog", str(catalog), "--no-record")
    assert code == 0 and len(rows) == 6
    assert not (root / "state" / "followups_sent.csv").exists()
    # an ask is the customer, the category and the day they last asked: asking again on a later
    # day is a new ask; the same ask read again after a rebuild (its event renumbered, more
    # attributes read from the same note) is not
    columns = ["customer_ref", "category", "color", "pattern", "size", "last_asked_on",
               "last_event_id"]  # fmt: skip
    table = Table(columns, [("C-1", "coat", "blue", None, "L", "2026-11-18", "E3")])
    ledger_file = root / "state" / "followups_sent.csv"
    assert record(ledger_file, table, datetime(2026, 12, 7, tzinfo=UTC), "a.csv") == 1
    assert record(ledger_file, table, datetime(2026, 12, 8, tzinfo=UTC), "b.csv") == 0
    asked_again = Table(columns, [("C-1", "coat", "blue", None, "L", "2026-11-25", "E11"),
                                  ("C-1", "coat", "blue", "plaid", "L", "2026-11-18", "E-L-9#1"),
                                  ("C-1", "dress", None, None, None, "2026-11-18", "E12"),
                                  ("C-2", "coat", "blue", None, "L", "2026-11-18", "E3"),
                                  # review 9: another coat, last asked for before the listed one:
                                  # never listed, so not "listed before"
                                  ("C-1", "coat", "red", None, "M", "2026-11-12", "E1")])  # fmt: skip
    split = split_sent(asked_again, read_ledger(ledger_file))
    rows = asked_again.rows
    assert (split.new.rows, split.sent.rows) == ([rows[0], rows[2], rows[3], rows[4]], [rows[1]])
    assert read_ledger_lines(root)[0]["produced_at"] == "2026-12-07T00:00:00+00:00"


def test_a_ledger_that_is_not_one_is_a_clear_error(root: Path, catalog: Path):
    (root / "state").mkdir()
    (root / "state" / "followups_sent.csv").write_text("who,when\nx,y\n")
    code, rows, err = followups(root, "--catalog", str(catalog))
    assert (code, rows) == (1, [])
    assert "is not a follow-up ledger" in err and "Traceback" not in err


def test_weeks_bound_when_the_demand_was_asked(root: Path, catalog: Path):
    def customers(weeks: str) -> list[str]:
        code, rows, err = followups(
            root, "--catalog", str(catalog), "--weeks", weeks, "--no-record"
        )
        assert code == 0, err
        return [r["customer_ref"] for r in rows]

    # week 2026-W47 (16-22 Nov) only: C-1 (asked again on the 19th), C-2..C-5, C-8
    assert customers("1") == ["C-1", "C-2", "C-3", "C-4", "C-5", "C-8"]
    assert "C-6" not in customers("6")  # 8 Oct is in 2026-W41: the 7th week back from W47
    assert "C-6" in customers("7")
    # C-1's first ask (2 Nov) falls outside one week: the row counts only the asks in the window
    _, rows, _ = followups(root, "--catalog", str(catalog), "--weeks", "1")
    assert (rows[0]["times_asked"], rows[0]["first_asked_on"]) == ("2", "2026-11-16")
    code, _, err = followups(root, "--catalog", str(catalog), "--weeks", "0")
    assert code == 2 and "--weeks" in err


def test_store_filter_is_case_insensitive(root: Path, catalog: Path):
    code, rows, err = followups(root, "--catalog", str(catalog), "--store", "s002")
    assert code == 0, err
    assert [(r["customer_ref"], r["store_id"]) for r in rows] == [("C-5", "S002")]
    code, _, err = followups(root, "--catalog", str(catalog), "--store", "S999")
    assert code == 1 and "unknown store 'S999'" in err


def test_a_catalog_that_matches_nothing_warns(root: Path, tmp_path: Path):
    hats = tmp_path / "hats.csv"
    hats.write_text(HEADER + "H-1,Beanie,hat,grey,solid,OS,19.00\nH-2,Cap,Hat,Navy,Plain,OS,15\n")
    code, rows, err = followups(root, "--catalog", str(hats))
    assert (code, rows) == (0, [])
    assert "warning: none of the 2 new skus matches" in err


def test_most_rows_bad_refuses_the_catalog(root: Path, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A,a,coat,red,solid,L,1\nB,b,,red,solid,L,1\nC,c,Gizmo,red,solid,L,1\n")
    code, rows, err = followups(root, "--catalog", str(bad))
    assert code == 1 and rows == []
    assert "2 of 3 rows are bad, so the file was refused" in err
    assert f"{bad}:3: category: required field is empty" in err


def test_rejects_file_lists_every_quarantined_row(root: Path, catalog: Path, tmp_path: Path):
    rejects = tmp_path / "rejects.csv"
    out = tmp_path / "calls.csv"
    args = ("--catalog", str(catalog), "--rejects", str(rejects), "--out", str(out))
    code, _, err = followups(root, *args)
    assert code == 0 and "6 follow-ups written to" in err
    with rejects.open(newline="") as handle:
        got = [(r["line"], r["reason"].split(":")[0]) for r in csv.DictReader(handle)]
    assert got == [("10", "color"), ("11", "category")]


def test_quarantine_reasons_redact_contact_details(root: Path, catalog: Path, tmp_path: Path):
    with catalog.open("a") as handle:
        handle.write("N-11,Hood,coat,red,call 06 12 34 56 78,L,1\n")
        handle.write("N-12,Cap,jo@example.com,red,solid,OS,1\n")
        handle.write("N-1,Pea coat,coat,navy,solid,L,1\n")  # a repeated sku
    rejects = tmp_path / "rejects.csv"
    code, rows, err = followups(root, "--catalog", str(catalog), "--rejects", str(rejects))
    assert code == 0 and len(rows) == 6
    text = err + rejects.read_text()
    assert "06 12 34 56 78" not in text and "jo@example.com" not in text
    # a label holding a contact detail is refused without repeating it (docs/privacy.md)
    assert f"{catalog}:14: pattern: holds a phone number (value withheld)" in text
    assert f"{catalog}:15: category: holds an e-mail address (value withheld)" in text
    assert f"{catalog}:16: sku: repeats spring.csv line 3" in text


def test_styles_are_capped_and_ranked(root: Path, tmp_path: Path):
    """Many matching styles: the best five, at most ten skus each, and the totals."""
    path = tmp_path / "many.csv"
    lines = [f"S-{i}{s},Style {i},coat,navy,solid,{s},100\n" for i in range(7) for s in "LM"]
    lines += [f"X-{n:02d},Style 9,coat,cobalt,solid,L,100\n" for n in range(12)]
    path.write_text(HEADER + "".join(lines))
    con = warehouse.connect_read_only(root / "unmet.duckdb")
    try:
        found = find_followups(con, load_catalog(path).table(), ["P-1"], weeks=4)
    finally:
        con.close()
    c1 = next(r for r in found.table.dicts() if r["customer_ref"] == "C-1")
    assert (c1["styles_matched"], c1["skus_matched"]) == (8, 19)  # 7 navy styles + Style 9
    # navy (the shade asked) first, by name; Style 9 has more skus but is cobalt: not in the top 5
    assert [c1[f"style_{k}"] for k in range(1, 6)] == [f"Style {i}" for i in range(5)]
    assert "style_6" not in c1 and c1["skus_1"] == "S-0L"
    # C-6 (coat, blue, any size) would match too, but asked outside the 4-week window
    assert all(r["customer_ref"] != "C-6" for r in found.table.dicts())


def test_a_color_without_shade_ranks_like_any_other_shade(root: Path, tmp_path: Path):
    """C-1 asked for navy: navy first; "Blue" (no shade) and "Cobalt" are equal, then by name."""
    path = tmp_path / "shades.csv"
    path.write_text(
        HEADER + "A-1,Belted coat,coat,Cobalt,solid,L,1\n"
        "A-2,Anorak,coat,Blue,solid,L,1\nA-3,Toggle coat,coat,Navy,solid,L,1\n"
    )
    con = warehouse.connect_read_only(root / "unmet.duckdb")
    try:
        rows = find_followups(con, load_catalog(path).table(), [], weeks=4).table.dicts()
    finally:
        con.close()
    c1 = next(r for r in rows if r["customer_ref"] == "C-1")
    assert [c1[f"style_{k}"] for k in (1, 2, 3)] == ["Toggle coat", "Anorak", "Belted coat"]


def test_style_with_many_skus_lists_ten(root: Path, tmp_path: Path):
    path = tmp_path / "wide.csv"
    path.write_text(HEADER + "".join(f"X-{n:02d},Big,coat,navy,solid,L,1\n" for n in range(12)))
    con = warehouse.connect_read_only(root / "unmet.duckdb")
    try:
        rows = find_followups(con, load_catalog(path).table(), [], weeks=4).table.dicts()
    finally:
        con.close()
    c1 = next(r for r in rows if r["customer_ref"] == "C-1")
    assert c1["skus_1"] == ";".join(f"X-{n:02d}" for n in range(10))
    assert (c1["styles_matched"], c1["skus_matched"]) == (1, 12)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (("Coat", "Navy", "Solid", "Medium"), ("coat", "blue", "solid", "M")),
        (("Dresss", "Sage Green", "plain", "UK 8"), ("dress", "green", "solid", "8")),
        (("JEANS", "indigo", "Solid", "W32 L30"), ("jeans", "blue", "solid", "32x30")),
        (("jeans", "black", "solid", "32"), ("jeans", "black", "solid", "32")),
        (("T-Shirt", "White", "Striped", "X-Large"), ("t-shirt", "white", "striped", "XL")),
        (("Trainers", "Off-White", "solid", "39.5"), ("sneakers", "white", "solid", "39.5")),
        (("bag", "Multi", "solid", "One Size"), ("bag", None, "solid", "OS")),
    ],
)
def test_catalog_rows_are_read_with_the_notes_lexicon(cells, expected):
    category, color, pattern, size = cells
    fields = {"sku": "A", "style": "s", "category": category, "color": color,
              "pattern": pattern, "size": size, "list_price": "1.00"}  # fmt: skip
    row = catalog_row(fields, Reference(as_of=datetime.now(UTC)))
    assert (row["category"], row["color_family"], row["pattern"], row["size"]) == expected
    assert row["color"] == color  # the color as the catalog writes it is kept


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("category", "Gizmo", "category: unknown category 'Gizmo'"),
        ("pattern", "Sparkly", "pattern: unknown pattern 'Sparkly'"),
        ("size", "Petite", "size: unknown size 'Petite'"),
        ("color", "", "color: required field is empty"),
    ],
)
def test_catalog_row_refuses_what_no_demand_could_match(column, value, reason):
    fields = {"sku": "A", "style": "s", "category": "coat", "color": "red",
              "pattern": "solid", "size": "L", "list_price": "1.00"}  # fmt: skip
    with pytest.raises(Refused, match=reason):
        catalog_row({**fields, column: value}, Reference(as_of=datetime.now(UTC)))


def test_two_recording_runs_take_turns_on_the_ledger(root: Path, catalog: Path):
    """While one `unmet followups` holds the ledger, a second one waits (and says so), and reads
    the ledger only once the first has recorded its asks: it lists none of them again."""
    import fcntl
    import subprocess
    import sys

    code, first, err = followups(root, "--catalog", str(catalog), "--no-record")
    assert code == 0 and first, err
    ledger_file = root / "state" / "followups_sent.csv"
    lock = ledger_file.with_name(ledger_file.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # this test is the first run, holding the ledger
        second = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli",
                "followups",
                "--data-root",
                str(root),
                "--catalog",
                str(catalog),
            ],  # fmt: skip
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = second.stderr.readline()  # blocks until the second run says something
        assert line.startswith("waiting for another `unmet followups` recording in"), line
        # the first run records what it listed, then lets go
        table = Table(tuple(first[0]), [tuple(row.values()) for row in first])
        assert record(ledger_file, table, datetime(2026, 12, 7, tzinfo=UTC), "a.csv") == len(first)
        fcntl.flock(handle, fcntl.LOCK_UN)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert list(csv.DictReader(io.StringIO(out))) == []  # nobody called twice
    assert f"{len(first)} of the {len(first)} follow-ups were listed before" in err
    assert len(read_ledger_lines(root)) == len(first)


def test_followups_match_by_the_classifications_rule(tmp_path: Path):
    # review 14b: one rule for what a sku meets (pipelines/demand/matching.py): a waist alone
    # meets any leg of that waist, a hoodie meets a "top", and `other` meets nothing
    rows = published_rows()
    for name in ("demand_events", "demand_signals", "stg_frontline_notes"):
        rows[name] = []
    _consenting(rows, "E1", "C-1", category="top", color="grey", size="M")
    _consenting(rows, "E2", "C-2", category="other", color="black", size="41")
    _consenting(rows, "E3", "C-3", category="jeans", color="blue", size="32")
    _consenting(rows, "E4", "C-4", category="hoodie", color="grey", size="M")
    folder = tmp_path / "data"
    folder.mkdir()
    make_db(folder / "unmet.duckdb", rows)
    path = tmp_path / "autumn.csv"
    path.write_text(
        HEADER + "N-1,Zip hoodie,hoodie,grey,solid,M,60.00\n"
        "N-2,Leggings,leggings,black,solid,41,30.00\n"
        "N-3,Straight jeans,jeans,navy,solid,W32 L30,80.00\n"
        "N-4,Tank top,tank top,grey,solid,M,15.00\n"
    )
    code, found, err = followups(folder, "--catalog", str(path))
    assert code == 0, err
    assert [(r["customer_ref"], r["matched_on"], r["skus_1"], r["style_2"]) for r in found] == [
        ("C-1", "category, color, size", "N-4", "Zip hoodie"),  # tank top and hoodie, by name
        ("C-3", "category, color, size", "N-3", ""),
        ("C-4", "category, color, size", "N-1", ""),  # a tank top is no hoodie
    ]
