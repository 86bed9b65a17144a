"""Issue 13, size recall: sizes as customers write them (bare letters after a verb, petite
letters, numbers written as words, glued suffixes), and the words that look like them and are
no sizes ("i'm", "it's", "5 m", "six buttons", "in the pm"). Mention detection only, as in
test_extract_sizes.py; every sentence here is invented."""

from __future__ import annotations

import pytest

from pipelines.extract.sizes import read_number
from tests.extract.test_extract_sizes import modifiers, sizes

# a lone s, m or l in a size position
BARE_LETTERS = [
    ("after-buy", "in this brand i always buy l", ["L"]),
    ("after-chose", "the chart was confusing so i chose m", ["M"]),
    ("combined-then-chose", "normally xs/s, chose m for the layering", ["XS/S", "M"]),
    ("after-picked", "i picked s and kept it", ["S"]),
    ("after-took", "took l in the end", ["L"]),
    ("clause-start-was", "after two tries, m was the one", ["M"]),
    ("clause-start-fits", "on my frame, l fits like a tent", ["L"]),
    ("sentence-start-is", "lovely jumper. s is snug on me", ["S"]),
    ("up-to", "the arms were tight so i went up to l", ["L"]),
    ("exchanged-for", "the s was short, exchanged for m", ["S", "M"]),
    ("quoted-after-size", "the tag said size 'l' but it felt smaller", ["L"]),
    ("hyphen-petite", "my go-to is m-petite", ["M"]),
    ("extra-small-words", "my partner is an extra small", ["XS"]),
    ("size-word-starts-sentence", "medium still felt roomy", ["M"]),
]
NOT_LETTER_SIZES = [
    ("contraction-im", "i'm so pleased, it's gorgeous", []),
    ("s-slash-he", "my sister said s/he would borrow it", []),
    ("metres", "she needed 3 m of ribbon", []),
    ("marks-and-spencer", "i'd buy m&s socks instead", []),
    ("mid-clause-was", "the hem of it was frayed", []),
    ("letter-not-at-clause-start", "plan m was to return it", []),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BARE_LETTERS + NOT_LETTER_SIZES],
                         ids=[c[0] for c in BARE_LETTERS + NOT_LETTER_SIZES])  # fmt: skip
def test_bare_letters_in_a_size_position(text, expected):
    assert sizes(text) == expected


# "pm", "ps", "pl": petite M, S, L, but also afternoon, postscript
PETITE_LETTERS = [
    ("the-pm", "ordered the pm but it was roomy", ["M"], ["petite"]),
    ("a-ps", "she got a ps.", ["S"], ["petite"]),
    ("down-to-pl", "i wear my usual pl, and it fits", ["L"], ["petite"]),
    ("size-ps", "do you stock size ps", ["S"], ["petite"]),
    ("in-the-pm", "we restock in the pm, call back", [], []),
    ("postscript", "ps the colour is lovely", [], []),
    ("pm-shift", "the pm shift was quiet", [], []),
    ("clock-time", "collected at 4 pm", [], []),
]


@pytest.mark.parametrize(("text", "want_sizes", "want_modifiers"),
                         [c[1:] for c in PETITE_LETTERS], ids=[c[0] for c in PETITE_LETTERS])  # fmt: skip
def test_petite_letters_only_in_a_size_slot(text, want_sizes, want_modifiers):
    assert sizes(text) == want_sizes
    assert modifiers(text) == want_modifiers


