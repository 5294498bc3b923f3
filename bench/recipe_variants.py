"""Score one more model or decoding variant on an `emolab demo` run's own dev sample.

The recipe study compares runs (ORPO alone, SFT then ORPO, more pairs) and, within a run, what
happens after training: the supervised model before ORPO, a GGUF type other than the demo's,
sampled decoding instead of greedy. Each variant classifies the run's seeded dev sample with
the schema enforced (resumable, like every classification) and is added to
RUN/variants.json.

Usage:
  EMOLAB_DATA=../shared/data python bench/recipe_variants.py --run runs/recipe-sft \\
      --model runs/recipe-sft/sft/model-f16.gguf --name sft-only
Prints the run's variants as a table.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from emolab.backends import SamplingParams
from emolab.backends.llamacpp import LlamaCppBackend
from emolab.classify import Classifier
from emolab.classify.datasets import classification_dataset
from emolab.demo.config import DemoConfig
from emolab.demo.pipeline import samples
from emolab.evaluate.predictions import read_predictions
from emolab.evaluate.runner import evaluate_rows
from emolab.settings import read_saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, help="an emolab demo run folder")
    parser.add_argument("--model", required=True, help="a GGUF file (or 'default')")
    parser.add_argument("--name", required=True, help="the variant's name in the table")
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--top-p", type=float, default=1.0)
    args = parser.parse_args()

    run = Path(args.run)
    saved = read_saved(run / "config.yaml")
    if saved is None:
        raise SystemExit(f"{run} has no config.yaml: is it an emolab demo run folder?")
    cfg = DemoConfig.from_sources(None, saved)
    info = classification_dataset(cfg.dataset, None)
    dev, _ = samples(cfg.dataset, cfg.dev_size, cfg.train_size, seed=cfg.seed)
    folder = run / "variants" / args.name
    folder.mkdir(parents=True, exist_ok=True)
    params = SamplingParams(max_tokens=cfg.max_tokens, temperature=args.temperature,
                            top_p=args.top_p, seed=cfg.seed)
    with LlamaCppBackend(args.model, n_threads=cfg.threads, seed=cfg.seed) as engine:
        Classifier(engine, info.label_set, params=params, constrain=True).run(
            dev, folder / "constrained.jsonl", task=info.task, dataset=info.name)

    rows = read_predictions(folder / "constrained.jsonl")
    scores = evaluate_rows(rows, path=folder / "constrained.jsonl")
    predicted = [len(row.pred or []) for row in rows if not row.failed]
    entry = {"model": args.model, "temperature": args.temperature, "top_p": args.top_p,
             **{k: scores["metrics"][k] for k in ("jaccard", "f1_micro", "f1_macro")},
             "failed": scores["failed"], "rows": len(rows),
             "labels_per_answer": sum(predicted) / len(predicted) if predicted else 0.0}
    table_file = run / "variants.json"
    table = json.loads(table_file.read_text()) if table_file.is_file() else {}
    table[args.name] = entry
    table_file.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print("| variant | Jaccard | micro F1 | macro F1 | labels per answer | unreadable |")
    print("|---|---|---|---|---|---|")
    for name, e in table.items():
        print(f"| {name} | {e['jaccard']:.3f} | {e['f1_micro']:.3f} | {e['f1_macro']:.3f} | "
              f"{e['labels_per_answer']:.2f} | {e['failed']} |")


if __name__ == "__main__":
    main()
