"""Would another learner read polarity better? (issue 13, branch polarity-4; an experiment,
not product code.)

    .venv/bin/python -m tools.polarity_learners [--variants lr,svc,...] [--cache /tmp/p4.pkl]
    .venv/bin/python -m tools.polarity_learners --ceiling

``--ceiling`` scores the training part with every scanner mention's gold class in place of any
learner (`ceiling`): what the extractor reads when polarity is never wrong, so the gap between
it and the learners' figures is polarity's alone (tests/extract/test_polarity_ceiling.py keeps it
high, so that mention detection and the pipeline after the model cannot quietly lose it).

The same 5-fold cross-validation as ``python -m pipelines.extract.evaluate --bench 0`` (its
``fold_of`` on the training part only, the seed and dev-tune examples in every fit, the
extractor's whole pipeline after the model: garments follow their attributes, ``none`` drops
a mention, a lone size modifier keeps the rules' reading, items, comparatives), with the
learner swapped: every held-out mention's class is predicted in one batch per fold from
:func:`~pipelines.extract.polarity.mention_features` (what ``make train`` sees), and
``extract`` takes those classes in place of the shipped model's dot product. The test part of
the corpus is never read. ``lr`` is the product's own ``train.fit`` read through
``PolarityModel`` and must reproduce ``evaluate``'s CV figures to the unit.

Learners (all on the same feature strings; ``MIN_COUNT`` 2 per fold like ``fit``):

- ``lr``: the product (multinomial logistic regression, C 0.5, balanced, seed weight 5);
- ``svc``, ``sgd``: LinearSVC (C 0.05, balanced; ``svc.02``, ``svc.1``, ``svc.2``: C 0.02,
  0.1, 0.2) and SGD (modified Huber), linear baselines;
- ``hgb``: HistGradientBoosting (100 rounds, learning rate 0.2, depth <= 6, balanced) on the
  1,000 most frequent features (dense, binary): 500 trees; a first run with 200 rounds on
  2,000 features was stopped (over 2 CPU minutes a fold on the shared machine);
- ``rf``, ``et``: RandomForest / ExtraTrees, 100 trees, balanced per bootstrap, on the 2,000
  most frequent features (dense);
- ``conj``: the product's logistic regression plus pairwise conjunctions of the strongest
  feature groups (rule polarity, nearest word group each side, word groups and cue kinds in
  the clause, negation, comparison, quoting), each pair also with the attribute;
- ``two``: two stages, each its own logistic regression with balanced weights: "an attribute
  of an item at all" (none against the rest), then the polarity among the four others;
- ``attr``: one logistic regression per attribute (colour apart from size, pattern, garment);
- ``colour``: the product's model for all but colours, and a model of its own for colours;
- ``blend``: the mean of the logistic regression's and ``et``'s class probabilities;
- ``stack``: HistGradientBoosting (100 rounds, depth <= 4) over the logistic regression's
  out-of-fold class scores (3 inner folds) and the 300 most frequent features, balanced
  class weights (``stack.u``: unweighted, the scores being balanced already).

``--offsets`` asks whether the product's logistic regression decides better with a per-attribute
offset added to each class's score (a decision threshold tuned for F1, which the log-loss fit does
not optimise): for each fold, offsets are tuned by coordinate descent on the other four folds'
cross-validated scores (wanted + rejected colour, wanted size, wanted pattern; a wanted attribute
on at most 8% of sentences without demand) and applied to the held-out fold, so no figure is
read on the lines its offsets were tuned on (``--offsets-in-sample`` tunes on all five: the
optimistic bound).

Inference cost (``--cost``): the linear variants but ``conj`` look up the same feature rows as
today (``two`` and ``attr`` hold 5 numbers a feature, like today's file), so the product's
speed; ``conj`` adds about 23 pair features a mention to ~33; tree ensembles walk
every tree per mention: the script counts the node visits per mention and times a plain
Python walk of the forests (``tree_`` arrays, public) to give a notes-per-second estimate.
What it measured (2026-12-06) is in docs/extraction.md ("polarity-4").
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import combinations
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from pipelines.extract import corpus, evaluate
from pipelines.extract import extractor as extractor_module
from pipelines.extract.corpus import real_labels
from pipelines.extract.extractor import extract, rule_tokens
from pipelines.extract.polarity import NONE, flat, mention_features
from pipelines.extract.scanner import ATTR, KIND, POLARITY
from pipelines.extract.train import (
    MIN_COUNT,
    SEED_WEIGHT,
    Example,
    fit,
    in_memory,
    training_examples,
)

Predictor = Callable[[list[list[str]], list[str]], list[str]]  # (features, attributes) -> classes
Learner = Callable[[Sequence[Example]], Predictor]
FIELDS = ("wanted_color", "rejected_color", "wanted_size", "wanted_pattern", "rejected_size",
          "category")  # fmt: skip


# ---------------------------------------------------------------- data (cached per fold)


def attribute_of(features: list[str]) -> str:
    return next(f[2:] for f in features if f.startswith("a="))


def fold_data(cache: Path | None) -> list[dict]:
    """Per fold: the training examples without the fold, and the held-out lines with the
    features and attributes of their mentions (computed once; cached in `cache`)."""
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())
    train, _ = corpus.split(corpus.load_real())  # the test part is dropped here
    folds = []
    for k in range(evaluate.FOLDS):
        held = [n for n in train if evaluate.fold_of(n) == k]
        rest = [n for n in train if evaluate.fold_of(n) != k]
        mentions = []
        for line in held:
            tokens = rule_tokens(line["text"])[0]
            attrs = [t[ATTR] for t in tokens if t[KIND] == "mention"]
            feats = [flat(p) for p in mention_features(line["text"], tokens)] if attrs else []
            mentions.append((feats, attrs))
        folds.append({"examples": training_examples(rest)[0], "held": held, "mentions": mentions})
    if cache is not None:
        cache.write_bytes(pickle.dumps(folds))
    return folds


# ---------------------------------------------------------------- the extractor, learner swapped


@contextmanager
def classes_given(classes: dict[str, list[str]]) -> Iterator[None]:
    """Within it, `extract` takes the classes of a text's mentions from `classes` (text -> one
    class per scanner mention, in order; read at each call, so the caller may refill it) instead
    of the polarity model's; everything else runs as shipped. A lone size modifier read as
    `none` keeps the rules' reading, as `extractor.assign_model_polarity` does."""

    def assign(text: str, tokens: list, model: object) -> None:
        given = iter(classes[text])
        for tok in tokens:
            if tok[KIND] == "mention":
                polarity = next(given)
                if polarity != NONE or tok[ATTR] != "size_modifier":
                    tok[POLARITY] = polarity

    original = extractor_module.assign_model_polarity
    extractor_module.assign_model_polarity = assign  # our own module
    try:
        yield
    finally:
        extractor_module.assign_model_polarity = original


