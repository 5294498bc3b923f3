"""Which explanations train the better model: keyword explanations or model-written ones?

The same SemEval E-c training tweets (``--per-task``, seeded) are answered twice by
``emolab instruct build``: with keyword explanations (the words of the tweet that carry each
gold label, by log-odds on the training split) and with rationalized ones (the untuned
SmolLM2 writes the explanation in its own teaching prompt, the gold labels pinned by the
schema; the rows carry the compact prompt either way). Only tweets present in
both sets are kept, so the two runs see the same texts and answers and differ in their
explanations alone. Each set trains a LoRA adapter with the shipped model's settings
(configs/emolab-affect-v1.yaml: r 16 on every linear layer, learning rate 3e-4, 16 rows a
step, seed 42) for one epoch; each adapter is folded into the base GGUF and answers the E-c
dev set (``--dev-limit``: its first N tweets; greedy, schema enforced, compact prompt).
Reported per source: Jaccard, micro- and macro-F1, explanations that quote a content word
of their tweet (label words not counted), degenerate explanations, and sufficiency with
label words masked.

Every stage resumes: run the same command again after an interruption.

    EMOLAB_DATA=/work/shared/data python bench/explanation_source.py --per-task 320
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from default_model import explanation_checks

from emolab.backends.llamacpp import LlamaCppBackend
from emolab.classify import Classifier
from emolab.data import load
from emolab.evaluate.runner import evaluate_file
from emolab.evaluate.sufficiency import sufficiency_file
from emolab.models import default_gguf
from emolab.tasks import get_task

RESULTS = Path(__file__).parent / "results"
SOURCES = ("keywords", "rationalize")
SHIPPED = Path(__file__).parent.parent / "configs" / "emolab-affect-v1.yaml"


def emolab(*args: str) -> None:
    command = [sys.executable, "-m", "emolab", *args]
    print("$ emolab " + " ".join(args), flush=True)
    subprocess.run(command, check=True)


def build(runs: Path, per_task: int, seed: int) -> dict[str, Path]:
    """Both instruction sets, then the rows whose tweet is in both (same order)."""
    for source in SOURCES:
        extra = (["--backend", "llamacpp", "--model", "default", "--rationalizer-prompt", "v1"]
                 if source == "rationalize" else [])
        emolab("instruct", "build", "--tasks", "ec", "--per-task", str(per_task), "--seed",
               str(seed), "--explanations", source, "--out", str(runs / source), *extra)
    rows = {s: [json.loads(line) for line in (runs / s / "train.jsonl").open(encoding="utf-8")]
            for s in SOURCES}
    shared = set.intersection(*({r["source_id"] for r in rows[s]} for s in SOURCES))
    files = {}
    for source in SOURCES:
        files[source] = runs / source / "train-shared.jsonl"
        kept = sorted((r for r in rows[source] if r["source_id"] in shared),
                      key=lambda r: r["source_id"])
        files[source].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept),
                                 encoding="utf-8")
    return files


def train(source: str, data: Path, runs: Path, steps: int) -> Path:
    run = runs / f"sft-{source}"
    done = (run / "adapter" / "adapter_config.json").is_file()
    if not done:
        resume = ["--resume"] if any(run.glob("checkpoint-*")) else []
        emolab("train", "sft", "--config", str(SHIPPED), "--pairs", str(data), "--out",
               str(run), "--max-steps", str(steps), "--eval-share", "0", "--save-steps", "10",
               "--no-merge", "--no-progress", *resume)
    adapter = run / "adapter-f16.gguf"
    if not adapter.is_file():
        emolab("export-gguf", str(run), "--lora", "--out", str(adapter))
    merged = run / "merged-q8_0.gguf"
    if not merged.is_file():
        from emolab.models.merge_lora import merge_lora

        merge_lora(default_gguf(), adapter, merged)
    return merged


def answer_dev(model: Path, out: Path, data_dir: str | None, limit: int | None,
               threads: int) -> Path:
    """Answer the first ``limit`` dev tweets (all by default) into ``out`` (resumable) and
    return a file of exactly those rows to score: ``out`` may hold more from a longer run."""
    rows = load("semeval-ec", "dev", data_dir=data_dir)[:limit]
    with LlamaCppBackend(str(model), n_threads=threads, seed=0) as engine:
        Classifier(engine, get_task("semeval-ec"), prompt_version="compact").run(
            rows, out, dataset="semeval-ec")
    if limit is None:
        return out
    wanted = {row.id for row in rows}
    scored = out.with_name(f"{out.stem}-first{limit}.jsonl")
    scored.write_text("".join(line for line in out.open(encoding="utf-8")
                              if json.loads(line)["id"] in wanted), encoding="utf-8")
    return scored


def training_seconds(run: Path) -> float | None:
    manifest = run / "manifest.json"
    if not manifest.is_file():
        return None
    sessions = json.loads(manifest.read_text()).get("sessions", [])
    return round(sum(s.get("seconds", 0) for s in sessions), 1) or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-explanation-source"))
    parser.add_argument("--per-task", type=int, default=320)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dev-limit", type=int, default=None, help="default: the whole dev set")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    data_dir = os.environ.get("EMOLAB_DATA")
    args.runs.mkdir(parents=True, exist_ok=True)
    files = build(args.runs, args.per_task, args.seed)
    n_rows = sum(1 for _ in files["keywords"].open(encoding="utf-8"))
    steps = max(1, n_rows // 16)  # one epoch at the shipped 8 rows x 2 accumulation
    texts = {e.id: e.text for e in load("semeval-ec", "dev", data_dir=data_dir)}
    result = {"machine": platform.machine(), "threads": args.threads, "rows": n_rows,
              "dev_limit": args.dev_limit,
              "steps": steps, "per_task": args.per_task, "seed": args.seed, "sources": {}}
    for source in SOURCES:
        start = time.perf_counter()
        merged = train(source, files[source], args.runs, steps)
        preds = answer_dev(merged, args.runs / f"dev-{source}.jsonl", data_dir, args.dev_limit,
                           args.threads)
        scores = evaluate_file(preds)
        checks = explanation_checks(preds, texts)
        suff = sufficiency_file(preds)
        train_rows = [json.loads(line) for line in files[source].open(encoding="utf-8")]
        result["sources"][source] = {
            "dev_rows": scores["rows"], "failed": scores["failed"],
            **{k: round(scores["metrics"][k], 4) for k in ("jaccard", "f1_micro", "f1_macro")},
            "quoting_share": checks["quoting_share"],
            "degenerate_share": checks["degenerate_share"],
            "training_explanation_chars": round(sum(
                len(json.loads(r["completion"][0]["content"])["explanation"])
                for r in train_rows) / len(train_rows), 1),
            "sufficiency": suff, "training_seconds": training_seconds(args.runs /
                                                                      f"sft-{source}"),
            "stage_seconds": round(time.perf_counter() - start, 1)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "explanation_source.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{n_rows} shared E-c training rows, {steps} steps; dev rows answered: "
          f"{args.dev_limit or 'all'}")
    print("| explanations | Jaccard | micro-F1 | macro-F1 | quoting | degenerate | "
          "sufficiency / masked |")
    print("|---|---|---|---|---|---|---|")
    for source, found in result["sources"].items():
        suff = found["sufficiency"]
        print(f"| {source} | {found['jaccard']:.3f} | {found['f1_micro']:.3f} | "
              f"{found['f1_macro']:.3f} | {100 * found['quoting_share']:.1f}% | "
              f"{100 * found['degenerate_share']:.1f}% | {suff['sufficiency']:.3f} / "
              f"{suff['sufficiency_masked']:.3f} |")


if __name__ == "__main__":
    main()
