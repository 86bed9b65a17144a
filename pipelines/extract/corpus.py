"""The labelled corpora the polarity model learns from and is scored on.

- ``tests/data/extract/real/*.jsonl``: real review sentences and associate notes, every
  attribute mention labelled with its text, value and polarity (format and the split rule in
  ``tests/data/extract/real/README.md``). One line::

      {"id": "wecr-08344-2", "source": "wecr", "row": 8344, "text": "i love the print ...",
       "mentions": [{"attribute": "pattern", "text": "print", "value": "printed",
                     "polarity": "wanted"}]}

- ``tests/data/extract/seed.jsonl``: invented sentences in the same format, written for this
  project to cover the polarity classes of issue 13 (training only, never scored as real text).
- ``tests/data/extract/dev.jsonl``: the old hand-written notes, labelled per note as sets of
  values (no positions); they give weak per-mention labels (see :func:`dev_labels`).

A line is in the **test** part when ``sha256(row or id) % 10 < 3``: nothing is tuned on it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

from pipelines.extract.polarity import NONE
from pipelines.extract.scanner import ATTR, END, KIND, POLARITY, START, VALUE, Token

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "extract"
REAL = DATA / "real"
SEED = DATA / "seed.jsonl"
DEV = DATA / "dev.jsonl"
POLARITIES = ("wanted", "rejected", "offered", "mentioned")
#: scanner attribute -> the labelled attribute it is matched against
_LABEL_ATTRIBUTE = {"size_modifier": "size"}


def read_jsonl(path: Path) -> tuple[list[dict], int]:
    """(lines, lines that are not complete JSON objects): the real files grow while being
    labelled, so a half-written last line is skipped and counted, not fatal."""
    lines, bad = [], 0
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                bad += 1
                continue
            if isinstance(line, dict) and isinstance(line.get("text"), str):
                lines.append(line)
            else:
                bad += 1
    return lines, bad


def load_real(folder: Path = REAL) -> list[dict]:
    """Every labelled line of the real corpus (reviews first, then associate notes)."""
    lines: list[dict] = []
    for path in sorted(folder.glob("reviews-*.jsonl")) + sorted(folder.glob("associate*.jsonl")):
        lines += read_jsonl(path)[0]
    return lines


def group_key(line: dict) -> str:
    """Whole reviews stay together: the review row, else the line id."""
    row = line.get("row")
    return str(row) if row is not None else str(line["id"])


def is_test(line: dict) -> bool:
    """The README's split rule: ``sha256(row or id) % 10 < 3``."""
    digest = hashlib.sha256(group_key(line).encode("utf-8")).hexdigest()
    return int(digest, 16) % 10 < 3


def is_associate(line: dict) -> bool:
    return line.get("source") == "associate"


def label_spans(line: dict) -> list[tuple[int, int, str, str, str]]:
    """(start, end, attribute, value, polarity) of each labelled mention, found in the text as
    whole words (a label "s" is not the s of "resist"): the first unused occurrence after the
    previous label's, else the first unused one (labels are mostly, not always, in text order).
    A label whose words are not in the text is skipped."""
    low = line["text"].lower()
    out = []
    used: set[int] = set()
    cursor = 0
    for m in line.get("mentions", []):
        words = str(m.get("text", "")).lower()
        if not words:
            continue
        # a number label is not the 6 of 5'6"; a word label may sit in quotes ('cream')
        before = "a-z0-9'’" if words[0].isdigit() else "a-z0-9"
        starts = [
            hit.start()
            for hit in re.finditer(rf"(?<![{before}]){re.escape(words)}(?![a-z0-9])", low)
            if hit.start() not in used
        ]
        if not starts:
            continue
        at = next((s for s in starts if s >= cursor), starts[0])
        used.add(at)
        out.append((at, at + len(words), m["attribute"], str(m["value"]), m["polarity"]))
        cursor = at + len(words)
    return out


def real_labels(line: dict, tokens: list[Token]) -> list[str]:
    """The gold class of each mention token: the polarity of the labelled mention of the same
    attribute that overlaps it, else ``none`` (the scanner read something that is not an
    attribute of an item)."""
    spans = label_spans(line)
    out = []
    for tok in tokens:
        if tok[KIND] != "mention":
            continue
        attribute = _LABEL_ATTRIBUTE.get(tok[ATTR], tok[ATTR])
        label = NONE
        for start, end, attr, _, polarity in spans:
            if start < tok[END] and tok[START] < end:
                if attr == attribute:
                    label = polarity
                    break
        out.append(label)
    return out


def dev_labels(note: dict, tokens: list[Token]) -> list[str | None]:
    """Weak gold classes for an old dev note (labelled as sets of values per note): a colour,
    pattern or size in its wanted set is wanted, a colour in its rejected set rejected; a
    mention outside the sets keeps the rule's reading unless the rule said wanted (then the
    true class is unknown: None, not used). Categories and modifiers are not labelled: None."""
    sets = {
        "color": set(note.get("wanted_color") or ()),
        "pattern": set(note.get("wanted_pattern") or ()),
        "size": set(note.get("wanted_size") or ()),
    }
    rejected = set(note.get("rejected_color") or ())
    out: list[str | None] = []
    for tok in tokens:
        if tok[KIND] != "mention":
            continue
        attr, value, rule = tok[ATTR], tok[VALUE], tok[POLARITY]
        if attr not in sets:
            out.append(None)
        elif value in sets[attr]:
            out.append("wanted")
        elif attr == "color" and value in rejected:
            out.append("rejected")
        else:
            out.append(None if rule == "wanted" else rule)
    return out


def gold_sets(line: dict) -> dict[tuple[str, str], set[str]]:
    """(attribute, polarity) -> the set of labelled values in the line."""
    out: dict[tuple[str, str], set[str]] = {}
    for m in line.get("mentions", []):
        out.setdefault((m["attribute"], m["polarity"]), set()).add(str(m["value"]))
    return out


def split(lines: Iterable[dict]) -> tuple[list[dict], list[dict]]:
    """(training part, test part)."""
    train, test = [], []
    for line in lines:
        (test if is_test(line) else train).append(line)
    return train, test
