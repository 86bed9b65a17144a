"""Fit the polarity model (``make train``) and write ``pipelines/extract/polarity_model.json``.

    python -m pipelines.extract.train [--out PATH] [--real DIR]

Training data (see :mod:`pipelines.extract.corpus`): the **training part** of the real corpus
(``tests/data/extract/real/*.jsonl``; the test part is never read here), the invented seed
sentences (``seed.jsonl``) and the tune notes of the old dev set (weak labels). Each scanner
mention is one example: its features (:func:`~pipelines.extract.polarity.mention_features`) and
its gold class, the polarity of the labelled mention it overlaps or ``none`` when the scanner
read something no labeller called an attribute. Labelled mentions the scanner does not find
are counted (scanner recall) but teach the polarity model nothing.

The learner is scikit-learn's multinomial logistic regression (lbfgs, L2, balanced class
weights); only features seen
at least ``MIN_COUNT`` times are kept. The output is deterministic: the same inputs give the
same bytes (features sorted, weights rounded to 4 decimals, no timestamps).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pipelines.extract.corpus import (
    DEV,
    REAL,
    SEED,
    dev_labels,
    group_key,
    load_real,
    read_jsonl,
    real_labels,
    split,
)
from pipelines.extract.extractor import rule_tokens
from pipelines.extract.polarity import MODEL_FILE, PolarityModel, flat, mention_features
from pipelines.extract.scanner import ATTR, KIND

MODEL_PATH = Path(__file__).resolve().with_name(MODEL_FILE)
MIN_COUNT = 2
#: inverse L2 strength and class weights, chosen by 5-fold cross-validation on the training part
#: (2026-12-05, F1 wanted colour/size/pattern, rejected colour/size; wanted-without-demand rate):
#: C 0.3: .790 .734 .673 .301 .386, 11.9%; C 1: .791 .734 .687 .347 .378, 11.0%;
#: C 3: .791 .726 .687 .306 .376, 10.5%; C 1 balanced: .797 .721 .673 .314 .424, 8.6%;
#: C 1 sqrt-balanced: .799 .726 .675 .327 .421, 9.7%. Differences are small (tens of values per
#: field); "balanced" was taken for the sentences-without-demand target (<= 10%).
#: Refitted after the training labels were aligned on whole words (extract-2.2.0), 5-fold CV on
#: the grown corpus: C 1: .828 .807 .831 .395 .567, 7.5%; C 0.5: .831 .803 .827 .391 .570, 7.3%.
#: Level on real text, but C 0.5 leans less on single words (the first word of a note, a colour's
#: name) and reads chat-voice requests better ("was trying to buy yellow shorts, medium": C 1 read
#: yellow as rejected): taken.
C = 0.5
CLASS_WEIGHT = "balanced"
CLASSES = ("mentioned", "none", "offered", "rejected", "wanted")
#: weight of each invented seed sentence's examples (tests/data/extract/seed.jsonl, the contract's
#: own examples for the ten classes of issue 13) against one real example. Once the real corpus
#: grew from 2.8k to 7.4k review sentences, weight 1 let the seed's rare constructions ("not the
#: black one but navy") be outvoted; 3 gives them back about the share they had.
#: With C 0.5 (stronger regularisation) 3 lost "if the olive had been in stock in a large" again: 5.
SEED_WEIGHT = 5.0

Example = tuple[list[str], str, str]  # (features, class, group)


def real_examples(lines: Sequence[dict]) -> tuple[list[Example], int]:
    """(examples, labelled mentions no scanner mention overlaps) for labelled lines."""
    out: list[Example] = []
    missed = 0
    for line in lines:
        tokens = rule_tokens(line["text"])[0]
        labels = real_labels(line, tokens)
        found = sum(label != "none" for label in labels)
        missed += max(0, len(line.get("mentions", [])) - found)
        if labels:
            features = mention_features(line["text"], tokens)
            attributes = [t[ATTR] for t in tokens if t[KIND] == "mention"]
            out += [
                (flat(f), y, group_key(line))
                for f, y, a in zip(features, labels, attributes, strict=True)
                if not (a == "size_modifier" and y == "none")  # modifiers: only on a size
            ]
    return out, missed


def dev_examples(notes: Sequence[dict]) -> list[Example]:
    out: list[Example] = []
    for note in notes:
        tokens = rule_tokens(note["text"])[0]
        labels = dev_labels(note, tokens)
        if any(y is not None for y in labels):
            features = mention_features(note["text"], tokens)
            out += [
                (flat(f), y, f"dev-{note['id']}")
                for f, y in zip(features, labels, strict=True)
                if y is not None
            ]
    return out


def training_examples(real: Sequence[dict]) -> tuple[list[Example], dict]:
    """Examples from `real` (training-part lines only) plus the seed and dev tune notes."""
    examples, missed = real_examples(real)
    seed = read_jsonl(SEED)[0] if SEED.exists() else []
    seed_examples, _ = real_examples(seed)
    dev = [n for n in read_jsonl(DEV)[0] if n.get("split") == "tune"]
    dev_ex = dev_examples(dev)
    stats = {
        "real_lines": len(real),
        "real_examples": len(examples),
        "real_labels_not_found_by_scanner": missed,
        "seed_lines": len(seed),
        "seed_examples": len(seed_examples),
        "dev_tune_notes": len(dev),
        "dev_examples": len(dev_ex),
    }
    return examples + seed_examples + dev_ex, stats


def fit(examples: Sequence[Example], c: float = C) -> dict:
    """The model file's content (a dict) for `examples`."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for features, _, _ in examples for f in set(features))
    vocabulary = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    index = {f: i for i, f in enumerate(vocabulary)}
    rows, cols = [], []
    for r, (features, _, _) in enumerate(examples):
        for col in sorted({index[f] for f in features if f in index}):
            rows.append(r)
            cols.append(col)
    x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(examples), len(vocabulary)))
    labels = [y for _, y, _ in examples]
    classes = [k for k in CLASSES if k in set(labels)]
    y = np.array([classes.index(label) for label in labels])
    weight = np.array([SEED_WEIGHT if g.startswith("seed-") else 1.0 for _, _, g in examples])
    learner = LogisticRegression(C=c, class_weight=CLASS_WEIGHT, max_iter=5000, tol=1e-6)
    learner.fit(x, y, sample_weight=weight)
    coef = learner.coef_
    intercepts = learner.intercept_
    if len(classes) == 2:  # binary: sklearn keeps one row; spell out both classes
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercepts = np.array([-intercepts[0] / 2, intercepts[0] / 2])
    weights = {}
    for j, feature in enumerate(vocabulary):
        row = [round(float(coef[k, j]), 4) for k in range(len(classes))]
        if any(row):
            weights[feature] = row
    return {
        "format": 1,
        "classes": classes,
        "intercepts": [round(float(b), 4) for b in intercepts],
        "c": c,
        "class_weight": CLASS_WEIGHT,
        "seed_weight": SEED_WEIGHT,
        "min_count": MIN_COUNT,
        "examples": dict(sorted(Counter(labels).items())),
        "weights": weights,
    }


