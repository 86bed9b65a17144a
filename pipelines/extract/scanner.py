"""Scan a note into tokens: attribute mentions, polarity cues and clause boundaries.

Every lexicon phrase (stop phrases, colours, patterns, categories, sizes, cues, comparatives)
goes into one trie, compiled into one regular expression together with a number rule, the
boundary punctuation and a catch-all for other words (which numbers and size words are sizes:
``sizes.py``). It runs once over the lower-cased note,
longest phrase first, so "black friday" is consumed before "black" can match and "medium pink"
before "medium". Words the lexicons do not know go to a cached rapidfuzz lookup (misspellings
such as "burgandy", "purpel", "shrit"), but only if they have four or more letters and are not
in ``known_words.txt``; garment words match only for a missing, extra or swapped letter; an
English word (pyspellchecker's dictionary) is never read as a misspelling of another word
("garment" is not "garnet", "purpose" not "purple"), only as its plural or singular ("legging").
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA
from spellchecker import SpellChecker

from pipelines.extract.context import (
    CONTEXT_WORDS,
    GENERIC_PRINTS,
    drop_pairings,
    letter_ok,
    not_an_attribute,
    written_size_ok,
)
from pipelines.extract.lexicon import Cue, Lexicon, load_lexicon
from pipelines.extract.sizes import (
    NUMBER_RE,
    SPELLED_SIZES,
    number_ok,
    petite_letters,
    read_number,
    shorthand_sizes,
)
from pipelines.extract.tokens import (  # noqa: F401 (the token layout, re-exported)
    ATTR,
    CUE,
    END,
    KIND,
    NEEDS,
    POLARITY,
    SHADE,
    START,
    VALUE,
    Token,
)
from schemas.enums import Polarity

WANTED = Polarity.WANTED.value

COLOR_MODIFIERS = frozenset(
    "light dark pale bright deep dusty dusky medium mid hot neon pastel soft muted rich vivid "
    "faded washed".split()
)
SIZE_CUES = ("size", "sizes", "sz", "uk", "eu")
BOUNDARY_WORDS = {"but": "clause", "and": "join", "plus": "join"}
_ALPHA = re.compile(r"[a-z]+")
_NOT_BEFORE_NUMBER = frozenset(".£$€#:/-")
_END = re.compile(r"\s*(?:[.!?,]|$)")
_DIGITS = re.compile(r"\d+")
#: Number forms already read ("10", "size 8", "32x30") -> `read_number`'s answer.
_NUMBERS: dict[str, tuple[str, str | None, bool] | None] = {}
_UNREAD = ("", None, False)
_SIZE_NEXT = re.compile(r"\s+(?:xxs|xs|s|m|l|xl|xxl|small|medium|large|\d)\b")
#: A request a few words before a bare "size up"/"size down" ("wants to size up").
_ASKED = re.compile(
    r"\b(?:wants?|wanted|needs?|needed|asked|asking|looking|after|like)\b(?:\s+\S+){0,2}\s*$"
)
#: Cue words that mean something else at the end of a clause.
_AT_END = {
    "no": Cue(Polarity.REJECTED.value, "post", None),  # "we suggested olive, no"
    "only": Cue(Polarity.OFFERED.value, "post", None),  # "the site lists up to 16 only"
}
FOOTWEAR = frozenset({"shoes", "boots", "sneakers", "sandals"})


#: phrase -> (kind, attribute, value, shade, needs_context, cue)
Entry = tuple[str, str, str, str | None, bool, Cue | None]


def norm_key(phrase: str) -> str:
    """The lookup key of a phrase: lower case, no apostrophes, hyphens as spaces."""
    return " ".join(phrase.replace("’", "").replace("'", "").replace("-", " ").split())


def trie_regex(terms: list[str]) -> str:
    """A regex alternation for `terms`, factored as a trie (longest match first)."""
    trie: dict = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def char(ch: str) -> str:
        if ch == " ":
            return r"[\s-]+"
        if ch == "-":
            return r"[\s-]?"
        if ch == "'":
            return "['’]?"
        return re.escape(ch)

    def build(node: dict) -> str:
        branches = [char(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if "" in node:  # optional: "(?:x|)" tries x, then nothing, like "(?:x)?", but faster in re
            return "(?:" + "|".join(branches) + "|)"
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return build(trie)


def _plurals(term: str) -> list[str]:
    if term.endswith("s") and not term.endswith("ss"):
        return [term]
    if term.endswith(("sh", "ch", "x", "ss")):
        return [term, term + "es"]
    return [term, term + "s"]


def _comparatives() -> list[str]:
    out = []
    for word in ("up", "down", "bigger", "larger", "smaller"):
        for prefix in ("", "one ", "a ", "1 ", "next "):
            out += [f"{prefix}size {word}", f"{prefix}sizes {word}"]
    for word in ("bigger", "larger", "smaller"):
        out += [f"a {word} size", f"{word} size"]
    return out


@cache
def phrase_table() -> dict[str, Entry]:
    """Every phrase the scanner knows, keyed by :func:`norm_key` (first lexicon wins)."""
    lex = load_lexicon()
    table: dict[str, Entry] = {}

    def add(phrase: str, entry: Entry) -> None:
        for key in (norm_key(phrase), norm_key(phrase).replace(" ", "")):
            table.setdefault(key, entry)

    for phrase in lex.stop_phrases:
        add(phrase, ("stop", "", "", None, False, None))
    for phrase in _comparatives():
        add(phrase, ("cmp", "size", "down" if "down" in phrase or "smaller" in phrase else "up",
                     None, False, None))  # fmt: skip
    for term, (family, shade) in lex.colors.items():
        add(term, ("mention", "color", family, shade, False, None))
    for term, (pattern, needs) in lex.patterns.items():
        add(term, ("mention", "pattern", pattern, None, needs, None))
    for term, category in lex.categories.items():
        for form in _plurals(term):
            add(form, ("mention", "category", category, None, False, None))
    for term, (value, kind) in lex.sizes.items():
        add(term, ("mention", "size" if kind == "letter" else "size_modifier", value, None,
                   False, None))  # fmt: skip
    for letter in "sml":
        add(letter, ("letter", "size", letter.upper(), None, False, None))
    for phrase, (value, modifier) in shorthand_sizes().items():
        kind = "mention" if modifier is None else "sizemod"
        add(phrase, (kind, "size", value, modifier, False, None))
    for phrase, (value, modifier) in petite_letters().items():  # "the pm": in a size slot only
        add(phrase, ("pletter", "size", value, modifier, False, None))
    for phrase, value in SPELLED_SIZES.items():  # "size eight": in a size slot only
        add(phrase, ("spelled", "size", value, None, False, None))
    add("regular", ("regular", "size_modifier", "regular", None, False, None))
    for term, cue in lex.cues.items():
        if term in lex.demand_cues:
            cue = replace(cue, demand=lex.demand_cues[term])
        add(term, ("cue", "", "", None, False, cue))
    for term, kind in lex.demand_cues.items():  # a phrase only here is neutral for polarity
        add(term, ("cue", "", "", None, False, Cue(None, "neutral", None, kind)))
    for word in SIZE_CUES:
        add(word, ("sizecue", "", "", None, False, None))
    for word, kind in BOUNDARY_WORDS.items():
        add(word, ("boundary", "", kind, None, False, None))
    for word in COLOR_MODIFIERS:
        add(word, ("cmod", "", word, None, False, None))
    return table


#: Characters that may precede a phrase or a number (the note is scanned with a leading space)
#: and, among them, the punctuation that ends a clause or a sentence or joins two items.
_SEP = r"\s,.;:!?&+/()\[\]\"'—–-"
_PUNCT = r",.;!?&+/\n—"
_DASHES = re.compile(r" [-–]+ ")
_BOUNDARY_KIND = {c: "sentence" for c in ".;!?\n—"} | {
    ",": "clause",
    "&": "join",
    "+": "join",
    "/": "join",
}
#: A number match starts with "s" (size/sz), "w" or a digit: checked first, it saves the regex
#: engine trying the number rule after every word.
_NUMBER_START = r"(?=[sw\d])"


@cache
def _scanner() -> tuple[re.Pattern[str], dict[str, Entry], Lexicon, set[str]]:
    """The combined regex, the phrase table and the set of words never worth a fuzzy lookup.

    Every match starts with a separator character, so the regex engine jumps from separator
    to separator instead of trying the trie at every character. A match is either punctuation
    (a boundary, optionally followed by a phrase or number) or a phrase or number.
    """
    lex = load_lexicon()
    table = phrase_table()
    trie = trie_regex(sorted(set(lex.stop_phrases) | set(_all_phrases(lex))))
    number = rf"{_NUMBER_START}{NUMBER_RE}"
    regex = re.compile(
        rf"[{_SEP}](?:(?<=[{_PUNCT}])(?P<b>)"
        rf"(?:[{_SEP}]*(?:(?P<p2>{trie})|(?P<n2>{number}))\b)?"
        rf"|[{_SEP}]*(?:(?P<phrase>{trie})|(?P<number>{number}))\b)"
    )
    # known English words and every lexicon word; grows with words seen not to be typos
    plain = {w for phrase in table for w in phrase.split()} | lex.known_words
    return regex, table, lex, plain


def _all_phrases(lex: Lexicon) -> list[str]:
    out = [*_comparatives(), *lex.colors, *lex.patterns, *lex.sizes, *lex.cues, *lex.demand_cues]
    out += [form for term in lex.categories for form in _plurals(term)]
    out += [*"sml", *shorthand_sizes(), *petite_letters(), *SPELLED_SIZES, "regular"]
    out += [*SIZE_CUES, *BOUNDARY_WORDS, *COLOR_MODIFIERS]
    return out


def lower_same_length(text: str) -> str:
    """`text` lower-cased with every character kept at its offset."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@cache
