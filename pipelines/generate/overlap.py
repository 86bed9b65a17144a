"""How much of the generator's wording the extractor already knows word for word, and how well the
extractor reads the generator's demand notes.

Not part of `unmet generate`: a measurement for whoever changes the phrasings or the lexicons
(issue 13: end-to-end accuracy against the planted truth should measure reading, not recall of the
project's own words). Run it with::

    python -m pipelines.generate.overlap            # 2,000 notes, seed 1
    python -m pipelines.generate.overlap 5000 7

Three figures:
- attribute words: of the distinct words the generator writes for colours, shades, patterns, sizes
  and garments, how many are a term of the extractor's lexicon, verbatim (lower case; hyphens and
  spaces, apostrophes or not, are the same, as the extractor treats them);
- cue phrases: how many of the lexicon's demand cues (`demand_cues.csv`) occur word for word in the
  generator's templates, and how many templates carry at least one cue of `cues.csv` or
  `demand_cues.csv`;
- notes read right: demand notes written by `text.demand_note` for catalog skus, and the share in
  which the current extractor's wanted items hold exactly the planted category, colour family,
  pattern and size, nothing more or other (what a careful human reader would recover).
"""

from __future__ import annotations

import csv
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pipelines.generate import phrases as ph
from pipelines.generate import text
from pipelines.generate import wording as wd
from pipelines.generate.catalog import Catalog, Sku, build_catalog
from pipelines.generate.rand import one
from pipelines.generate.vocab import SHADES
from schemas.enums import ColorFamily

LEXICONS = Path(__file__).resolve().parents[1] / "extract" / "lexicons"
#: Lists of strings that are not demand templates (noise, contact details, names, lost-sale
#: reasons, numbers and look-alikes), left out of the cue figures. Dicts are word lists, except
#: the openers.
NOT_DEMAND = frozenset(
    {
        "NOISE_NOTES",
        "CUSTOMER_NOISE",
        "PII_PHONE",
        "PII_EMAIL",
        "LOST_SALE_PRICE",
        "LOST_SALE_OTHER",
        "FIRST_NAMES",
        "LAST_NAMES",
        "NUMBER_CLAUSES",
        "DISTRACTORS",
    }
)
CLASSES = ("stockout", "stockout", "stockout", "not_carried", "not_carried", "substituted")
CHANNELS = (
    "store",
    "store",
    "store",
    "store",
    "store",
    "store",
    "call_center",
    "chat",
    "app",
    "web",
)


def norm(phrase: str) -> str:
    """A phrase as the lexicon compares it: lower case, '-' as a space, no apostrophes."""
    phrase = phrase.lower().replace("\u2019", "").replace("'", "").replace("-", " ")
    return " ".join(phrase.split())


def lexicon_terms(name: str) -> set[str]:
    """The first column of a lexicon CSV, normalised."""
    with (LEXICONS / name).open(encoding="utf-8", newline="") as handle:
        return {norm(row[0]) for row in csv.reader(handle) if row and not row[0].startswith("#")}


def _values(table: dict[str, tuple[str, ...]]) -> set[str]:
    return {word for words in table.values() for word in words}


def attribute_words() -> dict[str, tuple[set[str], str]]:
    """Group name -> (the generator's distinct words, the lexicon file they belong in)."""
    colorways = _values(getattr(wd, "COLORWAYS", {}))
    return {
        "color family words": ({f.value for f in ColorFamily if f.value in SHADES}, "colors.csv"),
        "catalog shade words": (set(SHADES), "colors.csv"),
        "colorway names": (colorways, "colors.csv"),
        "colour abbreviations, typos": (
            _values(ph.COLOR_ABBREVIATIONS) | _values(ph.COLOR_TYPOS),
            "colors.csv",
        ),
        "pattern words": (
            _values(ph.PATTERN_WORDS) | _values(getattr(wd, "STREET_PATTERNS", {})),
            "patterns.csv",
        ),
        "letter size words": (
            _values(ph.LETTER_SIZE_WORDS) | _values(getattr(wd, "STREET_SIZES", {})),
            "sizes.csv",
        ),
        "garment words": (
            _values(ph.CATEGORY_WORDS) | _values(getattr(wd, "STREET_GARMENTS", {})),
            "categories.csv",
        ),
    }


def templates() -> dict[str, tuple[str, ...]]:
    """Every demand template of phrases.py and wording.py, by module and list name."""
    found: dict[str, tuple[str, ...]] = {}
    for module in (ph, wd):
        short = module.__name__.rsplit(".", 1)[-1]
        for name, value in vars(module).items():
            if not name.isupper() or name in NOT_DEMAND:
                continue
            if name.endswith("OPENERS") and isinstance(value, dict):
                for channel, lines in value.items():
                    found[f"{short}.{name}[{channel}]"] = lines
            elif isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
                found[f"{short}.{name}"] = value
    return found


def wording_markers() -> re.Pattern[str]:
    """A regex finding wording.py's own words and template fragments (two words or more, not
    also in a phrases.py template) in a normalised note."""
    words = {norm(w) for table in _WORD_TABLES for w in _values(getattr(wd, table, {}))}
    old = "\n".join(
        norm(line)
        for name, group in templates().items()
        if name.startswith("phrases.")
        for line in group
    )
    lines = [
        line for name, group in templates().items() if name.startswith("wording.") for line in group
    ]
    lines += [*getattr(wd, "NUMBER_CLAUSES", ()), *getattr(wd, "DISTRACTORS", ())]
    lines += [template for _, template in getattr(wd, "PAIRINGS", ())]
    fragments = set()
    for line in lines:
        for part in re.split(r"\{[a-z]+\}", line):
            part = norm(re.sub(r"[^a-z0-9' /-]+", " ", part.lower()))
            if len(part.split()) >= 2 and not _contains(part, old):
                fragments.add(part)
    found = sorted(words | fragments, key=len, reverse=True)
    if not found:
        return re.compile(r"(?!)")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, found)) + r")(?![a-z0-9])")


