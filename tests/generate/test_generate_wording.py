"""The generator's wording beyond the lexicons keeps the planted truth readable (issue 13)."""

from __future__ import annotations

import random

import pytest

from pipelines.generate import phrases as ph
from pipelines.generate import wording as wd
from pipelines.generate.overlap import read_right, templates
from pipelines.generate.text import (
    NUMBER_SLOTS,
    Alternative,
    Ask,
    color_word,
    demand_note,
    numbers,
)
from pipelines.generate.vocab import SHADES
from pipelines.ingest.redact import redact


def _forms(word: str) -> set[str]:
    return {word, *ph.COLOR_ABBREVIATIONS.get(word, ()), *ph.COLOR_TYPOS.get(word, ())}


@pytest.mark.parametrize("shade", sorted(SHADES))
def test_colour_words_stay_in_the_wanted_family(shade: str) -> None:
    """A colorway name, an abbreviation or a typo: always a word of the shade's own family."""
    family = str(SHADES[shade].value)
    allowed = _forms(shade) | _forms(family) | set(wd.COLORWAYS[family])
    rng = random.Random(shade)
    written = {color_word(rng, shade, family) for _ in range(300)}
    assert written <= allowed
    assert written & set(wd.COLORWAYS[family]), "colorway names are used"


@pytest.mark.parametrize("channel", ["store", "call_center", "chat", "app", "web"])
def test_not_carried_notes_never_say_the_item_exists(channel: str) -> None:
    """'ordered it', 'in my basket', 'is it back yet' belong to stockouts, never to items the
    store does not carry."""
    rng = random.Random(channel)
    ask = Ask("dress", "sage", "green", "floral", "M")
    heads = [line.split("{item}")[0].strip() for line in wd.STOCKOUT_OPENERS[channel]]
    for _ in range(400):
        note = demand_note(rng, ask, "not_carried", channel, Alternative(shade="navy")).lower()
        assert not any(head and note.startswith(head) for head in heads), note


def test_numbers_that_are_not_sizes_are_not_contact_details() -> None:
    """Heights, weights, prices, order refs and times never look like a phone or card number."""
    rng = random.Random(5)
    for _ in range(2000):
        for template in wd.NUMBER_CLAUSES:
            clause = template.format(**numbers(rng))
            assert redact(clause) == (clause, 0), clause


def test_every_template_placeholder_has_a_value() -> None:
    assert set(numbers(random.Random(1))) == NUMBER_SLOTS
    known = {"item", "alt", "size", "color", "noun", "pattern", *NUMBER_SLOTS}
    for name, lines in templates().items():
        for line in lines:
            names = {part.split("}")[0] for part in line.split("{")[1:]}
            assert names <= known, (name, line)


@pytest.mark.parametrize(
    ("note", "ask", "right"),
    [
        ("customer wanted a navy coat in size m, sold out", Ask("coat", "navy", "blue", None, "M"), True),
        ("customer wanted a navy coat in size m, sold out", Ask("coat", "navy", "blue", None, "L"), False),
        ("customer wanted a navy coat, sold out", Ask("coat", "navy", "blue", None, "M"), False),
    ],
)  # fmt: skip
def test_read_right(note: str, ask: Ask, right: bool) -> None:
    assert read_right(note, ask) is right
