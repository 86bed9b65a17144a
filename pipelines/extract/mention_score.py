"""Score mention detection (not polarity) on the real-text corpus of issue 13.

    python -m pipelines.extract.mention_score [--split train|test|all] [--errors N]

For every labelled mention of ``tests/data/extract/real/*.jsonl`` (format in that folder's
README): did the extractor find a mention of the same attribute over the same words, with the
same value? And which mentions did it find that are not attributes at all? Polarity is ignored.
Prints, per attribute (color, pattern, size, size modifier, category): labelled, found, right
value, wrong value, missed, spurious, precision and recall of right values, and F1; and how many
sentences with no colour, pattern or size labelled get one found. A size modifier is labelled
only as part of a size ("xsp", "petite medium"), so a found "petite range" counts as spurious.

Only the training part may be used to look at errors (``--errors`` refuses the test part): a
line is in the **test** part when ``sha256(str(row or id)) % 10 < 3``, so whole reviews stay on
one side. One line::

    {"id": "wecr-09171-2", "source": "wecr", "row": 9171, "text": "i exchanged my 0 for a 00",
     "mentions": [{"attribute": "size", "text": "0", "value": "0", "polarity": "rejected"}, ...]}
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.extract.extractor import extract

REAL = Path(__file__).resolve().parents[2] / "tests" / "data" / "extract" / "real"
ATTRIBUTES = ("color", "pattern", "size", "size_modifier", "category")
_VALUES = ("color", "pattern", "size")


def is_test(line: dict) -> bool:
    """True if the corpus line belongs to the test part (never tuned on)."""
    key = line.get("row")
    key = line["id"] if key is None else key
    return int(hashlib.sha256(str(key).encode("utf-8")).hexdigest(), 16) % 10 < 3


def load_corpus(root: Path = REAL, split: str = "train") -> list[dict]:
    """Every corpus line of `split` (train | test | all), file by file in name order."""
    lines = []
    for path in sorted(root.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for raw in fh:
                if raw.strip():
                    line = json.loads(raw)
                    if split == "all" or (split == "test") == is_test(line):
                        lines.append(line)
    return lines


@dataclass(slots=True)
class Tally:
    gold: int = 0
    found: int = 0
    right: int = 0
    wrong: int = 0
    missed: int = 0
    spurious: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Result:
    tallies: dict[str, Tally] = field(default_factory=lambda: {a: Tally() for a in ATTRIBUTES})
    errors: list[str] = field(default_factory=list)
    sentences: int = 0
    #: sentences with no colour, pattern or size labelled, and those of them with one found
    bare: int = 0
    bare_found: int = 0


Span = tuple[str, int, int, str]  # attribute, start, end, value


def gold_spans(line: dict) -> list[Span]:
    """The labelled mentions with their character offsets (found in text order)."""
    text = line["text"].lower()
    spans: list[Span] = []
    cursor = 0
    for m in line["mentions"]:
        words = m["text"].lower()
        whole = re.compile(rf"(?<![\w'’]){re.escape(words)}(?![\w])")
        found = whole.search(text, cursor) or whole.search(text)
        at = found.start() if found else text.find(words, cursor)
        if at < 0:
            at = text.find(words)
        if at < 0:
            continue  # a label whose words are not in the sentence: nothing to match against
        cursor = at + len(words)
        spans.append((m["attribute"], at, at + len(words), str(m["value"])))
        if m["attribute"] == "size" and m.get("modifier"):
            spans.append(("size_modifier", at, at + len(words), m["modifier"]))
    return spans


def predicted_spans(text: str) -> list[Span]:
    return [(m.attribute, m.start, m.end, m.value) for m in extract(text).mentions]


def compare(
    gold: Sequence[Span], got: Sequence[Span]
) -> list[tuple[str, Span | None, Span | None]]:
    """Pair labelled and found mentions of one attribute whose words overlap.

    Returns (outcome, gold, found) with outcome right | wrong | missed | spurious.
    """
    out: list[tuple[str, Span | None, Span | None]] = []
    used: set[int] = set()
    for g in gold:
        candidates = [
            i
            for i, p in enumerate(got)
            if i not in used and p[0] == g[0] and p[1] < g[2] and g[1] < p[2]
        ]
        right = [i for i in candidates if got[i][3] == g[3]]
        pick = (right or candidates or [None])[0]
        if pick is None:
            out.append(("missed", g, None))
        else:
            used.add(pick)
            out.append(("right" if got[pick][3] == g[3] else "wrong", g, got[pick]))
    for i, p in enumerate(got):
        if i not in used and p[0] in ATTRIBUTES:
            overlapped = any(g[0] == p[0] and p[1] < g[2] and g[1] < p[2] for g in gold)
            if not overlapped:  # a second found mention inside one labelled mention is not extra
                out.append(("spurious", None, p))
    return out


def score(lines: Iterable[dict]) -> Result:
    result = Result()
    for line in lines:
        result.sentences += 1
        text = line["text"]
        gold, got = gold_spans(line), predicted_spans(text)
        if not any(g[0] in _VALUES for g in gold):
            result.bare += 1
            result.bare_found += any(p[0] in _VALUES for p in got)
        for outcome, g, p in compare(gold, got):
            attribute = (g or p)[0]  # type: ignore[index]
            tally = result.tallies[attribute]
            if g is not None:
                tally.gold += 1
            if p is not None:
                tally.found += 1
            setattr(tally, outcome, getattr(tally, outcome) + 1)
            if outcome != "right":
                shown = [f"{s[0]}:{text[s[1] : s[2]]!r}={s[3]}" for s in (g, p) if s is not None]
                result.errors.append(f"{outcome:8} {' -> '.join(shown):50} | {line['id']}: {text}")
    return result


def report(result: Result, split: str) -> str:
    rows = [f"mention detection on the {split} part: {result.sentences} sentences (polarity ignored)",
            f"{'attribute':14}{'labelled':>9}{'found':>7}{'right':>7}{'wrong':>7}{'missed':>7}"
            f"{'spurious':>9}{'prec':>7}{'recall':>7}{'F1':>7}"]  # fmt: skip
    total = Tally()
    for attribute, t in result.tallies.items():
        for name in ("gold", "found", "right", "wrong", "missed", "spurious"):
            setattr(total, name, getattr(total, name) + getattr(t, name))
        rows.append(_row(attribute, t))
    rows.append(_row("all", total))
    share = result.bare_found / result.bare if result.bare else 0.0
    rows.append(f"sentences with no colour, pattern or size labelled: {result.bare}, with one "
                f"found: {result.bare_found} ({share:.1%})")  # fmt: skip
    return "\n".join(rows)


def _row(name: str, t: Tally) -> str:
    return (f"{name:14}{t.gold:>9}{t.found:>7}{t.right:>7}{t.wrong:>7}{t.missed:>7}{t.spurious:>9}"
            f"{t.precision:>7.3f}{t.recall:>7.3f}{t.f1:>7.3f}")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("train", "test", "all"), default="train")
    parser.add_argument("--root", type=Path, default=REAL)
    parser.add_argument("--errors", type=int, default=0, help="print this many training errors")
    args = parser.parse_args(argv)
    if args.errors and args.split != "train":
        parser.error("--errors looks at the training part only (nothing is tuned on the test part)")
    lines = load_corpus(args.root, args.split)
    if not lines:
        print(f"no corpus lines in {args.root}", file=sys.stderr)
        return 1
    result = score(lines)
    print(report(result, args.split))
    if args.errors:
        kinds = Counter(e.split()[0] for e in result.errors)
        print(f"\nerrors: {dict(kinds)}")
        for line in sorted(result.errors)[: args.errors]:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
