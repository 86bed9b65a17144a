"""Context rules: attribute words that, by the words around them, name something else.

LABELLING.md's "not an attribute at all" and the pattern rules, decided where the scanner finds a
word: "runs large", "i'm petite", "checked other branches", "a light knit", "size down one
size", a pattern in a pairing ("great with printed blouses"), a lone "s", "m" or "l". The
scanner calls :func:`not_an_attribute` only for the few words in `CONTEXT_WORDS` (and "one
size").
"""

from __future__ import annotations

import re

from pipelines.extract.sizes import (
    SIZE_WORDS,
    letter_context_ok,
    modifier_ok,
    petite_letter_ok,
    size_word_ok,
    spelled_ok,
)
from pipelines.extract.tokens import ATTR, END, KIND, START, VALUE, Token

_DIGIT_NEXT = re.compile(r"\s*\d")
_BODY_WORDS = frozenset({"tall", "petite"})
_CHECKED_VERB = re.compile(
    r" (?:the|a|an|our|other|all|online|stock\w*|system|with|if|for|and|again|back\w*|upstairs|"
    r"everywhere|it|them|her|his|their|every|both|deliver\w*|stores?|branch\w*|website|site|"
    r"availability|inventory|out|in|on|at|whether|what|to|but|no|nothing|yesterday|today)\b"
)
#: "with", an optional article and colour words, right before a pattern (offsets in `low`).
_PAIRED = re.compile(
    r"\b(?:great|good|well|nice|cute|perfect|fine|lovely|pair\w*|wear\w*|worn|goes|go|went|"
    r"match\w*|style\w*|it|them|this) with (?:(?:a|an|the|my|some|your|any) )?(?:[a-z]+ )?$"
)
#: The item's own print, named generically: after a pattern word it only extends that mention.
GENERIC_PRINTS = frozenset({"print", "prints", "pattern", "patterns", "motif", "design"})
#: Garment words that are more often the fabric: a garment only after a colour ("a teal knit",
#: "white denim") or before "in" ("knit in rust", "wanted denim in 30 waist").
_FABRIC_GARMENTS = frozenset({"knit", "denim"})
_NOT_OS_AFTER = (["down"], ["up"], ["least"], ["downsize"], ["upsize"], ["by"])
#: Attribute words that are often something else (`not_an_attribute` decides).
CONTEXT_WORDS = SIZE_WORDS | _BODY_WORDS | GENERIC_PRINTS | _FABRIC_GARMENTS | {"checked", "stone"}


def not_an_attribute(
    low: str, start: int, end: int, matched: str, value: str, tokens: list[Token]
) -> bool:
    """True if a word of `CONTEXT_WORDS` (or "one size") is no attribute here."""
    if value == "OS":
        if _DIGIT_NEXT.match(low, end):
            return True  # "the cream one size 10": "size" cues the number, not one size
        return low[max(0, start - 10) : start].split()[-1:] in _NOT_OS_AFTER  # "size down one size"
    if matched in SIZE_WORDS:
        return not size_word_ok(low, start, end)  # "runs large", "a small hole", "medium wash"
    if matched in _BODY_WORDS:
        return not modifier_ok(low, start, end)  # "i'm petite", "5'9\" tall", "a tall girl"
    if matched == "checked":
        return _CHECKED_VERB.match(low, end) is not None  # "checked other branches"
    if matched == "stone":
        return low[max(0, start - 4) : start].rstrip()[-1:].isdigit()  # "9 stone": a weight
    if matched in _FABRIC_GARMENTS:
        return not _worn(low, start, end, tokens)  # "a light knit", "the denim is thick"
    return False


def drop_pairings(low: str, tokens: list[Token]) -> list[Token]:
    """Drop a pattern that describes another garment worn with the item: "great with printed
    blouses", "pair it with a striped tee" (LABELLING.md: not a value of the item); not "a
    dress with floral print" or "no joy with the stripy jumper"."""
    out: list[Token] = []
    for i, tok in enumerate(tokens):
        if tok[ATTR] == "pattern" and _PAIRED.search(low, max(0, tok[START] - 24), tok[START] + 1):
            nxt = next((t for t in tokens[i + 1 :] if t[KIND] == "mention"), None)
            if nxt is not None and nxt[ATTR] == "category" and nxt[START] - tok[END] <= 12:
                continue
        out.append(tok)
    return out


def _worn(low: str, start: int, end: int, tokens: list[Token]) -> bool:
    """True if a fabric-like garment word names the garment (see `_FABRIC_GARMENTS`)."""
    if low.startswith(" in ", end):
        return True
    prev = tokens[-1] if tokens else None
    return prev is not None and prev[ATTR] == "color" and prev[END] >= start - 2


def letter_ok(text: str, low: str, start: int, end: int, tokens: list[Token], cued: bool) -> bool:
    """A lone s/m/l is a size right after "size" (`cued`: "size m", "size 'm'"), next to
    another size ("xs and s", "petite m") or if the words around it say so
    (:func:`letter_context_ok`); never in "m&s", "l'oreal", "i'm" or "5 m" (metres)."""
    if low[start - 1] in "'’&" or low[end : end + 1] in ("'", "’", "&"):
        if not (low[start - 2 : start - 1] == " " and low[end : end + 1] in ("'", "’")):
            return False  # "m&s", "l'oreal"; not "a size 'm'"
    if low[start - 1] == " " and low[start - 2 : start - 1].isdigit():
        return False  # "5 m of ribbon": metres
    if cued or _after_size(tokens, start):
        return True
    return letter_context_ok(text, low, start, end)


def written_size_ok(
    low: str, start: int, end: int, kind: str, value: str, tokens: list[Token], cued: bool
) -> bool:
    """A size written as a word ("size eight", "a six", kind "spelled") or as a petite letter
    ("the pm", kind "pletter") counts only where a size is written (`sizes.spelled_ok`,
    `sizes.petite_letter_ok`)."""
    if kind == "pletter":
        return petite_letter_ok(low, start, end, cued)
    return spelled_ok(low, start, end, value, _after_size(tokens, start), cued)


def _after_size(tokens: list[Token], start: int) -> bool:
    """True if a size or a modifier ends at most six characters before `start` ("xs and s",
    "six or eight", "petite m")."""
    if not tokens:
        return False
    prev = tokens[-1]
    if prev[KIND] == "boundary" and prev[VALUE] == "join" and len(tokens) > 1:
        prev = tokens[-2]  # "xs and s"
    return prev[ATTR] in ("size", "size_modifier") and prev[END] >= start - 6
