"""`unmet generate` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli.main import cli


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["generate", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "unmet generate --rows" in result.output


def test_generate_writes_and_summarises(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            "--rows",
            "400",
            "--seed",
            "7",
            "--out",
            str(out),
            "--weeks",
            "2",
            "--stores",
            "2",
            "--end-date",
            "2026-11-22",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "wrote 40" in result.output and "truth events" in result.output
    assert (out / "truth" / "README.md").exists()
    assert sorted(p.name for p in (out / "lost_sales").iterdir()) == [
        "lost_sales-2026-W46.csv",
        "lost_sales-2026-W47.csv",
    ]


def test_bad_options_fail_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", "--rows", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2
    result = CliRunner().invoke(
        cli, ["generate", "--rows", "10", "--out", str(tmp_path), "--end-date", "22/11/2026"]
    )
    assert result.exit_code == 2


def test_unwritable_output_is_a_click_exception(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["generate", "--rows", "10", "--out", str(blocker / "sub")])
    assert result.exit_code == 1
    assert "Error:" in result.output


def test_days_the_ingest_would_quarantine_are_refused(tmp_path: Path) -> None:
    """The ingest quarantines times before 2000-01-01 (schemas.raw.EARLIEST_TIME): the generator
    writes none, with a day's margin for the stores' offsets."""
    args = ["generate", "--rows", "10", "--out", str(tmp_path / "old"), "--weeks", "1"]
    result = CliRunner().invoke(cli, [*args, "--end-date", "2000-01-07"])
    assert result.exit_code == 1
    assert "the first day generated (2000-01-01) must be after 2000-01-01" in result.output
    assert not (tmp_path / "old").exists()
    assert CliRunner().invoke(cli, [*args, "--end-date", "2000-01-08"]).exit_code == 0
