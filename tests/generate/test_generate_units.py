"""Pure functions of the generator: offsets, weeks, prices, sizes, catalog gaps, spacing."""

from __future__ import annotations

import random
from datetime import date

import pytest

from pipelines.generate import default_stores
from pipelines.generate.catalog import build_catalog, euros, matches
from pipelines.generate.events import SPACING_SECONDS, Spacing, plan_event
from pipelines.generate.stores import build_stores, iso_week, timestamp, utc_offset
from pipelines.generate.text import Ask, demand_note, finish, size_word
from pipelines.generate.vocab import CATEGORIES, SHADES
from schemas.enums import LETTER_SIZES, ColorFamily, Pattern


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(random.Random("unmet/catalog/1"))


@pytest.mark.parametrize(
    ("country", "day", "expected"),
    [
        ("FR", date(2026, 11, 17), "+01:00"),
        ("FR", date(2026, 10, 1), "+02:00"),
        ("DE", date(2026, 10, 24), "+02:00"),
        ("DE", date(2026, 10, 25), "+01:00"),
        ("GB", date(2026, 11, 17), "+00:00"),
        ("IE", date(2026, 9, 30), "+01:00"),
        ("NL", date(2026, 3, 29), "+02:00"),
        ("NL", date(2026, 3, 28), "+01:00"),
    ],
)
def test_utc_offset(country: str, day: date, expected: str) -> None:
    assert utc_offset(country, day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 17), "2026-W47"),
        (date(2026, 11, 22), "2026-W47"),
        (date(2026, 9, 28), "2026-W40"),
        (date(2027, 1, 1), "2026-W53"),
    ],
)
def test_iso_week(day: date, expected: str) -> None:
    assert iso_week(day) == expected


def test_timestamp() -> None:
    assert timestamp(date(2026, 11, 17), 14 * 3600 + 3 * 60 + 5, "+01:00") == (
        "2026-11-17T14:03:05+01:00"
    )


@pytest.mark.parametrize(("cents", "text"), [(12900, "129.00"), (12995, "129.95"), (5, "0.05")])
def test_euros(cents: int, text: str) -> None:
    assert euros(cents) == text


@pytest.mark.parametrize(
    ("rows", "stores"), [(1, 5), (3000, 5), (20_000, 10), (1_000_000, 500), (10_000_000, 2000)]
)
def test_default_stores(rows: int, stores: int) -> None:
    assert default_stores(rows) == stores


@pytest.mark.parametrize(
    ("category", "family", "pattern", "size"),
    [
        ("coat", None, "plaid", None),
        ("dress", "green", None, None),
        ("coat", None, None, "XXXL"),
        ("sandals", None, None, "45"),
        ("jeans", None, "floral", None),
        ("jeans", None, None, "40x32"),
        ("suit", "pink", None, None),
    ],
)
def test_planted_gaps_are_never_carried(catalog, category, family, pattern, size) -> None:
    assert matches(catalog, category, family, pattern, size) == []


def test_catalog_shape(catalog) -> None:
    categories = {item.category for item in catalog.items}
    assert categories == {spec.name for spec in CATEGORIES}
    for spec in CATEGORIES:
        styles = {item.style for item in catalog.by_category[spec.name]}
        assert len(styles) == 20
    assert all(item.color in SHADES for item in catalog.items)
    assert {item.pattern for item in catalog.items} <= set(Pattern)
    assert len({item.sku for item in catalog.items}) == len(catalog.items)


@pytest.mark.parametrize(
    ("size", "allowed"),
    [
        (
            "M",
            (
                "size m",
                "sz m",
                "medium",
                "med",
                "in medium",
                "in med",
                "size medium",
                "sz medium",
                "size med",
                "sz med",
                # as typed in a hurry (wording.STREET_SIZES)
                "meduim",
                "medum",
                "size meduim",
                "sz meduim",
                "in meduim",
                "size medum",
                "sz medum",
                "in medum",
            ),
        ),
        (
            "32x30",
            ("32x30", "32/30", "w32 l30", "32 waist 30 leg", "32 by 30", "32w 30l"),
        ),
        (
            "39.5",
            (
                "size 39.5",
                "sz 39.5",
                "eu 39.5",
                "a 39.5",
                "size 39,5",
                "sz 39,5",
                "eu 39,5",
                "a 39,5",
                "size 39 and a half",
                "a 39 and a half",
                "eu 39 and a half",
            ),
        ),
    ],
)
def test_size_word_forms(size: str, allowed: tuple[str, ...]) -> None:
    rng = random.Random(3)
    assert {size_word(rng, size) for _ in range(200)} <= set(allowed)


def test_letter_sizes_never_bare_single_letters() -> None:
    rng = random.Random(5)
    for size in LETTER_SIZES:
        for _ in range(50):
            assert size_word(rng, size) not in {"s", "m", "l"}


@pytest.mark.parametrize(
    ("existing", "candidate", "clash"),
    [
        ((1000, "blue", "L"), (1000 + SPACING_SECONDS - 1, "blue", "L"), True),
        ((1000, "blue", "L"), (1000 + SPACING_SECONDS, "blue", "L"), False),
        ((1000, "blue", "L"), (1500, "red", "L"), False),
        ((1000, "blue", "L"), (1500, "blue", "M"), False),
        ((1000, None, "L"), (1500, "blue", "L"), True),
        ((1000, "blue", None), (1500, "blue", "M"), True),
    ],
)
def test_spacing_rule(existing, candidate, clash) -> None:
    spacing = Spacing()
    spacing.add("coat", *existing)
    assert spacing.clashes("coat", *candidate) is clash
    assert spacing.clashes("dress", *candidate) is False


def test_every_event_plans_at_least_one_trace() -> None:
    rng = random.Random(9)
    for _ in range(2000):
        event = plan_event(rng)
        assert 1 <= event.n_traces <= 3
        if event.lost:
            assert event.channel in {"store", "call_center"}
        if event.classification == "substituted":
            assert event.lost


def test_build_stores_covers_countries_and_ids() -> None:
    stores = build_stores(1200, random.Random(2))
    assert [store.country for store in stores[:7]] == ["FR", "GB", "DE", "ES", "IT", "NL", "IE"]
    assert stores[0].store_id == "S0001"
    assert len({store.name for store in stores}) == 1200


@pytest.mark.parametrize("channel", ["store", "call_center", "chat", "app", "web"])
@pytest.mark.parametrize("classification", ["stockout", "not_carried", "substituted"])
def test_demand_notes_vary_and_are_plain_text(channel: str, classification: str) -> None:
    rng = random.Random(channel + classification)
    ask = Ask("coat", "sage", ColorFamily.GREEN.value, "plaid", "L", "Wool", "overcoat")
    notes = {demand_note(rng, ask, classification, channel) for _ in range(100)}
    assert len(notes) > 80
    assert all("{" not in note and "\n" not in note and note.strip() for note in notes)


def test_finish_keeps_words() -> None:
    rng = random.Random(1)
    assert finish(rng, ["cust wanted navy coat"]).lower().startswith(("cust", "customer"))
