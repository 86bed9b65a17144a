"""`make eval`: the real-text scoring, the corpus split and alignment, and the old dev smoke test."""

from __future__ import annotations

import hashlib
import json

import pytest

from pipelines.extract import corpus
from pipelines.extract.evaluate import (
    FIELDS,
    fold_of,
    load_dev,
    main,
    no_demand,
    score_real,
    smoke,
)
from pipelines.extract.extractor import extract, rule_tokens

LINES = [
    {"id": "wecr-09001-1", "source": "wecr", "row": 9001,
     "text": "ordered the mustard and what came was more of a khaki green.",
     "mentions": [
         {"attribute": "color", "text": "mustard", "value": "yellow", "polarity": "wanted"},
         {"attribute": "color", "text": "khaki green", "value": "green", "polarity": "rejected"}]},
    {"id": "wecr-09001-2", "source": "wecr", "row": 9001,
     "text": "love the medium wash on these jeans.",
     "mentions": [{"attribute": "category", "text": "jeans", "value": "jeans",
                   "polarity": "wanted"}]},
    {"id": "assoc-9001", "source": "associate", "style": "store",
     "text": "lady wanted the navy coat in a 12",
     "mentions": [
         {"attribute": "color", "text": "navy", "value": "blue", "polarity": "wanted"},
         {"attribute": "category", "text": "coat", "value": "coat", "polarity": "wanted"},
         {"attribute": "size", "text": "12", "value": "12", "polarity": "wanted"}]},
]  # fmt: skip


def test_split_rule_is_the_readme_formula_and_keeps_reviews_whole():
    for line in LINES:
        key = str(line.get("row") or line["id"])
        expected = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10 < 3
        assert corpus.is_test(line) == expected
    assert corpus.is_test(LINES[0]) == corpus.is_test(LINES[1])  # the same review row
    keys = [{"id": f"assoc-{i:04d}"} for i in range(1000)]
    assert 250 <= sum(map(corpus.is_test, keys)) <= 350


def test_folds_keep_reviews_whole():
    assert fold_of(LINES[0]) == fold_of(LINES[1])
    assert {fold_of({"id": f"x{i}"}) for i in range(50)} == set(range(5))


def test_labels_align_with_scanner_mentions_by_position():
    line = LINES[1]
    tokens = rule_tokens(line["text"])[0]
    mentions = [t for t in tokens if t[0] == "mention"]
    labels = corpus.real_labels(line, tokens)
    by_value = {t[4]: y for t, y in zip(mentions, labels, strict=True)}
    assert by_value["jeans"] == "wanted"
    # whatever else the scanner reads here ("medium" as size M) is not labelled: class none
    assert all(y == "none" for v, y in by_value.items() if v != "jeans")


def test_score_real_counts_sets_per_field_and_no_demand_sentences():
    extractions = [extract(n["text"]) for n in LINES]
    figures = score_real(LINES, extractions)
    assert figures["sentences"] == 3
    assert [no_demand(n) for n in LINES] == [False, True, False]
    assert figures["no_demand_sentences"] == 1
    wanted = figures["fields"]["wanted_color"]
    assert wanted["tp"] + wanted["fn"] == 2  # mustard (yellow) and navy (blue)
    assert figures["fields"]["category"]["tp"] + figures["fields"]["category"]["fn"] == 2


@pytest.mark.slow  # fits the polarity model twice (2-fold cross-validation): ~10 s
def test_main_prints_every_part_and_writes_json(tmp_path, capsys):
    real = tmp_path / "real"
    real.mkdir()
    with (real / "reviews-a.jsonl").open("w") as fh:
        for line in LINES[:2]:
            fh.write(json.dumps(line) + "\n")
        fh.write('{"id": "half-written')  # a labeller's file mid-write
    (real / "associate.jsonl").write_text(json.dumps(LINES[2]) + "\n")
    out = tmp_path / "eval.json"
    assert main(["--real", str(real), "--json", str(out), "--bench", "300", "--folds", "2"]) == 0
    printed = capsys.readouterr().out
    assert "wanted_color" in printed and "rejected_size" in printed and "notes/s" in printed
    figures = json.loads(out.read_text())
    assert figures["real"]["lines"] == 3
    assert figures["speed"]["notes_per_second"] > 0


@pytest.mark.parametrize("field", ["wanted_color", "wanted_size", "wanted_pattern"])
def test_old_holdout_smoke(field):
    """The old hand-written notes (the voice the rules were built for) still read well."""
    figures = smoke(load_dev())
    assert field in FIELDS
    assert figures["holdout"]["f1"][field] >= 0.9


def test_labels_are_found_as_whole_words_in_text_order():
    """A label "s" is the size s, not the s inside "resist"; a repeated word takes the next
    occurrence; a number is not the 6 of 5'6"; a quoted word is found inside its quotes."""
    line = {
        "id": "t-1",
        "text": "couldn't resist, i'm 5'6\" and ordered the 'cream' in a s, then a m, then the s again",
        "mentions": [
            {"attribute": "color", "text": "cream", "value": "white", "polarity": "wanted"},
            {"attribute": "size", "text": "s", "value": "S", "polarity": "wanted"},
            {"attribute": "size", "text": "m", "value": "M", "polarity": "mentioned"},
            {"attribute": "size", "text": "s", "value": "S", "polarity": "rejected"},
            {"attribute": "size", "text": "6", "value": "6", "polarity": "mentioned"},
        ],
    }
    text = line["text"]
    spans = corpus.label_spans(line)
    assert [(text[a:b], a) for a, b, *_ in spans] == [
        ("cream", text.index("cream")),
        ("s", text.index(" a s") + 3),
        ("m", text.index(" a m") + 3),
        ("s", text.index("the s again") + 4),
    ]  # no whole-word 6 outside 5'6": that label is skipped
