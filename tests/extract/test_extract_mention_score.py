"""mention_score: the mention-level figure on the real corpus, on tiny invented lines."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pipelines.extract.mention_score import gold_spans, is_test, load_corpus, main, score


def line(text: str, *mentions: tuple[str, str, str], row: int | None = 9999) -> dict:
    return {"id": f"wecr-{row}-1", "source": "wecr", "row": row, "text": text,
            "mentions": [{"attribute": a, "text": t, "value": v, "polarity": "wanted"}
                         for a, t, v in mentions]}  # fmt: skip


def test_the_split_follows_the_corpus_readme():
    for row in range(200):
        digest = int(hashlib.sha256(str(row).encode()).hexdigest(), 16)
        assert is_test({"id": "x", "row": row}) == (digest % 10 < 3)
    assert is_test({"id": "assoc-0001", "row": None}) == (
        int(hashlib.sha256(b"assoc-0001").hexdigest(), 16) % 10 < 3
    )


def test_labelled_words_are_found_as_whole_words():
    text = "i am 5'4\" and 123 lbs, ordered the 2"
    at = text.rindex("2")  # not the 2 of 123
    assert gold_spans(line(text, ("size", "2", "2"))) == [("size", at, at + 1, "2")]


def test_right_wrong_missed_and_spurious_are_counted():
    result = score([
        line("ordered the navy dress in a 10", ("color", "navy", "blue"),
             ("category", "dress", "dress"), ("size", "10", "10")),
        line("i'm 5'4\" and the tan coat", ("color", "tan", "brown"), ("category", "coat", "coat")),
        line("bought it on black friday"),
    ])  # fmt: skip
    color, size = result.tallies["color"], result.tallies["size"]
    assert (color.gold, color.right, color.wrong, color.spurious) == (2, 1, 1, 0)  # tan is beige
    assert (size.gold, size.right, size.spurious) == (1, 1, 0)  # 5'4" is no size
    assert (result.bare, result.bare_found) == (1, 0)


def test_main_prints_the_training_part_and_refuses_errors_of_the_test_part(tmp_path: Path, capsys):
    rows = [r for r in range(100) if not is_test({"id": "", "row": r})][:2]
    lines = [line("ordered the navy one", ("color", "navy", "blue"), row=rows[0]),
             line("in a 10", ("size", "10", "10"), row=rows[1])]  # fmt: skip
    (tmp_path / "reviews-a.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert len(load_corpus(tmp_path, "train")) == 2 and load_corpus(tmp_path, "test") == []
    assert main(["--root", str(tmp_path), "--errors", "5"]) == 0
    out = capsys.readouterr().out
    assert "train part: 2 sentences" in out and "all" in out
    with pytest.raises(SystemExit) as refused:
        main(["--root", str(tmp_path), "--split", "test", "--errors", "5"])
    assert refused.value.code == 2
