"""The scanner's token layout, shared by the scanner, its context rules and the extractor.

A token is a plain list (creating one costs a fraction of a dataclass):
[kind, start, end, attribute, value, shade, needs_context, cue, polarity]. kind is mention | cue
| cmp (comparative) | boundary; for boundaries value is sentence | clause | join; polarity is
filled in by the extractor.
"""

from __future__ import annotations

Token = list
KIND, START, END, ATTR, VALUE, SHADE, NEEDS, CUE, POLARITY = range(9)
