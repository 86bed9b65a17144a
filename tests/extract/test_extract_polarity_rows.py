"""The polarity model's hot path (polarity_rows) finds exactly the rows of the feature strings.

`mention_rows` must give, for every mention, the weight rows `PolarityModel.rows` finds for the
strings of `mention_features` (what training sees), in the same order: then the sums, and every
decision with its ties, are the same bit for bit. Checked on every corpus, seed and dev sentence,
with the shipped model and with a model that has a weight for every feature those sentences
produce (so a template the hot path forgets or spells differently fails here, whatever a
retrain keeps).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

import pytest

from pipelines.extract.digest import SOURCES, texts
from pipelines.extract.extractor import rule_tokens
from pipelines.extract.polarity import NONE, PolarityModel, default_model, flat, mention_features
from pipelines.extract.polarity_rows import assign_model_polarity, mention_rows
from pipelines.extract.tokens import ATTR, KIND, POLARITY

CLASSES = ["mentioned", "none", "offered", "rejected", "wanted"]


@cache
def _sentences() -> tuple[str, ...]:
    notes = [t for name in ("real", "seed", "dev", "blind") for t in texts(SOURCES[name])]
    # odd inputs: capitals that change length when lower-cased, quotes, questions, no words
    notes += ["İ wanted the 'cream' in a M?", "“navy” or black?", "", "...", "XS XSP 10/12"]
    return tuple(notes)


def _weight(feature: str, k: int) -> float:
    digest = hashlib.sha256(f"{feature}/{k}".encode()).digest()
    return round(int.from_bytes(digest[:4], "big") / 2**32 * 2 - 1, 4)


@cache
def _full_model() -> PolarityModel:
    """A model with a (pseudo-random) weight row for every feature the sentences produce."""
    features: set[str] = set()
    for text in _sentences():
        for parts in mention_features(text, rule_tokens(text)[0]):
            features.update(flat(parts))
    weights = {f: [_weight(f, k) for k in range(len(CLASSES))] for f in sorted(features)}
    model = {"format": 1, "classes": CLASSES, "intercepts": [0.1, -0.2, 0.0, 0.05, 0.3]}
    return PolarityModel.from_json(json.dumps({**model, "weights": weights}))


@pytest.mark.parametrize("which", ["shipped", "every feature"])
def test_rows_are_the_rows_of_the_feature_strings(which):
    model = default_model() if which == "shipped" else _full_model()
    mentions = 0
    for text in _sentences():
        tokens = rule_tokens(text)[0]
        expected = [model.rows(parts) for parts in mention_features(text, tokens)]
        got = mention_rows(text, tokens, model)
        assert got == expected, text
        mentions += len(got)
    assert mentions > 5000


def test_the_full_model_has_every_template():
    """The every-feature model exercises the templates the shipped model may lack. ("question"
    never fires: a "?" ends the sentence, so it is never between a mention and its sentence's
    end.)"""
    templates = {f.partition("=")[0].partition("|")[0] for f in _full_model().weights}
    assert {"quoted", "after_quoted", "cond", "ibuy", "cmp", "nth", "prev", "next"} <= templates


@pytest.mark.parametrize("which", ["shipped", "every feature"])
def test_decisions_are_those_of_the_feature_strings(which):
    model = default_model() if which == "shipped" else _full_model()
    for text in _sentences():
        tokens = rule_tokens(text)[0]
        expected = []
        for tok, parts in zip(
            [t for t in tokens if t[KIND] == "mention"], mention_features(text, tokens), strict=True
        ):
            polarity = model.predict(parts)
            expected.append(tok[POLARITY] if polarity == NONE and tok[ATTR] == "size_modifier"
                            else polarity)  # fmt: skip
        assign_model_polarity(text, tokens, model)
        assert [t[POLARITY] for t in tokens if t[KIND] == "mention"] == expected, text


def test_ties_go_to_the_first_class():
    model = PolarityModel.from_json(
        json.dumps({"format": 1, "classes": CLASSES, "intercepts": [0, 0, 0, 1, 1], "weights": {}})
    )
    tokens = rule_tokens("wanted the red one")[0]
    assign_model_polarity("wanted the red one", tokens, model)
    assert [t[POLARITY] for t in tokens if t[KIND] == "mention"] == ["rejected"]


@pytest.mark.parametrize("feature", ["zz=1", "cmp=less|color", "lonely", "odd|color"])
def test_a_feature_of_an_unknown_template_fails_the_load(feature):
    model = PolarityModel.from_json(
        json.dumps({"format": 1, "classes": CLASSES, "intercepts": [0] * 5,
                    "weights": {feature: [0.1] * 5}})
    )  # fmt: skip
    with pytest.raises(ValueError, match="unknown feature"):
        mention_rows("wanted the red one", rule_tokens("wanted the red one")[0], model)