def ceiling(lines: Sequence[dict]) -> dict:
    """`evaluate.score_real` of `lines` read with every scanner mention's gold class
    (`corpus.real_labels`, what `make train` learns from): what the extractor reads when the
    polarity model makes no mistake. What is left below 1 is mention detection and the pipeline
    after the model (garments following their attributes, items, comparatives)."""
    gold = {line["text"]: real_labels(line, rule_tokens(line["text"])[0]) for line in lines}
    with classes_given(gold):
        extractions = [extract(line["text"]) for line in lines]
    return evaluate.score_real(lines, extractions)


def cross_validate(folds: list[dict], learner: Learner, spans: bool = False) -> tuple[dict, float]:
    """(evaluate.score_real of the CV extractions, fit seconds summed over the folds).

    With `spans` (a learner that reads the text, tools/polarity_encoder.py), each fold also
    holds ``span_examples`` (what the learner is fitted on) and ``spans`` (per held-out line,
    each mention's (start, end)), and predict gets a third argument: each held-out mention's
    (text, start, end)."""
    lines, extractions, fit_seconds = [], [], 0.0
    predicted_classes: dict[str, list[str]] = {}
    with classes_given(predicted_classes):
        for fold in folds:
            started = time.process_time()
            predict = learner(fold["span_examples" if spans else "examples"])
            fit_seconds += time.process_time() - started
            feats = [f for fs, _ in fold["mentions"] for f in fs]
            attrs = [a for _, as_ in fold["mentions"] for a in as_]
            if spans:
                where = [(line["text"], s, e) for line, ss in zip(fold["held"], fold["spans"],
                         strict=True) for s, e in ss]  # fmt: skip
                predicted = iter(predict(feats, attrs, where) if feats else [])
            else:
                predicted = iter(predict(feats, attrs) if feats else [])
            predicted_classes.clear()
            for line, (fs, _) in zip(fold["held"], fold["mentions"], strict=True):
                predicted_classes[line["text"]] = [next(predicted) for _ in fs]
            lines += fold["held"]
            extractions += [extract(n["text"]) for n in fold["held"]]
    return evaluate.score_real(lines, extractions), fit_seconds


