"""The labelled development set: its shape, and the holdout scores the extractor must keep."""

from __future__ import annotations

import pytest

from pipelines.extract.evaluate import evaluate, has_no_attribute, load_dev, main

TARGETS = {"wanted_color": 0.95, "wanted_size": 0.95, "wanted_pattern": 0.9, "rejected_color": 0.9}


@pytest.fixture(scope="module")
def notes():
    return load_dev()


@pytest.fixture(scope="module")
def figures(notes):
    return evaluate(notes, bench=0)


def test_dev_set_shape(notes):
    assert len(notes) >= 400
    assert len({n["id"] for n in notes}) == len(notes)
    holdout = sum(n["split"] == "holdout" for n in notes)
    assert 0.25 <= holdout / len(notes) <= 0.35
    assert sum(map(has_no_attribute, notes)) >= 60
    assert {n["source_style"] for n in notes} == {"store_note", "call_center", "chat", "customer"}


@pytest.mark.parametrize(("field", "target"), TARGETS.items())
def test_holdout_f1_meets_the_target(figures, field, target):
    assert figures["splits"]["holdout"]["fields"][field]["f1"] >= target


def test_false_positive_rate_is_low(figures):
    assert figures["splits"]["all"]["false_positive_rate"] <= 0.1


def test_main_writes_json(tmp_path, capsys):
    out = tmp_path / "eval.json"
    assert main(["--json", str(out), "--bench", "500"]) == 0
    assert "holdout" in capsys.readouterr().out
    assert out.read_text().startswith("{")
