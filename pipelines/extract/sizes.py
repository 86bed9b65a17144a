"""Which numbers and size words in a note are sizes, and what size they are (issue 13, classes
4 to 6). The scanner calls these rules on its candidates; they only look at the words around.

The scanner's combined regex finds every candidate (`NUMBER_RE`: "10", "8.5", "38,5", "8 1/2",
"43 and a half", "10/12", "2p", "32x30", "w32 l30", "15.5 collar"); :func:`read_number` reads
it and :func:`number_ok` decides from the words around it whether it is a size at all. Not
sizes (LABELLING.md): heights (5'4", 5 ft 10), weights (140 lbs, 62 kg), bra sizes (34C, 36 dd),
fractions ("3/4 sleeves"), ranges and measurements ("34-28-36", 26" waist, 30 cm), ages
("my son is 7"), prices and quantities ("2 kids", "2 sizes down").
"""

from __future__ import annotations

import re
from functools import cache
from math import gcd

from pipelines.extract.lexicon import load_lexicon

#: Words right before a bare number that make it something other than a size.
NOT_SIZE_BEFORE = frozenset(
    "order ref reference no number till age aged table aisle bay door at about approx after "
    "within call calls ticket receipt invoice case room floor page step ft feet foot paid cost "
    "costs costing priced price spent spend weigh weighs weighed weight height "
    "turned turning turns almost nearly".split()
)
#: Words right after a bare number that make it a quantity, a time, money or a measurement.
NOT_SIZE_AFTER = frozenset(
    "day days hour hours hr hrs min mins minute minutes week weeks month months year years yr "
    "yrs am pm items item pairs times shops stores branches people customers calls note notes "
    "quid pounds pound euros dollars off percent pence p o'clock seconds secs orders boxes "
    "of ft feet foot lb lbs kg kgs kilo kilos kilograms stone st cm cms mm inch inches "
    "centimeters centimetres yo y/o bucks usd eur gbp cents "
    "sizes colors colours colourways styles pieces pcs stars star different more other "
    "washes wears uses hips hip bust pack packs".split()
)
#: Words after a number that make it a count unless "size" is said ("size 12 kids" is a size).
QUANTITY_AFTER = frozenset("kids children sons daughters girls boys babies".split())
#: A number of letters and digits the regex engine may take as a size (a fragment of the
#: scanner's combined regex, so no named groups here).
NUMBER_RE = (
    r"(?:sz|size)?w?\d{1,2}(?:[.,]5)?(?:\s?(?:1/2|½)|\s+and\s+a\s+half)?"
    r"(?:\s?[x/-]\s?l?\d{1,2}"
    r"|\s?(?:\"|in(?:ch)?\s+)?\s?(?:collar|neck|waist)(?:[\s,]*\d\d\s*(?:in(?:ch)?\s+)?"
    r"(?:leg|inseam|length))?|[\s,]*l\d\d|[prs])?"
)
_PARSE = re.compile(
    r"w?(?P<a>\d{1,2})(?:[.,](?P<half>5))?(?P<frac>\s?(?:1/2|½)|\s+and\s+a\s+half)?"
    r"(?:\s?(?P<sep>[x/-])\s?l?(?P<b>\d{1,2})"
    r"|(?P<inch>\s?\")?\s?(?:in(?:ch)?\s+)?\s?(?:collar|neck|waist)(?:[\s,]*(?P<leg>\d\d))?"
    r"|[\s,]*l(?P<c>\d\d)|(?P<p>p)|(?P<r>r)|(?P<s>s))?"
)
#: Right after the number: a height (5'4), inches (26"), a range (10-15), a unit glued on
#: (#, %), a bra cup (34 dd, 36 d cup).
_AFTER = re.compile(
    r"\s?(?:['’′]\s?\d|['’′](?!s\b)|\"|”|″|''|#|%)|\s(?:aa|[b-h]|dd|ddd|[a-h]\s?cup)\b"
    r"|\s\d{1,2}\s?(?:\"|”|″|'')|\.\d\s?['’]"  # 5 1", 5.4'
    r"|-(?:years?|yrs?|months?|weeks?|days?|pack|piece)\b"  # a 2-year-old, a 3-pack
)
#: A list item: "1) the blue motif ..., 2) the front ...".
_LIST_ITEM = re.compile(r"(?:^|[,.:;]|\s)\s*$")
_RANGE = re.compile(r"\s?-\s?\d")
_SENTENCE_START = frozenset({"", ".", "!", "?", ":", ";", "-"})
#: Right before the number, after a digit: the inches of a height (5'4, 5' 4) or a range.
_HEIGHT_OR_RANGE = frozenset("'’′-")
#: A person and "is" before a bare number: an age ("my son is 7").
_AGE = re.compile(
    r"\b(?:son|daughter|kid|child|boy|girl|baby|grandson|granddaughter|niece|nephew|he|she)"
    r"(?:'s|’s| is| was| turned| turns| just turned)\s+$"
)
_AGE_VERBS = frozenset("is was turned turns son's daughter's he's she's".split())
#: Words before 0, 00 or 1 that make the number a size ("a 0", "my 00", "size 0").
_SMALL_OK = frozenset("a the my her his usual another in an typical normal regular petite".split())
#: Words before a number that a count never follows ("a 2 in blouses", not "the 2 white shirts").
_ONE_SIZE_SLOT = frozenset("a an usual typical normal".split())