_WORD_TABLES = ("COLORWAYS", "STREET_PATTERNS", "STREET_SIZES", "STREET_GARMENTS")


def _contains(phrase: str, text_: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text_) is not None


@dataclass(frozen=True)
class CueOverlap:
    demand_cues: int
    demand_cues_in_templates: int
    templates: int
    templates_with_a_cue: int


def cue_overlap() -> CueOverlap:
    lines = [norm(line) for group in templates().values() for line in group]
    demand = lexicon_terms("demand_cues.csv") - {"cue"}
    cues = (lexicon_terms("cues.csv") - {"cue"}) | demand
    joined = "\n".join(lines)
    return CueOverlap(
        demand_cues=len(demand),
        demand_cues_in_templates=sum(_contains(cue, joined) for cue in demand),
        templates=len(lines),
        templates_with_a_cue=sum(any(_contains(cue, line) for cue in cues) for line in lines),
    )


def _ask(rng: random.Random, sku: Sku) -> text.Ask:
    """What a note says of a sku: colour mostly, size often, a solid pattern rarely."""
    say_color = rng.random() < 0.85
    return text.Ask(
        sku.category,
        sku.color if say_color else None,
        sku.family if say_color else None,
        sku.pattern if rng.random() < (0.05 if sku.pattern == "solid" else 0.75) else None,
        sku.size if sku.size != "OS" and rng.random() < 0.75 else None,
        sku.material,
        sku.base,
    )


def _alternative(rng: random.Random, catalog: Catalog, sku: Sku) -> text.Alternative | None:
    sizes, shades = catalog.siblings(sku)
    roll = rng.random()
    if roll < 0.35 and sizes:
        return text.Alternative(size=one(rng, sizes).size)
    if roll < 0.7 and shades:
        return text.Alternative(shade=one(rng, shades).color)
    return None


def read_right(note: str, ask: text.Ask) -> bool:
    """Whether the extractor's wanted items say exactly what `ask` planted: every planted category,
    colour family, pattern and size is on an item, and no item says anything else (an item that
    repeats part of the ask, "any plans to do it in black?", is fine: it links to the same event)."""
    from pipelines.extract import extract

    planted = {
        "category": ask.category,
        "color": ask.family,
        "pattern": ask.pattern,
        "size": ask.size,
    }
    items = extract(note).items
    if not items:
        return False
    for name, value in planted.items():
        found = {getattr(item, name) for item in items} - {None}
        if found != ({value} if value else set()):
            return False
    return True


def notes_read_right(n: int, seed: int) -> tuple[int, int, list[str]]:
    """How many of `n` generated demand notes the extractor reads right, how many use wording.py's
    words or constructions, and a few notes it misreads."""
    rng = random.Random(seed)
    catalog = build_catalog(random.Random(seed))
    markers = wording_markers()
    right, beyond, wrong = 0, 0, []
    for _ in range(n):
        sku = one(rng, catalog.items)
        ask = _ask(rng, sku)
        classification, channel = one(rng, CLASSES), one(rng, CHANNELS)
        alternative = _alternative(rng, catalog, sku)
        if classification == "substituted":  # as events.py plans them: in store or on the phone
            channel = "call_center" if channel == "call_center" else "store"
            if alternative is None:  # nothing else of the style to take: a plain stockout
                classification = "stockout"
        note = text.demand_note(rng, ask, classification, channel, alternative)
        beyond += markers.search(norm(note)) is not None
        if read_right(note, ask):
            right += 1
        elif len(wrong) < 8:
            wrong.append(
                f"{note}   <- planted {ask.category}/{ask.family}/{ask.pattern}/{ask.size}"
            )
    return right, beyond, wrong


def report(n: int = 2000, seed: int = 1) -> str:
    """The three figures as printable lines."""
    out = ["attribute words the extractor's lexicons hold verbatim:"]
    total_in = total = 0
    for group, (words, lexicon) in attribute_words().items():
        terms = lexicon_terms(lexicon)
        known = sum(norm(word) in terms for word in words)
        total_in, total = total_in + known, total + len(words)
        share = known / len(words) if words else 0.0
        out.append(f"  {group:<30} {known:>4} / {len(words):<4} {share:6.1%}  ({lexicon})")
    out.append(f"  {'all':<30} {total_in:>4} / {total:<4} {total_in / total:6.1%}")
    cues = cue_overlap()
    out.append("cue phrases:")
    out.append(
        f"  demand cues found word for word in the templates: "
        f"{cues.demand_cues_in_templates} / {cues.demand_cues}"
    )
    out.append(
        f"  templates holding a lexicon cue: {cues.templates_with_a_cue} / {cues.templates} "
        f"({cues.templates_with_a_cue / cues.templates:.1%})"
    )
    right, beyond, wrong = notes_read_right(n, seed)
    out.append(
        f"demand notes using wording.py's words or constructions: {beyond} / {n} ({beyond / n:.1%})"
    )
    out.append(f"demand notes the extractor reads right: {right} / {n} ({right / n:.1%})")
    out.extend(f"  e.g. {line}" for line in wrong)
    return "\n".join(out)


if __name__ == "__main__":
    args = [int(arg) for arg in sys.argv[1:3]]
    print(report(*args))
