"""Note phrasing: turn a demand moment into the text an associate, agent or customer would type.

Every function takes the caller's `random.Random`, so the same seed gives the same words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from pipelines.generate import phrases as ph
from pipelines.generate import wording as wd
from pipelines.generate.rand import between, one
from pipelines.generate.vocab import SHADES
from schemas.enums import LETTER_SIZES

CUSTOMER_VOICE = frozenset({"chat", "app", "web"})
_SEPARATORS = (", ", ", ", " - ", ". ", "; ", " .. ", ", ")
#: Share of colour, pattern and letter-size words taken from wording.py (beyond the lexicons).
STREET_RATE = 0.2
#: Share of garment nouns taken from wording.STREET_GARMENTS where the category has one.
STREET_GARMENT_RATE = 0.15
#: Shares of demand notes given a number that is not a size, a look-alike, a paired colour.
NUMBER_RATE, DISTRACTOR_RATE, PAIRING_RATE = 0.2, 0.05, 0.06

_OPENERS = {channel: lines + wd.OPENERS[channel] for channel, lines in ph.OPENERS.items()}
_STOCKOUT_OPENERS = {ch: lines + wd.STOCKOUT_OPENERS[ch] for ch, lines in _OPENERS.items()}
_STOCKOUT_OUTCOMES = ph.STOCKOUT_OUTCOMES + wd.STOCKOUT_OUTCOMES
_CUSTOMER_STOCKOUT = ph.CUSTOMER_STOCKOUT + wd.CUSTOMER_STOCKOUT
_ALT_COLOR_CLAUSES = ph.ALT_COLOR_CLAUSES + wd.ALT_COLOR_CLAUSES
_ALT_SIZE_CLAUSES = ph.ALT_SIZE_CLAUSES + wd.ALT_SIZE_CLAUSES
_SUBSTITUTED = ph.SUBSTITUTED_CLAUSES + wd.SUBSTITUTED_CLAUSES
_CUSTOMER_SUBSTITUTED = ph.CUSTOMER_SUBSTITUTED + wd.CUSTOMER_SUBSTITUTED
_NOT_CARRIED = ph.NOT_CARRIED_OUTCOMES + wd.NOT_CARRIED_OUTCOMES
_CUSTOMER_NOT_CARRIED = ph.CUSTOMER_NOT_CARRIED + wd.CUSTOMER_NOT_CARRIED
_CUSTOMER_ALT = ph.CUSTOMER_ALT + wd.CUSTOMER_ALT
_ABBREVIATIONS = ph.ABBREVIATIONS | wd.ABBREVIATIONS
#: Placeholders `numbers` fills.
NUMBER_SLOTS = frozenset({"height", "kg", "lbs", "price", "order", "time", "day", "weeks"})


@dataclass(frozen=True, slots=True)
class Ask:
    """What the note says the customer wanted; None = not said."""

    category: str
    shade: str | None = None
    family: str | None = None
    pattern: str | None = None
    size: str | None = None
    material: str | None = None
    base: str | None = None


@dataclass(frozen=True, slots=True)
class Alternative:
    """What the store had or sold instead: a shade or a size of the same item."""

    shade: str | None = None
    size: str | None = None


def color_word(rng: random.Random, shade: str | None, family: str | None) -> str:
    """A colour as written: the shade or its family, sometimes a colorway name of the family,
    abbreviated or misspelt."""
    street = wd.COLORWAYS.get(family or SHADES.get(shade or "", ""))
    if street and rng.random() < STREET_RATE:
        return one(rng, street)
    word = shade if shade and (family is None or rng.random() < 0.65) else family or ""
    if word in ph.COLOR_ABBREVIATIONS and rng.random() < 0.25:
        return one(rng, ph.COLOR_ABBREVIATIONS[word])
    if word in ph.COLOR_TYPOS and rng.random() < 0.08:
        return one(rng, ph.COLOR_TYPOS[word])
    return word


def size_word(rng: random.Random, size: str) -> str:
    """A size as written, with its lead-in word: 'size m', 'medium', 'eu 39,5', 'w32 l30'."""
    if size in LETTER_SIZES:
        street = rng.random() < STREET_RATE
        word = one(rng, (wd.STREET_SIZES if street else ph.LETTER_SIZE_WORDS)[size])
        if len(word) == 1:
            return f"{one(rng, ('size', 'size', 'sz'))} {word}"
        if rng.random() < 0.35:
            return f"{one(rng, ('size', 'size', 'sz', 'in'))} {word}"
        return word
    if "x" in size:
        waist, leg = size.split("x")
        return one(rng, (size, size, f"{waist}/{leg}", f"w{waist} l{leg}",
                         f"{waist} waist {leg} leg", f"{waist} by {leg}", f"{waist}w {leg}l"))  # fmt: skip
    if size.endswith(".5") and rng.random() < 0.25:
        return f"{one(rng, ('size', 'a', 'eu'))} {size[:-2]} and a half"
    shown = size.replace(".", ",") if "." in size and rng.random() < 0.3 else size
    return f"{one(rng, ('size', 'size', 'sz', 'eu', 'a'))} {shown}"


def noun_word(rng: random.Random, ask: Ask) -> str:
    """The item noun: a category word, sometimes the style's own noun and material."""
    street = wd.STREET_GARMENTS.get(ask.category)
    if street and rng.random() < STREET_GARMENT_RATE:
        noun = one(rng, street)
    elif ask.base and rng.random() < 0.25:
        noun = ask.base
    else:
        noun = one(rng, ph.CATEGORY_WORDS[ask.category])
    if ask.material and rng.random() < 0.25:
        noun = f"{ask.material.lower()} {noun}"
    return noun


