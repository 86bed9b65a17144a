"""tools/learning_curve.py: the cross-validation of `make eval` on growing shares of the training
part (issue 13: would more labelling help?)."""

from __future__ import annotations

import pytest

from pipelines.extract import corpus
from tools.learning_curve import curve, render, share


@pytest.mark.slow  # fits the polarity model four times
def test_a_larger_fraction_fits_on_more_lines_and_scores_every_field():
    train, _ = corpus.split(corpus.load_real())
    some = train[:400]  # a quick fit
    rows = curve(some, fractions=(0.4, 1.0), folds=2)
    assert [r["fraction"] for r in rows] == [0.4, 1.0]
    small, whole = rows
    assert 0 < small["lines"] < whole["lines"] <= len(some)
    assert {"wanted_color", "rejected_color", "wanted_size"} <= set(whole["f1"])
    assert all(0 <= f <= 1 for row in rows for f in row["f1"].values())
    assert len(render(rows).splitlines()) == 3


def test_the_shares_are_nested_and_whole_reviews_stay_together():
    train, _ = corpus.split(corpus.load_real())
    by_review: dict[str, set[float]] = {}
    for line in train:
        by_review.setdefault(corpus.group_key(line), set()).add(share(line))
    assert all(len(shares) == 1 for shares in by_review.values())
    assert all(0 <= s < 1 for shares in by_review.values() for s in shares)