# ---------------------------------------------------------------- learners


def vocabulary(examples: Sequence[Example], top: int | None = None) -> dict[str, int]:
    counts = Counter(f for features, _, _ in examples for f in set(features))
    kept = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    if top is not None:
        kept = sorted(sorted(kept, key=lambda f: -counts[f])[:top])
    return {f: i for i, f in enumerate(kept)}


def matrix(rows: Sequence[list[str]], index: dict[str, int]) -> csr_matrix:
    r, c = [], []
    for i, features in enumerate(rows):
        for j in sorted({index[f] for f in features if f in index}):
            r.append(i)
            c.append(j)
    return csr_matrix((np.ones(len(r)), (r, c)), shape=(len(rows), len(index)))


def weights(examples: Sequence[Example]) -> np.ndarray:
    return np.array([SEED_WEIGHT if g.startswith("seed-") else 1.0 for _, _, g in examples])


def sklearn_learner(make: Callable[[], object], top: int | None = None, dense: bool = False):
    def learn(examples: Sequence[Example]) -> Predictor:
        index = vocabulary(examples, top)
        x = matrix([f for f, _, _ in examples], index)
        y = np.array([label for _, label, _ in examples])
        model = make()
        model.fit(
            x.toarray().astype(np.float32) if dense else x, y, sample_weight=weights(examples)
        )

        def predict(features: list[list[str]], attrs: list[str]) -> list[str]:
            xh = matrix(features, index)
            return list(model.predict(xh.toarray().astype(np.float32) if dense else xh))

        return predict

    return learn


def product_lr(examples: Sequence[Example]) -> Predictor:
    """`train.fit` read through `PolarityModel` (rounded weights): the shipped design."""
    model = in_memory(fit(examples))

    def predict(features: list[list[str]], attrs: list[str]) -> list[str]:
        return [model.decide(model.row_scores(list(filter(None, map(model.weights.get, f)))))
                for f in features]  # fmt: skip

    return predict


def logistic(c: float = 0.5):
    from sklearn.linear_model import LogisticRegression

    return lambda: LogisticRegression(C=c, class_weight="balanced", max_iter=5000, tol=1e-6)


#: the strongest groups (what the rules' reading and the verbs around a mention say)
CONJ_PREFIXES = ("r=", "nb=", "na=", "gbc=", "gac=", "cbc=", "cac=", "cmp=", "neg3", "quoted",
                 "after_quoted", "ibuy", "cond", "one|", "in|", "v=")  # fmt: skip


