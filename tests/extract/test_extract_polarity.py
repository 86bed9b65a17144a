"""The polarity model on invented sentences for the classes of issue 13, and its file format.

The sentences below are not in the training data (tests/data/extract/seed.jsonl covers the
same classes with other words); the shipped model must read them as LABELLING.md says.
"""

from __future__ import annotations

import json

import pytest

from pipelines.extract import extract
from pipelines.extract.extractor import rule_tokens
from pipelines.extract.polarity import (
    MODEL_FILE,
    NONE,
    PolarityModel,
    default_model,
    flat,
    mention_features,
)
from pipelines.extract.train import dumps, fit, in_memory

#: sentence -> {(attribute, polarity): values, in text order}; every attribute named here is
#: checked for both wanted and rejected (a missing key means none).
CASES = {
    # 1 purchases and orders are wanted
    "picked up the grey one in a large": {("color", "wanted"): ["grey"], ("size", "wanted"): ["L"]},
    "ordered it in bottle green": {("color", "wanted"): ["green"]},
    "bought two, the olive and the rust": {("color", "wanted"): ["green", "orange"]},
    # 2 wishes and requests
    "wish they made it in forest green": {("color", "wanted"): ["green"]},
    "would love a tall version": {("size_modifier", "wanted"): ["tall"]},
    "if the olive had been in stock in a large I'd have taken two": {
        ("color", "wanted"): ["green"],
        ("size", "wanted"): ["L"],
    },
    # 3 expectation vs what arrived: the advertised colour wanted, the received one rejected
    "ordered the mustard and what came was more of a khaki green": {
        ("color", "wanted"): ["yellow"],
        ("color", "rejected"): ["green"],
    },
    "the 'cream' is really a pale yellow": {
        ("color", "wanted"): ["white"],
        ("color", "rejected"): ["yellow"],
    },
    "looks lilac, nothing like the grey in the photo": {
        ("color", "wanted"): ["grey"],
        ("color", "rejected"): ["purple"],
    },
    # 8 rejections in review voice
    "the khaki pair is going back": {("color", "rejected"): ["beige"]},
    "not a fan of the mustard": {("color", "rejected"): ["yellow"]},
    "the cream was see-through": {("color", "rejected"): ["white"]},
    "sending the lilac back": {("color", "rejected"): ["purple"]},
}

#: 9 substitutes are offered (accepted), never wanted
SUBSTITUTES = {
    "made do with grey": ("color", "grey"),
    "went with cobalt instead": ("color", "blue"),
    "fine with a medium instead": ("size", "M"),
}


@pytest.mark.parametrize(("text", "expected"), CASES.items(), ids=list(CASES))
def test_polarity_classes(text, expected):
    e = extract(text)
    for attribute in {a for a, _ in expected}:
        for polarity in ("wanted", "rejected"):
            assert e.values(attribute, polarity) == expected.get((attribute, polarity), []), (
                attribute,
                polarity,
                [(m.raw, m.polarity) for m in e.mentions],
            )


def test_wish_for_a_plain_one():
    assert extract("hoping for a plain one next season").wanted("pattern") == ["solid"]


@pytest.mark.parametrize(("text", "mention"), SUBSTITUTES.items(), ids=list(SUBSTITUTES))
def test_substitutes_are_offered(text, mention):
    attribute, value = mention
    e = extract(text)
    assert e.values(attribute, "offered") == [value]
    assert e.wanted(attribute) == []


def test_a_substitute_does_not_split_the_demanded_item():
    e = extract("wanted the navy coat, made do with grey")
    assert e.wanted("color") == ["blue"]
    assert [(i.category, i.color) for i in e.items] == [("coat", "blue")]


def test_model_file_loads_and_is_named_in_the_version():
    from pipelines.extract import EXTRACTOR_VERSION

    model = default_model()
    assert set(model.classes) == {"wanted", "rejected", "offered", "mentioned", NONE}
    assert EXTRACTOR_VERSION.endswith("+" + model.digest)


def test_bag_lookup_equals_the_flat_string_features():
    """The hot path (bags looked up per template) scores exactly what training saw."""
    model = default_model()
    text = "ordered the navy in a 10 but it was too small, went with the 12 instead"
    tokens = rule_tokens(text)[0]
    for parts in mention_features(text, tokens):
        assert model.scores(parts) == model.scores((flat(parts), [], [], [], []))


def _examples():
    texts = {
        "wanted the red one": "wanted",
        "the red one is going back": "rejected",
        "we only had red": "offered",
        "great with red shoes": "mentioned",
        "bought the red": "wanted",
    }
    out = []
    for i, (text, label) in enumerate(texts.items()):
        tokens = rule_tokens(text)[0]
        for parts in mention_features(text, tokens):
            out.append((flat(parts), label, str(i)))
    return out * 2  # features seen twice pass MIN_COUNT


def test_training_is_deterministic_and_round_trips():
    examples = _examples()
    first, second = dumps(fit(examples)), dumps(fit(examples))
    assert first == second
    data = json.loads(first)
    assert data["format"] == 1 and data["classes"] == sorted(data["classes"])
    model = in_memory(json.loads(first))
    assert model.digest == PolarityModel.from_json(first).digest
    # one feature per line, sorted: a retrain diffs line by line
    keys = [line.split('":', 1)[0] for line in first.splitlines()[1:-1]]
    assert keys == sorted(keys)
    assert MODEL_FILE.endswith(".json")


@pytest.mark.slow  # fits the polarity model twice on the seed and dev notes: ~9 s
def test_make_train_writes_the_same_bytes_twice(tmp_path):
    """`make train` (train.main) on the same inputs writes the same model file."""
    from pipelines.extract.train import main

    real = tmp_path / "real"
    real.mkdir()
    lines = [
        {"id": f"assoc-{i:04d}", "source": "associate", "text": text, "mentions": mentions}
        for i, (text, mentions) in enumerate(
            [
                ("lady wanted the navy coat, we only had black",
                 [{"attribute": "color", "text": "navy", "value": "blue", "polarity": "wanted"},
                  {"attribute": "category", "text": "coat", "value": "coat", "polarity": "wanted"},
                  {"attribute": "color", "text": "black", "value": "black",
                   "polarity": "offered"}]),
                ("returned the red dress, too tight",
                 [{"attribute": "color", "text": "red", "value": "red", "polarity": "rejected"},
                  {"attribute": "category", "text": "dress", "value": "dress",
                   "polarity": "rejected"}]),
            ]
        )
    ]  # fmt: skip
    (real / "associate.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["--real", str(real), "--out", str(first)]) == 0
    assert main(["--real", str(real), "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    model = PolarityModel.from_json(first.read_text())
    assert set(model.classes) >= {"wanted", "rejected", "offered", "mentioned"}


def test_a_demanded_items_garment_follows_its_wanted_attributes():
    """A garment named with a wanted colour or size is the item's category, even where the
    model alone reads the garment word as merely mentioned (reviews lean that way)."""
    e = extract("was trying to buy yellow shorts, medium. is it coming back?")
    assert [(i.category, i.color, i.size) for i in e.items] == [("shorts", "yellow", "M")]
