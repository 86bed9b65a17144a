"""`Extraction.demand`, the garment-only rule and the stricter misspelling match for garments."""

from __future__ import annotations

import pytest

from pipelines.extract import DemandedItem, Extraction, extract
from pipelines.extract.scanner import fuzzy_term

#: Unmet demand that names no attribute at all: demand, but no item.
VAGUE_DEMAND = [
    "cant find what im looking for",
    "missed a sale, customer after smth else",
    "asked for the one from tiktok, said she'd go to zara!",
    "nothing i like on the site!",
    "wanted a specific item, didnt know the name",
    "Customer wanted an item from the ad, we don't have it.",
    "cust wanted the new collection piece, not in yet.",
    "lady wanted smth we dont have!",
    "customer left without buying, wanted smth we dont sell",
    "someone asked for the one in the window from last month",
    "customer disappointed, item not available",
    "man lookin for a gift, nothing suitable",
    "do you have the one from the ad?",
    "where has the new collection item gone?",
    "couldn't help a customer today, not sure what she was after",
    "wntd the thing her friend bought here, no idea which",
]

#: Notes with no request in them: no demand and no item.
NO_DEMAND = [
    "customer happy with the fit",
    "restocked the window display",
    "app keeps logging me out",
    "do you do gift cards!",
    "Customer loved the new boots.",
    "price tags missnig on new knitwear, fixed!",
    "tidied the denim wall",
    "gift wrapping requested, done",
    "customer asked about opening hours",
    "where is my order",
    "customer returned a jumper, no issue",
    "exchange done, size swap",
    "",
]


@pytest.mark.parametrize("note", VAGUE_DEMAND)
def test_vague_unmet_demand_is_demand_without_items(note):
    e = extract(note)
    assert e.demand is True
    assert e.items == ()


@pytest.mark.parametrize("note", NO_DEMAND)
def test_notes_without_a_request_are_not_demand(note):
    e = extract(note)
    assert e.demand is False
    assert e.items == ()


@pytest.mark.parametrize(
    ("note", "item"),
    [
        ("lady wanted the wool coat in sage green", DemandedItem("coat", "green", "sage", None,
                                                                 None, None)),
        ("navy chinos 32x30?", DemandedItem("trousers", "blue", "navy", None, "32x30", None)),
        ("customer asked for boots", DemandedItem("boots", None, None, None, None, None)),
        ("any parkas in?", DemandedItem("coat", None, None, None, None, None)),
        ("boots sold out again", DemandedItem("boots", None, None, None, None, None)),
        ("Customer loved the new boots, wanted them in tan",
         DemandedItem("boots", "beige", "tan", None, None, None)),
    ],
)  # fmt: skip
def test_items_are_demand(note, item):
    e = extract(note)
    assert e.items == (item,)
    assert e.demand is True


@pytest.mark.parametrize(
    ("note", "category"),
    [
        ("Customer loved the new boots.", "boots"),
        ("price tags missing on new knitwear, fixed", "sweater"),
    ],
)
def test_a_garment_without_a_cue_is_only_mentioned(note, category):
    e = extract(note)
    assert e.items == ()
    assert e.category == category  # still the first garment named
    assert [m.polarity for m in e.mentions if m.attribute == "category"] == ["mentioned"]


def test_a_garment_word_about_something_else_is_no_item():
    """ "denim wall" is a shop fixture: not an item (LABELLING.md: not an attribute at all);
    the polarity model may drop the word (extract-2.0.0) or keep it as mentioned."""
    e = extract("tidied the denim wall")
    assert e.items == ()
    assert e.demand is False
    assert all(m.polarity == "mentioned" for m in e.mentions)


@pytest.mark.parametrize(
    ("note", "item"),
    [
        ("customer loved the new boots in black", DemandedItem("boots", "black", None, None, None,
                                                                None)),
        ("camo shorts in M?", DemandedItem("shorts", None, None, "camouflage", "M", None)),
    ],
)  # fmt: skip
def test_a_garment_with_an_attribute_needs_no_cue(note, item):
    assert extract(note).items == (item,)


@pytest.mark.parametrize("word", ["logging", "loging", "cards", "boats", "cores"])
def test_changed_letters_are_not_misspelt_garments(word):
    assert fuzzy_term(word) is None


@pytest.mark.parametrize(
    ("word", "term"),
    [("legging", "leggings"), ("corals", "coral"), ("greeny", "green"), ("balck", "black"),
     ("rasberry", "raspberry")],
)  # fmt: skip
def test_typos_and_inflections_still_match(word, term):
    """The dictionary guard drops only real words whose stem differs from the term's."""
    assert fuzzy_term(word) == term


@pytest.mark.parametrize(
    "note", ["app keeps logging me out", "do you do gift cards", "strappy sandals", "took shots"]
)
def test_everyday_words_are_not_misspelt_attributes(note):
    assert [m.raw for m in extract(note).mentions if m.raw.lower() not in ("sandals",)] == []


@pytest.mark.parametrize(
    ("word", "term"),
    [("dres", "dress"), ("shrit", "shirt"), ("sihrt", "shirt"), ("shotrs", "shorts"),
     ("soes", "shoes"), ("purpel", "purple"), ("chracoal", "charcoal"), ("camle", "camel")],
)  # fmt: skip
def test_misspellings_still_match(word, term):
    assert fuzzy_term(word) == term


def test_dresses_is_a_plural_not_a_typo():
    assert extract("wanted two dresses in red").items[0].category == "dress"


def test_demand_is_a_new_last_field_with_a_default():
    assert Extraction(None, (), ()).demand is False
    assert Extraction(None, (), (), True).demand is True
    assert extract("sold out").to_dict()["demand"] is True
    assert extract("hangers ran out").to_dict()["demand"] is False


@pytest.mark.parametrize(
    ("note", "color", "polarity"),
    [
        ("only had black, couldnt find navy", "blue", "wanted"),  # "couldn't find" is a want
        ("tried to add the navy shirt to basket, sold out", "blue", "wanted"),
        ("wanted navy, not in yet", "blue", "wanted"),  # "not in yet" does not reject
        ("we only had black, cust wntd navy", "blue", "wanted"),
    ],
)
def test_new_cues_keep_polarity_right(note, color, polarity):
    e = extract(note)
    assert [m.polarity for m in e.mentions if m.value == color] == [polarity]