def read_number(matched: str) -> tuple[str, str | None, bool] | None:
    """(size, modifier, certain) for a number match, or None if it is no size.

    "32x30", "w34 l32" -> waist x leg; "10/12" -> "10/12" (a combined size); "3/4" -> None (a
    fraction); "8 1/2", "38,5", "43 and a half" -> "8.5" ...; "2p" -> ("2", "petite"), "0r" ->
    ("0", "regular"), "14s" -> "14" (a plural; "30s" is a decade: None); "00" is kept as
    written. `certain` is True when the form alone says size (waist x leg, collar, "00p").
    """
    m = _PARSE.match(matched)
    if m is None:
        return None
    first = m.group("a")
    leg = m.group("b") or m.group("c") or m.group("leg")
    half = m.group("half") or m.group("frac")
    if m.group("sep") == "-" and m.group("b") is not None and not half:
        a, b = int(first), int(m.group("b"))
        if 0 < b - a <= 2:
            return f"{a}/{b}", None, False  # "a 4-6": a combined size, like 4/6
        return (f"{a}-{b}", None, False) if a < b else None  # "sizes 4-8": both, if cued
    if m.group("sep") == "/" and m.group("b") is not None and not half:
        a, b = int(first), int(m.group("b"))
        if 22 <= a <= 56 and 24 <= b <= 38 and not (b == a + 1 and b <= 31):
            return f"{a}x{b}", None, True  # 32/30: waist / leg; 27/28 is a combined size
        if a < b and b in (2, 3, 4, 8) and gcd(a, b) == 1:
            return None  # 3/4, 1/2: a fraction ("3/4 sleeves")
        if (a, b) == (24, 7):
            return None
        return f"{a}/{b}", None, False  # 10/12, 2/4: a combined size
    if leg is not None:
        if half or not (22 <= int(first) <= 56 and 24 <= int(leg) <= 38):
            return None
        return f"{int(first)}x{leg}", None, True
    if m.group("sep") is not None or (m.group("inch") and "waist" in matched):
        return None  # "3x4"; 26" waist is a body measurement
    if m.group("s") and (half or int(first) % 10 == 0):
        return None  # "in my 30s", "the 90s": decades; "12s and 14s" are sizes
    value = first if len(first) == 2 and first[0] == "0" else str(int(first))
    if half:
        value = f"{int(first)}.5"
    modifier = "petite" if m.group("p") else "regular" if m.group("r") else None
    certain = matched[:1] == "w" or any(w in matched for w in ("collar", "neck", "waist"))
    if modifier is not None and value in ("0", "00") and matched != "0r":
        certain = True  # "00p", "00r": nothing else is written so; "0r" may be a typo of "or"
    return value, modifier, certain


