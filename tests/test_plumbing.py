"""tools/plumbing.py: the plumbing list names only what exists, and counts it as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import plumbing

ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize("entry", plumbing.PLUMBING, ids=lambda e: f"{e.module}:{e.kind}")
def test_every_listed_name_exists(entry):
    counted = plumbing.count(entry)
    assert len(counted) == len(entry.names) and all(lines > 0 for _, lines in counted)


def test_a_definition_counts_from_its_comment_to_its_last_line(tmp_path):
    (tmp_path / "m.py").write_text(
        '"""Doc."""\n\n#: A constant,\n#: on two lines.\nLIMIT = 3\n\n\n'
        "@staticmethod\ndef f(x):\n    return (\n        x\n    )\n\n\nclass C:\n"
        "    def g(self):\n        pass\n"
    )
    entry = plumbing.Entry("k", "m.py", ("LIMIT", "f", "C.g"))
    assert plumbing.count(entry, tmp_path) == [("LIMIT", 3), ("f", 5), ("C.g", 2)]
    assert plumbing.count(plumbing.Entry("k", "m.py", (plumbing.WHOLE,)), tmp_path) == [("*", 17)]
    with pytest.raises(KeyError, match="no gone"):
        plumbing.count(plumbing.Entry("k", "m.py", ("gone",)), tmp_path)


def test_the_architecture_doc_shows_how_to_measure_it():
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert "python -m tools.plumbing" in text
    for entry in plumbing.PLUMBING:
        assert entry.module in text, entry.module