def conjunctions(features: list[str]) -> list[str]:
    attr = attribute_of(features)
    picked = sorted({f.split("|")[0] for f in features if f.startswith(CONJ_PREFIXES)})
    out = list(features)
    for a, b in combinations(picked, 2):
        out += [f"x={a}&{b}", f"x={a}&{b}|{attr}"]
    return out


def conj_learner(examples: Sequence[Example]) -> Predictor:
    base = sklearn_learner(logistic())
    predict = base([(conjunctions(f), y, g) for f, y, g in examples])
    return lambda feats, attrs: predict([conjunctions(f) for f in feats], attrs)


def two_stage(examples: Sequence[Example]) -> Predictor:
    """none vs the rest, then the polarity among the other four; each balanced on its own."""
    is_attr = sklearn_learner(logistic())([(f, str(y != NONE), g) for f, y, g in examples])
    polarity = sklearn_learner(logistic())([e for e in examples if e[1] != NONE])

    def predict(features: list[list[str]], attrs: list[str]) -> list[str]:
        first = is_attr(features, attrs)
        second = polarity(features, attrs)
        return [s if f == "True" else NONE for f, s in zip(first, second, strict=True)]

    return predict


def per_attribute(examples: Sequence[Example], apart: tuple[str, ...] | None = None) -> Predictor:
    """One model per attribute in `apart` (every attribute when None), one for the rest."""
    groups: dict[str, list[Example]] = {}
    for e in examples:
        a = attribute_of(e[0])
        groups.setdefault(a if apart is None or a in apart else "*", []).append(e)
    models = {}
    for key, group in groups.items():
        if len({y for _, y, _ in group}) > 1:
            models[key] = product_lr(group)
        else:  # one class only (a lone attribute's examples): always that class
            models[key] = lambda f, a, y=group[0][1]: [y] * len(f)

    def predict(features: list[list[str]], attrs: list[str]) -> list[str]:
        out = []
        for f, a in zip(features, attrs, strict=True):
            key = a if (apart is None or a in apart) and a in models else "*"
            out += models[key]([f], [a])
        return out

    return predict


def blend(examples: Sequence[Example]) -> Predictor:
    """The mean of the logistic regression's and the ExtraTrees' class probabilities (the
    forest is precise on rejected colour and category, the linear model recalls more)."""
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.linear_model import LogisticRegression

    index, top = vocabulary(examples), vocabulary(examples, 2000)
    rows = [f for f, _, _ in examples]
    y = np.array([label for _, label, _ in examples])
    w = weights(examples)
    linear = LogisticRegression(C=0.5, class_weight="balanced", max_iter=5000, tol=1e-6)
    linear.fit(matrix(rows, index), y, sample_weight=w)
    forest = ExtraTreesClassifier(
        n_estimators=100, class_weight="balanced_subsample", n_jobs=1, random_state=0
    )
    forest.fit(matrix(rows, top).toarray().astype(np.float32), y, sample_weight=w)

    def predict(features: list[list[str]], attrs: list[str]) -> list[str]:
        p = linear.predict_proba(matrix(features, index))
        p = p + forest.predict_proba(matrix(features, top).toarray().astype(np.float32))
        return list(linear.classes_[p.argmax(axis=1)])

    return predict


