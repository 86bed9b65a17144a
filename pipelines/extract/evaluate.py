"""Score the attribute extractor (``make eval``).

    python -m pipelines.extract.evaluate [--json PATH] [--bench N] [--folds 5] [--errors]

On the real-text corpus (``tests/data/extract/real/``, see :mod:`pipelines.extract.corpus`) it
prints, per field (wanted colour, size and pattern, rejected colour and size, category),
precision, recall and F1 on the **test part** of the reviews and of the associate notes
separately, and 5-fold cross-validated figures on the **training part** (folds grouped by review
row: the model is refitted without the fold and scored on it); the share of sentences with no
wanted colour, pattern or size on which one is predicted; and notes per second on one core.
The old hand-written dev and blind sets (written in the voice the rules were built for) are kept
as a one-line smoke test each.

One line of ``tests/data/extract/dev.jsonl``::

    {"id": "h002", "text": "Caller looking for a red wrap dress size 12, ...", "split": "holdout",
     "source_style": "call_center", "category": "dress", "wanted_color": ["red"],
     "wanted_pattern": [], "wanted_size": ["12"], "rejected_color": []}

Notes written for ``Extraction.demand`` also carry ``"demand": true/false``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.extract import agreement, corpus
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


#: real-text fields: name -> (attribute, polarity); category counts every garment named
REAL_FIELDS: dict[str, tuple[str, str | None]] = {
    "wanted_color": ("color", "wanted"),
    "wanted_size": ("size", "wanted"),
    "wanted_pattern": ("pattern", "wanted"),
    "rejected_color": ("color", "rejected"),
    "rejected_size": ("size", "rejected"),
    "category": ("category", None),
}
DEMAND_ATTRIBUTES = ("color", "pattern", "size")
FOLDS = 5


def predicted(extraction: Extraction, attribute: str, polarity: str | None) -> set[str]:
    return {
        m.value
        for m in extraction.mentions
        if m.attribute == attribute and (polarity is None or m.polarity == polarity)
    }


def labelled(line: dict, attribute: str, polarity: str | None) -> set[str]:
    return {
        str(m["value"])
        for m in line.get("mentions", [])
        if m["attribute"] == attribute and (polarity is None or m["polarity"] == polarity)
    }


def no_demand(line: dict) -> bool:
    """The sentence has no wanted colour, pattern or size label."""
    return not any(labelled(line, a, "wanted") for a in DEMAND_ATTRIBUTES)


def score_real(lines: Sequence[dict], extractions: Sequence[Extraction]) -> dict:
    """Per-field scores, and the false wanted rate on sentences without demand."""
    fields = {}
    for field, (attribute, polarity) in REAL_FIELDS.items():
        tp = fp = fn = 0
        for line, extraction in zip(lines, extractions, strict=True):
            want = labelled(line, attribute, polarity)
            got = predicted(extraction, attribute, polarity)
            tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
        fields[field] = Score(tp, fp, fn).as_dict()
    empty = [(n, e) for n, e in zip(lines, extractions, strict=True) if no_demand(n)]
    hits = sum(any(e.wanted(a) for a in DEMAND_ATTRIBUTES) for _, e in empty)
    return {
        "sentences": len(lines),
        "no_demand_sentences": len(empty),
        "no_demand_with_wanted": hits,
        "no_demand_wanted_rate": round(hits / len(empty), 4) if empty else 0.0,
        "fields": fields,
    }


def fold_of(line: dict, folds: int = FOLDS) -> int:
    """A review's fold (whole reviews stay together), fixed by a hash of its row or id."""
    key = f"fold:{corpus.group_key(line)}".encode()
    return int(hashlib.sha256(key).hexdigest(), 16) % folds


def cross_validate(
    train: Sequence[dict], folds: int = FOLDS
) -> tuple[list[dict], list[Extraction]]:
    """Every training-part line extracted by a model fitted without its fold (the seed and
    dev-tune examples are always in the fit)."""
    from pipelines.extract.train import fit, in_memory, training_examples

    lines: list[dict] = []
    extractions: list[Extraction] = []
    for k in range(folds):
        held = [n for n in train if fold_of(n, folds) == k]
        rest = [n for n in train if fold_of(n, folds) != k]
        model = in_memory(fit(training_examples(rest)[0]))
        lines += held
        extractions += [extract(n["text"], model) for n in held]
    return lines, extractions


def evaluate_real(real: Sequence[dict], folds: int = FOLDS) -> dict:
    train, test = corpus.split(real)
    parts: dict[str, dict] = {}
    for name, chosen in (
        ("reviews test", [n for n in test if not corpus.is_associate(n)]),
        ("associate test", [n for n in test if corpus.is_associate(n)]),
    ):
        if chosen:
            parts[name] = score_real(chosen, [extract(n["text"]) for n in chosen])
    if folds and train:
        cv_lines, cv_extractions = cross_validate(train, folds)
        for name, pick in (
            (f"{folds}-fold cv train", lambda n: True),
            ("  of which reviews", lambda n: not corpus.is_associate(n)),
            ("  of which associate", corpus.is_associate),
        ):
            idx = [i for i, n in enumerate(cv_lines) if pick(n)]
            if idx:
                parts[name] = score_real(
                    [cv_lines[i] for i in idx], [cv_extractions[i] for i in idx]
                )
    return {
        "lines": len(real),
        "train_lines": len(train),
        "test_lines": len(test),
        "parts": parts,
    }


