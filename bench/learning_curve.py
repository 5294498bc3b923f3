"""What more training rows buy: the v1 recipe (``configs/emolab-affect-v1.yaml``: LoRA r 16 on
SmolLM2-135M, learning rate 3e-4, 16 rows a step) trained on 800, 1,600, 3,200 and all rows
per task of ``emolab instruct build``, one epoch each, every model then answering the dev sets
(E-c Jaccard, DAIR accuracy) through the transformers backend in batches. One JSON file and
one plot under ``bench/results/``; a size already in the JSON is not trained again, so an
interrupted curve continues where it stopped.

The same ``--seed`` draws the same rows (``instruct build`` samples with it). A GPU trains one
size in minutes (issue 26 measured 3.7 steps/s at batch 32 on an H200); 2 CPU cores need about
1.4 s a row, so on a CPU use ``--max-steps`` and ``--dev-limit`` for a smoke run only.

    EMOLAB_DATA=../shared/data python bench/learning_curve.py [--sizes 800,1600,3200,all]
        [--tasks ec,dair-emotion] [--explanations keywords|per-label] [--work runs/curve]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
RECIPE = Path(__file__).parent.parent / "configs" / "emolab-affect-v1.yaml"
ALL = 100_000  # more rows per task than any training split holds
DEV = {"semeval-ec": ("semeval-ec", "dev", "jaccard"),
       "dair-emotion": ("dair-emotion", "validation", "accuracy")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="800,1600,3200,all")
    parser.add_argument("--tasks", default="ec,dair-emotion")
    parser.add_argument("--explanations", default="keywords")
    parser.add_argument("--seed", type=int, default=0, help="seed of the rows drawn")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--max-steps", type=int, default=None, help="cap (smoke runs)")
    parser.add_argument("--dev-limit", type=int, default=None, help="dev rows per task")
    parser.add_argument("--work", type=Path, default=Path("runs/curve"))
    parser.add_argument("--label", default="v1-recipe", help="name of the results file")
    args = parser.parse_args()

    out = RESULTS / f"learning_curve-{args.label}.json"
    done = json.loads(out.read_text()) if out.is_file() else {"points": {}}
    done["settings"] = {k: str(v) for k, v in vars(args).items()}
    for size in args.sizes.split(","):
        if size in done["points"]:
            print(f"{size}: already measured, kept")
            continue
        done["points"][size] = point(args, size)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(done, indent=1) + "\n")  # after every size: resumable
        print(f"{size}: {done['points'][size]['dev']}", flush=True)
    plot(done, out.with_suffix(".png"))
    table(done)
    print(f"wrote {out}")


def point(args, size: str) -> dict:
    """Build the rows, train the recipe on them, answer the dev sets."""
    from emolab.instruct.build import Builder
    from emolab.instruct.config import InstructConfig
    from emolab.train.config import TrainConfig
    from emolab.train.run import train

    per_task = ALL if size == "all" else int(size)
    folder = args.work / size
    built = Builder(InstructConfig(tasks=args.tasks, per_task=per_task, seed=args.seed,
                                   explanations=args.explanations,
                                   data_dir=os.environ.get("EMOLAB_DATA")),
                    folder / "instruct").build()
    rows = sum(t["written"] + t["already"] for t in built["tasks"].values())
    cfg = TrainConfig.from_sources(RECIPE, {"pairs": str(folder / "instruct" / "train.jsonl"),
                                            "out": str(folder / "run"), "merge": True})
    steps = math.ceil(rows * (1 - cfg.eval_share) * args.epochs
                      / (cfg.batch_size * cfg.grad_accum))
    steps = min(steps, args.max_steps) if args.max_steps else steps
    cfg = TrainConfig.from_sources(RECIPE, {**{k: getattr(cfg, k) for k in ("pairs", "out")},
                                            "merge": True, "max_steps": steps,
                                            "eval_steps": max(1, steps // 4),
                                            "save_steps": max(1, steps // 4)})
    started = time.perf_counter()
    trained = train(cfg, echo=lambda _: None)
    seconds = time.perf_counter() - started
    return {"rows_per_task": {k: v["written"] + v["already"] for k, v in built["tasks"].items()},
            "train_rows": rows, "steps": trained["global_step"],
            "train_seconds": round(seconds, 1), "dev": answer_dev(folder, args.dev_limit)}


def answer_dev(folder: Path, limit: int | None) -> dict:
    from emolab.backends.transformers import TransformersBackend
    from emolab.classify import Classifier
    from emolab.data import load
    from emolab.evaluate.predictions import read_predictions
    from emolab.evaluate.runner import evaluate_rows
    from emolab.tasks import get_task

    scores = {}
    with TransformersBackend(folder / "run" / "merged") as engine:
        for name, (dataset, split, metric) in DEV.items():
            rows = load(dataset, split, data_dir=os.environ.get("EMOLAB_DATA"))[:limit]
            path = folder / f"dev-{name}.jsonl"
            Classifier(engine, get_task(name), prompt_version="compact").run(
                rows, path, dataset=dataset)
            found = evaluate_rows(read_predictions(path), path=path)
            scores[name] = {metric: found["metrics"][metric], "n": found["rows"],
                            "failed": found["failed"]}
    return scores


def table(done: dict) -> None:
    print(f"{'rows/task':>10}{'train rows':>11}{'steps':>7}{'E-c J':>8}{'DAIR acc':>10}")
    for size, got in done["points"].items():
        dev = got["dev"]
        print(f"{size:>10}{got['train_rows']:>11}{got['steps']:>7}"
              f"{dev['semeval-ec']['jaccard']:>8.3f}{dev['dair-emotion']['accuracy']:>10.3f}")


def plot(done: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = sorted(done["points"].values(), key=lambda p: p["train_rows"])
    figure, axis = plt.subplots(figsize=(6, 4))
    for name, (_, _, metric) in DEV.items():
        axis.plot([p["train_rows"] for p in points], [p["dev"][name][metric] for p in points],
                  marker="o", label=f"{name} {metric}")
    axis.set_xscale("log")
    axis.set_xlabel("training rows (all tasks)")
    axis.set_ylabel("dev score")
    axis.set_title("v1 recipe, one epoch per size")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