#: Bra cups after a band size ("34 d", "36 dd"): the number is no size.
_CUPS = frozenset("aa b c d e f g h dd ddd".split())
#: Characters right after a number that need no closer look (the end, punctuation, a letter).
_PLAIN_AFTER = frozenset(",!?;:)/&\n") | {""}
#: What follows a number, in one regex call: something that makes it no size (`_AFTER`), a
#: range ("-15", only judged without a size cue) or the next word without the punctuation that
#: may follow it ("lbs.", "kids,").
_FOLLOWS = re.compile(
    rf"(?P<no>{_AFTER.pattern})|(?P<range>{_RANGE.pattern})|\s+(?P<word>[^\s,.!?;:)]+)"
)


def number_ok(low: str, start: int, end: int, value: str, cued: bool) -> bool:
    """True if the number at low[start:end] is a size, judged by the words around it."""
    nxt = low[end : end + 1]
    after = ""
    ranged = False
    if nxt == " ":  # the usual case, read without a regex: the next word
        stop = low.find(" ", end + 1)
        raw = low[end + 1 : stop] if stop > 0 else low[end + 1 :]
        after = raw.rstrip(",.!?;:)")
        if after in NOT_SIZE_AFTER or after in _CUPS:
            return False  # "140 lbs", "34 dd"
        if not raw[:1].isalpha() or len(after) == 1:  # 5 1", 26 "x", 34 d cup, 10 - 12
            follows = _FOLLOWS.match(low, end)
            if follows is not None:
                if follows.lastgroup == "no":
                    return False
                ranged = follows.lastgroup == "range"
                after = follows.group("word") or after  # "10  lbs": two spaces
                if after in NOT_SIZE_AFTER:
                    return False
    elif nxt not in _PLAIN_AFTER:  # 5'4, 26", 10-15, 100#, 5.4'
        follows = _FOLLOWS.match(low, end)
        if follows is not None and follows.lastgroup != "word":
            if follows.lastgroup == "no":
                return False
            ranged = True
    k = start - 1 if low[start - 1] != " " else start - 2
    if k > 0 and low[k] in _HEIGHT_OR_RANGE and low[k - 2 : k].strip()[-1:].isdigit():
        return False  # the inches of 5'4 or 5' 4; the end of a range 34-28
    if cued:
        return True
    if ranged or "-" in value or after in QUANTITY_AFTER or after == "m":
        return False  # 10-15 lbs, (34-28-36), 2 kids, 5 m (metres)
    j = start
    while j > 0 and low[j - 1] == " ":
        j -= 1
    previous = low[low.rfind(" ", 0, j) + 1 : j].strip(",:(")
    if previous in NOT_SIZE_BEFORE:
        return False
    if previous in _AGE_VERBS and _AGE.search(low, max(0, start - 24), start):
        return False  # "my son is 7"
    if previous[:1].isdigit() and previous.endswith(("ft", "feet", "foot")):
        return False  # 5ft 11
    if nxt == ")" and _LIST_ITEM.search(low, max(0, start - 24), start):
        bracket = low.rfind("(", max(0, start - 80), start)
        if bracket < 0 or ")" in low[bracket:start]:
            return False  # "1) the blue motif"; not "(... tried on the 25)"
    if nxt == "." and low[max(0, start - 3) : start].strip() in _SENTENCE_START:
        return False  # "2. i'm 5'5" ...": a numbered point
    digits = value.isdigit()
    if digits and int(value) <= 6 and previous not in _ONE_SIZE_SLOT:
        if _garment_plurals().match(low, end, end + 40):
            return False  # "3 white school shirts", "2 vests"; not "a 4 in tops"
    number = int(value) if digits else float(value.split("/")[0].split("-")[0])
    if number < 2:
        if value in ("0", "00") and previous in ("or", "with", "and", "to", "between"):
            return True  # "a 00 or 0", "went with 0": nobody counts zero of something so
        return previous in _SMALL_OK  # "a 0", "my 00"; not "0 left"
    return number <= 60


