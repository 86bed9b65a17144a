"""Issue 13, class 7: colourway and shade names real catalogues and reviewers use, each read as
one mention of its family (LABELLING.md's 13 families, metallic included)."""

from __future__ import annotations

import pytest

from pipelines.extract import extract


def colors(text: str) -> list[tuple[str, str | None]]:
    return [(m.value, m.shade) for m in extract(text).mentions if m.attribute == "color"]


COLORWAYS = [
    ("graphite", "ordered the graphite one", "grey"),
    ("chambray", "love the chambray", "blue"),
    ("sage", "wanted it in sage", "green"),
    ("rust", "the rust is gorgeous", "orange"),
    ("mulberry", "got the mulberry", "purple"),
    ("ecru", "the ecru cable cardigan", "white"),
    ("ink", "ink blue jeans", "blue"),
    ("ink-alone", "i chose the ink", "blue"),
    ("sand", "the sand colour is perfect", "beige"),
    ("oatmeal", "oatmeal heather, size m", "beige"),
    ("petrol", "petrol blue coat", "blue"),
    ("dusty-rose", "dusty rose is my colour", "pink"),
    ("taupe", "the taupe boots", "beige"),
    ("camel", "a camel coat", "beige"),
    ("gold", "a gold sequin top", "metallic"),
    ("silver", "silver sandals", "metallic"),
    ("rose-gold", "the rose gold one", "metallic"),
    ("bronze", "bronze grommets", "metallic"),
    ("carbon", "the carbon colourway", "grey"),
    ("cedar", "in cedar", "brown"),
    ("army", "an army green jacket", "green"),
    ("dark-denim", "pairs well with dark denim", "blue"),
    ("corn-flower-blue", "a corn flower blue colour", "blue"),
    ("reddish", "a little more on the reddish side", "red"),
    ("plural", "i bought both blues", "blue"),
]


@pytest.mark.parametrize(("text", "family"), [c[1:] for c in COLORWAYS],
                         ids=[c[0] for c in COLORWAYS])  # fmt: skip
def test_colourway_names(text, family):
    assert [value for value, _ in colors(text)] == [family]


def test_two_colour_words_together_are_one_shade_of_the_last():
    assert colors("the grey-green one") == [("green", "grey green")]
    assert colors("a peachy pink top") == [("pink", "peachy pink")]
    assert colors("navy or black") == [("blue", "navy"), ("black", None)]


NOT_COLOURS = [
    ("stone-weight", "i'm 9 stone and 5'6"),
    ("olive-skin", "it looks great with my olive skin"),
    ("natural-waist", "it sits at my natural waist"),
    ("fuzzy-breasts", "i have large breasts"),
    ("fuzzy-maeve", "i'm an 8 in maeve tops"),
    ("fuzzy-frame", "on my athletic frame"),
    # English words one letter from a shade: a dictionary says they are words, not typos
    ("fuzzy-garment", "the garment is lovely"),
    ("fuzzy-purpose", "it serves its purpose"),
    ("fuzzy-besides", "besides the fit it is great"),
    ("fuzzy-picks", "it picks up lint"),
    ("silver-lining-idiom", "at least there's a silver lining"),
]


@pytest.mark.parametrize("text", [c[1] for c in NOT_COLOURS], ids=[c[0] for c in NOT_COLOURS])
def test_words_that_are_no_colour(text):
    assert colors(text) == []
