"""Decide what each mention means (wanted, rejected, offered, mentioned, or not an attribute).

The scanner finds mentions and the cue phrases around them; the rules of
:func:`~pipelines.extract.extractor.assign_polarity` give a first reading. This module turns each
mention's context into sparse string features (the rule reading, the words and cue phrases before
and after it in its clause and sentence, verb groups such as ordered/returned/wish/instead, the
mention's attribute and neighbours) and scores them with a multinomial logistic regression fitted
by ``pipelines/extract/train.py`` (``make train``) on the labelled corpus.

The fitted model is a JSON file shipped beside this module (``polarity_model.json``)::

    {"format": 1, "classes": ["mentioned", "none", "offered", "rejected", "wanted"],
     "intercepts": [..5 floats..], "weights": {"a=color": [..5 floats..], ...},
     "trained_on": {...}}

Inference is a sparse dot product in plain Python: deterministic, no network, no scikit-learn.
The extractor does not build the feature strings at run time: :mod:`~pipelines.extract.polarity_rows`
looks the same weight rows up by template (the strings here are what training sees and what
the hot path is tested against).
The class ``none`` means "not an attribute of an item" ("medium wash", "a tan from the summer"):
the extractor drops such mentions.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from importlib import resources

from pipelines.extract.scanner import (
    ATTR,
    CUE,
    END,
    KIND,
    POLARITY,
    START,
    VALUE,
    Token,
    lower_same_length,
)

MODEL_FILE = "polarity_model.json"
NONE = "none"
#: How many words of the clause (and of the rest of the sentence) before and after a mention
#: become features.
WINDOW = 6
_FIRST_PERSON = frozenset("i i'm im i've ive i'd id my me mine".split())
_QUOTES = "'\"‘“"
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

#: Word groups that carry polarity in reviews and notes (a word may sit in several groups).
GROUPS: dict[str, frozenset[str]] = {
    name: frozenset(words.split())
    for name, words in {
        "buy": "ordered order orders ordering bought buy buying purchased purchase got get "
        "picked grabbed snagged chose choose chosen went kept keep keeping took take taking "
        "ended sized",
        "return": "returned return returning returns back exchange exchanged exchanging "
        "sending sent send",
        "wish": "wish wished wishing hoping hope hoped love would wd id i'd should make made "
        "offer come came please if only",
        "want": "want wants wanted wanting need needs needed needing looking searching "
        "hunting after keen fancied fancy fancies asked asking request requested reserve "
        "reserved reserving desperate set",
        "instead": "instead settled settle made do went fine alternative substitute",
        "usual": "usually normally typically always generally regularly i'm im am usual "
        "normal typical",
        "negation": "not no never nothing isn't wasn't aren't don't didn't doesn't won't "
        "wouldn't isnt wasnt dont didnt doesnt wont wouldnt neither nor without",
        "dislike": "hate hated dislike disliked ugly awful unflattering disappointed "
        "disappointing cheap sheer thin fan odd weird strange drab dull washed boring",
        "arrived": "came arrived received arrives looks looked look appears appeared really "
        "actually photo photos picture pictures pictured online person website screen "
        "shown expected",
        "like": "love loved loves like liked beautiful gorgeous pretty great perfect nice "
        "lovely stunning favorite favourite fun cute vibrant rich",
        "fit": "fit fits fitted fitting big small tight loose large huge runs run snug "
        "baggy long short roomy tts",
        "pair": "with under over pair paired pairs wear wore wearing match matches jeans leggings",
        "store": "had have only offered suggested stock stocked sold available carry "
        "carried showed",
        "size": "size sizes sized sizing",
    }.items()
}
_NEGATION = GROUPS["negation"]
_WORD_GROUPS: dict[str, tuple[str, ...]] = {}
for _name, _words in sorted(GROUPS.items()):
    for _w in _words:
        _WORD_GROUPS[_w] = (*_WORD_GROUPS.get(_w, ()), _name)


#: Features of one mention: (named features, and the words before it in its clause, before it
#: in the rest of its sentence, after it in its clause, after it in the rest of its sentence).
#: The words become features "bc=<word>", "bs=...", "ac=...", "as=..." (:func:`flat`); the
#: model looks them up per template without building those strings (the hot path).
Parts = tuple[list[str], list[str], list[str], list[str], list[str]]
BAGS = ("bc", "bs", "ac", "as")


def flat(parts: Parts) -> list[str]:
    """All the features of one mention as strings (what the model file's keys are)."""
    named, *bags = parts
    return named + [f"{t}={w}" for t, words in zip(BAGS, bags, strict=True) for w in words]


class PolarityModel:
    """A fitted multinomial logistic regression over string features (read-only once built)."""

    __slots__ = ("classes", "intercepts", "weights", "digest", "bags", "tables")

    def __init__(
        self,
        classes: tuple[str, ...],
        intercepts: tuple[float, ...],
        weights: dict[str, tuple[float, ...]],
        digest: str,
    ) -> None:
        self.classes = classes
        self.intercepts = intercepts
        self.weights = weights
        #: first 12 hex digits of the model file's sha256
        self.digest = digest
        #: the bag-of-words rows by template ("bc" -> word -> row), split out of `weights`
        bags: tuple[dict[str, tuple[float, ...]], ...] = tuple({} for _ in BAGS)
        for feature, row in weights.items():
            template, _, word = feature.partition("=")
            if template in BAGS:
                bags[BAGS.index(template)][word] = row
        self.bags = bags
        #: the weights split by template for the hot path (`polarity_rows.tables_of`)
        self.tables: object = None

    @classmethod
    def from_json(cls, text: str) -> PolarityModel:
        data = json.loads(text)
        if data.get("format") != 1:
            raise ValueError(f"{MODEL_FILE}: unknown format {data.get('format')!r}")
        classes = tuple(data["classes"])
        weights = {f: tuple(map(float, w)) for f, w in data["weights"].items()}
        if any(len(w) != len(classes) for w in weights.values()):
            raise ValueError(f"{MODEL_FILE}: a weight row does not have one weight per class")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        return cls(classes, tuple(map(float, data["intercepts"])), weights, digest)

    def scores(self, parts: Parts) -> list[float]:
        """The class scores (log-odds up to a constant) for one mention's features."""
        return self.row_scores(self.rows(parts))

    def rows(self, parts: Parts) -> list[tuple[float, ...]]:
        """The weight rows of one mention's features, in feature order (misses dropped)."""
        named, bc, bs, ac, as_ = parts
        # filter(None, ...) drops the misses (None; every row is a non-empty tuple) in C
        rows = list(filter(None, map(self.weights.get, named)))
        bags = self.bags
        if bc:
            rows.extend(filter(None, map(bags[0].get, bc)))
        if bs:
            rows.extend(filter(None, map(bags[1].get, bs)))
        if ac:
            rows.extend(filter(None, map(bags[2].get, ac)))
        if as_:
            rows.extend(filter(None, map(bags[3].get, as_)))
        return rows

    def row_scores(self, rows: list[tuple[float, ...]]) -> list[float]:
        """The class scores from the weight rows of a mention's features (in feature order:
        the sums, and so ties, depend on it)."""
        return list(map(sum, zip(self.intercepts, *rows, strict=False)))

    def predict(self, parts: Parts) -> str:
        return self.decide(self.scores(parts))

    def decide(self, total: list[float]) -> str:
        """The class of the highest score; ties go to the first class, deterministically."""
        return self.classes[total.index(max(total))]


@cache
def default_model() -> PolarityModel:
    """The shipped model (package data), loaded once per process."""
    text = resources.files("pipelines.extract").joinpath(MODEL_FILE).read_text("utf-8")
    return PolarityModel.from_json(text)


def _spans(tokens: list[Token], length: int) -> list[tuple[int, int, int, int]]:
    """(sentence start, clause start, clause end, sentence end) per token, in characters."""
    out: list[tuple[int, int, int, int]] = []
    sent = clause = 0
    for tok in tokens:
        if tok[KIND] == "boundary" and tok[VALUE] != "join":
            clause = tok[END]
            if tok[VALUE] == "sentence":
                sent = tok[END]
        out.append((sent, clause, 0, 0))
    sent_end = clause_end = length
    for i in range(len(tokens) - 1, -1, -1):
        tok = tokens[i]
        s, c, _, _ = out[i]
        out[i] = (s, c, clause_end, sent_end)
        if tok[KIND] == "boundary" and tok[VALUE] != "join":
            clause_end = tok[START]
            if tok[VALUE] == "sentence":
                sent_end = tok[START]
    return out


def _groups(words: list[str]) -> set[str]:
    found: set[str] = set()
    get = _WORD_GROUPS.get
    for word in words:
        hit = get(word)
        if hit is not None:
            found.update(hit)
    return found


def _near_features(bc: list[str], ac: list[str], suffix: str) -> list[str]:
    """The clause's nearest word groups on each side of a mention (the verb that governs it,
    or what it does), comparison ("more X than Y"), negation scope, "the X one"."""
    out: list[str] = []
    get = _WORD_GROUPS.get
    for word in reversed(bc):
        hit = get(word)
        if hit is not None:
            for g in hit:
                out += ["nb=" + g, "nb=" + g + suffix]
            break
    for word in ac:
        hit = get(word)
        if hit is not None:
            for g in hit:
                out += ["na=" + g, "na=" + g + suffix]
            break
    near = bc[-3:]
    if "than" in near:
        out.append("cmp=than" + suffix)  # "more yellow than beige": beige was expected
    elif "more" in near or "less" in near:
        out.append("cmp=more" + suffix)  # "more of a hot pink": what it looks like
    if any(w in _NEGATION for w in near):
        out.append("neg3" + suffix)
    if ac[:1] == ["one"] or ac[:1] == ["ones"]:
        out.append("one" + suffix)  # "the grey one"
    if bc[-1:] == ["in"]:
        out.append("in" + suffix)  # "ordered it in bottle green"
    return out


def mention_features(text: str, tokens: list[Token]) -> list[Parts]:
    """The features of every mention token of `tokens` (rule polarity already assigned),
    in token order."""
    low = lower_same_length(text)
    findall = _WORD.findall
    spans = _spans(tokens, len(low))
    mentions = [i for i, t in enumerate(tokens) if t[KIND] == "mention"]
    cues = [
        (
            t[START],
            t[END],
            f"={c.polarity}:{c.scope}:{c.attribute or ''}",
            "=" + low[t[START] : t[END]],
        )
        for t in tokens
        if t[KIND] == "cue"
        for c in (t[CUE],)
    ]
    # the voice of the note: an associate's third-person note ("cust wanted...") or a customer's
    # own words ("i ordered..."); the same words mean different things in each
    words = findall(low, 0, 80)
    first = words[0] if words else "^"
    voice = "i" if _FIRST_PERSON.intersection(words) else "3"
    out: list[Parts] = []
    seen_in_sentence: dict[tuple[int, str], int] = {}
    quoted_before: tuple[int, str] | None = None
    for position, i in enumerate(mentions):
        tok = tokens[i]
        attr, rule, start, end = tok[ATTR], tok[POLARITY], tok[START], tok[END]
        sent, clause, clause_end, sent_end = spans[i]
        f = [f"a={attr}", f"r={rule}", f"ar={attr}|{rule}", f"raw={attr}|{low[start:end]}",
             f"w0={first}", f"v={voice}|{attr}", f"vr={voice}|{rule}"]  # fmt: skip
        if attr == "size":
            f.append("sz=num" if tok[VALUE][:1].isdigit() else "sz=letter")
        # the words of the clause and of the rest of the sentence, before and after
        bc = findall(low, clause, start)[-WINDOW:]
        bs = findall(low, sent, clause)[-WINDOW:] if clause > sent else []
        ac = findall(low, end, clause_end)[:WINDOW]
        as_ = findall(low, clause_end, sent_end)[:WINDOW] if sent_end > clause_end else []
        before = bs + bc
        after = ac + as_
        p1 = before[-1] if before else "^"
        p2 = before[-2] if len(before) > 1 else "^"
        n1 = after[0] if after else "$"
        n2 = after[1] if len(after) > 1 else "$"
        f += [f"p1={p1}", f"p2={p2}", f"p21={p2} {p1}", f"n1={n1}", f"n2={n2}", f"n12={n1} {n2}"]
        suffix = "|" + attr
        f += [f"ap1={p1}{suffix}", f"an1={n1}{suffix}"]
        if "if" in before or "unless" in before:
            f.append("cond" + suffix)  # "if the olive had been in stock in a large ..."
        f += _near_features(bc, ac, suffix)
        if voice == "i" and _FIRST_PERSON.intersection(bc) and "buy" in _groups(bc):
            f.append("ibuy" + suffix)  # "i ordered/got/kept the X"
        for where, words in (("gbc=", bc), ("gbs=", bs), ("gac=", ac), ("gas=", as_)):
            if words:
                for g in sorted(_groups(words)):  # sorted: the same sum order in every process
                    key = where + g
                    f += [key, key + suffix]
        for cue_start, cue_end, cue_kind, cue_phrase in cues:
            if cue_end <= start and cue_start >= sent:
                where = "bc" if cue_start >= clause else "bs"
            elif cue_start >= end and cue_end <= sent_end:
                where = "ac" if cue_end <= clause_end else "as"
            else:
                continue
            f.append("c" + where + cue_kind)
            f.append("cp" + where + cue_phrase)
        # the mention among the others
        key = (sent, attr)
        nth = seen_in_sentence.get(key, 0)
        seen_in_sentence[key] = nth + 1
        f.append(f"nth={attr}|{min(nth, 2)}")
        if position == 0:
            f.append("first")
        prev = tokens[mentions[position - 1]] if position else None
        if prev is not None and prev[END] >= start - 4 and prev[START] >= sent:
            f.append(f"prev={prev[ATTR]}")
        nxt = tokens[mentions[position + 1]] if position + 1 < len(mentions) else None
        if nxt is not None and nxt[START] <= end + 4 and nxt[END] <= sent_end:
            f.append(f"next={nxt[ATTR]}")
        if start and low[start - 1] in _QUOTES:
            f.append("quoted")
        if quoted_before is not None and quoted_before[0] == sent and quoted_before[1] == attr:
            f.append("after_quoted")  # "the 'cream' is really a pale yellow"
        if start and low[start - 1] in _QUOTES:
            quoted_before = (sent, attr)
        if "?" in low[start:sent_end]:
            f.append("question")
        if start <= clause + 1:
            f.append("clause_first")
        out.append((f, bc, bs, ac, as_))
    return out
