"""A customer who withdraws consent is never listed for a follow-up again, and their customer_ref
leaves everything a run publishes for the notes up to the withdrawal; one who consents again in
a later note is listed. A changed withdrawals file takes effect on the next run although no fact
file changed, with the bytes of a full refresh; bad withdrawal rows are quarantined and counted,
and the run goes on.

Inputs: tests/data/tiny (C-1 consents in note N-1, 2026-11-17) plus two consenting notes (C-3 on
11-19 and C-4 on 11-18), a withdrawals file (C-3 on 11-20, after their note; C-4 on 11-10,
before theirs: C-4 consents again) with bad rows, and a file with a wrong header. Then C-1
withdraws (11-21) and only the withdrawals file changes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines import warehouse
from pipelines.checks import facts, frames
from tests.conftest import TINY

pytestmark = pytest.mark.slow

AS_OF = "2026-11-25T00:00:00+00:00"
NOTES = [
    {"note_id": "N-5", "store_id": "S001", "channel": "store", "associate_id": "A1",
     "captured_at": "2026-11-19T15:00:00+01:00", "text": "wanted the wool coat in navy, size L",
     "sku": None, "customer_ref": "C-3", "customer_consent": True},
    {"note_id": "N-6", "store_id": "S002", "channel": "store", "associate_id": "A7",
     "captured_at": "2026-11-18T12:00:00+01:00", "text": "looking for a black coat in size M",
     "sku": None, "customer_ref": "C-4", "customer_consent": True},
]  # fmt: skip
HEADER = "withdrawal_id,customer_ref,withdrawn_at,channel\n"
#: Contact details planted in the bad rows: none may reach any output.
PLANTED = ("jane.doe@example.com", "0612345678", "DE89370400440532013000", "4111111111111111")
WITHDRAWALS = HEADER + (
    "CW-1,C-3,2026-11-20T10:00:00+01:00,phone\n"
    "CW-2,C-4,2026-11-10T10:00:00+01:00,web\n"
    "CW-3,jane.doe@example.com,2026-11-20T10:00:00+01:00,email\n"
    "CW-4,C-9,2026-11-20T10:00:00+01:00,call 06 12 34 56 78\n"
    "DE89370400440532013000,C-9,2026-11-20T10:00:00+01:00,web\n"
    "CW-5,C-9,tomorrow,phone\n"
    "CW-6,C-9,2026-11-20T10:00:00,store\n"
    "CW-7,C-9,2026-11-20T10:00:00+01:00,app,4111 1111 1111 1111\n"
)
#: C-1 withdraws after their note: the only change before the second run.
LATER = "CW-8,C-1,2026-11-21T09:30:00+01:00,store\n"
#: A new catalog: a navy coat in L (what C-1 and C-3 asked for), a black coat in M (C-4).
NEW_SKUS = "SKU-6,Pea coat,coat,navy,solid,L,159.00\nSKU-7,Car coat,coat,black,solid,M,149.00\n"


def run(data_root: Path, inputs: Path, *extra: str) -> str:
    args = ["run", "--data-root", str(data_root), "--inputs", str(inputs), "--as-of", AS_OF]
    result = CliRunner().invoke(cli, [*args, "--no-report", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def followed_up(data_root: Path, catalog: Path) -> list[str]:
    result = CliRunner().invoke(
        cli, ["followups", "--data-root", str(data_root), "--catalog", str(catalog),
              "--no-record", "--weeks", "2", "--despite-quarantined-withdrawals"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return sorted({row["customer_ref"] for row in csv.DictReader(io.StringIO(result.stdout))})


def query(data_root: Path, sql: str) -> list[tuple]:
    con = warehouse.connect_read_only(data_root / "unmet.duckdb")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def digests(run_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(run_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(run_dir.rglob("*.parquet"))
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, object]:
    top = tmp_path_factory.mktemp("withdrawals")
    inputs = top / "inputs"
    shutil.copytree(TINY, inputs)
    (inputs / "frontline_notes" / "notes-2026-W47-more.jsonl").write_text(
        "".join(json.dumps(note) + "\n" for note in NOTES)
    )
    folder = inputs / "consent_withdrawals"
    folder.mkdir()
    (folder / "withdrawals.csv").write_text(WITHDRAWALS)
    (folder / "from-the-shop.csv").write_text("customer,when\nC-9,2026-11-20T10:00:00+01:00\n")
    catalog = top / "spring.csv"
    catalog.write_text((TINY / "catalog" / "catalog.csv").read_text() + NEW_SKUS)
    first = run(top / "data", inputs)
    before = {
        "followups": followed_up(top / "data", catalog),
        "refs": query(
            top / "data",
            "select note_id, customer_ref from stg_frontline_notes "
            "where customer_consent order by all",
        ),  # fmt: skip
        "rejects": query(
            top / "data",
            "select source_file, source_line, reason from rejects "
            "where source = 'consent_withdrawals' order by all",
        ),  # fmt: skip
        "summary": json.loads((top / "data" / "published" / "manifest.json").read_text()),
    }
    with (folder / "withdrawals.csv").open("a") as handle:
        handle.write(LATER)
    second = run(top / "data", inputs)
    full = run(top / "full", inputs)
    return {"top": top, "inputs": inputs, "catalog": catalog, "first": first, "before": before,
            "second": second, "full": full}  # fmt: skip


def test_a_withdrawn_customer_is_not_followed_up_and_one_who_consents_again_is(runs):
    # C-3 withdrew after their note; C-4 withdrew before theirs (consent given again); C-1: none
    assert runs["before"]["followups"] == ["C-1", "C-4"]
    # then C-1 withdraws: the next run takes it without any new fact file
    assert followed_up(runs["top"] / "data", runs["catalog"]) == ["C-4"]


def test_the_ref_leaves_every_published_dataset_up_to_the_withdrawal(runs):
    assert runs["before"]["refs"] == [("N-1", "C-1"), ("N-5", None), ("N-6", "C-4")]
    data = runs["top"] / "data"
    assert query(data, "select note_id, customer_ref from stg_frontline_notes "
                       "where customer_consent order by all") == [
        ("N-1", None), ("N-5", None), ("N-6", "C-4")
    ]  # fmt: skip
    for view in ("demand_signals", "demand_events", "rpt_consenting_demand"):
        refs = {r[0] for r in query(data, f"select distinct customer_ref from {view}")}
        assert refs <= {None, "C-4"}, view
    assert {r[0] for r in query(data, "select customer_ref from rpt_consenting_demand")} == {"C-4"}
    # the customers count: only C-4 (at S002) is left to count
    assert query(data, "select sum(customers) from mart_unmet_demand "
                       "where level = 'chain' and attribute = 'total'") == [(1,)]  # fmt: skip
    # what the run stages of the withdrawals: the suppression list, and nothing else about them
    assert query(data, "select withdrawal_id, customer_ref, channel from stg_consent_withdrawals "
                       "order by all") == [
        ("CW-1", "C-3", "phone"), ("CW-2", "C-4", "web"), ("CW-8", "C-1", "store")
    ]  # fmt: skip


def test_bad_withdrawal_rows_are_quarantined_with_reasons_and_counted(runs):
    assert runs["before"]["rejects"] == [
        ("consent_withdrawals/from-the-shop.csv", 1, "the file header does not match the "
         "expected columns (missing: withdrawal_id, customer_ref, withdrawn_at, ...) "
         "(unexpected: customer, when)"),
        ("consent_withdrawals/from-the-shop.csv", 2, "the file header does not match the "
         "expected columns (missing: withdrawal_id, customer_ref, withdrawn_at, ...) "
         "(unexpected: customer, when)"),
        ("consent_withdrawals/withdrawals.csv", 4, "customer_ref: looks like an e-mail address; "
         "identifiers may not hold contact details (value withheld)"),
        ("consent_withdrawals/withdrawals.csv", 5, "channel: Input should be 'store', 'phone', "
         "'email', 'web' or 'app' (got 'call [phone]')"),
        ("consent_withdrawals/withdrawals.csv", 6, "withdrawal_id: looks like an IBAN; "
         "identifiers may not hold contact details (value withheld)"),
        ("consent_withdrawals/withdrawals.csv", 7, "withdrawn_at: Input should be a valid "
         "datetime or date, input is too short (got 'tomorrow')"),
        ("consent_withdrawals/withdrawals.csv", 8, "withdrawn_at: Input should have timezone "
         "info (got '2026-11-20T10:00:00')"),
        ("consent_withdrawals/withdrawals.csv", 9, "expected 4 columns, found 5"),
    ]  # fmt: skip
    (counts,) = [c for c in runs["before"]["summary"]["counts"]
                 if c["source"] == "consent_withdrawals"]  # fmt: skip
    assert (counts["files"], counts["read"], counts["accepted"], counts["quarantined"]) == (
        2, 10, 2, 8
    )  # fmt: skip
    assert counts["balanced"] and counts["lines_balanced"]
    (line,) = [x for x in runs["first"].splitlines() if x.startswith("consent_withdrawals ")]
    assert line.split()[1:5] == ["2", "10", "2", "8"] and line.endswith("ok")


def test_a_changed_withdrawals_file_alone_rebuilds_with_the_bytes_of_a_full_refresh(runs):
    # C-1's one note (notes-2026-W47.jsonl) is parsed again, the other notes file is carried
    assert ("incremental: 1 file(s) parsed again for 1 new consent withdrawal(s) (1 note(s) now "
            "withheld" in runs["second"])  # fmt: skip
    top = runs["top"]
    changed = digests((top / "data" / "published").resolve())
    assert changed == digests((top / "full" / "published").resolve())
    assert any(rel.startswith("stg_consent_withdrawals/") for rel in changed)


def test_no_contact_detail_of_a_hostile_withdrawals_file_reaches_any_output(runs):
    top = runs["top"]
    printed = runs["first"] + runs["second"] + runs["full"]
    for root in (top / "data", top / "full"):
        for path in (p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            if path.suffix == ".parquet":
                import pyarrow.parquet as pq

                printed += json.dumps(pq.read_table(path, partitioning=None).to_pylist(),
                                      default=str)  # fmt: skip
            else:
                printed += path.read_bytes().decode("utf-8", errors="replace")
    compact = "".join(ch for ch in printed.lower() if ch.isalnum() or ch in "@.")
    for value in PLANTED:
        assert value.lower() not in compact, value


def _set_ref(run_dir: Path, note_id: str, ref: str) -> None:
    """Give a staged note of the run folder `run_dir` the customer_ref `ref`."""
    (path,) = [p for p in sorted((run_dir / "stg_frontline_notes").rglob("*.parquet"))
               if note_id in pq.read_table(p).column("note_id").to_pylist()]  # fmt: skip
    table = pq.read_table(path, partitioning=None)
    index = table.schema.get_field_index("customer_ref")
    refs = pc.if_else(pc.equal(table["note_id"], note_id), ref, table["customer_ref"])
    pq.write_table(table.set_column(index, table.schema.field(index), refs), path)


def test_the_gate_finds_a_staged_ref_that_a_withdrawal_covers(runs, tmp_path):
    """The second check, independent of the ingest: a staged note keeping a withdrawn ref (a
    pipeline bug, a file changed on disk) is found over the staged notes and withdrawals."""
    run_dir = tmp_path / "run"
    shutil.copytree((runs["top"] / "data" / "published").resolve(), run_dir)
    assert facts.compute(run_dir).withdrawn_refs.to_pylist() == []
    _set_ref(run_dir, "N-5", "C-3")
    found = facts.compute(run_dir)
    assert found.withdrawn_refs.to_pylist() == ["N-5"]
    notes = pa.table({"note_id": ["N-5", "N-6"], "customer_ref": ["C-3", "C-4"],
                      "customer_consent": [True, True]})  # fmt: skip
    derived = frames.derive_chunk("stg_frontline_notes", notes, found)
    assert derived["chk_customer_ref_withdrawn"].to_pylist() == ["C-3", None]


def test_followups_list_nobody_while_the_inputs_hold_a_withdrawal_the_run_did_not_read(
    runs, tmp_path
):
    """A withdrawal delivered after the last run applies from the next one: until then,
    `unmet followups` refuses rather than list from a run that does not know it."""
    inputs, data = tmp_path / "inputs", tmp_path / "data"
    shutil.copytree(runs["inputs"], inputs)
    shutil.copytree(runs["top"] / "data", data, symlinks=True)
    manifest_path = (data / "published").resolve() / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["inputs_root"] = str(inputs)  # the copy's inputs, as they were read
    manifest_path.write_text(json.dumps(manifest))
    assert followed_up(data, runs["catalog"]) == ["C-4"]
    (inputs / "consent_withdrawals" / "later.csv").write_text(
        HEADER + "CW-9,C-4,2026-11-24T09:00:00+01:00,email\n"
    )
    args = ["followups", "--data-root", str(data), "--catalog", str(runs["catalog"]),
            "--despite-quarantined-withdrawals"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert ("consent withdrawals are not all applied in the published run: "
            "consent_withdrawals/later.csv is new or changed") in result.stderr  # fmt: skip
    assert not (data / "state" / "followups_sent.csv").exists()  # nothing recorded either
    shutil.rmtree(inputs)
    result = CliRunner().invoke(cli, [*args, "--no-record"])
    assert result.exit_code == 0
    assert "warning: cannot check that the published run read every consent withdrawal" in (
        result.stderr
    )


def test_nobody_is_listed_while_the_published_run_quarantined_withdrawal_rows(runs):
    assert (
        "warning: 8 consent withdrawal rows were quarantined and are not applied" in (runs["first"])
    )
    """review 10: a withdrawal quarantined (a typo in it) is not applied, and the customer was
    listed with exit 0. Followups and a store page (its follow-up list) refuse until the rows
    are corrected, or the operator says to list despite them."""
    data = runs["top"] / "data"
    args = ["followups", "--data-root", str(data), "--catalog", str(runs["catalog"]), "--no-record"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and result.stdout == ""
    assert "the published run quarantined 8 of its withdrawal rows" in result.stderr
    assert "where source = 'consent_withdrawals'" in result.stderr
    page = CliRunner().invoke(cli, ["report", "--data-root", str(data), "--store", "S001"])
    assert page.exit_code == 0 and "warning: the published run quarantined 8" in page.stderr
    listed = CliRunner().invoke(cli, [*args, "--despite-quarantined-withdrawals"])
    assert listed.exit_code == 0 and "C-4" in listed.stdout


def test_a_cumulative_export_repeating_applied_withdrawals_stops_nothing(tmp_path):
    """A CRM that exports all its withdrawals every week delivers each earlier one again: the
    repeats are quarantined as duplicate ids but change nothing, so neither the run nor the
    follow-ups may say a withdrawal is not applied (they refused the follow-ups for good). A
    repeated id that names another customer is applied too (the ingest applies every row that
    parses), so it withholds that customer's ref and refuses nothing."""
    inputs = tmp_path / "inputs"
    shutil.copytree(TINY, inputs)
    folder = inputs / "consent_withdrawals"
    folder.mkdir()
    first = "CW-1,C-3,2026-11-10T10:00:00+01:00,phone\n"
    (folder / "withdrawals-W46.csv").write_text(HEADER + first)
    (folder / "withdrawals-W47.csv").write_text(
        HEADER + first + "CW-2,C-4,2026-11-18T10:00:00+01:00,web\n"
    )
    followups = ["followups", "--data-root", str(tmp_path / "data"), "--no-record",
                 "--catalog", str(inputs / "catalog" / "catalog.csv")]  # fmt: skip
    out = run(tmp_path / "data", inputs)
    (line,) = [x for x in out.splitlines() if x.startswith("consent_withdrawals ")]
    assert line.split()[1:5] == ["2", "3", "2", "1"]  # the repeat is quarantined, and counted
    assert "not applied" not in out
    listed = CliRunner().invoke(cli, followups)
    assert listed.exit_code == 0, listed.output
    assert "withdraw" not in listed.stderr

    n1 = "select customer_ref from stg_frontline_notes where note_id = 'N-1'"
    assert query(tmp_path / "data", n1) == [("C-1",)]  # N-1's customer consents
    with (folder / "withdrawals-W47.csv").open("a") as handle:
        handle.write("CW-2,C-1,2026-11-19T10:00:00+01:00,web\n")  # CW-2's id, another customer
    out = run(tmp_path / "data", inputs)
    (line,) = [x for x in out.splitlines() if x.startswith("consent_withdrawals ")]
    assert line.split()[1:5] == ["2", "4", "2", "2"]  # quarantined as a repeat, and counted
    assert "not applied" not in out
    assert query(tmp_path / "data", n1) == [(None,)]  # applied: N-1's ref is withheld
    run_dir = tmp_path / "run"
    shutil.copytree((tmp_path / "data" / "published").resolve(), run_dir)
    _set_ref(run_dir, "N-1", "C-1")  # the gate's second look knows that withdrawal too
    assert facts.compute(run_dir).withdrawn_refs.to_pylist() == ["N-1"]
    listed = CliRunner().invoke(cli, followups)
    assert listed.exit_code == 0, listed.output
    assert "withdraw" not in listed.stderr


