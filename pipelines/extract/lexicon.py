"""Load the extractor's lexicons (CSV package data) once per process.

The lexicons live in ``pipelines/extract/lexicons/`` and ship inside the package, so Beam
workers read them with :mod:`importlib.resources` and need no extra files. Every value is
checked against :mod:`schemas.enums` when loaded: a typo in a CSV fails loudly, never silently.

Example rows (one per file)::

    colors.csv        sage green,green,sage
    patterns.csv      tartan,plaid,
    sizes.csv         extra large,XL,letter
    categories.csv    parka,coat
    cues.csv          only had,offered,frame,
    demand_cues.csv   sold out,unmet
    stop_phrases.csv  black friday,sales event
    known_words.txt   being
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from schemas.enums import LETTER_SIZES, ColorFamily, Pattern, Polarity, SizeModifier

#: Sizes a letter-size row may map to ("OS" is one size).
SIZE_VALUES = frozenset(LETTER_SIZES) | {"OS"}
CUE_SCOPES = frozenset({"frame", "local", "post", "neutral"})
#: request: a customer asked for / wanted something; unmet: the store could not supply it.
DEMAND_KINDS = frozenset({"request", "unmet"})
ATTRIBUTES = ("color", "pattern", "size", "size_modifier", "category")
CATEGORIES = (
    "coat", "jacket", "blazer", "dress", "skirt", "jeans", "trousers", "shorts", "shirt",
    "blouse", "t-shirt", "sweater", "cardigan", "hoodie", "suit", "shoes", "boots", "sneakers",
    "sandals", "scarf", "hat", "bag",
    "top", "jumpsuit", "other",  # review vocabulary (tests/data/extract/real/README.md)
)  # fmt: skip
#: Generic categories: a customer who asks for one is served by a sku of any category it covers
#: (itself included). "top" is any garment worn on the upper body that is not outerwear: tank
#: tops and tunics (the lexicon's own `top`), t-shirts, shirts, blouses, sweaters, hoodies and
#: cardigans; not coats, jackets, blazers, suits, dresses or jumpsuits. Every other category is
#: specific, `shoes` included: the lexicon uses it for a family of its own (heels, loafers, flats,
#: brogues...), so sneakers, boots or sandals do not meet a demand for shoes. Likewise coat,
#: jacket and blazer (the lexicon tells a parka from a bomber from a blazer), trousers and jeans
#: ("chinos" are not jeans), and shorts, skirt, dress, suit, scarf, hat and bag.
#: pipelines/demand/matching.py derives every comparison of demand with the catalog from this.
GENERIC_CATEGORIES: dict[str, tuple[str, ...]] = {
    "top": ("top", "t-shirt", "shirt", "blouse", "sweater", "hoodie", "cardigan"),
}
#: Categories that name no assortment (leggings, belts, swimwear, slip-ons...): demand in one is
#: never checked against the catalog (it is not `not_carried` for want of a matching sku).
UNCHECKED_CATEGORIES = frozenset({"other"})


class LexiconError(ValueError):
    """A lexicon row is malformed or names a value outside the enumerations."""


@dataclass(frozen=True, slots=True)
class Cue:
    """A polarity cue phrase: how it sets the polarity of the mentions around it."""

    polarity: str | None  # a Polarity value; None for neutral phrases
    scope: str  # frame | local | post | neutral
    attribute: str | None  # restrict the cue to one attribute ("size", "color"), or None
    demand: str | None = None  # "request" | "unmet" if the phrase alone says there was demand


@dataclass(frozen=True, slots=True)
class Lexicon:
    colors: dict[str, tuple[str, str | None]]  # term -> (family, shade)
    patterns: dict[str, tuple[str, bool]]  # term -> (pattern, needs_context)
    sizes: dict[str, tuple[str, str]]  # term -> (value, kind: "letter" | "modifier")
    categories: dict[str, str]  # term -> category
    cues: dict[str, Cue]
    demand_cues: dict[str, str]  # phrase -> "request" | "unmet"
    stop_phrases: tuple[str, ...]
    known_words: frozenset[str]


def _norm(term: str) -> str:
    return " ".join(term.strip().lower().replace("’", "'").split())


def _rows(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    text = resources.files("pipelines.extract.lexicons").joinpath(name).read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != columns:
        raise LexiconError(f"{name}: expected columns {columns}, got {reader.fieldnames}")
    rows = []
    for line, row in enumerate(reader, start=2):
        if not row[columns[0]] or row[columns[0]].startswith("#"):
            continue
        if any(row[c] is None for c in columns):
            raise LexiconError(f"{name}:{line}: missing a column")
        rows.append({k: v.strip() for k, v in row.items()})
    return rows


def _check(name: str, value: str, allowed: frozenset[str] | tuple[str, ...], term: str) -> str:
    if value not in allowed:
        raise LexiconError(f"{name}: {term!r} maps to {value!r}, not one of {sorted(allowed)}")
    return value


def _unique(name: str, table: dict, term: str) -> str:
    key = _norm(term)
    if key in table:
        raise LexiconError(f"{name}: duplicate term {term!r}")
    return key


def load_colors() -> dict[str, tuple[str, str | None]]:
    families = frozenset(ColorFamily)
    out: dict[str, tuple[str, str | None]] = {}
    for row in _rows("colors.csv", ("term", "family", "shade")):
        key = _unique("colors.csv", out, row["term"])
        family = _check("colors.csv", row["family"], families, key)
        out[key] = (family, _norm(row["shade"]) or None)
    return out


def load_patterns() -> dict[str, tuple[str, bool]]:
    allowed = frozenset(Pattern)
    out: dict[str, tuple[str, bool]] = {}
    for row in _rows("patterns.csv", ("term", "pattern", "needs_context")):
        key = _unique("patterns.csv", out, row["term"])
        out[key] = (
            _check("patterns.csv", row["pattern"], allowed, key),
            row["needs_context"] == "yes",
        )
    return out


def load_sizes() -> dict[str, tuple[str, str]]:
    modifiers = frozenset(SizeModifier)
    out: dict[str, tuple[str, str]] = {}
    for row in _rows("sizes.csv", ("term", "size", "kind")):
        key = _unique("sizes.csv", out, row["term"])
        kind = _check("sizes.csv", row["kind"], ("letter", "modifier"), key)
        allowed = SIZE_VALUES if kind == "letter" else modifiers
        out[key] = (_check("sizes.csv", row["size"], allowed, key), kind)
    return out


def load_categories() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in _rows("categories.csv", ("term", "category")):
        key = _unique("categories.csv", out, row["term"])
        out[key] = _check("categories.csv", row["category"], CATEGORIES, key)
    return out


def load_cues() -> dict[str, Cue]:
    polarities = frozenset(Polarity)
    out: dict[str, Cue] = {}
    for row in _rows("cues.csv", ("cue", "polarity", "scope", "attribute")):
        key = _unique("cues.csv", out, row["cue"])
        scope = _check("cues.csv", row["scope"], CUE_SCOPES, key)
        polarity = None
        if scope != "neutral":
            polarity = _check("cues.csv", row["polarity"], polarities, key)
        attribute = row["attribute"] or None
        if attribute is not None:
            _check("cues.csv", attribute, ATTRIBUTES, key)
        out[key] = Cue(polarity, scope, attribute)
    return out


def load_demand_cues() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in _rows("demand_cues.csv", ("cue", "kind")):
        key = _unique("demand_cues.csv", out, row["cue"])
        out[key] = _check("demand_cues.csv", row["kind"], DEMAND_KINDS, key)
    return out


def load_stop_phrases() -> tuple[str, ...]:
    return tuple(_norm(row["phrase"]) for row in _rows("stop_phrases.csv", ("phrase", "reason")))


def load_known_words() -> frozenset[str]:
    text = resources.files("pipelines.extract.lexicons").joinpath("known_words.txt")
    words = (line.split("#", 1)[0].strip().lower() for line in text.read_text("utf-8").splitlines())
    return frozenset(w for w in words if w)


@cache
def load_lexicon() -> Lexicon:
    """All lexicons, validated; loaded once per process (Beam workers included)."""
    return Lexicon(
        colors=load_colors(),
        patterns=load_patterns(),
        sizes=load_sizes(),
        categories=load_categories(),
        cues=load_cues(),
        demand_cues=load_demand_cues(),
        stop_phrases=load_stop_phrases(),
        known_words=load_known_words(),
    )