def stack(examples: Sequence[Example], inner: int = 3, balanced: bool = True) -> Predictor:
    """HistGradientBoosting over the logistic regression's class scores (out of fold: `inner`
    folds by group within the training examples) and the 300 most frequent features: lets a
    non-linear learner correct the linear reading where a few features interact."""
    import hashlib

    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    index, top = vocabulary(examples), vocabulary(examples, 300)
    rows = [f for f, _, _ in examples]
    x = matrix(rows, index)
    y = np.array([label for _, label, _ in examples])
    w = weights(examples)
    part = np.array([int(hashlib.sha256(g.encode()).hexdigest(), 16) % inner for *_, g in examples])

    def linear() -> LogisticRegression:
        return LogisticRegression(C=0.5, class_weight="balanced", max_iter=5000, tol=1e-6)

    scores = np.zeros((len(examples), len(set(y))))
    for k in range(inner):
        model = linear().fit(x[part != k], y[part != k], sample_weight=w[part != k])
        scores[part == k] = model.decision_function(x[part == k])
    final = linear().fit(x, y, sample_weight=w)
    booster = HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, max_depth=4, random_state=0, early_stopping=False,
        class_weight="balanced" if balanced else None,
    )  # fmt: skip
    booster.fit(np.hstack([scores, matrix(rows, top).toarray()]), y, sample_weight=w)

    def predict(features: list[list[str]], attrs: list[str]) -> list[str]:
        xh = np.hstack([final.decision_function(matrix(features, index)),
                        matrix(features, top).toarray()])  # fmt: skip
        return list(booster.predict(xh))

    return predict


def learners() -> dict[str, Learner]:
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.linear_model import SGDClassifier
    from sklearn.svm import LinearSVC

    return {
        "lr": product_lr,
        **{
            name: sklearn_learner(
                lambda c=c: LinearSVC(C=c, class_weight="balanced", max_iter=20000)
            )
            for name, c in (("svc", 0.05), ("svc.02", 0.02), ("svc.1", 0.1), ("svc.2", 0.2))
        },
        "sgd": sklearn_learner(
            lambda: SGDClassifier(
                loss="modified_huber",
                alpha=1e-4,
                class_weight="balanced",
                max_iter=50,
                tol=None,
                random_state=0,
            )  # fmt: skip
        ),
        "hgb": sklearn_learner(
            lambda: HistGradientBoostingClassifier(
                max_iter=100,
                learning_rate=0.2,
                max_depth=6,
                class_weight="balanced",
                early_stopping=False,
                random_state=0,
            ),
            top=1000,
            dense=True,
        ),
        "rf": sklearn_learner(
            lambda: RandomForestClassifier(
                n_estimators=100, class_weight="balanced_subsample", n_jobs=1, random_state=0
            ),
            top=2000,
            dense=True,
        ),
        "et": sklearn_learner(
            lambda: ExtraTreesClassifier(
                n_estimators=100, class_weight="balanced_subsample", n_jobs=1, random_state=0
            ),
            top=2000,
            dense=True,
        ),
        "conj": conj_learner,
        "blend": blend,
        "stack": stack,
        "stack.u": lambda ex: stack(ex, balanced=False),
        "two": two_stage,
        "attr": per_attribute,
        "colour": lambda ex: per_attribute(ex, ("color",)),
    }


# ---------------------------------------------------------------- inference cost


def dev_texts() -> list[str]:
    return [n["text"] for n in evaluate.load_dev() if n["split"] != "blind"]


