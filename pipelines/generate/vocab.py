"""Static vocabulary of the generator: categories, shades, patterns, sizes, what is never carried.

Everything here is data, not randomness: the catalog gaps are fixed so that tests and docs can name
them ("no plaid coats", "no green dresses", "no XXXL coats").
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.enums import LETTER_SIZES, ColorFamily, Pattern

#: Fashion shade names as a merchandiser writes them, each with its colour family.
SHADES: dict[str, ColorFamily] = {
    "black": ColorFamily.BLACK,
    "jet black": ColorFamily.BLACK,
    "onyx": ColorFamily.BLACK,
    "white": ColorFamily.WHITE,
    "ivory": ColorFamily.WHITE,
    "cream": ColorFamily.WHITE,
    "off-white": ColorFamily.WHITE,
    "optic white": ColorFamily.WHITE,
    "ecru": ColorFamily.WHITE,
    "grey": ColorFamily.GREY,
    "charcoal": ColorFamily.GREY,
    "heather grey": ColorFamily.GREY,
    "slate": ColorFamily.GREY,
    "red": ColorFamily.RED,
    "burgundy": ColorFamily.RED,
    "wine": ColorFamily.RED,
    "cherry": ColorFamily.RED,
    "brick": ColorFamily.RED,
    "pink": ColorFamily.PINK,
    "blush": ColorFamily.PINK,
    "dusty pink": ColorFamily.PINK,
    "fuchsia": ColorFamily.PINK,
    "rose": ColorFamily.PINK,
    "orange": ColorFamily.ORANGE,
    "rust": ColorFamily.ORANGE,
    "terracotta": ColorFamily.ORANGE,
    "coral": ColorFamily.ORANGE,
    "burnt orange": ColorFamily.ORANGE,
    "yellow": ColorFamily.YELLOW,
    "mustard": ColorFamily.YELLOW,
    "lemon": ColorFamily.YELLOW,
    "ochre": ColorFamily.YELLOW,
    "green": ColorFamily.GREEN,
    "sage": ColorFamily.GREEN,
    "olive": ColorFamily.GREEN,
    "forest green": ColorFamily.GREEN,
    "emerald": ColorFamily.GREEN,
    "mint": ColorFamily.GREEN,
    "bottle green": ColorFamily.GREEN,
    "blue": ColorFamily.BLUE,
    "navy": ColorFamily.BLUE,
    "cobalt": ColorFamily.BLUE,
    "sky blue": ColorFamily.BLUE,
    "royal blue": ColorFamily.BLUE,
    "powder blue": ColorFamily.BLUE,
    "indigo": ColorFamily.BLUE,
    "purple": ColorFamily.PURPLE,
    "lilac": ColorFamily.PURPLE,
    "lavender": ColorFamily.PURPLE,
    "plum": ColorFamily.PURPLE,
    "mauve": ColorFamily.PURPLE,
    "brown": ColorFamily.BROWN,
    "walnut": ColorFamily.BROWN,
    "chocolate": ColorFamily.BROWN,
    "cognac": ColorFamily.BROWN,
    "chestnut": ColorFamily.BROWN,
    "beige": ColorFamily.BEIGE,
    "sand": ColorFamily.BEIGE,
    "stone": ColorFamily.BEIGE,
    "taupe": ColorFamily.BEIGE,
    "camel": ColorFamily.BEIGE,
    "oatmeal": ColorFamily.BEIGE,
    "gold": ColorFamily.METALLIC,
    "silver": ColorFamily.METALLIC,
    "rose gold": ColorFamily.METALLIC,
    "bronze": ColorFamily.METALLIC,
}

#: Shades of each family, in declaration order.
FAMILY_SHADES: dict[ColorFamily, tuple[str, ...]] = {
    family: tuple(shade for shade, fam in SHADES.items() if fam == family) for family in ColorFamily
}

SHOE_SIZES = tuple(str(n) for n in range(36, 47)) + ("37.5", "38.5", "39.5", "40.5", "41.5", "42.5")
ALL_SHOE_SIZES = tuple(str(n) for n in range(35, 48)) + tuple(f"{n}.5" for n in range(35, 47))
JEANS_SIZES = (
    "26x30",
    "28x30",
    "28x32",
    "29x32",
    "30x30",
    "30x32",
    "30x34",
    "31x32",
    "32x30",
    "32x32",
    "32x34",
    "33x32",
    "34x30",
    "34x32",
    "34x34",
    "36x32",
    "36x34",
    "38x32",
)
#: Jeans sizes customers ask for that are never made.
JEANS_GAPS = ("24x30", "26x34", "40x32", "40x34", "42x32", "36x36", "38x36")


def _letters(first: str, last: str) -> tuple[str, ...]:
    return LETTER_SIZES[LETTER_SIZES.index(first) : LETTER_SIZES.index(last) + 1]


@dataclass(frozen=True)
class CategorySpec:
    """What the catalog carries in one category, and its price band in EUR."""

    name: str
    bases: tuple[str, ...]
    materials: tuple[str, ...]
    sizes: tuple[str, ...]
    families: frozenset[ColorFamily]
    patterns: tuple[Pattern, ...]
    price: tuple[int, int]
    season: float = 0.0  # > 0 grows toward winter, < 0 fades


_F = ColorFamily
_P = Pattern
_ALL = frozenset(ColorFamily)
_NEUTRAL = frozenset({_F.BLACK, _F.WHITE, _F.GREY, _F.BLUE, _F.BROWN, _F.BEIGE})

CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "coat",
        (
            "overcoat",
            "trench coat",
            "parka",
            "peacoat",
            "wrap coat",
            "duffle coat",
            "puffer coat",
            "car coat",
        ),
        ("Wool", "Cashmere-blend", "Recycled", "Tailored", "Long", "Belted", "Hooded"),
        _letters("XS", "XXL"),
        _NEUTRAL | {_F.GREEN, _F.RED},
        (_P.SOLID, _P.HERRINGBONE, _P.HOUNDSTOOTH, _P.CHECKED),
        (119, 329),
        1.0,
    ),
    CategorySpec(
        "jacket",
        (
            "bomber jacket",
            "denim jacket",
            "biker jacket",
            "field jacket",
            "shacket",
            "quilted jacket",
            "rain jacket",
        ),
        ("Leather", "Suede", "Cotton", "Oversized", "Cropped", "Padded"),
        _letters("XS", "XXXL"),
        _NEUTRAL | {_F.GREEN, _F.RED, _F.YELLOW},
        (_P.SOLID, _P.CAMOUFLAGE, _P.CHECKED),
        (69, 249),
        0.5,
    ),
    CategorySpec(
        "blazer",
        ("blazer", "double-breasted blazer", "boyfriend blazer", "tuxedo blazer"),
        ("Linen", "Wool", "Tailored", "Relaxed", "Single-button", "Textured", "Cropped"),
        _letters("XS", "XXL"),
        frozenset({_F.BLACK, _F.GREY, _F.BLUE, _F.BEIGE, _F.BROWN, _F.WHITE, _F.PINK}),
        (_P.SOLID, _P.HOUNDSTOOTH, _P.HERRINGBONE, _P.STRIPED),
        (79, 229),
    ),
    CategorySpec(
        "dress",
        (
            "midi dress",
            "maxi dress",
            "slip dress",
            "wrap dress",
            "shirt dress",
            "mini dress",
            "knit dress",
        ),
        ("Satin", "Jersey", "Linen", "Pleated", "Tiered", "Ribbed"),
        _letters("XXS", "XL"),
        _ALL - {_F.GREEN, _F.ORANGE},
        (_P.SOLID, _P.FLORAL, _P.POLKA_DOT, _P.PRINTED, _P.STRIPED),
        (39, 159),
    ),
    CategorySpec(
        "skirt",
        ("midi skirt", "mini skirt", "pleated skirt", "pencil skirt", "A-line skirt", "slip skirt"),
        ("Satin", "Denim", "Wool", "Leather-look", "Tiered", "Wrap"),
        _letters("XXS", "XL"),
        _ALL - {_F.ORANGE, _F.YELLOW, _F.PURPLE},
        (_P.SOLID, _P.FLORAL, _P.PLAID, _P.PRINTED),
        (29, 99),
    ),
    CategorySpec(
        "jeans",
        (
            "straight jeans",
            "slim jeans",
            "wide-leg jeans",
            "bootcut jeans",
            "mom jeans",
            "skinny jeans",
            "barrel jeans",
        ),
        ("Rigid", "Stretch", "Organic", "High-rise", "Low-rise", "Vintage-wash"),
        JEANS_SIZES,
        frozenset({_F.BLUE, _F.BLACK, _F.GREY, _F.WHITE}),
        (_P.SOLID,),
        (39, 119),
    ),
    CategorySpec(
        "trousers",
        (
            "chinos",
            "pleated trousers",
            "wide-leg trousers",
            "cargo trousers",
            "tailored trousers",
            "joggers",
        ),
        ("Cotton", "Linen", "Wool-blend", "Straight", "Tapered", "Relaxed"),
        _letters("XS", "XXL"),
        _NEUTRAL | {_F.GREEN},
        (_P.SOLID, _P.CHECKED, _P.STRIPED),
        (39, 129),
    ),
    CategorySpec(
        "shorts",
        ("chino shorts", "denim shorts", "bermuda shorts", "cargo shorts", "running shorts"),
        ("Cotton", "Linen", "Relaxed", "Tailored", "Frayed"),
        _letters("XS", "XL"),
        _NEUTRAL | {_F.GREEN, _F.RED, _F.YELLOW},
        (_P.SOLID, _P.STRIPED, _P.FLORAL),
        (25, 69),
        -1.0,
    ),
    CategorySpec(
        "shirt",
        (
            "oxford shirt",
            "poplin shirt",
            "flannel shirt",
            "denim shirt",
            "overshirt",
            "linen shirt",
        ),
        ("Slim-fit", "Regular-fit", "Oversized", "Brushed", "Button-down", "Cuban-collar"),
        _letters("XS", "XXXL"),
        _NEUTRAL | {_F.PINK, _F.GREEN},
        (_P.SOLID, _P.STRIPED, _P.CHECKED, _P.PLAID),
        (29, 89),
    ),
    CategorySpec(
        "blouse",
        ("blouse", "tie-neck blouse", "peasant blouse", "wrap blouse", "ruffle blouse"),
        ("Silk", "Satin", "Cotton", "Sheer", "Puff-sleeve", "Relaxed"),
        _letters("XXS", "XL"),
        _ALL - {_F.ORANGE, _F.BROWN},
        (_P.SOLID, _P.FLORAL, _P.POLKA_DOT, _P.EMBROIDERED, _P.PRINTED),
        (29, 99),
    ),
    CategorySpec(
        "t-shirt",
        ("crew tee", "v-neck tee", "boxy tee", "long-sleeve tee", "pocket tee", "ringer tee"),
        ("Organic cotton", "Slub", "Heavyweight", "Fitted", "Oversized", "Cropped"),
        LETTER_SIZES,
        _ALL,
        (_P.SOLID, _P.STRIPED, _P.GRAPHIC, _P.PRINTED),
        (12, 39),
    ),
    CategorySpec(
        "sweater",
        ("crew jumper", "roll-neck", "v-neck sweater", "cable knit", "half-zip sweater"),
        ("Merino", "Cashmere", "Lambswool", "Chunky", "Fine-knit", "Oversized"),
        _letters("XS", "XXL"),
        _NEUTRAL | {_F.GREEN, _F.RED, _F.YELLOW},
        (_P.SOLID, _P.STRIPED, _P.HERRINGBONE),
        (39, 149),
        1.0,
    ),
    CategorySpec(
        "cardigan",
        ("cardigan", "longline cardigan", "cropped cardigan", "shawl cardigan"),
        ("Merino", "Mohair-blend", "Chunky", "Fine-knit", "Ribbed", "Boxy"),
        _letters("XS", "XL"),
        _NEUTRAL | {_F.PINK, _F.GREEN, _F.PURPLE},
        (_P.SOLID, _P.STRIPED, _P.EMBROIDERED),
        (35, 119),
        0.6,
    ),
    CategorySpec(
        "hoodie",
        ("hoodie", "zip hoodie", "oversized hoodie", "cropped hoodie"),
        ("Fleece", "Organic cotton", "Heavyweight", "Brushed", "Loopback", "Washed"),
        LETTER_SIZES,
        _ALL - {_F.YELLOW, _F.ORANGE},
        (_P.SOLID, _P.GRAPHIC, _P.TIE_DYE),
        (35, 89),
        0.4,
    ),
    CategorySpec(
        "suit",
        ("two-piece suit", "three-piece suit", "suit jacket", "tuxedo"),
        ("Wool", "Linen", "Stretch", "Slim-fit", "Regular-fit", "Travel"),
        _letters("S", "XXL"),
        frozenset({_F.BLACK, _F.GREY, _F.BLUE, _F.BEIGE}),
        (_P.SOLID, _P.HERRINGBONE, _P.STRIPED),
        (179, 449),
    ),
    CategorySpec(
        "shoes",
        ("loafers", "derby shoes", "brogues", "ballet flats", "court shoes", "mary janes"),
        ("Leather", "Suede", "Patent", "Chunky", "Soft"),
        SHOE_SIZES,
        frozenset({_F.BLACK, _F.BROWN, _F.WHITE, _F.BEIGE, _F.RED}),
        (_P.SOLID, _P.ANIMAL_PRINT),
        (59, 189),
    ),
    CategorySpec(
        "boots",
        ("chelsea boots", "ankle boots", "knee-high boots", "hiking boots", "lace-up boots"),
        ("Leather", "Suede", "Waterproof", "Heeled", "Lug-sole"),
        tuple(str(n) for n in range(36, 45)),
        frozenset({_F.BLACK, _F.BROWN, _F.BEIGE, _F.GREY}),
        (_P.SOLID,),
        (89, 259),
        1.2,
    ),
    CategorySpec(
        "sneakers",
        ("runners", "court sneakers", "high-tops", "retro trainers", "slip-ons"),
        ("Leather", "Canvas", "Knit", "Suede", "Chunky"),
        SHOE_SIZES + ("43.5", "44.5"),
        frozenset({_F.WHITE, _F.BLACK, _F.GREY, _F.BLUE, _F.GREEN, _F.BEIGE, _F.PINK}),
        (_P.SOLID, _P.GRAPHIC),
        (59, 159),
    ),
    CategorySpec(
        "sandals",
        ("slides", "strappy sandals", "espadrilles", "flip-flops", "platform sandals"),
        ("Leather", "Woven", "Cork", "Padded", "Braided"),
        tuple(str(n) for n in range(36, 43)),
        frozenset({_F.BLACK, _F.BROWN, _F.BEIGE, _F.WHITE}),
        (_P.SOLID, _P.ANIMAL_PRINT),
        (29, 99),
        -1.5,
    ),
    CategorySpec(
        "scarf",
        ("scarf", "blanket scarf", "square scarf", "snood"),
        ("Wool", "Cashmere", "Silk", "Fringed", "Chunky", "Lightweight"),
        ("OS",),
        _ALL - {_F.ORANGE},
        (_P.SOLID, _P.PLAID, _P.PAISLEY, _P.HOUNDSTOOTH, _P.STRIPED),
        (19, 89),
        1.0,
    ),
    CategorySpec(
        "hat",
        ("beanie", "bucket hat", "fedora", "baseball cap", "beret"),
        ("Wool", "Cotton", "Ribbed", "Felt", "Knitted"),
        ("OS",),
        frozenset({_F.BLACK, _F.GREY, _F.BEIGE, _F.BROWN, _F.BLUE, _F.RED, _F.GREEN}),
        (_P.SOLID, _P.CHECKED),
        (15, 59),
        0.5,
    ),
    CategorySpec(
        "bag",
        ("tote bag", "crossbody bag", "shoulder bag", "backpack", "clutch", "bucket bag"),
        ("Leather", "Canvas", "Quilted", "Woven", "Mini", "Large"),
        ("OS",),
        frozenset({_F.BLACK, _F.BROWN, _F.BEIGE, _F.WHITE, _F.RED, _F.PINK}),
        (_P.SOLID, _P.ANIMAL_PRINT, _P.PRINTED),
        (39, 249),
    ),
)

CATEGORY_BY_NAME: dict[str, CategorySpec] = {spec.name: spec for spec in CATEGORIES}


def size_gaps(spec: CategorySpec) -> tuple[str, ...]:
    """Sizes a customer may ask for in this category that the catalog never carries."""
    if spec.sizes == ("OS",):
        return ()
    if spec.name == "jeans":
        return JEANS_GAPS
    if spec.sizes[0] in LETTER_SIZES:
        return tuple(size for size in LETTER_SIZES if size not in spec.sizes)
    return tuple(size for size in ALL_SHOE_SIZES if size not in spec.sizes)