def test_a_new_withdrawal_reaches_the_quarantined_notes_of_a_carried_week(tmp_path):
    """C-7's only note is quarantined (an unknown store), with its ref in `raw` while C-7
    consents. A withdrawal of C-7 added later: the incremental run parses that notes file again
    (its raw now says `[withheld: consent withdrawn]`), carries the other one, and publishes the
    bytes of a full refresh."""
    inputs = tmp_path / "inputs"
    shutil.copytree(TINY, inputs)
    quarantined = {**NOTES[0], "note_id": "N-7", "store_id": "S999", "customer_ref": "C-7"}
    (inputs / "frontline_notes" / "notes-2026-W47-more.jsonl").write_text(
        json.dumps(quarantined) + "\n"
    )
    run(tmp_path / "data", inputs)
    raw = "select raw from rejects where record_id = 'N-7'"
    assert '"C-7"' in query(tmp_path / "data", raw)[0][0]
    (inputs / "consent_withdrawals").mkdir()
    (inputs / "consent_withdrawals" / "w.csv").write_text(
        HEADER + "CW-1,C-7,2026-11-21T09:30:00+01:00,web\n"
    )
    out = run(tmp_path / "data", inputs)
    assert ("incremental: 1 file(s) parsed again for 1 new consent withdrawal(s) (0 note(s) now "
            "withheld" in out)  # fmt: skip
    run(tmp_path / "full", inputs, "--full-refresh")
    published = (tmp_path / "data" / "published").resolve()
    assert digests(published) == digests((tmp_path / "full" / "published").resolve())
    (shown,) = query(tmp_path / "data", raw)[0]
    assert "C-7" not in shown and "[withheld: consent withdrawn]" in shown
    origins = json.loads((published / "manifest.json").read_text())["origins"]
    staged = {rel: origin == published.name for rel, origin in origins.items()
              if rel.startswith("stg_frontline_notes/")}  # fmt: skip
    assert staged and not any(staged.values())  # no staged note changed: every part carried
