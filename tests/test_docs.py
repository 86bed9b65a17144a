"""The docs keep up with the code: every CLI command and every make target is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli.main import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_in_the_readme(name):
    assert f"`unmet {name}" in README


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(name):
    assert "Example:" in (cli.commands[name].help or "")


def test_every_make_target_is_in_the_readme():
    targets = re.findall(r"^([a-z-]+):.*## ", (ROOT / "Makefile").read_text(), re.M)
    assert targets
    for target in targets:
        assert f"`{target}`" in README, target


def test_architecture_doc_names_every_pipeline_stage():
    text = (ROOT / "docs" / "architecture.md").read_text()
    for stage in sorted(
        p.name for p in (ROOT / "pipelines").iterdir() if p.is_dir() and p.name != "__pycache__"
    ):
        assert f"pipelines/{stage}/" in text, stage


def test_every_input_field_is_in_the_formats_doc():
    """docs/formats.md documents every column of every input model, optional ones included
    (its `## ... (`Model`)` sections)."""
    from schemas import raw

    text = (ROOT / "docs" / "formats.md").read_text()
    sections = re.findall(r"^## [^\n]*\(`(\w+)`\)\n(.*?)(?=^## |^# |\Z)", text, re.M | re.S)
    assert {name for name, _ in sections} >= {"FrontlineNote", "OosLookup", "LostSale",
                                               "CatalogItem", "Store"}  # fmt: skip
    missing = [
        f"{name}.{field}"
        for name, body in sections
        for field in getattr(raw, name).model_fields
        if f"| `{field}` |" not in body
    ]
    assert missing == []