def inference_cost(folds: list[dict], repeats: int = 20) -> None:
    """us per dev note: the whole pure-Python extraction (today's model), the linear model's
    share of it, and a plain Python walk of the ``rf`` and ``et`` forests (fitted on fold 0's
    examples) over the same mentions' features."""
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

    texts = dev_texts()
    feats = []
    for text in texts:
        tokens = rule_tokens(text)[0]
        if any(t[KIND] == "mention" for t in tokens):
            feats += [flat(p) for p in mention_features(text, tokens)]
    per_note = 1e6 / len(texts)
    whole = per_note * len(texts) / evaluate.notes_per_second(texts, len(texts) * repeats)
    model = in_memory(fit(folds[0]["examples"]))
    started = time.process_time()
    for _ in range(repeats):
        for f in feats:
            model.decide(model.row_scores(list(filter(None, map(model.weights.get, f)))))
    linear = (time.process_time() - started) / repeats * per_note
    print(f"dev notes: {len(texts)}, mentions {len(feats)}; pure Python extraction "
          f"{whole:.1f} us a note ({1e6 / whole:,.0f} notes/s); the linear model on feature "
          f"strings {linear:.1f} us a note")  # fmt: skip
    examples = folds[0]["examples"]
    index = vocabulary(examples, 2000)
    x = matrix([f for f, _, _ in examples], index).toarray().astype(np.float32)
    y = np.array([label for _, label, _ in examples])
    for name, forest in (
        ("rf", RandomForestClassifier(n_estimators=100, class_weight="balanced_subsample",
                                      n_jobs=1, random_state=0)),
        ("et", ExtraTreesClassifier(n_estimators=100, class_weight="balanced_subsample",
                                    n_jobs=1, random_state=0)),
    ):  # fmt: skip
        forest.fit(x, y, sample_weight=weights(examples))
        xf = matrix(feats, index).toarray().astype(np.float32)
        visits = forest.decision_path(xf)[0].sum() / len(feats)
        trees = [(t.tree_.children_left.tolist(), t.tree_.children_right.tolist(),
                  t.tree_.feature.tolist()) for t in forest.estimators_]  # fmt: skip
        present = [{index[w] for w in f if w in index} for f in feats]
        started = time.process_time()
        for ids in present:
            for left, right, feature in trees:
                node = 0
                while left[node] != -1:
                    node = right[node] if feature[node] in ids else left[node]
        walk = (time.process_time() - started) * per_note
        estimate = whole - linear + walk
        print(f"{name}: {visits:.0f} node visits a mention; plain Python walk {walk:.0f} us a "
              f"note; extraction with it about {estimate:.0f} us ({1e6 / estimate:,.0f} "
              f"notes/s, pure Python); {walk / visits / (len(feats) / len(texts)) * 1e3:.0f} ns "
              "a visit")  # fmt: skip


# ---------------------------------------------------------------- report


# ---------------------------------------------------------------- decision offsets


#: (attribute, the fields its offsets are tuned for); the rate of wanted attributes on sentences
#: without demand may rise to OFFSET_CAP before it costs the objective.
OFFSET_TARGETS = (("color", ("wanted_color", "rejected_color")), ("size", ("wanted_size",)),
                  ("pattern", ("wanted_pattern",)))  # fmt: skip
OFFSET_CAP = 0.08
OFFSET_STEPS = (-1.0, -0.5, -0.25, 0.25, 0.5, 1.0)

Offsets = dict[str, dict[str, float]]  # attribute -> class -> added to the class's score


def fold_scores(folds: list[dict]) -> tuple[tuple[str, ...], list[list[list[tuple]]]]:
    """The product model's classes, and per fold, per held-out line, each mention's
    (attribute, class scores) from the model fitted without the fold."""
    scored = []
    for fold in folds:
        model = in_memory(fit(fold["examples"]))
        rows = [[(a, model.row_scores(list(filter(None, map(model.weights.get, f)))))
                 for f, a in zip(fs, attrs, strict=True)] for fs, attrs in fold["mentions"]]  # fmt: skip
        scored.append(rows)
    return model.classes, scored


def offset_classes(classes: tuple[str, ...], mentions: list[tuple], offsets: Offsets) -> list[str]:
    decided = []
    for attr, scores in mentions:
        shift = offsets.get(attr, {})
        total = [v + shift.get(c, 0.0) for c, v in zip(classes, scores, strict=True)]
        decided.append(classes[total.index(max(total))])
    return decided


def score_offsets(folds, classes, scored, ks: Sequence[int], offsets: Offsets) -> dict:
    lines, given = [], {}
    for k in ks:
        for line, mentions in zip(folds[k]["held"], scored[k], strict=True):
            given[line["text"]] = offset_classes(classes, mentions, offsets)
            lines.append(line)
    with classes_given(given):
        return evaluate.score_real(lines, [extract(line["text"]) for line in lines])


