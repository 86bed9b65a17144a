"""normalize_*: single catalogue values to the enumerations."""

from __future__ import annotations

import pytest

from pipelines.extract import (
    normalize_category,
    normalize_color,
    normalize_pattern,
    normalize_size,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("black", ("black", None)),
        ("Black", ("black", None)),
        ("navy", ("blue", "navy")),
        ("Navy Blue", ("blue", "navy")),
        ("Sage Green", ("green", "sage")),
        ("sage", ("green", "sage")),
        ("burgundy", ("red", "burgundy")),
        ("burgandy", ("red", "burgundy")),
        ("charcoal", ("grey", "charcoal")),
        ("gray", ("grey", None)),
        ("camel", ("beige", "camel")),
        ("taupe", ("beige", "taupe")),
        ("silver", ("metallic", "silver")),
        ("gold", ("metallic", "gold")),
        ("khaki", ("beige", "khaki")),
        ("ivory", ("white", "ivory")),
        ("fuchsia", ("pink", "fuchsia")),
        ("lilac", ("purple", "lilac")),
        ("mustard", ("yellow", "mustard")),
        ("rust", ("orange", "rust")),
        ("teal", ("blue", "teal")),
        ("light blue", ("blue", "light blue")),
        ("medium pink", ("pink", "medium pink")),
        ("rose gold", ("metallic", "rose gold")),
        ("blk", ("black", None)),
        ("nvy", ("blue", "navy")),
        ("purpel", ("purple", None)),
        ("table", None),
        ("", None),
    ],
)
def test_normalize_color(word, expected):
    assert normalize_color(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("striped", "striped"),
        ("Stripes", "striped"),
        ("stripy", "striped"),
        ("pinstripe", "striped"),
        ("tartan", "plaid"),
        ("gingham", "checked"),
        ("check", "checked"),
        ("leopard", "animal print"),
        ("zebra print", "animal print"),
        ("snake", "animal print"),
        ("camo", "camouflage"),
        ("dotted", "polka dot"),
        ("spotty", "polka dot"),
        ("polka-dot", "polka dot"),
        ("plain", "solid"),
        ("Solid", "solid"),
        ("tie dye", "tie-dye"),
        ("dogtooth", "houndstooth"),
        ("herringbone", "herringbone"),
        ("embroidered", "embroidered"),
        ("paisley", "paisley"),
        ("geometric", "geometric"),
        ("graphic", "graphic"),
        ("floral", "floral"),
        ("printed", "printed"),
        ("velvet", None),
    ],
)
def test_normalize_pattern(word, expected):
    assert normalize_pattern(word) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("M", "M"),
        ("m", "M"),
        ("medium", "M"),
        ("Med", "M"),
        ("x-small", "XS"),
        ("xs", "XS"),
        ("small", "S"),
        ("L", "L"),
        ("large", "L"),
        ("xl", "XL"),
        ("extra large", "XL"),
        ("2xl", "XXL"),
        ("XXL", "XXL"),
        ("3XL", "XXXL"),
        ("xxs", "XXS"),
        ("8", "8"),
        ("10", "10"),
        ("8.5", "8.5"),
        ("size 38", "38"),
        ("32x30", "32x30"),
        ("32/30", "32x30"),
        ("W32 L30", "32x30"),
        ("one size", "OS"),
        ("petite", None),
        ("red", None),
    ],
)
def test_normalize_size(raw, expected):
    assert normalize_size(raw) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("coat", "coat"),
        ("Parka", "coat"),
        ("overcoat", "coat"),
        ("trench", "coat"),
        ("jumper", "sweater"),
        ("pullover", "sweater"),
        ("knitwear", "sweater"),
        ("pants", "trousers"),
        ("chinos", "trousers"),
        ("denim", "jeans"),
        ("tee", "t-shirt"),
        ("T-Shirt", "t-shirt"),
        ("trainers", "sneakers"),
        ("heels", "shoes"),
        ("loafers", "shoes"),
        ("flats", "shoes"),
        ("dresses", "dress"),
        ("scarves", "scarf"),
        ("beanie", "hat"),
        ("backpack", "bag"),
        ("hoody", "hoodie"),
        ("cardi", "cardigan"),
        ("blazer", "blazer"),
        ("belt", "other"),
        ("tank", "top"),
        ("jumpsuit", "jumpsuit"),
        ("umbrella", None),
    ],
)
def test_normalize_category(word, expected):
    assert normalize_category(word) == expected
