"""Time to score the sufficiency of N explanations on this machine, per method.

Explanations are built from SemEval-2018 E-c train tweets (a quoted stretch of the tweet and the
gold labels, the shape a self-explaining model writes), so the run needs EMOLAB_DATA but no
model output. Each method scores the unmasked and the masked variant, as `emolab sufficiency`
does. The frozen-embedding method is the fast baseline the fine-tuned one is compared with.

Usage: EMOLAB_DATA=../shared/data python bench/sufficiency.py [--n 3000] [--methods frozen finetune]
Writes bench/results/sufficiency.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from emolab.data import load
from emolab.evaluate import metrics
from emolab.evaluate.sufficiency import SufficiencyConfig, score_explanations
from emolab.labels import SEMEVAL_EC


def explanations(n: int) -> tuple[list[str], object]:
    rows = [r for r in load("semeval-ec", "train") if r.labels][:n]
    texts = []
    for row in rows:
        words = row.text.split()
        quote = " ".join(words[: min(8, len(words))])
        texts.append(f"The words '{quote}' express {', '.join(row.labels)}.")
    return texts, metrics.to_indicator([r.labels for r in rows], SEMEVAL_EC.labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--methods", nargs="+", default=["frozen", "finetune"])
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("EMOLAB_THREADS", "2")))
    texts, targets = explanations(args.n)
    results = {}
    for method in args.methods:
        config = SufficiencyConfig(method=method, epochs=args.epochs)
        start = time.perf_counter()
        scores = score_explanations(texts, targets, SEMEVAL_EC.labels, multi_label=True,
                                    config=config)
        seconds = time.perf_counter() - start
        results[method] = {"seconds": seconds, "explanations_per_s": len(texts) / seconds,
                           "jaccard_unmasked": scores["unmasked"]["jaccard"],
                           "jaccard_masked": scores["masked"]["jaccard"],
                           "jaccard_majority": scores["majority_baseline"]["jaccard"]}
    fastest = min(r["seconds"] for r in results.values())
    print(f"{len(texts)} explanations, {torch.get_num_threads()} threads, epochs={args.epochs}")
    print(f"{'method':10s} {'seconds':>8s} {'x fastest':>9s} {'J unmasked':>10s} "
          f"{'J masked':>9s} {'J majority':>10s}")
    for method, r in results.items():
        r["ratio_to_fastest"] = r["seconds"] / fastest
        print(f"{method:10s} {r['seconds']:8.1f} {r['ratio_to_fastest']:9.1f} "
              f"{r['jaccard_unmasked']:10.3f} {r['jaccard_masked']:9.3f} "
              f"{r['jaccard_majority']:10.3f}")
    out = Path(__file__).parent / "results" / "sufficiency.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"n": len(texts), "epochs": args.epochs,
                               "threads": torch.get_num_threads(), "results": results}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
