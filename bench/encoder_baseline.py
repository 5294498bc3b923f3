"""The cheap line the explaining model must beat, measured on the demo's own samples.

Frozen all-MiniLM-L6-v2 embeddings + one-vs-rest logistic regression, trained on the same
seeded training sample an `emolab demo` run of that size turns into pairs, and on every
training text; scored on the demo's dev sample and on the whole test split. One threshold for
all labels is tuned on the dev texts outside the sample (the 0.5 default is reported too).
This puts the recipe study's figures and the encoder's side by side on the same 100 tweets.

Usage: EMOLAB_DATA=../shared/data python bench/encoder_baseline.py [--train-sizes 120 400]
Writes bench/results/encoder_baseline.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from emolab.data import load
from emolab.demo.pipeline import samples
from emolab.evaluate import metrics
from emolab.evaluate.text_classifiers import EncoderSettings, embed, logistic_regression
from emolab.labels import SEMEVAL_EC
from emolab.models import minilm_dir

DATASET = "semeval-ec"
THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]


def label_probabilities(x, y, *others, seed: int) -> list:
    """Per-label probabilities of one-vs-rest logistic regression for each of ``others``."""
    from sklearn.multiclass import OneVsRestClassifier

    model = OneVsRestClassifier(logistic_regression(seed))
    model.fit(x, y)
    return [model.predict_proba(o) for o in others]


def scores(gold_sets, probabilities, threshold: float) -> dict:
    gold = metrics.to_indicator(gold_sets, SEMEVAL_EC.labels)
    pred = (probabilities >= threshold).astype(int)
    return {"jaccard": metrics.jaccard_accuracy(gold, pred), "f1_micro": metrics.f1_micro(gold, pred),
            "f1_macro": metrics.f1_macro(gold, pred), "rows": len(gold_sets)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-size", type=int, default=100)
    parser.add_argument("--train-sizes", type=int, nargs="+", default=[120, 400])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default="bench/results/encoder_baseline.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    settings = EncoderSettings(path=minilm_dir(), seed=args.seed)
    labels = SEMEVAL_EC.labels

    start = time.perf_counter()
    train_all, dev_all, test = (load(DATASET, split) for split in ("train", "dev", "test"))
    texts = [r.text for part in (train_all, dev_all, test) for r in part]
    vectors = embed(texts, settings)
    row_of = {("train", r.id): i for i, r in enumerate(train_all)}
    row_of |= {("dev", r.id): len(train_all) + i for i, r in enumerate(dev_all)}
    test_x = vectors[len(train_all) + len(dev_all):]
    embed_seconds = time.perf_counter() - start

    results = []
    for size in [*args.train_sizes, len(train_all)]:
        dev, train = samples(DATASET, args.dev_size, min(size, len(train_all)), seed=args.seed)
        train = train_all if size >= len(train_all) else train
        in_sample = {r.id for r in dev}
        rest = [r for r in dev_all if r.id not in in_sample]  # where the threshold is tuned
        fit_start = time.perf_counter()
        x = vectors[[row_of["train", r.id] for r in train]]
        y = metrics.to_indicator([r.labels for r in train], labels)
        p_rest, p_dev, p_test = label_probabilities(
            x, y, vectors[[row_of["dev", r.id] for r in rest]],
            vectors[[row_of["dev", r.id] for r in dev]], test_x, seed=args.seed)
        rest_gold = [r.labels for r in rest]
        tuned = max(THRESHOLDS, key=lambda t: scores(rest_gold, p_rest, t)["jaccard"])
        results.append({
            "train_texts": len(train), "threshold": tuned,
            "dev_sample": scores([r.labels for r in dev], p_dev, tuned),
            "test": scores([r.labels for r in test], p_test, tuned),
            "dev_sample_at_0.5": scores([r.labels for r in dev], p_dev, 0.5),
            "test_at_0.5": scores([r.labels for r in test], p_test, 0.5),
            "fit_seconds": round(time.perf_counter() - fit_start, 1)})

    report = {"dataset": DATASET, "encoder": "all-MiniLM-L6-v2 (frozen, mean-pooled)",
              "classifier": "one-vs-rest logistic regression, one threshold tuned on dev "
                            "outside the sample",
              "dev_size": args.dev_size, "seed": args.seed, "threads": args.threads,
              "embed_seconds": round(embed_seconds, 1), "results": results}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"| training texts | threshold | Jaccard, {args.dev_size} dev tweets | micro F1 "
          "| macro F1 | Jaccard, test | at 0.5: dev tweets / test | fit s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        d, t = r["dev_sample"], r["test"]
        print(f"| {r['train_texts']} | {r['threshold']} | {d['jaccard']:.3f} | "
              f"{d['f1_micro']:.3f} | {d['f1_macro']:.3f} | {t['jaccard']:.3f} | "
              f"{r['dev_sample_at_0.5']['jaccard']:.3f} / {r['test_at_0.5']['jaccard']:.3f} | "
              f"{r['fit_seconds']} |")


if __name__ == "__main__":
    main()
