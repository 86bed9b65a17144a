"""Issue 13, classes 4 and 5: which numbers are sizes, and size shorthand, halves and combined
sizes. Mention detection only (which words are a size, with which value); the polarity step
decides wanted, rejected, offered or mentioned."""

from __future__ import annotations

import pytest

from pipelines.extract import extract
from pipelines.extract.extractor import rule_tokens
from pipelines.extract.tokens import ATTR, KIND, VALUE


def _detected(text: str, attribute: str) -> list[str]:
    """Mention detection (the scanner and the rules), before the polarity model reads each
    mention: what this file's rules are about."""
    return [t[VALUE] for t in rule_tokens(text)[0] if t[KIND] == "mention" and t[ATTR] == attribute]


def sizes(text: str) -> list[str]:
    return _detected(text, "size")


def modifiers(text: str) -> list[str]:
    return _detected(text, "size_modifier")


# class 4: numbers that are not sizes, next to numbers that are
NOT_SIZES = [
    ("height-feet-inches-quote", "i'm 5'4\" and it hits at the knee", []),
    ("height-no-inch-mark", "i am 5'4, curvy, and the dress was long", []),
    ("height-curly-quotes", "I’m 5’7” and it was fine", []),
    ("height-space-after-foot", "i'm 5' 2\" so i hemmed it", []),
    ("height-ft", "he is 5 ft 10 and broad", []),
    ("height-feet-words", "she's 5 feet 6 inches", []),
    ("weight-lbs", "i'm 140 lbs and it fit", []),
    ("weight-lbs-two-digits", "lost 15 lbs since last year", []),
    ("weight-kg", "i weigh 62 kg", []),
    ("weight-pounds", "125 pounds, broad shoulders", []),
    ("weight-hash", "i am 100# and petite", []),
    ("bra-glued", "34C bust and it gaped", []),
    ("bra-lower-case", "i'm a 36d so the top was snug", []),
    ("bra-spaced", "34 b and it fit fine", []),
    ("bra-double-d", "i am 115 lbs and 30 dd for reference", []),
    ("sleeve-fraction", "love the 3/4 length sleeves", []),
    ("sleeve-fraction-word", "the 3/4 sleeves are perfect", []),
    ("half-alone", "about 1/2 an inch too long", []),
    ("age-son", "my son is 7 and needs new boots", []),
    ("age-years-old", "for my 13 year old daughter", []),
    ("price-dollar", "it was $40 on sale", []),
    ("price-paid", "i paid 35 for it", []),
    ("measurement-inches-mark", '26" waist and 32" hips', []),
    ("measurement-inch-word", "your chart says a 12 is 34 inch bust", ["12"]),
    ("measurement-cm", "the inseam is 30 cm too short", []),
    ("measurement-range", "my measurements are 34-28-36", []),
    ("weight-range", "it would add 10-15 lbs to my frame", []),
    ("quantity-sizes", "i went 2 sizes down", []),
    ("quantity-kids", "cust with 2 kids asked for the fitting rooms", []),
    ("numbered-point", "2. i'm 5'5\" tall and it fit", []),
    ("list-item", "issues: 1) the colour, 2) the fit", []),
    ("age-hyphenated", "my 2-year-old loves it", []),
    ("usual-size-is-a-size", "I usually wear a 10", ["10"]),
    ("size-before-a-full-stop", "i got the 8. it fits", ["8"]),
    ("two-sizes-ordered", "ordered the 8 and the 10 to compare", ["8", "10"]),
    ("height-then-size", "i'm 5'5\" 119 lbs and i purchased a size 2", ["2"]),
    ("son-age-then-size", "my son is 7 and needs a 13", ["13"]),
    ("waist-size-is-a-size", "wanted 32 chinos, only had 34 waist", ["32", "34"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in NOT_SIZES],
                         ids=[c[0] for c in NOT_SIZES])  # fmt: skip
def test_numbers_that_are_not_sizes(text, expected):
    assert sizes(text) == expected


# class 5: shorthand, halves, combined sizes
SHORTHAND = [
    ("mp", "ordered the mp", ["M"], ["petite"]),
    ("lp", "the lp was sold out", ["L"], ["petite"]),
    ("pxs", "got the pxs", ["XS"], ["petite"]),
    ("xsp", "wanted an xsp", ["XS"], ["petite"]),
    ("xxsp", "even the xxsp was big", ["XXS"], ["petite"]),
    ("0p", "i'm a 0p in most brands", ["0"], ["petite"]),
    ("2p", "ordered the 2p", ["2"], ["petite"]),
    ("6p", "the 6p fit perfectly", ["6"], ["petite"]),
    ("mt", "do you have the mt in stock", ["M"], ["tall"]),
    ("xlt", "wanted an xlt", ["XL"], ["tall"]),
    ("s-petite", "i got the s petite", ["S"], ["petite"]),
    ("petite-small", "i ordered the petite small", ["S"], ["petite"]),
    ("petite-medium", "ordered the petite medium", ["M"], ["petite"]),
    ("medium-petite", "the medium petite fits", ["M"], ["petite"]),
    ("size-zero", "do you have it in a size zero", ["0"], []),
    ("size-0", "size 0 please", ["0"], []),
    ("a-0-and-a-00", "i exchanged my 0 for a 00", ["0", "00"], []),
    ("half-fraction", "shoes in 8 1/2", ["8.5"], []),
    ("half-comma", "die Schuhe in 38,5 bitte", ["38.5"], []),
    ("half-words", "need a 43 and a half", ["43.5"], []),
    ("half-decimal", "wanted the 7.5", ["7.5"], []),
    ("combined-letters", "the M/L fits loosely", ["M/L"], []),
    ("combined-lower-case", "i ordered this in xs/s", ["XS/S"], []),
    ("combined-words", "the small/medium was perfect", ["S/M"], []),
    ("combined-numbers", "i'm a 10/12 in tops", ["10/12"], []),
    ("combined-small-numbers", "the 2/4 was too big", ["2/4"], []),
    ("waist-leg-slash", "jeans 32/30", ["32x30"], []),
    ("tts-is-no-size", "it runs tts", [], []),
    ("zero-stock-is-no-size", "0 left in the stockroom", [], []),
]


@pytest.mark.parametrize(("text", "want_sizes", "want_modifiers"), [c[1:] for c in SHORTHAND],
                         ids=[c[0] for c in SHORTHAND])  # fmt: skip
def test_size_shorthand_halves_and_combined(text, want_sizes, want_modifiers):
    assert sizes(text) == want_sizes
    assert modifiers(text) == want_modifiers


def test_a_shorthand_size_and_its_modifier_cover_the_same_words():
    text = "cust after petite jeans 8p dark indigo"
    found = [(m.attribute, m.raw, m.value) for m in extract(text).mentions if "size" in m.attribute]
    assert ("size", "8p", "8") in found and ("size_modifier", "8p", "petite") in found


# size words that describe the fit or the body, and lone letters that are sizes
SIZE_WORDS = [
    ("runs-large", "it runs large, size down", []),
    ("too-small", "the waist was too small", []),
    ("a-little-large", "it was a little large in the chest", []),
    ("large-bust", "i have a large bust", []),
    ("small-frame", "on my small frame it drowned me", []),
    ("small-florals", "the white with small florals", []),
    ("medium-weight", "a medium weight knit", []),
    ("ordered-a-small", "i ordered a small", ["S"]),
    ("the-medium-was-too-large", "the medium was too large", ["M"]),
    ("lone-s-after-article", "i purchased a s as it runs big", ["S"]),
    ("s-and-m", "i ordered the s and m.", ["S", "M"]),
    ("s-or-m", "would you recommend the s or m?", ["S", "M"]),
    ("xs-and-s", "back in stock in xs and s", ["XS", "S"]),
    ("m-and-s-is-a-shop", "i got it at m&s last week", []),
    ("plural-sizes", "smalls tend to be tight, mediums are fine", ["S", "M"]),
    ("sized-down-one-size", "i sized down one size", []),
    ("one-size-fits-all", "the scarf is one size", ["OS"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in SIZE_WORDS],
                         ids=[c[0] for c in SIZE_WORDS])  # fmt: skip
def test_size_words_and_letters(text, expected):
    assert sizes(text) == expected


MODIFIERS = [
    ("im-petite", "i am petite and the xs fit", []),
    ("height-tall", "i'm 5'9\" tall and it was short", []),
    ("tall-girl", "as a tall girl i struggle", []),
    ("petite-range", "wants the petite range", ["petite"]),
    ("tall-medium", "tall guy wants tall medium tees", ["tall"]),
    ("xxs-petite", "tried on the xxs petite and it was boxy", ["petite"]),
    ("reg-length", "wanted rust cords, 30 reg", ["regular"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in MODIFIERS],
                         ids=[c[0] for c in MODIFIERS])  # fmt: skip
def test_size_modifiers_name_a_range_not_the_person(text, expected):
    assert modifiers(text) == expected


COMPARATIVES = [
    ("advice-size-down", "the medium fits, so if in doubt size down", ["M"]),
    ("advice-said-to-size-up", "people said to size up, so i ordered a medium", ["M"]),
    ("request-wants-to-size-up", "customer wants to size up from the M", ["L", "M"]),
    ("request-one-size-up", "wanted one size up, had the XL", ["XXL", "XL"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in COMPARATIVES],
                         ids=[c[0] for c in COMPARATIVES])  # fmt: skip
def test_bare_size_up_or_down_is_advice_unless_asked_for(text, expected):
    # comparatives are resolved after mention detection: read the whole extraction
    assert [m.value for m in extract(text).mentions if m.attribute == "size"] == expected


REGULAR = [
    ("regular-before", "i ordered both a petite xs and regular xs", ["petite", "regular"]),
    ("regular-after", "went with charcoal 36 regular", ["regular"]),
    ("regular-after-comma", "tried the size small, regular.", ["regular"]),
    ("my-regular-size", "my regular size is 8", []),
    ("regular-bra", "wear a regular bra under it", []),
    ("new-sentence", "took the small. regular ones are fine", []),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in REGULAR],
                         ids=[c[0] for c in REGULAR])  # fmt: skip
def test_regular_is_a_modifier_only_next_to_a_size(text, expected):
    assert modifiers(text) == expected
