"""The lexicons load, and every value in them is a valid enumeration value."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from pipelines.extract.lexicon import CATEGORIES, LexiconError, load_lexicon
from schemas.enums import LETTER_SIZES, ColorFamily, Pattern, Polarity, SizeModifier

FILES = ["colors.csv", "patterns.csv", "sizes.csv", "categories.csv", "cues.csv",
         "demand_cues.csv", "stop_phrases.csv", "known_words.txt"]  # fmt: skip


@pytest.mark.parametrize("name", FILES)
def test_lexicon_file_is_package_data(name):
    assert resources.files("pipelines.extract.lexicons").joinpath(name).is_file()


def test_colors_have_several_hundred_terms_and_valid_families():
    lex = load_lexicon()
    assert len(lex.colors) >= 300
    assert {family for family, _ in lex.colors.values()} == {c.value for c in ColorFamily}


def test_patterns_cover_every_pattern():
    assert {p for p, _ in load_lexicon().patterns.values()} == {p.value for p in Pattern}


def test_sizes_and_modifiers_are_valid():
    values = {v: kind for v, kind in load_lexicon().sizes.values()}
    assert {v for v, k in values.items() if k == "letter"} == set(LETTER_SIZES) | {"OS"}
    assert {v for v, k in values.items() if k == "modifier"} == {m.value for m in SizeModifier}


def test_categories_are_the_catalog_list():
    assert set(load_lexicon().categories.values()) == set(CATEGORIES)


def test_cues_have_valid_polarities():
    polarities = {c.polarity for c in load_lexicon().cues.values()}
    assert polarities <= {p.value for p in Polarity} | {None}


def test_demand_cues_have_valid_kinds():
    kinds = load_lexicon().demand_cues
    assert set(kinds.values()) == {"request", "unmet"}
    assert kinds["sold out"] == "unmet" and kinds["asked for"] == "request"


def test_a_bad_demand_kind_fails_loudly(monkeypatch):
    from pipelines.extract import lexicon

    monkeypatch.setattr(lexicon, "_rows", lambda name, cols: [{"cue": "x", "kind": "maybe"}])
    with pytest.raises(LexiconError, match="maybe"):
        lexicon.load_demand_cues()


def test_colors_csv_has_the_documented_columns():
    text = resources.files("pipelines.extract.lexicons").joinpath("colors.csv").read_text()
    assert next(csv.reader([text.splitlines()[0]])) == ["term", "family", "shade"]


def test_a_bad_family_fails_loudly(monkeypatch):
    from pipelines.extract import lexicon

    monkeypatch.setattr(lexicon, "_rows", lambda name, cols: [{"term": "x", "family": "teal",
                                                               "shade": ""}])  # fmt: skip
    with pytest.raises(LexiconError, match="teal"):
        lexicon.load_colors()
