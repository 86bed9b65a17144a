"""extract(): the public interface other code relies on."""

from __future__ import annotations

import dataclasses

import pytest

from pipelines.extract import EXTRACTOR_VERSION, DemandedItem, Extraction, Mention, extract
from schemas.enums import Polarity

NOTES = [
    "lady wanted the wool coat in sage green, size L, we only had black and it was too big",
    "a navy coat in M and a red scarf",
    "not the black one but navy, medium",
    "Customer says the medium pink blouse she ordered came in the wrong size, needs a 14",
    "MAN WANTED NAVY SUIT 38",
    "",
]


def test_version_is_stamped():
    assert EXTRACTOR_VERSION.startswith("extract-")


def test_example_from_the_issue():
    e = extract(NOTES[0])
    assert e.category == "coat"
    assert e.wanted("color") == ["green"]
    assert e.wanted("size") == ["L"]
    assert e.rejected("color") == []
    assert e.items == (DemandedItem("coat", "green", "sage", None, "L", None),)
    black = [m for m in e.mentions if m.value == "black"]
    assert [m.polarity for m in black] == ["offered"]


def test_several_items():
    e = extract(NOTES[1])
    assert e.items == (
        DemandedItem("coat", "blue", "navy", None, "M", None),
        DemandedItem("scarf", "red", None, None, None, None),
    )
    assert e.category == "coat"


def test_nothing_wanted_means_no_items():
    e = extract("we only had black")
    assert e.items == ()
    assert e.wanted("color") == []


def test_category_falls_back_to_first_mention():
    assert extract("the size of a dime hole in my jumper").category == "sweater"


@pytest.mark.parametrize("note", NOTES)
def test_offsets_point_at_the_raw_text(note):
    for m in extract(note).mentions:
        assert note[m.start : m.end] == m.raw
        assert m.polarity in {p.value for p in Polarity}


def test_mentions_equal_normally_built_ones():
    built = extract(NOTES[2]).mentions[0]
    assert built == Mention(**{f.name: getattr(built, f.name) for f in dataclasses.fields(Mention)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.value = "red"  # type: ignore[misc]


def test_to_dict_shape():
    d = extract(NOTES[2]).to_dict(id="n1")
    assert d["id"] == "n1"
    assert set(d) == {"id", "category", "demand", "wanted", "rejected", "mentions"}
    assert d["demand"] is True
    assert set(d["wanted"]) == set(d["rejected"]) == {"color", "pattern", "size"}
    assert d["wanted"]["size"] == ["M"]
    assert set(d["mentions"][0]) == {"attribute", "raw", "value", "shade", "polarity", "start",
                                     "end"}  # fmt: skip


def test_empty_note():
    assert extract("") == Extraction(None, (), ())
