"""How the extractor's cross-validated figures grow with the labelled data: would more labelling
close the gap to issue 13's targets?

    python -m tools.learning_curve                 # fractions 0.25 0.5 0.75 1 of the training part
    python -m tools.learning_curve 0.1 0.5 1       # other fractions

For each fraction f, the 5-fold cross-validation of `make eval` is run again with every fold's
model fitted on only f of the other folds' reviews (a fixed hash of each review decides, so a
larger fraction holds every review of a smaller one); the held-out fold is always scored whole.
Only the training part of the corpus is read: the test part is never used.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence

from pipelines.extract import corpus, extract
from pipelines.extract.evaluate import FOLDS, fold_of, score_real
from pipelines.extract.train import fit, in_memory, training_examples

FRACTIONS = (0.25, 0.5, 0.75, 1.0)


def share(line: dict) -> float:
    """A review's place in [0, 1): it is in every fraction above this."""
    digest = hashlib.sha256(f"curve:{corpus.group_key(line)}".encode()).hexdigest()
    return int(digest, 16) % 10_000 / 10_000


def curve(
    train: Sequence[dict], fractions: Sequence[float] = FRACTIONS, folds: int = FOLDS
) -> list[dict]:
    """Per fraction: the lines fitted on (summed over folds, divided by the folds) and the F1 of
    every field of the cross-validated extractions."""
    rows = []
    for fraction in fractions:
        lines, extractions, fitted = [], [], 0
        for k in range(folds):
            held = [n for n in train if fold_of(n, folds) == k]
            rest = [n for n in train if fold_of(n, folds) != k and share(n) < fraction]
            fitted += len(rest)
            model = in_memory(fit(training_examples(rest)[0]))
            lines += held
            extractions += [extract(n["text"], model) for n in held]
        fields = score_real(lines, extractions)["fields"]
        rows.append(
            {
                "fraction": fraction,
                "lines": round(fitted / folds),
                "f1": {name: score["f1"] for name, score in fields.items()},
            }
        )
    return rows


def render(rows: Sequence[dict]) -> str:
    names = list(rows[0]["f1"])
    out = ["fraction  lines  " + "  ".join(f"{n:>14}" for n in names)]
    for row in rows:
        cells = "  ".join(f"{row['f1'][n]:>14.3f}" for n in names)
        out.append(f"{row['fraction']:>8.2f}  {row['lines']:>5}  {cells}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    fractions = tuple(float(a) for a in args) or FRACTIONS
    train, _ = corpus.split(corpus.load_real())
    print(render(curve(train, fractions)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
