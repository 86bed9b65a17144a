"""docs/formats.md and data/sample stay in step with the generator."""

from __future__ import annotations

from pathlib import Path

from pipelines.generate import generate

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
FORMATS = ROOT / "docs" / "formats.md"


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_committed_sample_is_what_the_generator_writes(tmp_path: Path) -> None:
    generate(3000, 7, tmp_path)
    assert _files(tmp_path) == _files(SAMPLE), "regenerate: unmet generate --rows 3000 --seed 7"


def test_example_lines_in_formats_doc_are_real_sample_lines() -> None:
    sample_lines = {
        line
        for path in SAMPLE.rglob("*")
        if path.is_file()
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    examples = []
    inside = False
    for line in FORMATS.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = not inside
            continue
        if inside and line and not line.startswith("unmet generate"):
            examples.append(line)
    assert len(examples) >= 10
    missing = [line for line in examples if line not in sample_lines]
    assert missing == []