def dumps(model: dict) -> str:
    """The model file's text: one feature per line, sorted, so a retrain diffs readably."""
    head = {k: v for k, v in model.items() if k != "weights"}
    lines = [json.dumps(head, sort_keys=True)[:-1] + ', "weights": {']
    items = sorted(model["weights"].items())
    for i, (feature, row) in enumerate(items):
        comma = "," if i + 1 < len(items) else ""
        lines.append(f"  {json.dumps(feature, ensure_ascii=False)}: {json.dumps(row)}{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def in_memory(model: dict) -> PolarityModel:
    """The `PolarityModel` the written file would load as (same rounding)."""
    return PolarityModel.from_json(dumps(model))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    parser.add_argument("--real", type=Path, default=REAL, help="folder of the real corpus")
    parser.add_argument("--c", type=float, default=C, help="inverse L2 strength")
    args = parser.parse_args(argv)
    train, _ = split(load_real(args.real))
    examples, stats = training_examples(train)
    model = fit(examples, args.c)
    model["trained_on"] = stats
    text = dumps(model)
    args.out.write_text(text, encoding="utf-8")
    print(json.dumps(stats))
    print(
        f"wrote {args.out} ({len(model['weights'])} features, {len(text):,} bytes, "
        f"version {PolarityModel.from_json(text).digest})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