def cv_errors(real: Sequence[dict], folds: int = FOLDS) -> str:
    """Training-part lines that the cross-validated model gets wrong (never the test part)."""
    train, _ = corpus.split(real)
    lines, extractions = cross_validate(train, folds)
    out = []
    for line, e in zip(lines, extractions, strict=True):
        wrong = []
        for field, (attribute, polarity) in REAL_FIELDS.items():
            want, got = labelled(line, attribute, polarity), predicted(e, attribute, polarity)
            if want != got:
                wrong.append(f"{field}: want {sorted(want)} got {sorted(got)}")
        if wrong:
            got_all = ", ".join(f"{m.raw}={m.polarity}" for m in e.mentions)
            out.append(f"{line['id']} {line['text']}\n    [{got_all}]\n    " + "\n    ".join(wrong))
    return "\n".join(out)


def compare_with_annotators(real: Sequence[dict], second: Sequence[dict]) -> dict:
    """The second annotator against the corpus's labels, and the extractor against the same
    labels on the same sentences (test part only: the second annotator labelled nothing else)."""
    figures = agreement.agreement(real, second, REAL_FIELDS)
    labelled_ids = {s["id"] for s in second}
    same = [n for n in real if n["id"] in labelled_ids and corpus.is_test(n)]
    figures["extractor"] = score_real(same, [extract(n["text"]) for n in same])
    return figures


def smoke(notes: Sequence[dict]) -> dict:
    """The old dev holdout and blind sets: F1 per field, one line each."""
    out = {}
    for split in ("holdout", "blind"):
        chosen = [n for n in notes if n["split"] == split]
        if chosen:
            extractions = [extract(n["text"]) for n in chosen]
            out[split] = {
                "notes": len(chosen),
                "f1": {f: round(score(chosen, extractions, f).f1, 3) for f in FIELDS},
                "false_positive_rate": round(false_positive_rate(chosen, extractions), 3),
            }
    return out


def speed(texts: Sequence[str], bench: int) -> dict:
    typical = typical_length_notes(texts)
    return {
        "notes_per_second": round(notes_per_second(texts, bench)),
        "mean_chars_per_note": round(sum(map(len, texts)) / len(texts), 1),
        "notes_per_second_60_150_chars": round(notes_per_second(typical, bench)),
        "mean_chars_per_typical_note": round(sum(map(len, typical)) / len(typical), 1),
        "reference_loop_seconds": round(machine_reference_seconds(), 3),
    }


def evaluate(
    real: Sequence[dict], dev: Sequence[dict], bench: int = BENCH_NOTES, folds: int = FOLDS
) -> dict:
    figures: dict = {"extractor_version": EXTRACTOR_VERSION, "real": evaluate_real(real, folds)}
    second = agreement.load_second()
    if second:
        figures["agreement"] = compare_with_annotators(real, second)
    figures["smoke"] = smoke(dev)
    if bench:
        figures["speed"] = speed([n["text"] for n in dev if n["split"] != "blind"], bench)
    return figures


def render(figures: dict) -> str:
    real = figures["real"]
    lines = [
        f"{figures['extractor_version']} on the real-text corpus: {real['lines']} labelled "
        f"sentences ({real['train_lines']} training part, {real['test_lines']} test part)",
        "",
        f"{'field':<16}{'part':<22}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}",
    ]
    for field in REAL_FIELDS:
        for part, fig in real["parts"].items():
            s = fig["fields"][field]
            lines.append(
                f"{field:<16}{part:<22}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                f"{s['tp']:>6}{s['fp']:>5}{s['fn']:>5}"
            )
    lines.append("")
    for part, fig in real["parts"].items():
        lines.append(
            f"wanted attribute predicted without demand ({part.strip()}): "
            f"{fig['no_demand_with_wanted']} of {fig['no_demand_sentences']} sentences "
            f"({fig['no_demand_wanted_rate']:.1%})"
        )
    if "agreement" in figures:
        agree = figures["agreement"]
        lines += [
            "",
            f"two annotators on {agree['sentences']} sentences of the reviews test part "
            "(F1 of the second against the corpus labels; the extractor on the same sentences):",
        ]
        for field in REAL_FIELDS:
            a, e = agree["fields"][field], agree["extractor"]["fields"][field]
            lines.append(
                f"  {field:<16}annotators {a['f1']:.3f} (tp {a['tp']}, fp {a['fp']}, "
                f"fn {a['fn']})   extractor {e['f1']:.3f}"
            )
    lines.append("")
    for split, fig in figures["smoke"].items():
        f1 = " ".join(f"{k} {v:.3f}" for k, v in fig["f1"].items())
        lines.append(f"smoke: old {split} set ({fig['notes']} notes) F1 {f1}")
    if "speed" in figures:
        sp = figures["speed"]
        lines.append(
            f"speed: {sp['notes_per_second']:,} notes/s on one core (CPU time) for the dev notes "
            f"(mean {sp['mean_chars_per_note']} characters); "
            f"{sp['notes_per_second_60_150_chars']:,} notes/s for 60-150 character notes "
            f"(mean {sp['mean_chars_per_typical_note']}); machine reference: empty 10M-step "
            f"loop {sp['reference_loop_seconds']} s of CPU"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=corpus.REAL, help="real corpus folder")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--bench", type=int, default=BENCH_NOTES, help="notes to time (0: skip)")
    parser.add_argument("--folds", type=int, default=FOLDS, help="cross-validation folds (0: skip)")
    parser.add_argument(
        "--errors", action="store_true", help="list the training-part lines the CV model gets wrong"
    )
    args = parser.parse_args(argv)
    real = corpus.load_real(args.real)
    if args.errors:
        print(cv_errors(real, args.folds or FOLDS))
        return 0
    dev = load_dev(DEV_SET) + (load_dev(BLIND_SET) if BLIND_SET.exists() else [])
    figures = evaluate(real, dev, args.bench, args.folds)
    print(render(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
