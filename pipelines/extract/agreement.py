"""How far two annotators agree on the real-text corpus: the ceiling a reader can be held to.

A second annotator labelled sentences of the reviews test part without seeing the first labels
(``tests/data/extract/real/agreement/``; how it was done is in the README there). Each field is
scored exactly as the extractor is (:func:`pipelines.extract.evaluate.score_real`'s fields), with
the corpus's labels as reference and the second annotator's as the reading: F1 is symmetric, so
the figure does not depend on which annotator is called the reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipelines.extract import corpus

SECOND = corpus.REAL / "agreement" / "second-annotator.jsonl"


def _labelled(line: dict, attribute: str, polarity: str | None) -> set[str]:
    return {
        str(m["value"])
        for m in line.get("mentions", [])
        if m["attribute"] == attribute and (polarity is None or m["polarity"] == polarity)
    }


def agreement(first: Sequence[dict], second: Sequence[dict], fields: dict) -> dict:
    """Per field tp/fp/fn, precision, recall and F1 of `second` against `first`, on the lines
    both labelled (matched by id; a second line whose text differs is not compared)."""
    by_id = {line["id"]: line for line in first}
    pairs = [
        (by_id[s["id"]], s)
        for s in second
        if s["id"] in by_id and by_id[s["id"]]["text"] == s["text"]
    ]
    out: dict = {"sentences": len(pairs), "fields": {}}
    for field, (attribute, polarity) in fields.items():
        tp = fp = fn = 0
        for a, b in pairs:
            want, got = _labelled(a, attribute, polarity), _labelled(b, attribute, polarity)
            tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out["fields"][field] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
        }
    return out


def load_second(path: Path = SECOND) -> list[dict]:
    return corpus.read_jsonl(path)[0] if path.exists() else []
