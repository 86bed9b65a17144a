"""Issue 13, class 6: attribute words that describe something else are not attributes of the
item (LABELLING.md "not an attribute at all"); plus the review vocabulary of garments and prints.
Mention detection only: which words are a colour, pattern, size or garment, with which value."""

from __future__ import annotations

import pytest

from pipelines.extract.extractor import rule_tokens
from pipelines.extract.tokens import ATTR, KIND, VALUE


def found(text: str) -> list[tuple[str, str]]:
    """Mention detection (the scanner and the rules), before the polarity model reads each
    mention: what this file's rules are about."""
    return [(t[ATTR], t[VALUE]) for t in rule_tokens(text)[0] if t[KIND] == "mention"]


NOT_ATTRIBUTES = [
    ("medium-wash", "love the medium wash on these jeans", [("category", "jeans")]),
    ("medium-brown-leather", "the medium brown leather is gorgeous", [("color", "brown")]),
    ("tan-from-the-summer", "i still have a tan from the summer", []),
    ("tan-lines", "no tan lines with this one", []),
    ("look-grey-and-tired", "it makes me look grey and tired", []),
    ("red-carpet", "a real red carpet look", []),
    ("black-friday", "bought it on black friday", []),
    ("printed-blouses", "great with printed blouses", [("category", "blouse")]),
    ("pair-with-striped-tee", "pair it with a striped tee", [("category", "t-shirt")]),
    ("button-pattern", "i love the button pattern on the cuffs", []),
    ("solid-construction", "solid construction, will last", []),
    ("solid-quality", "it is solid quality for the price", []),
    ("checked-the-stockroom", "checked the stockroom, none left", []),
    ("checked-stockroom", "checked stockroom, nothing", []),
    ("checked-other-branches", "checked other branches for it", []),
    ("check-the-size-chart", "check the size chart first", []),
    ("navy-veteran", "my dad is a Navy veteran", []),
    ("silver-lining", "every cloud has a silver lining", []),
    ("dress-it-up", "you can dress it up or down", []),
    ("t-shirt-material", "it is more like t-shirt material", []),
    ("knit-as-fabric", "it's a heavier light knit", []),
    ("denim-as-fabric", "the denim was thick with stretch", []),
    ("up-top", "a little loose up top", []),
    ("slip-into", "it was easy to slip into it", []),
    ("jean-fabric", "the softest jean fabric i own", []),
    ("brand-cloth-and-stone", "i love cloth & stone clothes", []),
    ("spotted-it", "i spotted this in the store", []),
    ("spot-on", "the fit is spot on", []),
    ("maeve-is-a-brand", "i am usually a size 8 in maeve", [("size", "8")]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in NOT_ATTRIBUTES],
                         ids=[c[0] for c in NOT_ATTRIBUTES])  # fmt: skip
def test_words_that_only_look_like_attributes(text, expected):
    assert found(text) == expected


STILL_ATTRIBUTES = [
    ("medium-is-a-size", "ordered the medium in black", [("size", "M"), ("color", "black")]),
    ("tan-is-a-colour", "wanted the tan boots", [("color", "beige"), ("category", "boots")]),
    ("grey-is-a-colour", "the grey one fits better", [("color", "grey")]),
    ("teal-knit-is-a-sweater", "asking about a teal knit, L",
     [("color", "blue"), ("category", "sweater"), ("size", "L")]),
    ("denim-in-a-size", "wanted denim in 30 waist", [("category", "jeans"), ("size", "30")]),
    ("checked-flannel-shirt", "do you have the checked flannel shirt",
     [("pattern", "checked"), ("category", "shirt")]),
    ("stripy-jumper-with", "no joy with the stripy jumper",
     [("pattern", "striped"), ("category", "sweater")]),
    ("dress-with-floral-print", "a dress with floral print",
     [("category", "dress"), ("pattern", "floral")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in STILL_ATTRIBUTES],
                         ids=[c[0] for c in STILL_ATTRIBUTES])  # fmt: skip
def test_the_same_words_as_attributes(text, expected):
    assert found(text) == expected


PRINTS = [
    ("love-the-print", "what an adorable print!", "printed"),
    ("motif", "i got the blue motif", "printed"),
    ("pattern", "the pattern is subtle", "printed"),
    ("animal-named-print", "i chose the cat print", "printed"),
    ("floral-pattern-is-one", "love the floral pattern", "floral"),
    ("zigzag-print", "the zigzag print is fun", "geometric"),
    ("flowers", "the flowers are embroidered in silk", "floral"),
    ("anything-plain", "got anything plain?", "solid"),
    ("graphics", "love the graphics on it", "graphic"),
]


@pytest.mark.parametrize(("text", "pattern"), [c[1:] for c in PRINTS],
                         ids=[c[0] for c in PRINTS])  # fmt: skip
def test_prints_are_one_pattern_mention(text, pattern):
    patterns = [value for attribute, value in found(text) if attribute == "pattern"]
    assert patterns[:1] == [pattern] and len(patterns) in (1, 2)


GARMENTS = [
    ("top", "i bought this top on sale", "top"),
    ("tank", "the softest tank i own", "top"),
    ("tanks", "these tanks are perfect", "top"),
    ("cami", "wear a cami under it", "top"),
    ("tunic", "a long tunic", "top"),
    ("tee", "a plain tee", "t-shirt"),
    ("pants", "great with black pants", "trousers"),
    ("pullover", "the pullover is warm", "sweater"),
    ("jumpsuit", "this jumpsuit is a dream", "jumpsuit"),
    ("romper", "the romper runs short", "other"),
    ("leggings", "i wore it over leggings", "other"),
    ("vest", "this vest is a stunner", "other"),
    ("poncho", "love the poncho style", "other"),
    ("bra", "you need a strapless bra", "other"),
    ("flares", "these flares are so soft", "jeans"),
]


@pytest.mark.parametrize(("text", "category"), [c[1:] for c in GARMENTS],
                         ids=[c[0] for c in GARMENTS])  # fmt: skip
def test_review_vocabulary_of_garments(text, category):
    assert [v for a, v in found(text) if a == "category"] == [category]
