"""The polarity model's hot path: each mention's weight rows, looked up without feature strings.

:func:`~pipelines.extract.polarity.mention_features` spells every feature as a string
(``"p21=the navy"``, ``"gbc=buy|color"``): that is what training sees and what the model file's
keys are. Building ~30 such strings per mention and hashing them was most of the extractor's
time (issue 13, docs/extraction.md "Speed"). :mod:`~pipelines.extract.polarity_tables` splits
the model's keys once into tables by template; :func:`mention_rows` looks each mention's rows
up from the parts it already holds (attribute, rule polarity, the words around it, the cue
phrases of the note), e.g. ``pairs["p21"]["the"]["navy"]``.

:func:`mention_rows` yields, for each mention, the very rows that ``PolarityModel.rows(parts)``
finds for the feature strings, in the same order, so the sums (and every decision, ties
included) are bit-identical; ``tests/extract/test_extract_polarity_rows.py`` checks that on the
whole corpus, with the shipped model and with a model that has a weight for every feature the
corpus produces. Keep this module and ``mention_features`` in step.
"""

from __future__ import annotations

try:  # only for the annotations Cython reads when it compiles this module (setup.py)
    import cython
except ImportError:  # pure Python: annotations are never evaluated here
    cython = None

from pipelines.extract.polarity import (
    _FIRST_PERSON,
    _NEGATION,
    _QUOTES,
    _WORD,
    _WORD_GROUPS,
    NONE,
    WINDOW,
    PolarityModel,
    _spans,
)
from pipelines.extract.polarity_tables import tables_of
from pipelines.extract.scanner import lower_same_length
from pipelines.extract.tokens import ATTR, CUE, END, KIND, POLARITY, START, VALUE

_EMPTY: dict = {}
#: every word of a word group, and the "buy" group's words ("i ordered/got/kept the X")
_GROUP_WORDS = frozenset(_WORD_GROUPS)
_BUY_WORDS = frozenset(w for w, groups in _WORD_GROUPS.items() if "buy" in groups)
_CONDITION = frozenset({"if", "unless"})
_NTH = ("0", "1")


def _group_rows(words: frozenset, table: dict, rows: list) -> None:
    """Extend `rows` with the rows of the word groups of `words` (grouped words of a window),
    groups in sorted order (as `mention_features` emits "gbc=<group>", "gbc=<group>|<attr>")."""
    found: set = set()
    groups: dict = _WORD_GROUPS
    for word in words:
        found.update(groups[word])
    for group in sorted(found):
        hit_rows = table.get(group)
        if hit_rows is not None:
            rows.extend(hit_rows)


