"""Normalise single catalogue values ("Sage Green", "Pinstripe", "2XL", "Parka")."""

from __future__ import annotations

from pipelines.extract.lexicon import load_lexicon
from pipelines.extract.scanner import (
    ATTR,
    KIND,
    SHADE,
    VALUE,
    Token,
    fuzzy_term,
    lower_same_length,
    scan,
)


def _key(word: str) -> str:
    return " ".join(lower_same_length(word).replace("’", "'").split())


def _first(word: str, attribute: str) -> Token | None:
    return next((t for t in scan(word) if t[KIND] == "mention" and t[ATTR] == attribute), None)


def normalize_color(word: str) -> tuple[str, str | None] | None:
    """(family, shade) for a colour name: "navy" -> ("blue", "navy"), "black" -> ("black", None)."""
    colors = load_lexicon().colors
    key = _key(word)
    if key in colors:
        return colors[key]
    if key.isalpha() and len(key) >= 4 and (term := fuzzy_term(key)) in colors:
        return colors[term]
    tok = _first(word, "color")
    return (tok[VALUE], tok[SHADE]) if tok is not None else None


def normalize_pattern(word: str) -> str | None:
    """The Pattern value for a pattern word: "tartan" -> "plaid", "plain" -> "solid"."""
    patterns = load_lexicon().patterns
    key = _key(word)
    if key in patterns:
        return patterns[key][0]
    if key.isalpha() and len(key) >= 4 and (term := fuzzy_term(key)) in patterns:
        return patterns[term][0]
    tok = _first(word, "pattern")
    return tok[VALUE] if tok is not None else None


def normalize_size(raw: str) -> str | None:
    """A letter size (XXS..XXXL), "OS", a number as written ("8.5") or waist x leg ("32x30")."""
    key = _key(raw)
    if key in ("s", "m", "l"):
        return key.upper()
    if key.replace(".", "", 1).isdigit():
        value = float(key)
        return None if value <= 0 else (str(int(value)) if value.is_integer() else str(value))
    tok = _first(raw, "size")
    return tok[VALUE] if tok is not None else None


def normalize_category(word: str) -> str | None:
    """The catalogue category for a garment word: "parka" -> "coat", "trainers" -> "sneakers"."""
    categories = load_lexicon().categories
    key = _key(word)
    for candidate in (key, key[:-2] if key.endswith("es") else key, key.rstrip("s")):
        if candidate in categories:
            return categories[candidate]
    if key.isalpha() and len(key) >= 4 and (term := fuzzy_term(key)) in categories:
        return categories[term]
    tok = _first(word, "category")
    return tok[VALUE] if tok is not None else None
