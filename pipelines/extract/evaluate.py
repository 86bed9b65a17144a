"""Score the attribute extractor on the labelled development set.

    python -m pipelines.extract.evaluate [--dev PATH] [--json PATH] [--errors tune]

Prints precision, recall and F1 per field for the tune split, the holdout split and all notes,
the false-positive rate on notes that name no attribute at all, the `demand` flag on the notes
labelled with it, and notes per second.

One line of ``tests/data/extract/dev.jsonl``::

    {"id": "h002", "text": "Caller looking for a red wrap dress size 12, ...", "split": "holdout",
     "source_style": "call_center", "category": "dress", "wanted_color": ["red"],
     "wanted_pattern": [], "wanted_size": ["12"], "rejected_color": []}

Notes written for ``Extraction.demand`` also carry ``"demand": true/false``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.extract.extractor import EXTRACTOR_VERSION, Extraction, extract

DEV_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "extract" / "dev.jsonl"
#: Notes written after the extractor existed and scored without changing it afterwards.
BLIND_SET = DEV_SET.with_name("blind.jsonl")
SPLITS = ("tune", "holdout", "all", "blind")
BENCH_NOTES = 100_000

#: field -> (label key, prediction from an Extraction)
FIELDS: dict[str, tuple[str, Callable[[Extraction], list[str]]]] = {
    "wanted_color": ("wanted_color", lambda e: e.wanted("color")),
    "wanted_pattern": ("wanted_pattern", lambda e: e.wanted("pattern")),
    "wanted_size": ("wanted_size", lambda e: e.wanted("size")),
    "rejected_color": ("rejected_color", lambda e: e.rejected("color")),
    "category": ("category", lambda e: [e.category] if e.category else []),
}


@dataclass(frozen=True, slots=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}  # fmt: skip


def load_dev(path: Path = DEV_SET) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def gold(note: dict, label: str) -> set[str]:
    value = note[label]
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def has_no_attribute(note: dict) -> bool:
    return not any(gold(note, label) for label, _ in FIELDS.values())


def score(notes: Sequence[dict], extractions: Sequence[Extraction], field: str) -> Score:
    label, predict = FIELDS[field]
    tp = fp = fn = 0
    for note, extraction in zip(notes, extractions, strict=True):
        want, got = gold(note, label), set(predict(extraction))
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
    return Score(tp, fp, fn)


def demand_score(notes: Sequence[dict], extractions: Sequence[Extraction]) -> Score:
    """`demand` on the notes labelled with it (a positive is a note labelled demand)."""
    tp = fp = fn = 0
    for note, extraction in zip(notes, extractions, strict=True):
        if "demand" in note:
            want, got = bool(note["demand"]), extraction.demand
            tp, fp, fn = tp + (want and got), fp + (got and not want), fn + (want and not got)
    return Score(tp, fp, fn)


def false_positive_rate(notes: Sequence[dict], extractions: Sequence[Extraction]) -> float:
    """Share of attribute-free notes for which anything at all was extracted."""
    empty = [(n, e) for n, e in zip(notes, extractions, strict=True) if has_no_attribute(n)]
    hits = sum(1 for _, e in empty if any(predict(e) for _, predict in FIELDS.values()))
    return hits / len(empty) if empty else 0.0


def typical_length_notes(texts: Sequence[str], low: int = 60, high: int = 150) -> list[str]:
    """Dev-set notes joined one after another into notes of `low`..`high` characters."""
    out: list[str] = []
    current = ""
    for text in texts:
        current = f"{current}. {text}" if current else text
        if len(current) >= low:
            out.append(current[:high].rsplit(" ", 1)[0] if len(current) > high else current)
            current = ""
    return out


def machine_reference_seconds() -> float:
    """CPU seconds for an empty 10-million-step Python loop: ~0.15 s on an idle modern core."""
    started = time.process_time()
    for _ in range(10_000_000):
        pass
    return time.process_time() - started


def notes_per_second(texts: Sequence[str], total: int = BENCH_NOTES) -> float:
    repeats = -(-total // len(texts))
    batch = list(texts) * repeats
    started = time.process_time()  # CPU time of this process: one core, whatever else runs
    for text in batch:
        extract(text)
    return len(batch) / (time.process_time() - started)


def evaluate(notes: Sequence[dict], bench: int = BENCH_NOTES) -> dict:
    extractions = [extract(n["text"]) for n in notes]
    figures: dict = {"extractor_version": EXTRACTOR_VERSION, "notes": len(notes), "splits": {}}
    splits = [
        split for split in SPLITS if split == "all" or any(n["split"] == split for n in notes)
    ]
    for split in splits:
        if split == "all":
            chosen = [i for i, n in enumerate(notes) if n["split"] != "blind"]
        else:
            chosen = [i for i, n in enumerate(notes) if n["split"] == split]
        if not chosen:
            continue
        sub_notes = [notes[i] for i in chosen]
        sub_ex = [extractions[i] for i in chosen]
        figures["splits"][split] = {
            "notes": len(sub_notes),
            "no_attribute_notes": sum(map(has_no_attribute, sub_notes)),
            "false_positive_rate": round(false_positive_rate(sub_notes, sub_ex), 4),
            "fields": {f: score(sub_notes, sub_ex, f).as_dict() for f in FIELDS},
        }
        labelled = sum("demand" in n for n in sub_notes)
        if labelled:
            figures["splits"][split]["demand_notes"] = labelled
            figures["splits"][split]["demand"] = demand_score(sub_notes, sub_ex).as_dict()
    if bench:
        texts = [n["text"] for n in notes if n["split"] != "blind"]
        typical = typical_length_notes(texts)
        figures["notes_per_second"] = round(notes_per_second(texts, bench))
        figures["mean_chars_per_note"] = round(sum(map(len, texts)) / len(texts), 1)
        figures["notes_per_second_60_150_chars"] = round(notes_per_second(typical, bench))
        figures["mean_chars_per_typical_note"] = round(sum(map(len, typical)) / len(typical), 1)
        figures["reference_loop_seconds"] = round(machine_reference_seconds(), 3)
    return figures


def render(figures: dict) -> str:
    lines = [
        f"{figures['extractor_version']} on {figures['notes']} labelled notes "
        "(all = tune + holdout; blind = written after the rules, scored once)",
        "",
    ]
    lines.append(f"{'field':<16}{'split':<9}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}")
    present = [split for split in SPLITS if split in figures["splits"]]
    for field in FIELDS:
        for split in present:
            s = figures["splits"][split]["fields"][field]
            lines.append(
                f"{field:<16}{split:<9}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                f"{s['tp']:>6}{s['fp']:>5}{s['fn']:>5}"
            )
    lines.append("")
    for split in present:
        fig = figures["splits"][split]
        lines.append(
            f"false-positive rate ({split}): {fig['false_positive_rate']:.3f} "
            f"on {fig['no_attribute_notes']} notes with no attribute"
        )
    for split in present:
        fig = figures["splits"][split]
        if "demand" in fig:
            d = fig["demand"]
            lines.append(
                f"demand ({split}): P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f} "
                f"on {fig['demand_notes']} labelled notes (tp {d['tp']}, fp {d['fp']}, "
                f"fn {d['fn']})"
            )
    if "notes_per_second" in figures:
        lines.append(
            f"speed: {figures['notes_per_second']:,} notes/s on one core (CPU time) for the dev "
            f"notes as written (mean {figures['mean_chars_per_note']} characters)"
        )
        lines.append(
            f"speed: {figures['notes_per_second_60_150_chars']:,} notes/s for 60-150 character "
            f"notes (mean {figures['mean_chars_per_typical_note']} characters)"
        )
        lines.append(
            f"machine reference: empty 10M-step loop took {figures['reference_loop_seconds']} s "
            "of CPU (~0.15 s on an idle modern core; scale the figures above by it)"
        )
    return "\n".join(lines)


def errors(notes: Sequence[dict], split: str) -> str:
    """The notes of `split` where any field is wrong (tune only: never tune on the holdout)."""
    out = []
    for note in notes:
        if note["split"] != split:
            continue
        e = extract(note["text"])
        wrong = [
            f"{f}: want {sorted(gold(note, label))} got {predict(e)}"
            for f, (label, predict) in FIELDS.items()
            if gold(note, label) != set(predict(e))
        ]
        if "demand" in note and bool(note["demand"]) != e.demand:
            wrong.append(f"demand: want {bool(note['demand'])} got {e.demand}")
        if wrong:
            out.append(f"{note['id']} {note['text']}\n    " + "\n    ".join(wrong))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEV_SET, help="labelled JSON Lines file")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--bench", type=int, default=BENCH_NOTES, help="notes to time (0: skip)")
    parser.add_argument("--errors", choices=["tune"], help="list the wrong notes of a split")
    args = parser.parse_args(argv)
    notes = load_dev(args.dev)
    if args.dev == DEV_SET and BLIND_SET.exists():
        notes += load_dev(BLIND_SET)
    if args.errors:
        print(errors(notes, args.errors))
        return 0
    figures = evaluate(notes, args.bench)
    print(render(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