def mention_rows(text: str, tokens: list, model: PolarityModel) -> list:
    """For every mention token of `tokens`, in token order, the model rows of its features:
    what `model.scores(parts)` sums for `mention_features(text, tokens)`, in the same order.

    Mirrors :func:`~pipelines.extract.polarity.mention_features` line by line; keep the two in
    step (the test compares them on the corpus)."""
    # the local annotations let Cython call the dicts' C API directly (compiled build)
    t = tables_of(model)
    attributes: dict = t.attributes
    simple: dict = t.simple
    pairs: dict = t.pairs
    single: dict = t.single
    bag_bc: dict = t.bags[0]
    bag_bs: dict = t.bags[1]
    bag_ac: dict = t.bags[2]
    bag_as: dict = t.bags[3]
    a_rows: dict = simple["a"]
    r_rows: dict = simple["r"]
    w0_rows: dict = simple["w0"]
    p1_rows: dict = simple["p1"]
    p2_rows: dict = simple["p2"]
    n1_rows: dict = simple["n1"]
    n2_rows: dict = simple["n2"]
    ar_rows: dict = pairs["ar"]
    raw_rows: dict = pairs["raw"]
    v_rows: dict = pairs["v"]
    vr_rows: dict = pairs["vr"]
    p21_rows: dict = pairs["p21"]
    n12_rows: dict = pairs["n12"]
    sz_rows: dict = simple["sz"]
    prev_rows: dict = simple["prev"]
    next_rows: dict = simple["next"]
    cue_rows = (simple["cbc"], simple["cbs"], simple["cac"], simple["cas"])
    phrase_rows = (simple["cpbc"], simple["cpbs"], simple["cpac"], simple["cpas"])
    word_groups: dict = _WORD_GROUPS
    group_words: frozenset = _GROUP_WORDS
    buy_words: frozenset = _BUY_WORDS
    negation: frozenset = _NEGATION
    first_person: frozenset = _FIRST_PERSON
    table: dict
    inner: dict
    rows: list
    bc: list
    bs: list
    ac: list
    as_: list
    low: str
    first_row, quoted_row = single.get("first"), single.get("quoted")
    after_quoted_row, question_row = single.get("after_quoted"), single.get("question")
    clause_first_row = single.get("clause_first")
    low = lower_same_length(text)
    findall = _WORD.findall
    spans = _spans(tokens, len(low))
    mentions = [i for i, tok in enumerate(tokens) if tok[KIND] == "mention"]
    cues = [
        (tok[START], tok[END], f"{c.polarity}:{c.scope}:{c.attribute or ''}",
         low[tok[START] : tok[END]])
        for tok in tokens
        if tok[KIND] == "cue"
        for c in (tok[CUE],)
    ]  # fmt: skip
    words = findall(low, 0, 80)
    first = words[0] if words else "^"
    voice = "i" if first_person.intersection(words) else "3"
    w0_row = w0_rows.get(first)
    v_by_attr: dict = v_rows.get(voice, _EMPTY)
    vr_row_of: dict = vr_rows.get(voice, _EMPTY)
    out: list = []
    seen_in_sentence: dict = {}
    position: cython.Py_ssize_t
    i: cython.Py_ssize_t
    start: cython.Py_ssize_t
    end: cython.Py_ssize_t
    sent: cython.Py_ssize_t
    clause: cython.Py_ssize_t
    clause_end: cython.Py_ssize_t
    sent_end: cython.Py_ssize_t
    cue_start: cython.Py_ssize_t
    cue_end: cython.Py_ssize_t
    nth: cython.Py_ssize_t
    where: cython.Py_ssize_t
    tok: list
    attr: str
    p1: str
    p2: str
    n1: str
    n2: str
    quoted_before: tuple[int, str] | None = None
    for position, i in enumerate(mentions):
        tok = tokens[i]
        attr, rule, start, end = tok[ATTR], tok[POLARITY], tok[START], tok[END]
        sent, clause, clause_end, sent_end = spans[i]
        by = attributes.get(attr)
        if by is None:
            by = t.for_attribute(attr)
        rows = []
        append = rows.append
        # a, r, ar, raw, w0, v, vr, sz
        row = a_rows.get(attr)
        if row is not None:
            append(row)
        row = r_rows.get(rule)
        if row is not None:
            append(row)
        inner = ar_rows.get(attr, _EMPTY)
        row = inner.get(rule)
        if row is not None:
            append(row)
        inner = raw_rows.get(attr, _EMPTY)
        row = inner.get(low[start:end])
        if row is not None:
            append(row)
        if w0_row is not None:
            append(w0_row)
        row = v_by_attr.get(attr)
        if row is not None:
            append(row)
        row = vr_row_of.get(rule)
        if row is not None:
            append(row)
        if attr == "size":
            row = sz_rows.get("num" if tok[VALUE][:1].isdigit() else "letter")
            if row is not None:
                append(row)
        bc = findall(low, clause, start)[-WINDOW:]
        bs = findall(low, sent, clause)[-WINDOW:] if clause > sent else []
        ac = findall(low, end, clause_end)[:WINDOW]
        as_ = findall(low, clause_end, sent_end)[:WINDOW] if sent_end > clause_end else []
        # the last two words before and the first two after, across the clause boundary
        if len(bc) > 1:
            p1, p2 = bc[-1], bc[-2]
        elif bc:
            p1, p2 = bc[0], (bs[-1] if bs else "^")
        else:
            p1 = bs[-1] if bs else "^"
            p2 = bs[-2] if len(bs) > 1 else "^"
        if len(ac) > 1:
            n1, n2 = ac[0], ac[1]
        elif ac:
            n1, n2 = ac[0], (as_[0] if as_ else "$")
        else:
            n1 = as_[0] if as_ else "$"
            n2 = as_[1] if len(as_) > 1 else "$"
        # p1, p2, p21, n1, n2, n12, ap1, an1
        row = p1_rows.get(p1)
        if row is not None:
            append(row)
        row = p2_rows.get(p2)
        if row is not None:
            append(row)
        inner = p21_rows.get(p2, _EMPTY)
        row = inner.get(p1)
        if row is not None:
            append(row)
        row = n1_rows.get(n1)
        if row is not None:
            append(row)
        row = n2_rows.get(n2)
        if row is not None:
            append(row)
        inner = n12_rows.get(n1, _EMPTY)
        row = inner.get(n2)
        if row is not None:
            append(row)
        inner = by.ap1
        row = inner.get(p1)
        if row is not None:
            append(row)
        inner = by.an1
        row = inner.get(n1)
        if row is not None:
            append(row)
        flags: dict = by.flags
        if not _CONDITION.isdisjoint(bc) or not _CONDITION.isdisjoint(bs):
            row = flags.get("cond")
            if row is not None:
                append(row)
        # _near_features: the nearest grouped word on each side (most windows have none: the
        # set intersection, in C, says so without a loop)
        in_bc = group_words.intersection(bc)
        in_ac = group_words.intersection(ac)
        if in_bc:
            for word in reversed(bc):
                if word in in_bc:
                    table = by.groups[0]
                    for g in word_groups[word]:
                        group_rows = table.get(g)
                        if group_rows is not None:
                            rows.extend(group_rows)
                    break
        if in_ac:
            for word in ac:
                if word in in_ac:
                    table = by.groups[1]
                    for g in word_groups[word]:
                        group_rows = table.get(g)
                        if group_rows is not None:
                            rows.extend(group_rows)
                    break
        near = bc[-3:]
        if "than" in near:
            if by.cmp_than is not None:
                append(by.cmp_than)
        elif "more" in near or "less" in near:
            if by.cmp_more is not None:
                append(by.cmp_more)
        if not negation.isdisjoint(near):
            row = flags.get("neg3")
            if row is not None:
                append(row)
        if ac[:1] == ["one"] or ac[:1] == ["ones"]:
            row = flags.get("one")
            if row is not None:
                append(row)
        if bc[-1:] == ["in"]:
            row = flags.get("in")
            if row is not None:
                append(row)
        if voice == "i" and in_bc and not first_person.isdisjoint(bc):
            row = flags.get("ibuy")
            if row is not None and not buy_words.isdisjoint(in_bc):
                append(row)
        groups = by.groups
        if in_bc:
            _group_rows(in_bc, groups[2], rows)
        if bs:
            found = group_words.intersection(bs)
            if found:
                _group_rows(found, groups[3], rows)
        if in_ac:
            _group_rows(in_ac, groups[4], rows)
        if as_:
            found = group_words.intersection(as_)
            if found:
                _group_rows(found, groups[5], rows)
        for cue_start, cue_end, cue_kind, cue_phrase in cues:
            if cue_end <= start and cue_start >= sent:
                where = 0 if cue_start >= clause else 1
            elif cue_start >= end and cue_end <= sent_end:
                where = 2 if cue_end <= clause_end else 3
            else:
                continue
            row = cue_rows[where].get(cue_kind)
            if row is not None:
                append(row)
            row = phrase_rows[where].get(cue_phrase)
            if row is not None:
                append(row)
        # the mention among the others
        key = (sent, attr)
        nth = seen_in_sentence.get(key, 0)
        seen_in_sentence[key] = nth + 1
        inner = by.nth
        row = inner.get(_NTH[nth] if nth < 2 else "2")
        if row is not None:
            append(row)
        if position == 0 and first_row is not None:
            append(first_row)
        prev = tokens[mentions[position - 1]] if position else None
        if prev is not None and prev[END] >= start - 4 and prev[START] >= sent:
            row = prev_rows.get(prev[ATTR])
            if row is not None:
                append(row)
        nxt = tokens[mentions[position + 1]] if position + 1 < len(mentions) else None
        if nxt is not None and nxt[START] <= end + 4 and nxt[END] <= sent_end:
            row = next_rows.get(nxt[ATTR])
            if row is not None:
                append(row)
        quoted = start and low[start - 1] in _QUOTES
        if quoted and quoted_row is not None:
            append(quoted_row)
        if quoted_before is not None and quoted_before[0] == sent and quoted_before[1] == attr:
            if after_quoted_row is not None:
                append(after_quoted_row)
        if quoted:
            quoted_before = (sent, attr)
        if question_row is not None and "?" in low[start:sent_end]:
            append(question_row)
        if clause_first_row is not None and start <= clause + 1:
            append(clause_first_row)
        # the bags of words, as `PolarityModel.scores` adds them
        if bc:
            rows.extend(filter(None, map(bag_bc.get, bc)))
        if bs:
            rows.extend(filter(None, map(bag_bs.get, bs)))
        if ac:
            rows.extend(filter(None, map(bag_ac.get, ac)))
        if as_:
            rows.extend(filter(None, map(bag_as.get, as_)))
        out.append(rows)
    return out


