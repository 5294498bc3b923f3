"""Collect the recipe study from its run folders into one table and one figure.

Every recipe is an `emolab demo` run folder (its results.json) or a variant scored inside one
(RUN/variants.json, written by bench/recipe_variants.py); the encoder lines come from
bench/results/encoder_baseline.json. All are scored on the same seeded 100 dev tweets.

The README's study came from these runs (EMOLAB_DATA=../shared/data for each):
  emolab demo                                              # runs/demo: ORPO 30, 120 texts
  emolab demo --out runs/recipe-sft --sft-steps 30         # SFT 30 then ORPO 30
  emolab export-gguf runs/recipe-sft/sft && python bench/recipe_variants.py \
      --run runs/recipe-sft --model runs/recipe-sft/sft/model-q8_0.gguf --name sft-only
  python bench/recipe_label_order.py runs/recipe-sft/pairs/pairs.jsonl runs/recipe-order/pairs.jsonl
  emolab train sft --pairs runs/recipe-order/pairs.jsonl --out runs/recipe-order/sft \
      --max-steps 30 --eval-share 0.1 --eval-steps 10 --save-steps 10   # then export, variant
  emolab demo --config configs/recipe.yaml --out runs/recipe-big       # SFT 60, 400 texts
  emolab demo --config configs/recipe.yaml --out runs/recipe-big-orpo --orpo-steps 20
(runs/recipe-sft, recipe-big and recipe-big-orpo reused the finished stages of the run before
them by copying its folders: zero-shot answers, pairs, the SFT model.)

Usage:
  python bench/recipe_study.py "ORPO 30=runs/demo" "SFT 30=runs/recipe-sft#sft-only" ...
Writes bench/results/recipe_study.json and docs/images/recipe_study.png; prints a table.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

KEYS = ("jaccard", "f1_micro", "f1_macro")


def read_recipe(spec: str) -> tuple[str, dict]:
    """'NAME=RUN' (the run's tuned model) or 'NAME=RUN#VARIANT' (a scored variant)."""
    name, _, where = spec.partition("=")
    run, _, variant = where.partition("#")
    if variant:
        entry = json.loads((Path(run) / "variants.json").read_text())[variant]
        return name, {k: entry[k] for k in KEYS} | {"source": where}
    results = json.loads((Path(run) / "results.json").read_text())
    after, cfg = results["measures"]["after"], results["config"]
    return name, {k: after[k] for k in KEYS} | {
        "adherence": after["adherence"], "source": run, "train_texts": cfg["train_size"],
        "sft_steps": cfg["sft_steps"], "orpo_steps": cfg["orpo_steps"],
        "zero_shot": {k: results["measures"]["before"][k] for k in KEYS}}


def figure(rows: dict[str, dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(rows)
    values = [rows[n]["jaccard"] for n in names]
    colours = ["#999999" if n.startswith("MiniLM") else "#3b6ea5" for n in names]
    fig, axis = plt.subplots(figsize=(7, 0.42 * len(names) + 1.2))
    axis.barh(names, values, color=colours)
    for y, value in enumerate(values):
        axis.text(value + 0.005, y, f"{value:.3f}", va="center", fontsize=8)
    axis.invert_yaxis()
    axis.set_xlim(0, max(values) * 1.15)
    axis.set_xlabel("Jaccard accuracy on the same 100 SemEval-2018 E-c dev tweets")
    axis.set_title("SmolLM2-135M explaining its labels (blue) vs. MiniLM + logistic regression")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110, bbox_inches="tight")
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipes", nargs="+", help="NAME=RUN or NAME=RUN#VARIANT")
    parser.add_argument("--encoder", default="bench/results/encoder_baseline.json")
    parser.add_argument("--out", default="bench/results/recipe_study.json")
    parser.add_argument("--figure", default="docs/images/recipe_study.png")
    args = parser.parse_args()

    rows = dict(read_recipe(spec) for spec in args.recipes)
    first_run = next(r for r in rows.values() if "zero_shot" in r)
    rows = {"zero-shot": dict(first_run["zero_shot"], source="before/")} | rows
    for line in json.loads(Path(args.encoder).read_text())["results"]:
        rows[f"MiniLM + LR, {line['train_texts']} texts"] = {
            **{k: line["dev_sample"][k] for k in KEYS}, "source": args.encoder}
    Path(args.out).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    figure(rows, Path(args.figure))
    print("| recipe | Jaccard | micro F1 | macro F1 |")
    print("|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['jaccard']:.3f} | {r['f1_micro']:.3f} | {r['f1_macro']:.3f} |")


if __name__ == "__main__":
    main()