def pattern_word(rng: random.Random, pattern: str) -> str:
    """A pattern as written, now and then in a word or spelling beyond the lexicon."""
    street = rng.random() < STREET_RATE
    return one(rng, (wd.STREET_PATTERNS if street else ph.PATTERN_WORDS)[pattern])


def numbers(rng: random.Random) -> dict[str, str]:
    """Numbers a note may carry that are not sizes: height, weight, budget, order ref, time."""
    height = one(
        rng,
        (
            f"{between(rng, 4, 7)}'{between(rng, 0, 12)}",
            f"{between(rng, 5, 7)} ft {between(rng, 0, 12)}",
            f"{between(rng, 150, 196)}cm",
        ),
    )
    return {
        "height": height,
        "kg": str(between(rng, 48, 101)),
        "lbs": str(between(rng, 105, 231)),
        "price": str(between(rng, 20, 300)),
        "order": str(between(rng, 10_000, 1_000_000)),
        "time": f"{between(rng, 9, 20)}:{one(rng, ('00', '15', '30', '45'))}",
        "day": str(between(rng, 4, 21)),  # 4th..20th
        "weeks": str(between(rng, 2, 6)),
    }


def item_phrase(rng: random.Random, ask: Ask, color: str) -> str:
    """The wanted item in one of several word orders: 'the nvy plaid coat sz l'."""
    noun = noun_word(rng, ask)
    pattern = pattern_word(rng, ask.pattern) if ask.pattern else ""
    size = size_word(rng, ask.size) if ask.size else ""
    shape = between(rng, 0, 4)
    if shape == 0 or not color:
        core = " ".join(part for part in (color, pattern, noun) if part)
    elif shape == 1:
        core = " ".join(part for part in (pattern, noun) if part) + f" in {color}"
    elif shape == 2:
        core = f"{color} {noun}" + (f", {pattern}" if pattern else "")
    else:
        core = " ".join(part for part in (pattern, noun) if part) + f", {color}"
    if size:
        core += (" " if size.startswith("in ") else one(rng, (" ", " ", ", ", " in "))) + size
    article = one(rng, ("", "", "the ", "a ", "a "))
    if article == "a " and ask.category in ph.PLURAL_CATEGORIES:
        article = one(rng, ("", "a pair of ", "some "))
    return article + core


