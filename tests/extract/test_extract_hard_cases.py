"""The hard cases of issue 3, one test id each: negation, several items, comparatives,
misspellings, and words that look like attributes but are not."""

from __future__ import annotations

import pytest

from pipelines.extract import extract

# (id, note, attribute, polarity, expected values)
CASES = [
    (
        "example-from-issue",
        "lady wanted the wool coat in sage green, size L, we only had black and it was too big",
        "color",
        "wanted",
        ["green"],
    ),
    (
        "offered-is-not-wanted",
        "lady wanted the wool coat in sage green, size L, we only had black",
        "color",
        "offered",
        ["black"],
    ),
    ("negation-contrast-wanted", "not the black one but navy", "color", "wanted", ["blue"]),
    ("negation-contrast-rejected", "not the black one but navy", "color", "rejected", ["black"]),
    (
        "negation-no-x",
        "no black please, looking for a white shirt 16",
        "color",
        "rejected",
        ["black"],
    ),
    ("negation-hates", "customer hates red, wanted a pink top in S", "color", "wanted", ["pink"]),
    (
        "negation-did-not-want",
        "she did not want the black, wanted brown boots 6",
        "color",
        "rejected",
        ["black"],
    ),
    ("negation-returned", "returned the red dress, wants blue in 10", "color", "rejected", ["red"]),
    ("negation-did-not-fit", "tried the M but it did not fit, wanted L", "size", "rejected", ["M"]),
    (
        "negation-ends-at-comma",
        "looking for a blazer, navy, not black, 14",
        "size",
        "wanted",
        ["14"],
    ),
    (
        "several-items-colors",
        "a navy coat in M and a red scarf",
        "color",
        "wanted",
        ["blue", "red"],
    ),
    (
        "several-items-sizes",
        "customer asked for a white tee and black jeans, S and 28",
        "size",
        "wanted",
        ["S", "28"],
    ),
    (
        "comparative-one-size-up",
        "customer wants hoodie one size up from the M she has",
        "size",
        "wanted",
        ["L"],
    ),
    (
        "comparative-a-size-bigger",
        "the S was too small, wanted a size bigger",
        "size",
        "wanted",
        ["M"],
    ),
    ("comparative-size-down", "wanted one size down, had the XL", "size", "wanted", ["L"]),
    (
        "comparative-smaller-than",
        "can i get this one size smaller than L?",
        "size",
        "wanted",
        ["M"],
    ),
    ("misspelling-blk", "blk leather jacket sz S requested", "color", "wanted", ["black"]),
    ("misspelling-nvy", "nvy blazer sz 40 wanted, gone", "color", "wanted", ["blue"]),
    ("misspelling-med", "wanted maroon hoodie med", "size", "wanted", ["M"]),
    ("misspelling-xs", "wanted xs petite jeans in light blue", "size", "wanted", ["XS"]),
    ("misspelling-burgandy", "wanted loafers in burgandy 8", "color", "wanted", ["red"]),
    ("misspelling-grn", "guy wanted bomber jacket olive grn XL", "color", "wanted", ["green"]),
    ("misspelling-purpel", "asked for a purpel dress sz 10", "color", "wanted", ["purple"]),
    (
        "false-friend-black-friday",
        "lady asked for black friday deals on coats",
        "color",
        "wanted",
        [],
    ),
    (
        "false-friend-medium-pink",
        "medium pink cardigan asked for in size 16",
        "size",
        "wanted",
        ["16"],
    ),
    (
        "false-friend-medium-pink-color",
        "medium pink cardigan asked for",
        "color",
        "wanted",
        ["pink"],
    ),
    ("false-friend-solid-quality", "said our scarves are solid quality", "pattern", "wanted", []),
    (
        "false-friend-check-size-chart",
        "can you check the size chart for the wool blazer?",
        "pattern",
        "wanted",
        [],
    ),
    ("false-friend-red-hair", "red hair lady wanted a green dress", "color", "wanted", ["green"]),
    ("false-friend-size-of-a-dime", "the size of a dime stain on the shirt", "size", "wanted", []),
    (
        "false-friend-orange-county",
        "caller from orange county asking about returns",
        "color",
        "wanted",
        [],
    ),
    (
        "false-friend-green-light",
        "manager gave the green light for the refund",
        "color",
        "wanted",
        [],
    ),
    (
        "false-friend-in-the-red",
        "customer said business is in the red, just browsing",
        "color",
        "wanted",
        [],
    ),
    (
        "false-friend-order-number",
        "customer calling to chase refund, order 55812",
        "size",
        "wanted",
        [],
    ),
    ("false-friend-durations", "delivery late 3 days, waited 20 minutes", "size", "wanted", []),
    (
        "false-friend-age",
        "looking for a yellow raincoat for my daughter, age 8",
        "size",
        "wanted",
        [],
    ),
    (
        "false-friend-name-cardiff",
        "Customer asked whether we have a store in Cardiff",
        "category",
        "wanted",
        [],
    ),
    ("one-size-then-number", "she wanted the cream one size 10", "size", "wanted", ["10"]),
    (
        "waist-by-leg",
        "man needed chinos W34 L32 in khaki, we had 34x30 only",
        "size",
        "wanted",
        ["34x32"],
    ),
    ("question-in-x", "do you have the blazer in navy?", "color", "wanted", ["blue"]),
]


@pytest.mark.parametrize(
    ("note", "attribute", "polarity", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_hard_case(note, attribute, polarity, expected):
    assert extract(note).values(attribute, polarity) == expected


def test_medium_pink_is_a_shade_not_a_size():
    mentions = extract("medium pink cardigan").mentions
    assert [(m.attribute, m.value, m.shade) for m in mentions if m.attribute != "category"] == [
        ("color", "pink", "medium pink")
    ]


def test_size_modifier_is_its_own_attribute():
    e = extract("cust asked for plus size jeans 22 in black, petite")
    assert [m.value for m in e.mentions if m.attribute == "size_modifier"] == ["plus", "petite"]
    assert e.wanted("size") == ["22"]
