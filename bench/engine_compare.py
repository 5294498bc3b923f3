"""One engine against another on the default path: the tuned model answering SemEval-2018 E-c
dev tweets (labels, explanations), EI-reg anger dev tweets (the score heads) and DAIR
validation tweets (one class), greedy.

Run it once per source tree and compare the JSON files: the llama.cpp engine of an earlier
checkout (``git worktree add /tmp/old REV``, run with ``PYTHONPATH=/tmp/old/src``) against
this one, on the same machine, one after the other.

    EMOLAB_DATA=../shared/data python bench/engine_compare.py --label new [--limit 100]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", required=True, help="name of this engine in the results")
    parser.add_argument("--limit", type=int, default=100, help="E-c dev tweets")
    parser.add_argument("--score-limit", type=int, default=30, help="EI-reg anger dev tweets")
    parser.add_argument("--class-limit", type=int, default=0, help="DAIR validation tweets")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import emolab
    from emolab.backends import load_backend
    from emolab.classify import Classifier
    from emolab.data import load
    from emolab.provenance import package_versions
    from emolab.tasks import get_task

    data_dir = os.environ.get("EMOLAB_DATA")
    ec = load("semeval-ec", "dev", data_dir=data_dir)[: args.limit]
    anger = [e for e in load("semeval-ei-reg", "dev", data_dir=data_dir)
             if "anger" in e.scores][: args.score_limit]
    dair = load("dair-emotion", "validation", data_dir=data_dir)[: args.class_limit]
    rows: dict[str, list] = {"ec": [], "ei-reg": [], "dair": []}
    with load_backend("llamacpp", model="emolab", n_threads=args.threads) as engine:
        task = get_task("semeval-ec")
        classifier = Classifier(engine, task, prompt_version="compact")
        start = time.perf_counter()
        for example in ec:
            best = classifier.classify(example.text).best
            labels = (best.parsed or {}).get("multiple_emotions_present")
            rows["ec"].append({"id": example.id, "raw": best.raw, "valid": best.schema_valid,
                               "gold": sorted(example.labels),
                               "pred": sorted(labels) if labels is not None else None})
        ec_seconds = time.perf_counter() - start
        score = get_task("ei-reg", "anger")
        heads = Classifier(engine, score, prompt_version="compact")
        start = time.perf_counter()
        for example in anger:
            best = heads.classify(example.text).best
            rows["ei-reg"].append({"id": example.id, "raw": best.raw, "valid": best.schema_valid,
                                   "gold": example.scores["anger"],
                                   "pred": (best.parsed or {}).get("intensity")})
        score_seconds = time.perf_counter() - start
        classes = Classifier(engine, get_task("dair-emotion"), prompt_version="compact")
        start = time.perf_counter()
        for example in dair:
            best = classes.classify(example.text).best
            rows["dair"].append({"id": example.id, "raw": best.raw, "valid": best.schema_valid,
                                 "gold": example.labels[0],
                                 "pred": (best.parsed or {}).get(
                                     "most_prominent_emotion")})
        class_seconds = time.perf_counter() - start

    def jaccard(row: dict) -> float:
        gold, pred = set(row["gold"]), set(row["pred"] or [])
        return len(gold & pred) / len(gold | pred) if gold | pred else 1.0

    summary = {
        "label": args.label, "emolab_file": emolab.__file__,
        "versions": package_versions("llama-cpp-python", "xllamacpp", "xgrammar"),
        "ec": {"texts": len(ec), "seconds": round(ec_seconds, 2),
               "texts_per_s": round(len(ec) / ec_seconds, 3),
               "jaccard": round(sum(map(jaccard, rows["ec"])) / len(ec), 4),
               "valid": sum(r["valid"] for r in rows["ec"])},
        "ei-reg:anger": {"texts": len(anger), "seconds": round(score_seconds, 2),
                         "texts_per_s": round(len(anger) / score_seconds, 3),
                         "valid": sum(r["valid"] for r in rows["ei-reg"])},
        "dair": {"texts": len(dair), "seconds": round(class_seconds, 2),
                 "texts_per_s": round(len(dair) / class_seconds, 3) if dair else None,
                 "accuracy": round(sum(r["pred"] == r["gold"] for r in rows["dair"])
                                   / len(dair), 4) if dair else None,
                 "valid": sum(r["valid"] for r in rows["dair"])},
        "machine": {"cpus": os.cpu_count(), "load_avg_at_end": os.getloadavg()},
        "rows": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"engine_compare-{args.label}.json"
    out.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    print(f"{args.label}: E-c {summary['ec']['texts_per_s']} texts/s, Jaccard "
          f"{summary['ec']['jaccard']}, valid {summary['ec']['valid']}/{len(ec)}; EI-reg anger "
          f"{summary['ei-reg:anger']['texts_per_s']} texts/s, valid "
          f"{summary['ei-reg:anger']['valid']}/{len(anger)}; DAIR "
          f"{summary['dair']['texts_per_s']} texts/s, accuracy {summary['dair']['accuracy']}, "
          f"valid {summary['dair']['valid']}/{len(dair)}. Wrote {out}")


if __name__ == "__main__":
    main()