#: Size words that are also everyday adjectives ("runs large", "a small hole").
SIZE_WORDS = frozenset({"small", "large", "medium"})
#: Words before a size word that make it a description of the fit or the body ("runs large",
#: "too small", "a little large", "was small"): not a size that was ordered or worn.
_DEGREE = frozenset(
    "too so very little bit run runs ran running quite rather really pretty fairly slightly "
    "super overly extremely somewhat is was are were be been being seems seemed seem felt "
    "feels feel looks looked look not fit fits fitting more less how as big way kinda".split()
)
#: Words after a size word that make it describe something other than the item's size
#: ("large bust", "small frame", "medium wash", "medium weight").
_NOT_A_SIZE_NEXT = frozenset(
    "bust busted busty chest chested frame framed waist waisted hips hip calves calf arms "
    "shoulders shouldered rib ribcage torso boned build bodied person woman women amount "
    "number hole holes snag stain mark marks print prints pattern patterns floral flowers "
    "flower dots details detail buttons button pocket pockets pieces piece area areas "
    "difference price portion part issue issues flaw tear cut slit opening percent feet foot "
    "hands head boobs breasts cup cups wash weight weights length rise support sized gap gaps "
    "child children kids family business florals polka print dots stripes checks side "
    "behind look denim".split()
)


def size_word_ok(low: str, start: int, end: int) -> bool:
    """True if "small", "large" or "medium" at low[start:end] names a size, not a degree."""
    before = low[max(0, start - 16) : start].split()
    if before and before[-1].strip(",") in _DEGREE:
        return False
    after = low[end : end + 16].split()
    return not (after and after[0].strip(",.;:!?)") in _NOT_A_SIZE_NEXT)


@cache
def _garment_plurals() -> re.Pattern[str]:
    """Plural garment words ("shirts", "dresses", "packs") within three words, but not
    plural-only ones ("jeans", "chinos": one pair, and a size may come first)."""
    out = {"packs", "pairs"}
    terms = load_lexicon().categories
    for term in terms:
        plural = term + ("es" if term.endswith(("sh", "ch", "x")) else "s")
        if " " not in term and not term.endswith("s") and plural not in terms:
            out.add(plural)
    return re.compile(rf"(?:\s+[^\s]+){{0,2}}?\s+(?:{'|'.join(sorted(out))})\b")


#: Before "tall" or "petite": the person, not the size range ("i'm petite", "6' tall").
_BODY_BEFORE = re.compile(
    r"(?:\b(?:am|i'm|im|is|are|was|be|so|very|that|too|not|only|quite|feel|felt|look|looks|"
    r"someone|who's|she's|he's)|\d\s?(?:'|\"|ft|feet|”|″|’))\s*$"
)
#: After "tall" or "petite": the person or the body ("tall girl", "petite frame").
_BODY_AFTER = frozenset(
    "girl girls guy guys woman women man men person people lady ladies frame bust build "
    "figure end side torso gal".split()
)


def modifier_ok(low: str, start: int, end: int) -> bool:
    """True if "tall" or "petite" at low[start:end] names a size range, not the person."""
    if _BODY_BEFORE.search(low, max(0, start - 12), start):
        return False
    after = low[end : end + 12].split()
    return not (after and after[0].strip(",.;:!?)") in _BODY_AFTER)


#: Letter sizes as associates and reviewers abbreviate them, for shorthand and combined sizes.
_LETTERS = {"xxs": "XXS", "xs": "XS", "s": "S", "sm": "S", "m": "M", "med": "M", "l": "L",
            "lg": "L", "xl": "XL", "xxl": "XXL", "xxxl": "XXXL", "small": "S", "medium": "M",
            "large": "L"}  # fmt: skip
_ORDER = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")