def _fill(rng: random.Random, templates: tuple[str, ...], **slots: str) -> str:
    """A random template whose placeholders all have a value, filled in (numbers drawn only for a
    template that has one)."""
    filled = frozenset(name for name, value in slots.items() if value) | NUMBER_SLOTS
    usable = _usable(templates, filled)
    return _format(rng, one(rng, usable), slots) if usable else "no luck"


def _format(rng: random.Random, template: str, slots: dict[str, str]) -> str:
    if NUMBER_SLOTS.isdisjoint(_slots(template)):
        return template.format(**slots)
    return template.format(**slots, **numbers(rng))


@cache
def _usable(templates: tuple[str, ...], filled: frozenset[str]) -> tuple[str, ...]:
    return tuple(t for t in templates if filled.issuperset(_slots(t)))


@cache
def _slots(template: str) -> tuple[str, ...]:
    return tuple(part.split("}")[0] for part in template.split("{")[1:])


def _alt_word(rng: random.Random, alt: Alternative) -> str:
    if alt.shade:
        return color_word(rng, alt.shade, None)
    return size_word(rng, alt.size).removeprefix("in ") if alt.size else ""


def demand_note(
    rng: random.Random,
    ask: Ask,
    classification: str,
    channel: str,
    alternative: Alternative | None = None,
) -> str:
    """A note about one demand moment (stockout, substituted or not_carried)."""
    color = color_word(rng, ask.shade, ask.family) if (ask.shade or ask.family) else ""
    item = item_phrase(rng, ask, color)
    slots = {
        "size": size_word(rng, ask.size).removeprefix("in ") if ask.size else "",
        "color": color,
        "pattern": pattern_word(rng, ask.pattern) if ask.pattern else "",
        "noun": one(rng, ph.CATEGORY_WORDS[ask.category]),
        "alt": _alt_word(rng, alternative) if alternative else "",
    }
    voice = channel in CUSTOMER_VOICE
    openers = (_OPENERS if classification == "not_carried" else _STOCKOUT_OPENERS)[channel]
    parts = [_format(rng, one(rng, openers), {"item": item, **slots})]
    if classification == "substituted":
        parts.append(_fill(rng, _CUSTOMER_SUBSTITUTED if voice else _SUBSTITUTED, **slots))
        if rng.random() < 0.4:
            parts.insert(1, _fill(rng, _STOCKOUT_OUTCOMES, **slots))
    elif classification == "not_carried":
        parts.append(_fill(rng, _CUSTOMER_NOT_CARRIED if voice else _NOT_CARRIED, **slots))
        if slots["alt"] and rng.random() < 0.5:
            parts.append(_alt_clause(rng, alternative, voice, slots))
    else:
        parts.append(_fill(rng, _CUSTOMER_STOCKOUT if voice else _STOCKOUT_OUTCOMES, **slots))
        if slots["alt"] and rng.random() < 0.6:
            parts.append(_alt_clause(rng, alternative, voice, slots, arrived=color != ""))
    if rng.random() < 0.1:
        parts.append(one(rng, ph.COMPARATIVES))
    _extras(rng, ask, parts, slots)
    if not voice and classification != "substituted" and rng.random() < 0.3:
        parts.append(one(rng, ph.FOLLOW_UPS))
    if not voice and rng.random() < 0.15 and len(parts) > 2:
        parts[0], parts[1] = parts[1], parts[0]
    return finish(rng, parts)


def _extras(rng: random.Random, ask: Ask, parts: list[str], slots: dict[str, str]) -> None:
    """Now and then a number that is not a size, a look-alike phrase or a paired colour."""
    if rng.random() < NUMBER_RATE:
        parts.append(one(rng, wd.NUMBER_CLAUSES).format(**numbers(rng)))
    if rng.random() < DISTRACTOR_RATE:
        parts.append(one(rng, wd.DISTRACTORS))
    if rng.random() < PAIRING_RATE:
        category, template = one(rng, wd.PAIRINGS)
        if category != ask.category:
            family = one(rng, tuple(wd.COLORWAYS))
            parts.append(template.format(pair=color_word(rng, None, family) or family))


