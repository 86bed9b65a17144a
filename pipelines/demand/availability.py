"""What a note says about availability: the item was sold out, or the store does not carry it.

A stockout needs evidence (docs/metrics.md, "Classification"): an out-of-stock lookup, a lost sale for
stock, size or color, or a note that says the item was sold out. A note can also say the store does
not carry the item at all, which makes its event `not_carried` like a lookup or lost sale that says so.
The phrases are written for how store staff and customers say it; they are matched on the redacted,
lower-cased note text as whole phrases (RE2 syntax, so pyarrow runs it over a whole column at once).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

_NOT = r"(?:don'?t|dont|do not|doesn'?t|does not|didn'?t|did not|never|won'?t)"
_APOS = "\u2019"

#: Phrases saying the store does not carry the item (checked first: "we don't stock that").
NOT_CARRIED = (
    rf"\b(?:we|they|store|shop|you) {_NOT} (?:carry|stock|sell|do|make|range|offer)\b",
    r"\bnever (?:had|stocked|carried|sold|made) (?:it|them|that|those|this|these|one)\b",
    r"\bnot (?:in|part of) (?:our|the) (?:range|collection|assortment|catalog|catalogue)\b",
    r"\bnot something (?:we|they) (?:sell|stock|carry|do|make)\b",
    r"\bnot (?:carried|stocked|sold) (?:here|by us|in store|at all)\b",
    r"\bnot carried\b",
    r"\bno such (?:item|product|style)\b",
)
#: Phrases saying the item exists but none was available.
SOLD_OUT = (
    r"\bsold ?out\b",
    r"\bout of stock\b",
    r"\boos\b",
    r"\bno(?:ne)? (?:left|in stock|on hand|available)\b",
    r"\bnone in (?:her|his|my|their|the|that|a|an|size|sz|[0-9])",
    r"\bno stock\b",
    r"\b0 (?:on hand|in stock|left)\b",
    r"\b(?:showed|shows|says|said) (?:0|zero|none)\b",
    r"\bstock (?:says|showed|shows|is) (?:0|zero|empty)\b",
    r"\b(?:ran|run|running|we were|we are|we're|were|was) out\b",
    r"\bunavailable\b",
    r"\bnot available\b",
    r"\bnothing (?:in|left in) the (?:back|stockroom|stock room|warehouse)\b",
    r"\bstock ?room,? nothing\b",
    r"\bback ?order(?:ed)?\b",
    r"\b(?:coming back|back in stock|restock)",
    r"\blast one (?:went|sold|gone)\b",
    r"\bgone since\b",
)


def _pattern(phrases: tuple[str, ...]) -> str:
    return "(?:" + "|".join(phrases) + ")"


NOT_CARRIED_RE = _pattern(NOT_CARRIED)
SOLD_OUT_RE = _pattern(SOLD_OUT)


def note_hints(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Per note text, its signal hint: 'note:not_carried', 'note:sold_out' or 'note'."""
    lower = pc.replace_substring(pc.utf8_lower(pc.fill_null(texts, "")), _APOS, "'")
    not_carried = pc.match_substring_regex(lower, NOT_CARRIED_RE)
    sold_out = pc.match_substring_regex(lower, SOLD_OUT_RE)
    return pc.case_when(
        pc.make_struct(not_carried, sold_out), "note:not_carried", "note:sold_out", "note"
    )