def _fuzzy_choices() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Lexicon terms of 5+ letters by first letter: (colours and patterns, categories)."""
    lex = load_lexicon()
    attributes: dict[str, list[str]] = {}
    garments: dict[str, list[str]] = {}
    for terms, by_letter in (
        ([*lex.colors, *lex.patterns], attributes),
        (lex.categories, garments),
    ):
        for term in terms:
            if len(term) >= 5 and term.isalpha():
                by_letter.setdefault(term[0], []).append(term)
    return attributes, garments


_FUZZY_CACHE: dict[str, str | None] = {}
#: the plain-word set stops learning new words at this size
_PLAIN_MAX = 300_000
_FUZZY_CACHE_MAX = 100_000


def fuzzy_term(word: str) -> str | None:
    """The lexicon term `word` is a misspelling of, or None (cached; words of 4+ letters).

    Colours and patterns allow one edit (two for words of 7+ letters). Garment words are short
    and close to everyday words ("cards" ~ "cords", "logging" ~ "leggings"), so a category
    allows only one missing, extra or swapped letter ("dres", "shrit"), never a changed one.
    """
    hit = _FUZZY_CACHE.get(word, "")
    if hit != "":
        return hit
    attributes, garments = _fuzzy_choices()
    cutoff = 1 if len(word) <= 6 else 2
    best = process.extractOne(
        word, attributes.get(word[0], []), scorer=OSA.distance, score_cutoff=cutoff
    )
    term = best[0] if best is not None and abs(len(best[0]) - len(word)) <= cutoff else None
    if term is None or best[1] > 1:
        garment = process.extractOne(
            word, garments.get(word[0], []), scorer=OSA.distance, score_cutoff=1
        )
        if garment is not None and _no_changed_letter(word, garment[0]):
            term = garment[0]
    if term is not None and not _inflection(word, term) and word in _english():
        term = None  # a real word, not a typo: "garment", "purpose", "besides", "picks"
    if len(_FUZZY_CACHE) >= _FUZZY_CACHE_MAX:
        _FUZZY_CACHE.clear()
    _FUZZY_CACHE[word] = term
    return term


@cache
def _english() -> SpellChecker:
    """pyspellchecker's English word list (package data, loaded once, on the first fuzzy
    lookup: most notes never need one)."""
    return SpellChecker(language="en", distance=1)


def _inflection(word: str, term: str) -> bool:
    """True if `word` and `term` differ only in a short ending ("leggings" / "legging",
    "corals", "greeny", "bluey" / "blues", "geometrical"), not in their stem ("garment" /
    "garnet", "purpose" / "purple")."""
    short, long = sorted((word, term), key=len)
    stem = len(os.path.commonprefix((short, long)))
    return stem >= len(short) - 1 and len(long) - stem <= 3


def _no_changed_letter(word: str, term: str) -> bool:
    """True if one edit turning `word` into `term` adds, drops or swaps a letter."""
    return len(word) != len(term) or sorted(word) == sorted(term)


def scan(text: str) -> list[Token]:
    """Every mention, cue, comparative and boundary in `text`, in order (see `Token`)."""
    return scan_note(text)[0]


def scan_with_counts(text: str) -> tuple[list[Token], int, int]:
    """(tokens, category mentions, mentions that need context or comparatives)."""
    return scan_note(text)[:3]


#: `scan_note` flags: a demand cue; a wanted frame cue (a demand cue sets both)
DEMAND_CUE, WANTED_FRAME = 2, 1


def scan_note(text: str) -> tuple[list[Token], int, int, int, int]:
    """(tokens, category mentions, mentions that need context or comparatives, mentions,
    demand flags: `DEMAND_CUE` | `WANTED_FRAME`), in one pass over the note."""
    regex, table, _, plain = _scanner()
    low = text.lower()
    if len(low) != len(text):
        low = lower_same_length(text)
    low = " " + low  # offsets in `low` are one more than in `text`
    tokens: list[Token] = []
    append = tokens.append
    get = table.get
    categories = special = mentions = flags = 0
    drop = False  # colour modifiers are dropped once used
    cue_end, cue_at = -9, -1  # the last "size"/"sz": its end, and len(tokens) when it was read
    for m in regex.finditer(low):
        group = m.lastindex  # 1 b, 2 p2, 3 n2 (after punctuation); 4 phrase, 5 number
        if group < 4:
            at = m.start()
            append(["boundary", at - 1, at, "", _BOUNDARY_KIND[low[at]], None, False, None, ""])
            if group == 1:
                continue
        start, end = m.span(group)
        if group & 1:  # 3 or 5: a number
            if low[start - 1] in _NOT_BEFORE_NUMBER:
                continue
            matched = low[start:end]
            cued = matched[0] == "s" or (cue_at == len(tokens) and cue_end >= start - 3)
            parsed = _NUMBERS.get(matched, _UNREAD)
            if parsed is _UNREAD:  # each written form is read once
                if len(_NUMBERS) >= 10_000:
                    _NUMBERS.clear()
                parsed = _NUMBERS[matched] = read_number(
                    matched.removeprefix("size").removeprefix("sz")
                )
            if parsed is not None and (parsed[2] or number_ok(low, start, end, parsed[0], cued)):
                if "-" in parsed[0]:  # "sizes 4-8": both ends
                    for d in _DIGITS.finditer(low, start, end):
                        append(["mention", d.start() - 1, d.end() - 1, "size", d.group(), None,
                                False, None, ""])  # fmt: skip
                        mentions += 1
                    continue
                append(["mention", start - 1, end - 1, "size", parsed[0], None, False, None, ""])
                mentions += 1
                if parsed[1] is not None:  # "2p": size 2, petite
                    append(["mention", start - 1, end - 1, "size_modifier", parsed[1], None,
                            False, None, ""])  # fmt: skip
            continue
        matched = low[start:end]
        entry = get(matched) or get(norm_key(matched))
        if entry is None:
            continue
        kind, attribute, value, shade, needs, cue = entry
        if kind == "mention":
            if matched in CONTEXT_WORDS or value == "OS":  # words that are often no attribute
                if not_an_attribute(low, start, end, matched, value, tokens):
                    continue
                if matched in GENERIC_PRINTS and tokens:
                    prev = tokens[-1]
                    if prev[ATTR] == "pattern" and prev[END] >= start - 2:
                        prev[END] = end - 1  # "floral pattern", "zigzag print": one mention
                        continue
            if attribute == "color" and tokens:
                prev = tokens[-1]
                if prev[KIND] == "cmod" or prev[VALUE] == "M":  # "medium pink"
                    start, shade = _merge_modifier(low, tokens, start, value, shade)
                    if prev[KIND] == "mention" and (not tokens or tokens[-1] is not prev):
                        mentions -= 1  # "medium" was read as size M
                elif prev[ATTR] == "color" and not low[prev[END] + 1 : start].strip(" -"):
                    prev[END], prev[VALUE] = end - 1, value  # "grey-green", "peachy pink": the
                    prev[SHADE] = " ".join(low[prev[START] + 1 : end].replace("-", " ").split())
                    continue  # last colour is the family, the whole phrase the shade
            elif attribute == "category":
                categories += 1
            special += needs
            mentions += 1
            append(["mention", start - 1, end - 1, attribute, value, shade, needs, None, ""])
        elif kind == "cue":
            if matched in _AT_END and _END.match(low, end):
                cue = _AT_END[matched]  # "we suggested olive, no"; "lists up to 16 only"
            if cue.demand is not None:
                flags = DEMAND_CUE | WANTED_FRAME
            elif cue.scope == "frame" and cue.polarity == WANTED:
                flags |= WANTED_FRAME
            append(["cue", start - 1, end - 1, "", "", None, False, cue, ""])
        elif kind == "sizemod" or kind == "spelled" or kind == "pletter":
            if kind != "sizemod" and not written_size_ok(
                low, start, end, kind, value, tokens, cue_at == len(tokens) and cue_end >= start - 3
            ):
                continue  # "six buttons", "in the pm"
            append(["mention", start - 1, end - 1, "size", value, None, False, None, ""])
            if shade is not None:  # "xsp", "the pm": size XS and modifier petite, same words
                append(["mention", start - 1, end - 1, "size_modifier", shade, None, False, None,
                        ""])  # fmt: skip
            mentions += 1
        elif kind == "regular":  # "regular xs", "36 regular": only next to a size
            prev = tokens[-1] if tokens else None
            if prev is not None and prev[VALUE] == "clause" and len(tokens) > 1:
                prev = tokens[-2]  # "the size small, regular"
            if _SIZE_NEXT.match(low, end) or (
                prev is not None and prev[ATTR] == "size" and prev[END] >= start - 3
            ):
                append(["mention", start - 1, end - 1, attribute, value, None, False, None, ""])
                mentions += 1
        elif kind == "letter":
            if letter_ok(
                text, low, start, end, tokens, cue_at == len(tokens) and cue_end >= start - 3
            ):
                append(["mention", start - 1, end - 1, "size", value, None, False, None, ""])
                mentions += 1
        elif kind == "sizecue":  # kept aside, not as a token: it only cues what follows
            cue_end, cue_at = end - 1, len(tokens)
        elif kind != "stop":  # cmp | boundary | cmod
            if (
                kind == "cmp"
                and matched[:4] == "size"
                and not _ASKED.search(low, max(0, start - 40), start)
            ):
                continue  # "if in doubt size down", "people said to size up": advice
            drop = drop or kind != "boundary"
            special += kind == "cmp"
            append([kind, start - 1, end - 1, attribute, value, None, False, None, ""])
    if drop:
        tokens = [t for t in tokens if t[KIND] != "cmod"]
    if " with " in low and categories:
        n = len(tokens)
        tokens = drop_pairings(low, tokens)
        mentions -= n - len(tokens)
    if " -" in low or "- " in low:
        for b in _DASHES.finditer(low):
            tokens.append(
                ["boundary", b.start(), b.end() - 2, "", "sentence", None, False, None, ""]
            )
        tokens.sort(key=_start)
    words = low.split()
    if not plain.issuperset(words):
        n = len(tokens)
        tokens = _add_fuzzy(text, low, tokens, set(words) - plain, table, plain)
        if len(tokens) != n:
            categories = sum(t[ATTR] == "category" for t in tokens)
            special = sum(t[NEEDS] or t[KIND] == "cmp" for t in tokens)
            mentions += len(tokens) - n
    return tokens, categories, special, mentions, flags


def _start(token: Token) -> int:
    return token[START]


def _merge_modifier(
    low: str, tokens: list[Token], start: int, family: str, shade: str | None
) -> tuple[int, str | None]:
    """Fold "light", "dusty", "medium" ... right before a colour into it ("medium pink")."""
    prev = tokens[-1]
    word = low[prev[START] + 1 : prev[END] + 1]  # token offsets are one less than in `low`
    if word not in COLOR_MODIFIERS or low[prev[END] + 1 : start].strip(" -"):
        return start, shade
    if prev[KIND] == "mention" and family in ("black", "white"):
        return start, shade  # "medium black" is a size and a colour
    tokens.pop()
    return prev[START] + 1, shade or f"{word} {family}"


def _add_fuzzy(
    text: str,
    low: str,
    tokens: list[Token],
    unknown: set[str],
    table: dict[str, Entry],
    plain: set[str],
) -> list[Token]:
    """Add mentions for misspelt words ("burgandy"), outside the spans already matched.

    Words found not to be misspellings join `plain`, so the next note skips them cheaply.
    """
    added = False
    for chunk in unknown:
        hit = False
        for word in _ALPHA.findall(chunk):
            term = fuzzy_term(word) if len(word) >= 4 and word not in plain else None
            if term is None:
                continue
            hit = True
            for m in _word_regex(word).finditer(low):
                start, end = m.start() - 1, m.end() - 1
                if any(t[START] < end and start < t[END] for t in tokens):
                    continue
                if text[start].isupper() and text[:start].rstrip()[-1:] not in ("", ".", "!", "?"):
                    continue  # a capitalised word mid-sentence is a name ("Cardiff"), not a typo
                _, attribute, value, shade, needs, _ = table[term]
                tokens.append(["mention", start, end, attribute, value, shade, needs, None, ""])
                added = True
        if not hit and len(plain) < _PLAIN_MAX:
            plain.add(chunk)
    if added:
        tokens.sort(key=_start)
    return tokens


_WORD_REGEX: dict[str, re.Pattern[str]] = {}


def _word_regex(word: str) -> re.Pattern[str]:
    """`\\bword\\b`, compiled once per word (typos are many: `re`'s own cache would churn)."""
    regex = _WORD_REGEX.get(word)
    if regex is None:
        if len(_WORD_REGEX) >= _FUZZY_CACHE_MAX:
            _WORD_REGEX.clear()
        regex = _WORD_REGEX[word] = re.compile(rf"\b{word}\b")
    return regex
