"""Turn a free-text frontline note into the attributes the customer demanded.

    >>> e = extract("lady wanted the wool coat in sage green, size L, we only had black")
    >>> e.category, e.wanted("color"), e.wanted("size"), e.rejected("color")
    ('coat', ['green'], ['L'], [])

The rules, in order (see docs/extraction.md):

1. :func:`~pipelines.extract.scanner.scan` finds mentions, polarity cues and boundaries.
2. Context rules drop weak mentions ("solid quality", "check" not before a garment) and keep only
   the head noun of adjacent categories ("denim jacket" -> jacket).
3. Polarity: a *frame* cue ("wanted", "only had", "returned") holds until the next frame cue or
   the end of the sentence; a *local* cue ("not the", "no", "hates") holds until the next comma;
   a *post* cue ("too small", "said no") turns the mentions just before it into rejections.
   Mentions before any cue are wanted: a note records what a customer asked for.
3b. The polarity model (:mod:`~pipelines.extract.polarity`, fitted by ``make train`` on the
   labelled corpus) re-decides every mention from its context, the rules' reading among its
   features: wanted, rejected, offered, mentioned, or ``none`` (not an attribute: dropped).
   A garment follows its wanted attributes (:func:`garments_follow_their_attributes`).
4. Comparatives ("one size up from the M", "a size smaller") become a size one step away.
5. Wanted mentions are grouped into demanded items at category and "and a ..." boundaries. An
   item that is only a garment word ("tidied the denim wall") needs a cue in the note that asks
   for something (a wanted frame cue or a demand cue); without one its garment is `mentioned`.
6. `demand` is True if the note has an item or a demand cue (``lexicons/demand_cues.csv``):
   "wanted smth we dont have", "cant find what im looking for", "missed a sale".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipelines.extract.lexicon import Cue
from pipelines.extract.polarity import NONE, PolarityModel, default_model
from pipelines.extract.polarity_rows import assign_model_polarity
from pipelines.extract.scanner import (
    ATTR,
    CUE,
    DEMAND_CUE,
    END,
    FOOTWEAR,
    KIND,
    NEEDS,
    POLARITY,
    SHADE,
    START,
    VALUE,
    Token,
    scan_note,
)
from schemas.enums import LETTER_SIZES, Polarity

#: Bump when rules or lexicons change: every extraction is stamped with it. The part after "+"
#: is the polarity model file's hash (``make train`` changes it).
EXTRACTOR_VERSION = f"extract-2.3.1+{default_model().digest}"

WANTED = Polarity.WANTED.value
REJECTED = Polarity.REJECTED.value
OFFERED = Polarity.OFFERED.value
MENTIONED = Polarity.MENTIONED.value
_CONTEXT_ATTRIBUTES = frozenset({"color", "category", "pattern"})
_ITEM_ATTRIBUTES = _CONTEXT_ATTRIBUTES
_GAP = re.compile(r"[\s\-]*")
_REF_GAP = re.compile(r"\s+(?:from|than)\s+(?:(?:the|an?|my|her|his|your)\s+)?")


@dataclass(frozen=True, slots=True)
class Mention:
    attribute: str  # "color" | "pattern" | "size" | "size_modifier" | "category"
    raw: str
    value: str
    shade: str | None
    polarity: str  # a Polarity value
    start: int  # character offsets in the text
    end: int


@dataclass(frozen=True, slots=True)
class DemandedItem:
    category: str | None
    color: str | None
    shade: str | None
    pattern: str | None
    size: str | None
    size_modifier: str | None


@dataclass(frozen=True, slots=True)
class Extraction:
    category: str | None
    mentions: tuple[Mention, ...]
    items: tuple[DemandedItem, ...]
    #: the note says a customer asked for, wanted or could not find or get something
    demand: bool = False

    def values(self, attribute: str, polarity: str) -> list[str]:
        """Distinct values of `attribute` read with `polarity`, in text order."""
        seen: list[str] = []
        for m in self.mentions:
            if m.attribute == attribute and m.polarity == polarity and m.value not in seen:
                seen.append(m.value)
        return seen

    def wanted(self, attribute: str) -> list[str]:
        """Distinct normalised values the customer wanted, in text order."""
        return self.values(attribute, WANTED)

    def rejected(self, attribute: str) -> list[str]:
        """Distinct normalised values the customer turned down, in text order."""
        return self.values(attribute, REJECTED)

    def to_dict(self, id: object = None) -> dict[str, Any]:
        """The `unmet extract` JSON object for this note."""
        attrs = ("color", "pattern", "size")
        return {
            "id": id,
            "category": self.category,
            "demand": self.demand,
            "wanted": {a: self.wanted(a) for a in attrs},
            "rejected": {a: self.rejected(a) for a in attrs},
            "mentions": [
                {
                    "attribute": m.attribute,
                    "raw": m.raw,
                    "value": m.value,
                    "shade": m.shade,
                    "polarity": m.polarity,
                    "start": m.start,
                    "end": m.end,
                }
                for m in self.mentions
            ],
        }


_new = object.__new__
_SET_ATTRIBUTE, _SET_RAW, _SET_VALUE, _SET_SHADE, _SET_POLARITY, _SET_START, _SET_END = (
    getattr(Mention, f).__set__ for f in Mention.__slots__
)
_ITEM_FIELDS = DemandedItem.__slots__
(
    _SET_ITEM_CATEGORY,
    _SET_ITEM_COLOR,
    _SET_ITEM_SHADE,
    _SET_ITEM_PATTERN,
    _SET_ITEM_SIZE,
    _SET_ITEM_SIZE_MODIFIER,
) = (getattr(DemandedItem, f).__set__ for f in _ITEM_FIELDS)
assert _ITEM_FIELDS == ("category", "color", "shade", "pattern", "size", "size_modifier")
_SET_CATEGORY, _SET_MENTIONS, _SET_ITEMS, _SET_DEMAND = (
    getattr(Extraction, f).__set__ for f in Extraction.__slots__
)


def _item(values: dict[str, str | None]) -> DemandedItem:
    item = _new(DemandedItem)
    _SET_ITEM_CATEGORY(item, values["category"])
    _SET_ITEM_COLOR(item, values["color"])
    _SET_ITEM_SHADE(item, values["shade"])
    _SET_ITEM_PATTERN(item, values["pattern"])
    _SET_ITEM_SIZE(item, values["size"])
    _SET_ITEM_SIZE_MODIFIER(item, values["size_modifier"])
    return item


def _extraction(category: str | None, mentions: tuple, items: tuple, demand: bool) -> Extraction:
    extraction = _new(Extraction)
    _SET_CATEGORY(extraction, category)
    _SET_MENTIONS(extraction, mentions)
    _SET_ITEMS(extraction, items)
    _SET_DEMAND(extraction, demand)
    return extraction


def _adjacent(text: str, a: Token, b: Token) -> bool:
    """True if only spaces or hyphens separate token `a` from the later token `b`."""
    return a[END] <= b[START] and _GAP.fullmatch(text, a[END], b[START]) is not None


def apply_context(text: str, tokens: list[Token]) -> list[Token]:
    """Drop context-dependent mentions without context; keep the head of stacked categories."""
    mentions = [t for t in tokens if t[KIND] == "mention"]
    drop: list[Token] = []
    for i, tok in enumerate(mentions):
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if tok[NEEDS]:
            prev = mentions[i - 1] if i else None
            before = (
                nxt is not None and nxt[ATTR] in _CONTEXT_ATTRIBUTES and _adjacent(text, tok, nxt)
            )
            after = prev is not None and prev[ATTR] == "color" and _adjacent(text, prev, tok)
            if not (before or after):
                drop.append(tok)
        elif tok[ATTR] == "category" and nxt is not None and nxt[ATTR] == "category":
            if _adjacent(text, tok, nxt):
                drop.append(tok)
    return [t for t in tokens if not any(t is d for d in drop)] if drop else tokens


def assign_polarity(tokens: list[Token]) -> None:
    """Set the polarity of every mention and comparative, in place, from the cues around it."""
    frame, frame_attr, before_frame = WANTED, None, WANTED
    local: str | None = None
    frame_in_clause = False
    clause: list[Token] = []  # mentions since the last frame cue or comma
    previous_clause: list[Token] = []
    for tok in tokens:
        kind = tok[KIND]
        if kind == "boundary":
            if tok[VALUE] == "sentence":
                frame, frame_attr, before_frame = WANTED, None, WANTED
                local, clause, previous_clause, frame_in_clause = None, [], [], False
            elif tok[VALUE] == "clause":
                local = None
                if tok[END] - tok[START] == 1:  # a comma, not "but"
                    previous_clause, clause, frame_in_clause = clause, [], False
        elif kind == "cue":
            cue: Cue = tok[CUE]
            if cue.scope == "frame":
                before_frame = frame if frame_attr is None else before_frame
                frame, frame_attr, local = cue.polarity or WANTED, cue.attribute, None
                clause, previous_clause, frame_in_clause = [], [], True
            elif cue.scope == "local":
                local = cue.polarity
            elif cue.scope == "post":
                if cue.polarity == OFFERED and frame_in_clause:
                    continue  # "wants black only" stays wanted
                attr = cue.attribute
                targets = [m for m in clause if attr is None or attr == m[ATTR]]
                if not targets:
                    targets = [m for m in previous_clause if attr is None or attr == m[ATTR]]
                for m in targets:
                    m[POLARITY] = cue.polarity
                if attr == "size" and targets:  # only the size was wrong: the item itself is
                    for m in clause + previous_clause:  # still wanted ("tried the L in the navy
                        if m[POLARITY] == OFFERED and m[ATTR] in _ITEM_ATTRIBUTES:  # dress...")
                            m[POLARITY] = WANTED
        else:
            if local is not None:
                tok[POLARITY] = local
            elif frame_attr is None or frame_attr == tok[ATTR]:
                tok[POLARITY] = frame
            else:
                tok[POLARITY] = before_frame
            clause.append(tok)


def _step(value: str, direction: str, category: str | None) -> str | None:
    delta = 1 if direction == "up" else -1
    if value in LETTER_SIZES:
        index = LETTER_SIZES.index(value) + delta
        return LETTER_SIZES[index] if 0 <= index < len(LETTER_SIZES) else None
    try:
        number = float(value)
    except ValueError:
        return None  # waist x leg: no single next size
    step = 1 if category in FOOTWEAR or not number.is_integer() or number % 2 else 2
    result = number + delta * step
    return (str(int(result)) if result.is_integer() else str(result)) if result > 0 else None


def resolve_comparatives(text: str, tokens: list[Token]) -> list[Token]:
    """Replace "one size up (from the M)" with the size it points to."""
    sizes = [t for t in tokens if t[KIND] == "mention" and t[ATTR] == "size"]
    category = next((t[VALUE] for t in tokens if t[ATTR] == "category"), None)
    out: list[Token] = []
    for tok in tokens:
        if tok[KIND] != "cmp":
            out.append(tok)
            continue
        ref = next((s for s in sizes if s[START] >= tok[END]), None)
        if ref is None or not _REF_GAP.fullmatch(text, tok[END], ref[START]):
            others = [s for s in sizes if s[POLARITY] != WANTED] or sizes
            ref = min(others, key=lambda s: abs(s[START] - tok[START]), default=None)
        if ref is None:
            continue
        value = _step(ref[VALUE], tok[VALUE], category)
        if ref[POLARITY] == WANTED:
            ref[POLARITY] = MENTIONED
        if value is not None:
            out.append(["mention", tok[START], tok[END], "size", value, None, False, None,
                        tok[POLARITY]])  # fmt: skip
    return out


def group_items(tokens: list[Token]) -> tuple[DemandedItem, ...]:
    """Group wanted mentions into demanded items (a new item per further wanted category)."""
    wanted = []
    categories = 0
    for tok in tokens:
        if tok[POLARITY] == WANTED and tok[KIND] == "mention":
            wanted.append(tok)
            categories += tok[ATTR] == "category"
    if categories <= 1:  # the usual case: one item
        if not wanted:
            return ()
        item = dict.fromkeys(_ITEM_FIELDS)
        for tok in wanted:
            attr = tok[ATTR]
            if item[attr] is None:
                item[attr] = tok[VALUE]
                if attr == "color":
                    item["shade"] = tok[SHADE]
        return (_item(item),)
    segments: list[list[Token]] = [[]]
    for tok in tokens:
        if tok[KIND] == "boundary":
            if tok[VALUE] != "clause":
                segments.append([])
        elif tok[POLARITY] == WANTED and tok[KIND] == "mention":
            segments[-1].append(tok)
    items: list[dict[str, str | None]] = []
    current: dict[str, str | None] | None = None
    for segment in segments:
        if current is not None and current["category"] is not None:
            if any(t[ATTR] == "category" for t in segment):
                current = None
        for tok in segment:
            attr = tok[ATTR]
            if current is None or (attr == "category" and current["category"] is not None):
                current = dict.fromkeys(_ITEM_FIELDS)
                items.append(current)
            if current[attr] is None:
                current[attr] = tok[VALUE]
                if attr == "color":
                    current["shade"] = tok[SHADE]
    return tuple(map(_item, items))


def _bare(item: DemandedItem) -> bool:
    """True if the item names a garment and nothing else."""
    return (
        item.color is None
        and item.pattern is None
        and item.size is None
        and item.size_modifier is None
        and item.category is not None
    )


def drop_bare_items(
    tokens: list[Token], items: tuple[DemandedItem, ...]
) -> tuple[DemandedItem, ...]:
    """Drop garment-only items; their garment words become `mentioned` (tokens, in place)."""
    kept = tuple(item for item in items if not _bare(item))
    dropped = {item.category for item in items} - {item.category for item in kept}
    for tok in tokens:
        if tok[ATTR] == "category" and tok[POLARITY] == WANTED and tok[VALUE] in dropped:
            tok[POLARITY] = MENTIONED
    return kept


def rule_tokens(text: str) -> tuple[list[Token], int, int, int, int]:
    """The scanner's tokens with the rules' polarity (steps 1-3): what the polarity model reads.

    Returns (tokens, categories, special, mentions, flags) as :func:`scan_note` does."""
    tokens, categories, special, mentions, flags = scan_note(text)
    if not mentions:
        return tokens, categories, special, mentions, flags
    if special or categories > 1:
        tokens = apply_context(text, tokens)
    assign_polarity(tokens)
    return tokens, categories, special, mentions, flags


def garments_follow_their_attributes(tokens: list[Token]) -> None:
    """A garment word read as `mentioned` is wanted when a colour, pattern or size in its
    sentence is wanted, and one read as `none` when one in its clause is ("was trying to buy
    yellow shorts, medium": the shorts are the item the yellow and the size describe). Reviews
    name garments without preference so often that the model leans to `mentioned` for them;
    a demanded item's category must follow its attributes."""
    clause: list[Token] = []
    sentence: list[Token] = []
    clause_wanted = sentence_wanted = False
    for tok in [*tokens, None]:
        ends_sentence = tok is None or (tok[KIND] == "boundary" and tok[VALUE] == "sentence")
        if ends_sentence or (tok[KIND] == "boundary" and tok[VALUE] == "clause"):
            if clause_wanted:
                for t in clause:
                    if t[ATTR] == "category" and t[POLARITY] == NONE:
                        t[POLARITY] = WANTED
            clause, clause_wanted = [], False
        if ends_sentence:
            if sentence_wanted:
                for t in sentence:
                    if t[ATTR] == "category" and t[POLARITY] == MENTIONED:
                        t[POLARITY] = WANTED
            sentence, sentence_wanted = [], False
        elif tok[KIND] == "mention":
            clause.append(tok)
            sentence.append(tok)
            if tok[ATTR] != "category" and tok[POLARITY] == WANTED:
                clause_wanted = sentence_wanted = True


def extract(text: str, model: PolarityModel | None = None) -> Extraction:
    """The attributes mentioned in `text`, each with its polarity, the demanded items and
    whether the note expresses demand at all. `model` replaces the shipped polarity model
    (cross-validation uses it)."""
    tokens, categories, special, mentions, flags = rule_tokens(text)
    cued, asks = flags >= DEMAND_CUE, flags != 0
    if not mentions:
        return _EMPTY_DEMAND if cued else _EMPTY
    assign_model_polarity(text, tokens, model if model is not None else default_model())
    if categories:
        garments_follow_their_attributes(tokens)
    kept = [t for t in tokens if t[POLARITY] != NONE]
    if len(kept) != len(tokens):  # the model read some mentions as not an attribute
        tokens = kept
        categories = sum(t[KIND] == "mention" and t[ATTR] == "category" for t in tokens)
        if not any(t[KIND] == "mention" for t in tokens):
            return _EMPTY_DEMAND if cued else _EMPTY
    if special and any(t[KIND] == "cmp" for t in tokens):
        tokens = resolve_comparatives(text, tokens)
    items = group_items(tokens)
    if not asks and categories and any(map(_bare, items)):
        items = drop_bare_items(tokens, items)
    found = []
    for tok in tokens:
        if tok[KIND] == "mention":  # a Mention without the frozen __init__ (3x faster)
            mention = _new(Mention)
            start, end = tok[START], tok[END]
            _SET_ATTRIBUTE(mention, tok[ATTR])
            _SET_RAW(mention, text[start:end])
            _SET_VALUE(mention, tok[VALUE])
            _SET_SHADE(mention, tok[SHADE])
            _SET_POLARITY(mention, tok[POLARITY])
            _SET_START(mention, start)
            _SET_END(mention, end)
            found.append(mention)
    category = None
    for item in items:
        if item.category:
            category = item.category
            break
    else:
        if categories:
            category = next((m.value for m in found if m.attribute == "category"), None)
    return _extraction(category, tuple(found), items, cued or bool(items))


_EMPTY = Extraction(None, (), ())
_EMPTY_DEMAND = Extraction(None, (), (), demand=True)