def tune_offsets(folds, classes, scored, ks: Sequence[int]) -> Offsets:
    """Coordinate descent, two sweeps per attribute, on the folds `ks`."""
    best: Offsets = {}
    for attr, fields in OFFSET_TARGETS:
        current = dict.fromkeys(classes, 0.0)

        def objective(offsets: dict[str, float], attr: str = attr, fields=fields) -> float:
            figures = score_offsets(folds, classes, scored, ks, {**best, attr: offsets})
            over = max(0.0, figures["no_demand_wanted_rate"] - OFFSET_CAP)
            return sum(figures["fields"][f]["f1"] for f in fields) - 10 * over

        value = objective(current)
        for _ in range(2):
            for c in classes:
                for step in OFFSET_STEPS:
                    trial = {**current, c: current[c] + step}
                    if (v := objective(trial)) > value + 1e-4:
                        value, current = v, trial
        best[attr] = current
    return best


def offsets_figures(folds: list[dict], classes, scored, in_sample: bool) -> dict:
    every = range(len(folds))
    if in_sample:
        offsets = tune_offsets(folds, classes, scored, every)
        print("offsets", offsets, file=sys.stderr)
        return score_offsets(folds, classes, scored, every, offsets)
    per_fold = {}
    for k in every:
        offsets = tune_offsets(folds, classes, scored, [j for j in every if j != k])
        print(f"fold {k} offsets", offsets, file=sys.stderr, flush=True)
        per_fold[k] = offsets
    lines, given = [], {}
    for k in every:
        for line, mentions in zip(folds[k]["held"], scored[k], strict=True):
            given[line["text"]] = offset_classes(classes, mentions, per_fold[k])
            lines.append(line)
    with classes_given(given):
        return evaluate.score_real(lines, [extract(line["text"]) for line in lines])


def row(name: str, figures: dict, seconds: float) -> str:
    f1 = " ".join(f"{figures['fields'][f]['f1']:.3f}" for f in FIELDS)
    rc = figures["fields"]["rejected_color"]
    return (
        f"{name:<8} {f1}  {figures['no_demand_wanted_rate']:.1%}  fit {seconds:6.1f} s  "
        f"(rejected colour tp {rc['tp']} fp {rc['fp']} fn {rc['fn']})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="lr,svc,sgd,two,attr,colour,conj,hgb,rf,et")
    parser.add_argument("--cache", type=Path, help="pickle of the folds' features (reused)")
    parser.add_argument("--cost", action="store_true", help="time inference instead")
    parser.add_argument("--ceiling", action="store_true",
                        help="score the training part with every mention's gold class instead")  # fmt: skip
    parser.add_argument("--offsets", action="store_true",
                        help="tune per-attribute decision offsets on 4 folds, score the 5th")  # fmt: skip
    parser.add_argument("--offsets-in-sample", action="store_true",
                        help="tune the offsets on all 5 folds (the optimistic bound)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.ceiling:
        figures = ceiling(corpus.split(corpus.load_real())[0])  # the test part is dropped here
        print("variant  " + " ".join(FIELDS) + "  wanted-without-demand")
        print(row("gold", figures, 0.0))
        return 0
    if args.offsets or args.offsets_in_sample:  # the model's own scores: any build
        folds = fold_data(args.cache)
        classes, scored = fold_scores(folds)
        print("variant  " + " ".join(FIELDS) + "  wanted-without-demand")
        print(row("lr", score_offsets(folds, classes, scored, range(len(folds)), {}), 0.0))
        figures = offsets_figures(folds, classes, scored, args.offsets_in_sample)
        print(row("offsets", figures, 0.0))
        return 0
    if not extractor_module.__file__.endswith(".py"):
        raise SystemExit("run on the pure-Python build (UNMET_PURE_PYTHON=1 make setup)")
    folds = fold_data(args.cache)
    if args.cost:
        inference_cost(folds)
        return 0
    table = learners()
    print("variant  " + " ".join(FIELDS) + "  wanted-without-demand  fit CPU (5 folds)")
    for name in args.variants.split(","):
        figures, seconds = cross_validate(folds, table[name])
        print(row(name, figures, seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
