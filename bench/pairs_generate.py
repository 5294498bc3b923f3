"""Pairs per minute with the embedded default model on this machine.

Generates pairs (two candidates per text, temperature 0.4, top-p 0.8, schema-constrained) for
the first N SemEval-2018 E-c train tweets into a fresh project, with and without
rationalization, and reports texts/min, pairs/min (texts kept as pairs) and the split into
kept / rationalized / dropped. The baseline in the same run is plain classification of the same
texts (one greedy answer per text): the cost of a pair is quoted as a multiple of it.

Usage: EMOLAB_DATA=../shared/data python bench/pairs_generate.py [--n 20] [--max-tokens 320]
Writes bench/results/pairs_generate.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from emolab.backends import CANDIDATE_SAMPLING, SamplingParams, load_backend
from emolab.classify import Classifier
from emolab.data import TaskKind, load
from emolab.labels import SEMEVAL_EC
from emolab.preference.generate import generate_pairs
from emolab.preference.store import PairStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--max-tokens", type=int, default=320)
    args = parser.parse_args()
    examples = load("semeval-ec", "train")[: args.n]
    results = {}
    with load_backend("llamacpp", model="default") as backend:
        greedy = Classifier(backend, SEMEVAL_EC, params=SamplingParams(max_tokens=args.max_tokens))
        start = time.perf_counter()
        for example in examples:
            greedy.classify(example.text)
        seconds = time.perf_counter() - start
        results["classify (baseline)"] = {"seconds": seconds, "texts_per_min": 60 * args.n / seconds}
        params = SamplingParams(n=2, temperature=CANDIDATE_SAMPLING.temperature,
                                top_p=CANDIDATE_SAMPLING.top_p, max_tokens=args.max_tokens,
                                seed=42)
        for rationalize in (False, True):
            classifier = Classifier(backend, SEMEVAL_EC, params=params)
            with tempfile.TemporaryDirectory() as project, PairStore(project, create=True) as store:
                start = time.perf_counter()
                counts = generate_pairs(store, classifier, examples, task=TaskKind.MULTI_LABEL,
                                        dataset="semeval-ec", rationalize_wrong=rationalize)
                seconds = time.perf_counter() - start
            pairs = counts.kept + counts.rationalized
            results[f"pairs{' --rationalize' if rationalize else ''}"] = {
                "seconds": seconds, "texts_per_min": 60 * args.n / seconds,
                "pairs_per_min": 60 * pairs / seconds, "kept": counts.kept,
                "rationalized": counts.rationalized, "dropped": counts.dropped}
    base = results["classify (baseline)"]["seconds"]
    print(f"{args.n} SemEval E-c train tweets, max_tokens={args.max_tokens}, embedded SmolLM2")
    print(f"{'run':24s} {'seconds':>8s} {'x classify':>10s} {'texts/min':>9s} {'pairs/min':>9s} "
          f"{'kept/rat./dropped':>18s}")
    for name, r in results.items():
        r["ratio_to_classify"] = r["seconds"] / base
        split = (f"{r['kept']}/{r['rationalized']}/{r['dropped']}" if "kept" in r else "")
        print(f"{name:24s} {r['seconds']:8.1f} {r['ratio_to_classify']:10.1f} "
              f"{r['texts_per_min']:9.1f} {r.get('pairs_per_min', float('nan')):9.1f} {split:>18s}")
    out = Path(__file__).parent / "results" / "pairs_generate.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"n": args.n, "max_tokens": args.max_tokens, "results": results},
                              indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