# numbers written as words
SPELLED = [
    ("size-eight", "i'm a size eight in most dresses", ["8"]),
    ("size-ten-or-twelve", "size ten or twelve in most shops", ["10", "12"]),
    ("a-six-an-eight", "they only had a six, and i'm an eight", ["6", "8"]),
    ("a-four-and-six", "anywhere between a four and six", ["4", "6"]),
    ("the-ten-because", "went with the ten because of the sleeves", ["10"]),
    ("gotten-a-twelve-but", "could have gotten a twelve but it is fine", ["12"]),
    ("a-size-zero", "do you stock a size zero", ["0"]),
    ("a-zero", "i'm a zero in their jeans", ["0"]),
    ("double-zero", "even the size double zero gaped", ["00"]),
    ("odd-after-size", "boots in a size seven please", ["7"]),
]
NOT_SPELLED_SIZES = [
    ("buttons", "the coat has six buttons", []),
    ("months", "i've worn it for six months", []),
    ("age", "my niece is eight and loves it", []),
    ("six-pack", "bought a six-pack of socks", []),
    ("two-piece", "a two piece set in navy", []),
    ("between-the-two", "between the two, the navy is nicer", []),
    ("minutes", "the queue took ten minutes", []),
    ("zero-stretch", "zero stretch in the fabric", []),
    ("stars", "four stars because the hem frayed", []),
    ("odd-bare", "a three or a five is a count", []),
    ("one-of", "one of the two straps broke", []),
    ("zero-in-stock", "wanted the wrap skirt in m - zero in store", ["M"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in SPELLED + NOT_SPELLED_SIZES],
                         ids=[c[0] for c in SPELLED + NOT_SPELLED_SIZES])  # fmt: skip
def test_numbers_written_as_words(text, expected):
    assert sizes(text) == expected


# glued suffixes and number sizes in the places reviewers put them
GLUED = [
    ("zero-regular", "i ordered a 0r this time", ["0"], ["regular"]),
    ("double-zero-petite", "my normal 00p fits", ["00"], ["petite"]),
    ("letters-petite-glued", "the store had an xspetite", ["XS"], ["petite"]),
    ("size-glued", "size12 was sold out", ["12"], []),
    ("plural-numbers", "she takes 12s and 14s in trousers", ["12", "14"], []),
    ("decade-is-no-size", "a style from the 90s, i'm in my 40s", [], []),
    ("a-4-in-tops", "i'm usually a 4 in tops", ["4"], []),
    ("count-of-shirts", "the 2 white shirts came", [], []),
    ("typical-0", "went for my typical 0 again", ["0"], []),
    ("bracketed-size", "(for reference i tried on the 27)", ["27"], []),
    ("list-item", "problems: 1) the zip, 2) the lining", [], []),
    ("list-item-after-or", "it needs 1) a wash, 2) a press or 3) a hem", [], []),
    ("metres-after-number", "the sash is 5 m long", [], []),
    ("letters-listed", "the family took xs s m l xl", ["XS", "S", "M", "L", "XL"], []),
    ("consecutive-jeans-sizes", "i'm between sizes, a 27/28", ["27/28"], []),
    ("waist-and-leg", "he wears 31/32 chinos", ["31x32"], []),
    ("plural-xl", "the xls sold out first", ["XL"], []),
]


@pytest.mark.parametrize(("text", "want_sizes", "want_modifiers"), [c[1:] for c in GLUED],
                         ids=[c[0] for c in GLUED])  # fmt: skip
def test_glued_and_placed_number_sizes(text, want_sizes, want_modifiers):
    assert sizes(text) == want_sizes
    assert modifiers(text) == want_modifiers


@pytest.mark.parametrize(
    ("matched", "expected"),
    [("0r", ("0", "regular", False)), ("00p", ("00", "petite", True)), ("6p", ("6", "petite", False)),
     ("14s", ("14", None, False)), ("30s", None), ("4r", ("4", "regular", False))],
)  # fmt: skip
def test_read_number_suffixes(matched, expected):
    assert read_number(matched) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("client after a black dress triple xl", ["XXXL"]),
        ("blazer, brown, double xs", ["XXS"]),
        ("coat in double xl", ["XXL"]),
        ("wanted the parka in a double extra large", ["XXL"]),
        ("jeans xx-lrg please", ["XXL"]),
        ("a fleece x-lrg", ["XL"]),
    ],
)
def test_doubled_and_tripled_letter_sizes(text, expected):
    # a fresh-eyes review found "double xl" read as XL (the trailing "xl" won)
    assert sizes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "wanted the navy coat, delivery booked for the pm.",
        "wanted the navy coat, she will ring during the pm.",
        "wanted a navy coat, rated us a ten",
        "wanted the navy coat, she gave us a ten",
        "wanted the navy coat, none left. m was going to call her back",
        "wanted the blue jumper, call back 0r email",
    ],
)
def test_no_size_in_times_ratings_money_or_typos(text):
    # a fresh-eyes review found each of these read as a size (M petite, 10, M, 0 regular)
    assert sizes(text) == [] and modifiers(text) == []