@cache
def shorthand_sizes() -> dict[str, tuple[str, str | None]]:
    """Phrases -> (size, modifier): "xsp", "pxs", "mp", "mt", "xspetite" (petite and tall
    shorthand), "m/l", "xs/s", "small-medium" (combined sizes, kept whole)."""
    out: dict[str, tuple[str, str | None]] = {}
    for word, value in _LETTERS.items():
        if len(word) <= 4 and word not in ("sm", "med", "lg"):
            out[word + "p"] = out[word + "petite"] = (value, "petite")  # xsp, mp, xspetite
            if word != "s":  # "st" is a street, "pm" and "ps" are not sizes
                out[word + "t"] = (value, "tall")  # mt, lt, xlt
            if len(word) >= 2:
                out["p" + word] = (value, "petite")  # pxs, pxxs, pxl
    for a, va in _LETTERS.items():
        for b, vb in _LETTERS.items():
            if _ORDER.index(vb) == _ORDER.index(va) + 1 and (len(a) <= 4) == (len(b) <= 4):
                out[f"{a}/{b}"] = out[f"{a} / {b}"] = (f"{va}/{vb}", None)
                if len(a) > 4:  # "small-medium" (not "s-m", which would also match "sm")
                    out[f"{a}-{b}"] = (f"{va}/{vb}", None)
    return out


#: Words right before a lone lower-case s, m or l that make it a size ("ordered the s").
_LETTER_BEFORE = frozenset(
    "a an the my usual normal regular in got ordered bought purchased tried between wear "
    "wearing either usually typically normally am im i'm sized with buy order chose choose "
    "picked took".split()
)
#: The two words before a lone letter that make it a size ("sized up to l", "exchanged for m").
_LETTER_BEFORE_PAIRS = frozenset(
    tuple(pair.split())
    for pair in (
        "up to",
        "down to",
        "exchanged for",
        "exchange for",
        "swapped for",
        "swap for",
    )  # fmt: skip
)
_OR_SIZE = re.compile(r" (?:or|and|to) (?:xxs|xs|s|m|l|xl|xxl|small|medium|large)\b")
_MODIFIER_NEXT = re.compile(r"[ -](?:petite|tall|regular|reg)\b")
#: After a lone letter at the start of a clause: it is the subject, a size ("m was perfect").
_LETTER_VERB_NEXT = re.compile(
    r" (?:fit|fits|fitted|worked)\b| (?:was|is) (?:perfect|perfectly|fine|great|good|too|just|"
    r"right|big|bigger|small|smaller|tight|loose|snug|roomy|tts|true|comfortable|better|best|"
    r"way|slightly|a|much|still|definitely|really|very|so|more|less|the)\b"
)  # "m was perfect"; not "m was going to call her back"
_CLAUSE_START = frozenset(",.;:(!?")


def letter_context_ok(text: str, low: str, start: int, end: int) -> bool:
    """True if the words around a lone s, m or l at low[start:end] make it a size: written in
    capitals ("M"), after an article or a buying verb ("the s", "a m", "ordered l", "buy m",
    "chose s", "sized up to l"), before another size ("s or m") or a size modifier ("s
    petite", "m-petite"), or at the start of a clause before "was", "fit" ... ("m was
    perfect"); not "i'm", "it's", "s/he" (the scanner never offers those)."""
    if low[end : end + 1] == "." and low[end + 1 : end + 2].isalpha():
        return False  # "u.s.a"
    if text[start - 1].isupper() or _MODIFIER_NEXT.match(low, end) or _OR_SIZE.match(low, end):
        return True
    words = low[max(0, start - 24) : start].split()
    if words and (words[-1] in _LETTER_BEFORE or tuple(words[-2:]) in _LETTER_BEFORE_PAIRS):
        return True  # "a m", "the s", "my usual l", "up to l"
    if _LETTER_VERB_NEXT.match(low, end) is None:
        return False
    j = start - 1
    while j > 0 and low[j] == " ":
        j -= 1
    return j == 0 or low[j] in _CLAUSE_START  # "for myself, m was perfect"


