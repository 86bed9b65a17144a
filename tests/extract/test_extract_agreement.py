"""The annotator-agreement figure: same labels agree fully, a changed polarity counts both ways."""

from pipelines.extract.agreement import agreement
from pipelines.extract.evaluate import REAL_FIELDS


def line(id_, text, *mentions):
    return {
        "id": id_,
        "text": text,
        "mentions": [
            {"attribute": a, "text": t, "value": v, "polarity": p} for a, t, v, p in mentions
        ],
    }


FIRST = [
    line(
        "a",
        "ordered the navy in a small",
        ("color", "navy", "blue", "wanted"),
        ("size", "small", "S", "wanted"),
    ),
    line("b", "sent the mustard back", ("color", "mustard", "yellow", "rejected")),
    line("c", "lovely fabric"),
]


def test_identical_labels_agree_fully():
    figures = agreement(FIRST, FIRST, REAL_FIELDS)
    assert figures["sentences"] == 3
    assert figures["fields"]["wanted_color"]["f1"] == 1.0
    assert figures["fields"]["rejected_color"]["f1"] == 1.0


def test_a_changed_polarity_is_a_miss_and_a_false_reading():
    second = [
        FIRST[0],
        line("b", "sent the mustard back", ("color", "mustard", "yellow", "wanted")),
    ]
    figures = agreement(FIRST, second, REAL_FIELDS)
    assert figures["sentences"] == 2
    assert figures["fields"]["rejected_color"] == {
        "tp": 0,
        "fp": 0,
        "fn": 1,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }
    wanted = figures["fields"]["wanted_color"]
    assert (wanted["tp"], wanted["fp"], wanted["fn"]) == (1, 1, 0)


def test_lines_whose_text_differs_are_not_compared():
    second = [line("a", "ordered the navy", ("color", "navy", "blue", "wanted"))]
    assert agreement(FIRST, second, REAL_FIELDS)["sentences"] == 0