def _alt_clause(
    rng: random.Random,
    alternative: Alternative | None,
    voice: bool,
    slots: dict[str, str],
    arrived: bool = False,
) -> str:
    shade = alternative is not None and alternative.shade
    if voice:
        pool = _CUSTOMER_ALT + wd.CUSTOMER_ARRIVED if shade and arrived else _CUSTOMER_ALT
        return _fill(rng, pool, **slots)
    return _fill(rng, _ALT_COLOR_CLAUSES if shade else _ALT_SIZE_CLAUSES, **slots)


def unknown_note(rng: random.Random, channel: str) -> str:
    """A note too vague to say what was wanted."""
    voice = channel in CUSTOMER_VOICE
    parts = [one(rng, ph.CUSTOMER_UNKNOWN if voice else ph.UNKNOWN_NOTES)]
    if not voice and rng.random() < 0.3:
        parts.append(one(rng, ph.FOLLOW_UPS))
    return finish(rng, parts)


def noise_note(rng: random.Random, channel: str) -> str:
    """A note with no demand in it."""
    pool = ph.CUSTOMER_NOISE if channel in CUSTOMER_VOICE else ph.NOISE_NOTES
    parts = [one(rng, pool)]
    if rng.random() < 0.2:
        parts.append(one(rng, pool))
    return finish(rng, parts)


def finish(rng: random.Random, parts: list[str]) -> str:
    """Join clauses and give them an author's habits: case, abbreviations, a typo now and then."""
    text = parts[0]
    for part in parts[1:]:
        if part:
            text += one(rng, _SEPARATORS) + part
    abbreviate, typo = rng.random() < 0.5, rng.random() < 0.1
    if abbreviate or typo:
        words = text.split(" ")
        if abbreviate:
            for index, word in enumerate(words):
                short = _ABBREVIATIONS.get(word.lower())
                if short and rng.random() < 0.35:
                    words[index] = short
        if typo:
            _typo(rng, words)
        text = " ".join(words)
    roll = rng.random()
    if roll < 0.8:
        text = text.lower()
    elif roll < 0.95:
        text = text[:1].upper() + text[1:]
    end = one(rng, ("", "", "", ".", ".", "!", " ..."))
    return text if text.endswith(("?", "!", ".")) else text + end


def _typo(rng: random.Random, words: list[str]) -> None:
    candidates = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not candidates:
        return
    index = one(rng, candidates)
    word = words[index]
    pos = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        words[index] = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    else:
        words[index] = word[:pos] + word[pos + 1 :]


def lost_sale_description(rng: random.Random, ask: Ask) -> str:
    """The till's free-text description of a never-carried item: 'wanted plaid coat size L'."""
    color = ask.shade if ask.shade and rng.random() < 0.6 else ask.family
    words = [one(rng, ph.LOST_SALE_NOT_CARRIED), color, ask.pattern, ask.category]
    text = " ".join(word for word in words if word)
    if ask.size:
        text += f" size {ask.size}"
    return text


def stockout_description(rng: random.Random, ask: Ask) -> str:
    """An optional short description on a stockout lost sale (mostly blank)."""
    if rng.random() < 0.75:
        return ""
    return _fill(rng, ph.LOST_SALE_STOCKOUT, size=ask.size or "", color=ask.shade or "")


def noise_description(rng: random.Random, reason: str) -> str:
    """Description of a price/other lost sale."""
    return one(rng, ph.LOST_SALE_PRICE if reason == "price" else ph.LOST_SALE_OTHER)


def pii_clause(rng: random.Random, country: str) -> tuple[str, str, str]:
    """A contact detail an associate should not have written: (clause, kind, value)."""
    if rng.random() < 0.55:
        phone = one(rng, ph.PHONES[country])
        return one(rng, ph.PII_PHONE).format(phone=phone), "phone", phone
    first, last = one(rng, ph.FIRST_NAMES), one(rng, ph.LAST_NAMES)
    email = one(
        rng,
        (
            f"{first}.{last}@example.com",
            f"{first}{last[0]}{rng.randint(1, 99)}@example.org",
            f"{first[0]}.{last}@example.net",
        ),
    )
    return one(rng, ph.PII_EMAIL).format(email=email), "email", email