#: Words before "pm", "ps" or "pl" that make it a petite size ("bought the pm").
_PETITE_LETTER_BEFORE = frozenset(
    "a the my usual normal regular got ordered bought purchased tried wear wearing buy order "
    "chose picked took needed wanted".split()
)
#: Before "the pm": the afternoon ("in the pm").
_TIME_BEFORE = frozenset("in at by until till from after before for during on this".split())
#: What may follow a size written in a size slot: the end of the clause or a word that goes on
#: about the size ("the pm but", "a six or a small", "an eight in dresses", "the ten was").
_SLOT_END = re.compile(
    r"\s*(?:$|[,.;:!?)]|(?:or|and|but|because|so|since|instead|in|to|was|is|fit|fits|fitted|"
    r"worked|would|will|felt|looked|petite|tall|regular)\b)"
)


@cache
def petite_letters() -> dict[str, tuple[str, str]]:
    """ "pm", "ps", "pl" -> petite M, S, L: also "p.m.", "p.s." and "pl.", so they are sizes
    only in a size slot (:func:`petite_letter_ok`)."""
    return {"p" + word: (value, "petite") for word, value in _LETTERS.items() if len(word) == 1}


def petite_letter_ok(low: str, start: int, end: int, cued: bool) -> bool:
    """True if "pm", "ps" or "pl" at low[start:end] is a petite size: after "size" or after an
    article or a buying verb and before the end of the clause or a word about the size ("bought
    the pm but needed the ps."); not "in the pm", "ps i love it", "the pm shift"."""
    if cued:
        return True
    words = low[max(0, start - 24) : start].split()
    if not words or words[-1] not in _PETITE_LETTER_BEFORE:
        return False
    if words[-1] == "the" and len(words) > 1 and words[-2] in _TIME_BEFORE:
        return False
    return _SLOT_END.match(low, end) is not None


#: Sizes written as words. Even ones are read wherever a number size would be ("a six or a
#: small"); odd ones only after "size" ("a size seven"): "one", "three" and "five" are counts.
SPELLED_SIZES = {
    "zero": "0", "double zero": "00", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11",
    "twelve": "12", "fourteen": "14", "sixteen": "16", "eighteen": "18", "twenty": "20",
}  # fmt: skip
#: Words right before an even size written as a word that make it a size ("an eight").
_SPELLED_BEFORE = frozenset("a an the my usual typical normal regular".split())
#: Before the article of an even size written as a word, what makes it a score or a sum, not a
#: size ("rated us a ten", "i'd give it a ten", "she gave them a twenty").
_SPELLED_NOT_AFTER = frozenset("us it them rated rate rating score scored give gave giving".split())


def spelled_ok(low: str, start: int, end: int, value: str, after_size: bool, cued: bool) -> bool:
    """True if a size written as a word (:data:`SPELLED_SIZES`) at low[start:end] is a size:
    after "size" (`cued`: "size eight", "a size zero"), or an even one after an article or
    "my usual" ... or right after another size (`after_size`: "a four and six") and before the
    end of the clause or a word about the size ("might have gotten a six but", "went with the
    ten because"). Never a count, an age or a pronoun: "six buttons", "six months", "my son is
    six", "a six-pack", "between the two", "size l - zero in store"."""
    if low[end : end + 1] in ("-", "'", "’"):
        return False  # "a two-piece", "a six-pack"
    if cued:
        return True
    if int(value) % 2:
        return False
    j = start
    while j > 0 and low[j - 1] == " ":
        j -= 1
    previous = low[low.rfind(" ", 0, j) + 1 : j]
    if value == "2" and previous == "the":
        return False  # "between the two", "i kept the two"
    if not (previous in _SPELLED_BEFORE or after_size and value != "0"):
        return False  # "size l - zero in store": none
    if previous in ("a", "an", "the") and not after_size:
        before = low[: low.rfind(" ", 0, j) + 1].split()[-1:]
        if before and before[0] in _SPELLED_NOT_AFTER:
            return False  # "rated us a ten", "gave us a ten"
    return _SLOT_END.match(low, end) is not None