#: True when this module runs compiled by Cython (setup.py): then the scores are summed in C
#: doubles (`_scores5`), in the same order as ``sum`` does, so to the same bits.
COMPILED = not __file__.endswith(".py")


def _scores5(intercepts: tuple, rows: list) -> list:
    """The five class scores: what ``map(sum, zip(intercepts, *rows))`` gives (Python 3.11's
    ``sum`` adds floats left to right in a C double), without the tuples ``zip`` builds. The
    annotations make the accumulators C doubles when compiled; pure Python uses `zip`."""
    s0: float = intercepts[0]
    s1: float = intercepts[1]
    s2: float = intercepts[2]
    s3: float = intercepts[3]
    s4: float = intercepts[4]
    w0: float
    w1: float
    w2: float
    w3: float
    w4: float
    row: tuple
    for row in rows:
        w0, w1, w2, w3, w4 = row  # read as C doubles: the adds below are plain C
        s0 += w0
        s1 += w1
        s2 += w2
        s3 += w3
        s4 += w4
    return [s0, s1, s2, s3, s4]


def assign_model_polarity(text: str, tokens: list, model: PolarityModel) -> None:
    """Set the polarity of every mention token from `model`, in place (``none``: not an
    attribute; the extractor drops it). A size modifier is never dropped."""
    all_rows: list = mention_rows(text, tokens, model)
    intercepts: tuple = model.intercepts
    classes: tuple = model.classes
    total: list
    typed = COMPILED and len(intercepts) == 5
    k: cython.Py_ssize_t = 0
    for tok in tokens:
        if tok[KIND] == "mention":
            if typed:
                total = _scores5(intercepts, all_rows[k])
            else:
                total = list(map(sum, zip(intercepts, *all_rows[k], strict=False)))
            polarity = classes[total.index(max(total))]  # ties: the first class (`decide`)
            k += 1
            if polarity != NONE or tok[ATTR] != "size_modifier":
                tok[POLARITY] = polarity
            # else: labellers mark modifiers only on a size ("xsp"), so "none" for a lone
            # modifier ("plus size jeans") is not learned: it keeps the rules' reading
