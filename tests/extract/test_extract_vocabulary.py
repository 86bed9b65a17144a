"""Issue 13, class 10: one vocabulary. Every colour, pattern and size word the product knows (the
extractor's lexicons, the generator's vocabulary, catalogue normalisation, the reading contract
LABELLING.md) maps to exactly one value, and the same one everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.extract import normalize_color, normalize_pattern, normalize_size
from pipelines.extract.lexicon import load_lexicon
from pipelines.extract.scanner import ATTR, KIND, VALUE, scan
from pipelines.generate import phrases
from pipelines.generate.vocab import FAMILY_SHADES, SHADES
from schemas.enums import ColorFamily

LEX = load_lexicon()
FORMATS = Path(__file__).resolve().parents[2] / "docs" / "formats.md"

#: The shade table of ../shared/LABELLING.md (the reading contract), word for word.
CONTRACT = {
    "blue": ("navy", "teal", "turquoise", "aqua", "cobalt", "indigo", "periwinkle", "denim blue",
             "sky", "slate blue"),
    "white": ("ivory", "cream", "off-white"),
    "beige": ("nude", "taupe", "camel", "khaki", "beige", "champagne"),
    "grey": ("charcoal", "carbon", "heather grey", "dove grey"),
    "red": ("wine", "burgundy", "crimson", "brick"),
    "orange": ("coral", "peach", "tangerine", "rust", "salmon", "burnt orange"),
    "pink": ("blush", "fuchsia"),
    "purple": ("mauve", "plum", "lavender", "lilac"),
    "green": ("moss", "olive", "army", "mint", "emerald", "sage"),
    "yellow": ("mustard",),
    "brown": ("cedar", "chocolate"),
    "metallic": ("gold", "silver", "copper", "bronze", "rose gold"),
}  # fmt: skip
CONTRACT_WORDS = [(word, family) for family, words in CONTRACT.items() for word in words]


def colors_in(text: str) -> list[str]:
    return [t[VALUE] for t in scan(text) if t[KIND] == "mention" and t[ATTR] == "color"]


def test_thirteen_families_metallic_included():
    assert len(ColorFamily) == 13 and ColorFamily("metallic")
    assert {family for family, _ in LEX.colors.values()} == set(ColorFamily)


@pytest.mark.parametrize(("word", "family"), CONTRACT_WORDS)
def test_every_shade_of_the_contract_maps_to_its_family(word, family):
    assert normalize_color(word)[0] == family
    assert colors_in(f"ordered the {word} one") == [family]


@pytest.mark.parametrize(("term", "family"), sorted((t, f) for t, (f, _) in LEX.colors.items()))
def test_every_lexicon_colour_reads_as_one_mention_of_its_family(term, family):
    assert colors_in(f"it came in {term}.") == [family]


@pytest.mark.parametrize(("shade", "family"), sorted(SHADES.items()))
def test_every_generator_shade_has_the_extractor_family(shade, family):
    assert normalize_color(shade)[0] == family.value  # catalogue normalisation at ingest
    assert colors_in(f"cust wanted {shade} in a 10") == [family.value]


@pytest.mark.parametrize(
    ("shade", "written"),
    [
        (s, w)
        for s, words in {**phrases.COLOR_ABBREVIATIONS, **phrases.COLOR_TYPOS}.items()
        for w in words
    ],  # fmt: skip
)
def test_generator_abbreviations_and_typos_read_as_their_shade(shade, written):
    assert colors_in(f"cust wanted {written} jumper") == [normalize_color(shade)[0]]


@pytest.mark.parametrize(
    ("pattern", "word"), [(p, w) for p, words in phrases.PATTERN_WORDS.items() for w in words]
)
def test_generator_pattern_words_normalise_to_their_pattern(pattern, word):
    assert normalize_pattern(word) == pattern


@pytest.mark.parametrize(("term", "pattern"), sorted((t, p) for t, (p, _) in LEX.patterns.items()))
def test_every_lexicon_pattern_normalises_to_its_pattern(term, pattern):
    assert normalize_pattern(term) == pattern


@pytest.mark.parametrize(
    ("size", "word"), [(s, w) for s, words in phrases.LETTER_SIZE_WORDS.items() for w in words]
)
def test_generator_size_words_normalise_to_their_size(size, word):
    assert normalize_size(word) == size


@pytest.mark.parametrize(
    ("term", "size"), sorted((t, v) for t, (v, kind) in LEX.sizes.items() if kind == "letter")
)
def test_every_lexicon_size_normalises_to_its_size(term, size):
    assert normalize_size(term) == size


def test_no_word_is_two_kinds_of_attribute():
    kinds = {
        "color": set(LEX.colors),
        "pattern": set(LEX.patterns),
        "size": set(LEX.sizes),
        "category": set(LEX.categories),
    }
    clashes = {
        (word, a, b)
        for a, words in kinds.items()
        for b, others in kinds.items()
        if a < b
        for word in words & others
    }
    assert clashes == set()


def test_formats_doc_lists_the_generator_shades():
    text = FORMATS.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\w+) \| ([a-z ,'-]+) \|$", text, flags=re.MULTILINE)
    documented = {family: tuple(shades.split(", ")) for family, shades in rows[1:]}
    assert documented == {family.value: shades for family, shades in FAMILY_SHADES.items()}
