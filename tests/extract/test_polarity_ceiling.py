"""With every mention's polarity right, the extractor reads the training part of the real corpus
almost perfectly (tools/polarity_learners.py `ceiling`): the gap to issue 13's targets is the
polarity model's, and mention detection or the steps after the model (garments following their
attributes, items, comparatives) must not open another one. The test part is dropped before
anything is scored."""

from __future__ import annotations

from pipelines.extract import corpus
from pipelines.extract.extractor import extract, rule_tokens
from pipelines.extract.scanner import KIND
from tools import polarity_learners


def test_the_classes_given_replace_the_model_and_the_rest_runs_as_shipped():
    text = "wanted the navy coat in a large"
    shipped = extract(text)
    assert shipped.wanted("color") == ["blue"] and shipped.wanted("size") == ["L"]
    mentions = sum(t[KIND] == "mention" for t in rule_tokens(text)[0])
    with polarity_learners.classes_given({text: ["rejected"] * mentions}):
        given = extract(text)
    assert given.rejected("color") == ["blue"] and given.wanted("color") == []
    assert extract(text) == shipped  # the model is back


def test_with_every_polarity_right_the_training_part_is_read_almost_perfectly():
    train, _ = corpus.split(corpus.load_real())  # the test part is dropped here
    figures = polarity_learners.ceiling(train)
    f1 = {field: figures["fields"][field]["f1"] for field in polarity_learners.FIELDS}
    assert min(f1.values()) >= 0.95, f1  # 2026-12-06: 0.963 (category) to 0.994
    assert figures["no_demand_wanted_rate"] <= 0.005  # 2 of 3,383 sentences
