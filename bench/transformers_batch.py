"""The transformers backend answering a data set in batches against one text at a time: the
tuned default (score heads included) on SemEval-2018 E-c dev tweets and EI-reg anger dev
tweets, greedy, through ``Classifier.run`` as ``emolab classify --backend transformers
--batch-size N`` runs it. Every batch size answers the same rows in the same process, one after
the other; ratios are against batch size 1 of the same run.

Reports texts per second, valid answers, E-c Jaccard, and how many raw answers are byte for
byte those of batch size 1 (left padding changes the shapes of the matrix products, so a near
tie between two tokens can fall the other way; the differing rows are listed).

    EMOLAB_DATA=../shared/data python bench/transformers_batch.py [--limit 40] [--sizes 1,4,8,16]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=40, help="E-c dev tweets")
    parser.add_argument("--score-limit", type=int, default=20, help="EI-reg anger dev tweets")
    parser.add_argument("--sizes", default="1,4,8,16", help="batch sizes, the first the baseline")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from emolab.backends import load_backend
    from emolab.data import load
    from emolab.provenance import package_versions

    data_dir = os.environ.get("EMOLAB_DATA")
    sets = {
        "ec": ("semeval-ec", load("semeval-ec", "dev", data_dir=data_dir)[: args.limit]),
        "ei-reg:anger": ("ei-reg", [e for e in load("semeval-ei-reg", "dev", data_dir=data_dir)
                                    if "anger" in e.scores][: args.score_limit]),
    }
    runs: dict[str, dict[int, dict]] = {name: {} for name in sets}
    with load_backend("transformers", model="emolab", n_threads=args.threads,
                      device=args.device) as engine:
        device = engine.device
        for name, (task_name, examples) in sets.items():
            for size in sizes:
                engine.batch_size = size
                runs[name][size] = _answer(engine, task_name, examples)
                print(f"{name} batch {size}: {runs[name][size]['texts_per_s']} texts/s",
                      flush=True)

    summary: dict = {"device": device, "sizes": sizes,
                     "versions": package_versions("torch", "transformers", "llguidance"),
                     "machine": {"cpus": os.cpu_count(), "load_avg_at_end": os.getloadavg()}}
    for name, by_size in runs.items():
        base = by_size[sizes[0]]
        summary[name] = {str(size): _compare(run, base) for size, run in by_size.items()}
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"transformers_batch-{device}-{stamp}.json"
    out.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    _print_table(summary, sizes)
    print(f"wrote {out}")


def _answer(engine, task_name: str, examples: list) -> dict:
    from emolab.classify import Classifier
    from emolab.tasks import get_task

    task = get_task(task_name, "anger" if task_name == "ei-reg" else None)
    classifier = Classifier(engine, task, prompt_version="compact")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "predictions.jsonl"
        start = time.perf_counter()
        classifier.run(examples, out, dataset=task_name)
        seconds = time.perf_counter() - start
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    return {"seconds": round(seconds, 2), "texts_per_s": round(len(rows) / seconds, 3),
            "rows": {r["id"]: {"raw": r["raw"], "valid": r.get("schema_valid", False),
                               "gold": r["gold"], "pred": r["pred"]} for r in rows}}


def _compare(run: dict, base: dict) -> dict:
    rows, same = run["rows"], [i for i in run["rows"] if run["rows"][i]["raw"] ==
                                base["rows"][i]["raw"]]
    result = {"texts": len(rows), "seconds": run["seconds"], "texts_per_s": run["texts_per_s"],
              "speedup": round(run["texts_per_s"] / base["texts_per_s"], 2),
              "valid": sum(r["valid"] for r in rows.values()),
              "identical_to_first": len(same),
              "differing_ids": sorted(set(rows) - set(same))}
    if all(isinstance(r["gold"], list) for r in rows.values()):
        result["jaccard"] = round(sum(_jaccard(r) for r in rows.values()) / len(rows), 4)
    result["rows"] = rows
    return result


def _jaccard(row: dict) -> float:
    gold, pred = set(row["gold"]), set(row["pred"] or [])
    return len(gold & pred) / len(gold | pred) if gold | pred else 1.0


def _print_table(summary: dict, sizes: list[int]) -> None:
    print(f"\ndevice {summary['device']}; ratios against batch size {sizes[0]}")
    print(f"{'set':<14}{'batch':>6}{'texts/s':>9}{'ratio':>7}{'valid':>8}{'same':>8}"
          f"{'Jaccard':>9}")
    for name in ("ec", "ei-reg:anger"):
        for size in sizes:
            r = summary[name][str(size)]
            print(f"{name:<14}{size:>6}{r['texts_per_s']:>9}{r['speedup']:>7}"
                  f"{r['valid']:>5}/{r['texts']:<3}{r['identical_to_first']:>5}/{r['texts']:<3}"
                  f"{r.get('jaccard', ''):>8}")


if __name__ == "__main__":
    main()
