"""The one rule of which demand a catalog sku meets (pipelines/demand/matching.py), and that the
classification's index, the linking and the follow-ups' pair tables all follow it."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pipelines.demand.catalog import CatalogEntry, index_catalog
from pipelines.demand.matching import (
    attributes_meet,
    categories_conflict,
    category_meets,
    category_pairs,
    narrower,
    size_key_columns,
    size_meets,
    size_pairs,
    sizes_conflict,
    sizes_meet_column,
)
from pipelines.extract.lexicon import CATEGORIES, GENERIC_CATEGORIES, UNCHECKED_CATEGORIES


@pytest.mark.parametrize(
    ("asked", "offered", "meets"),
    [
        ("M", "M", True),
        ("M", "L", False),
        ("32", "32x30", True),  # a waist alone: any leg length
        ("32", "32x32", True),
        ("32", "34x32", False),
        ("32x30", "32x30", True),
        ("32x30", "32x32", False),
        ("32x30", "32", True),  # a sku sold by waist alone
        ("32x30", "34", False),
        ("30", "32x30", False),  # the leg is not a waist
        ("8.5", "8.5", True),
        ("10/12", "10", False),
    ],
)
def test_size_meets(asked, offered, meets):
    assert size_meets(asked, offered) is meets


@pytest.mark.parametrize(
    ("asked", "offered", "meets"),
    [
        ("hoodie", "hoodie", True),
        ("top", "hoodie", True),
        ("top", "t-shirt", True),
        ("top", "top", True),
        ("top", "jacket", False),
        ("hoodie", "top", False),  # a tank top does not meet a demand for a hoodie
        ("shoes", "sneakers", False),
        ("jumpsuit", "jumpsuit", True),
        ("other", "other", False),  # never compared with the catalog
        ("other", "sneakers", False),
    ],
)
def test_category_meets(asked, offered, meets):
    assert category_meets(asked, offered) is meets


def test_generic_and_unchecked_categories_are_the_extractors():
    for generic, covered in GENERIC_CATEGORIES.items():
        assert generic in CATEGORIES and set(covered) <= set(CATEGORIES)
    assert UNCHECKED_CATEGORIES <= set(CATEGORIES)


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        ("32", "32x30", False),
        ("32x30", "32", False),
        ("32x30", "32x32", True),
        ("M", "L", True),
        ("M", "M", False),
    ],
)
def test_sizes_conflict_for_linking_both_ways(a, b, conflict):
    assert sizes_conflict(a, b) is conflict


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [("top", "hoodie", False), ("hoodie", "top", False), ("hoodie", "shirt", True)],
)
def test_categories_conflict_for_linking(a, b, conflict):
    assert categories_conflict(a, b) is conflict


def test_narrower():
    assert narrower("top", "hoodie", "category") and not narrower("hoodie", "top", "category")
    assert narrower("32", "32x30", "size") and not narrower("32x30", "32", "size")
    assert not narrower("M", "L", "size") and not narrower(None, "M", "size")


@pytest.mark.parametrize(
    ("asked", "meets"),
    [
        ((None, None, None), True),  # the text names nothing: the sku is what was asked
        (("blue", "solid", "32"), True),  # a waist alone meets the sku's 32x30
        (("black", None, None), False),  # "wanted this in black"
        ((None, "striped", None), False),
        ((None, None, "32x32"), False),  # "in 32x32"
        ((None, None, "M"), False),
    ],
)
def test_attributes_meet_a_skus_color_family_pattern_and_size(asked, meets):
    assert attributes_meet(asked, ("blue", "solid", "32x30")) is meets
    assert attributes_meet(asked, (None, None, None)) is (asked == (None, None, None))


def test_sizes_meet_column_is_size_meets_row_by_row():
    asked = pa.chunked_array([["32", "32x30", None, "M", "32", "M"]], pa.string())
    offered = pa.array(["32x30", "32x32", "M", None, "32x30", "M"], pa.string())
    assert sizes_meet_column(asked, offered).to_pylist() == [True, False, None, None, True, True]


def test_size_key_columns_look_up_every_key_of_each_size():
    keys = size_key_columns(pa.chunked_array([["32x30", None, "M", "32x30"]], pa.string()))
    assert [k.to_pylist() for k in keys] == [
        ["32x30", None, "M", "32x30"],
        ["32x*", None, None, "32x*"],
    ]


def test_pair_tables_hold_exactly_the_pairs_that_meet():
    sizes = size_pairs(["32", "32x30", "M"], ["32x30", "32x32", "32", "M", "L"])
    assert sorted(zip(*sizes.to_pydict().values(), strict=True)) == [
        ("32", "32"),
        ("32", "32x30"),
        ("32", "32x32"),
        ("32x30", "32"),
        ("32x30", "32x30"),
        ("M", "M"),
    ]
    categories = category_pairs(["top", "other", "coat"], ["hoodie", "coat", "other"])
    assert sorted(zip(*categories.to_pydict().values(), strict=True)) == [
        ("coat", "coat"),
        ("top", "hoodie"),
    ]


def test_the_catalog_index_follows_the_rule():
    index = index_catalog(
        {
            "J-1": CatalogEntry("J-1", "jeans", "navy", "blue", "solid", "32x32", 80.0),
            "J-2": CatalogEntry("J-2", "jeans", "navy", "blue", "solid", "34", 70.0),
            "H-1": CatalogEntry("H-1", "hoodie", "grey", "grey", "solid", "M", 60.0),
            "O-1": CatalogEntry("O-1", "other", "black", "black", "solid", "M", 20.0),
        }
    )
    assert index.carries("jeans", "blue", None, "32")
    assert index.carries("jeans", "blue", None, "34x30")  # J-2 is sold by waist alone
    assert not index.carries("jeans", "blue", None, "32x30")
    assert index.carries("top", "grey", "solid", "M") and not index.carries("top", "red", None, "M")
    assert not index.carries("other", None, None, None)  # an unchecked category: no sku meets it
    assert index.comparables("jeans", "blue", None, "34x30") == (70.0, 1)
    assert index.comparables("top", None, None, None) == (60.0, 1)
    assert index.comparables("other", None, None, None) is None
