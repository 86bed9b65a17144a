"""Note phrasing: turn a demand moment into the text an associate, agent or customer would type.

Every function takes the caller's `random.Random`, so the same seed gives the same words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from pipelines.generate import phrases as ph
from pipelines.generate.rand import between, one
from schemas.enums import LETTER_SIZES

CUSTOMER_VOICE = frozenset({"chat", "app", "web"})
_SEPARATORS = (", ", ", ", " - ", ". ", "; ", " .. ", ", ")


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
    """A colour as written: the shade or its family, sometimes abbreviated or misspelt."""
    word = shade if shade and (family is None or rng.random() < 0.65) else family or ""
    if word in ph.COLOR_ABBREVIATIONS and rng.random() < 0.25:
        return one(rng, ph.COLOR_ABBREVIATIONS[word])
    if word in ph.COLOR_TYPOS and rng.random() < 0.08:
        return one(rng, ph.COLOR_TYPOS[word])
    return word


def size_word(rng: random.Random, size: str) -> str:
    """A size as written, with its lead-in word: 'size m', 'medium', 'eu 39,5', 'w32 l30'."""
    if size in LETTER_SIZES:
        word = one(rng, ph.LETTER_SIZE_WORDS[size])
        if len(word) == 1:
            return f"{one(rng, ('size', 'size', 'sz'))} {word}"
        if rng.random() < 0.35:
            return f"{one(rng, ('size', 'size', 'sz', 'in'))} {word}"
        return word
    if "x" in size:
        waist, leg = size.split("x")
        return one(
            rng, (size, size, f"{waist}/{leg}", f"w{waist} l{leg}", f"{waist} waist {leg} leg")
        )
    shown = size.replace(".", ",") if "." in size and rng.random() < 0.3 else size
    return f"{one(rng, ('size', 'size', 'sz', 'eu', 'a'))} {shown}"


def noun_word(rng: random.Random, ask: Ask) -> str:
    """The item noun: a category word, sometimes the style's own noun and material."""
    if ask.base and rng.random() < 0.25:
        noun = ask.base
    else:
        noun = one(rng, ph.CATEGORY_WORDS[ask.category])
    if ask.material and rng.random() < 0.25:
        noun = f"{ask.material.lower()} {noun}"
    return noun


def item_phrase(rng: random.Random, ask: Ask, color: str) -> str:
    """The wanted item in one of several word orders: 'the nvy plaid coat sz l'."""
    noun = noun_word(rng, ask)
    pattern = one(rng, ph.PATTERN_WORDS[ask.pattern]) if ask.pattern else ""
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
    """A random template whose placeholders all have a value, filled in."""
    usable = _usable(templates, frozenset(name for name, value in slots.items() if value))
    return one(rng, usable).format(**slots) if usable else "no luck"


@cache
def _usable(templates: tuple[str, ...], filled: frozenset[str]) -> tuple[str, ...]:
    return tuple(t for t in templates if filled.issuperset(_slots(t)))


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
        "size": size_word(rng, ask.size) if ask.size else "",
        "color": color,
        "noun": one(rng, ph.CATEGORY_WORDS[ask.category]),
        "alt": _alt_word(rng, alternative) if alternative else "",
    }
    voice = channel in CUSTOMER_VOICE
    opener = one(rng, ph.OPENERS[channel]).format(item=item)
    parts = [opener]
    if classification == "substituted":
        parts.append(
            _fill(rng, ph.CUSTOMER_SUBSTITUTED if voice else ph.SUBSTITUTED_CLAUSES, **slots)
        )
        if rng.random() < 0.4:
            parts.insert(1, _fill(rng, ph.STOCKOUT_OUTCOMES, **slots))
    elif classification == "not_carried":
        parts.append(
            _fill(rng, ph.CUSTOMER_NOT_CARRIED if voice else ph.NOT_CARRIED_OUTCOMES, **slots)
        )
        if slots["alt"] and rng.random() < 0.5:
            parts.append(_alt_clause(rng, alternative, voice, slots))
    else:
        parts.append(_fill(rng, ph.CUSTOMER_STOCKOUT if voice else ph.STOCKOUT_OUTCOMES, **slots))
        if slots["alt"] and rng.random() < 0.6:
            parts.append(_alt_clause(rng, alternative, voice, slots))
    if rng.random() < 0.1:
        parts.append(one(rng, ph.COMPARATIVES))
    if not voice and classification != "substituted" and rng.random() < 0.3:
        parts.append(one(rng, ph.FOLLOW_UPS))
    if not voice and rng.random() < 0.15 and len(parts) > 2:
        parts[0], parts[1] = parts[1], parts[0]
    return finish(rng, parts)


def _alt_clause(
    rng: random.Random, alternative: Alternative | None, voice: bool, slots: dict[str, str]
) -> str:
    if voice:
        return _fill(rng, ph.CUSTOMER_ALT, **slots)
    shade = alternative is not None and alternative.shade
    return _fill(rng, ph.ALT_COLOR_CLAUSES if shade else ph.ALT_SIZE_CLAUSES, **slots)


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
                short = ph.ABBREVIATIONS.get(word.lower())
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
