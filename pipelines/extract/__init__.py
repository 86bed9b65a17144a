"""Attribute extraction: free-text notes -> the colours, patterns, sizes and categories wanted.

Pure functions over lexicons shipped as package data; Beam only wires them.
"""

from pipelines.extract.extractor import (
    EXTRACTOR_VERSION,
    DemandedItem,
    Extraction,
    Mention,
    extract,
)
from pipelines.extract.normalize import (
    normalize_category,
    normalize_color,
    normalize_pattern,
    normalize_size,
)

__all__ = [
    "EXTRACTOR_VERSION",
    "DemandedItem",
    "Extraction",
    "Mention",
    "extract",
    "normalize_category",
    "normalize_color",
    "normalize_pattern",
    "normalize_size",
]
