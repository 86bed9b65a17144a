"""A digest of every extraction over a set of notes: proof that a speed change changed no output.

    python -m pipelines.extract.digest [--notes GLOB ...] [--dump FILE] [--expect FILE]

Extracts every note of the corpus files (``tests/data/extract/real/*.jsonl``, ``seed.jsonl``,
``dev.jsonl``, ``blind.jsonl``), the sample store notes (``data/sample/frontline_notes``), the
60-150 character notes ``make eval`` times, and any further JSON Lines files given with
``--notes`` (e.g. the frontline notes of ``unmet generate --rows 46000 --seed 1313``, ~20k
notes), and prints one sha256 per source and for all of them over ``repr(extract(text))``: every
value, shade, polarity, span and raw text of every mention, the items, the category and
``demand``. ``--dump`` writes the reprs one per line (to diff two runs); ``--expect`` compares
with the printed output of an earlier run and exits 1 on any difference.

Used for issue 13's speed work (docs/extraction.md, "Speed"): the digest of main's code was
taken before the first optimisation and compared after each one. A retrained model changes the
digest (that is expected): take a new reference with the old code and the new model.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pipelines.extract.evaluate import typical_length_notes
from pipelines.extract.extractor import EXTRACTOR_VERSION, extract

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "extract"
SOURCES = {
    "real": sorted((DATA / "real").glob("*.jsonl")),
    "seed": [DATA / "seed.jsonl"],
    "dev": [DATA / "dev.jsonl"],
    "blind": [DATA / "blind.jsonl"],
    "sample": sorted((ROOT / "data" / "sample" / "frontline_notes").glob("*.jsonl")),
}


def texts(paths: Sequence[Path]) -> list[str]:
    """The `text` of every JSON line of `paths`, in file and line order."""
    out = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            out += [json.loads(line)["text"] for line in fh if line.strip()]
    return out


def digest(notes: Sequence[str], dump: list[str] | None = None) -> str:
    h = hashlib.sha256()
    for text in notes:
        line = repr(extract(text))
        h.update(line.encode("utf-8") + b"\n")
        if dump is not None:
            dump.append(line)
    return h.hexdigest()


def run(extra: Sequence[str], dump: list[str] | None = None) -> list[str]:
    """The output lines: one `source notes sha256` per source, then `all`."""
    sources = {name: texts(paths) for name, paths in SOURCES.items()}
    sources["dev_60_150"] = typical_length_notes(sources["dev"])
    for pattern in extra:
        sources[pattern] = texts([Path(p) for p in sorted(glob.glob(pattern))])
    lines = [f"extractor {EXTRACTOR_VERSION}"]
    everything: list[str] = []
    for name, notes in sources.items():
        lines.append(f"{name} {len(notes)} {digest(notes, dump)}")
        everything += notes
    lines.append(f"all {len(everything)} {digest(everything)}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", nargs="*", default=[], help="more JSON Lines files (globs)")
    parser.add_argument("--dump", type=Path, help="write every extraction's repr here")
    parser.add_argument("--expect", type=Path, help="an earlier run's output to compare with")
    args = parser.parse_args(argv)
    dump: list[str] | None = [] if args.dump else None
    lines = run(args.notes, dump)
    print("\n".join(lines))
    if args.dump and dump is not None:
        args.dump.write_text("\n".join(dump) + "\n", encoding="utf-8")
    if args.expect:
        expected = args.expect.read_text(encoding="utf-8").splitlines()
        if expected != lines:
            print("DIFFERENT from " + str(args.expect), file=sys.stderr)
            return 1
        print("identical to " + str(args.expect))
    return 0


if __name__ == "__main__":
    sys.exit(main())
