"""Training throughput of ``emolab train`` (SFT, DPO, ORPO with LoRA) against a plain TRL script.

For each method the same rows (SemEval-2018 E-c train tweets in emolab's real prompt, a JSON
answer from the gold labels with a short templated explanation as the chosen answer, one with
wrong labels as the rejected answer; sft trains on prompt + chosen messages) go through:

1. ``ours``: ``emolab.train.run.train(TrainConfig(...))`` (no evaluation, no merge, no progress
   bar, ``threads`` torch threads, AdamW, fp32 on CPU);
2. ``plain``: a minimal TRL script written apart from emolab's training code (it does not import
   ``emolab.train``) with the same settings: LoRA r / alpha / dropout / target modules, learning
   rate, batch x accumulation, steps, max length, seed, optimizer, precision, logging and saving.

Every run is a fresh subprocess (clean imports, its own peak RSS). Tokens per second = tokens of
the rows consumed (prompt + answer with the chat template; chosen and rejected both for dpo and
orpo) over the wall time of ``trainer.train()`` only; loading and trainer set-up are recorded
apart. By default there are exactly ``steps x batch x accumulation`` rows, so each row is seen
once and the token count is exact. The machine is shared: ours and plain alternate (the order
swapped on every other repeat), medians and the ratio ours / plain are reported (target about 1).
Tokens per CPU-second of ``trainer.train()`` (``time.process_time``, all threads) are reported
too: on an oversubscribed machine they usually move less than wall time (though spinning
threads and shared caches still inflate them). The resolved trainer arguments and LoRA
settings of both paths are compared and any difference is printed. Writes
``bench/results/train_throughput.json`` (or ``--json``).

    EMOLAB_DATA=/work/shared/data python bench/train_throughput.py [--steps 6] [--repeats 2]
    EMOLAB_DATA=/work/shared/data python bench/train_throughput.py --paired --threads 1 \
        --batch-size 2 --grad-accum 1 --steps 1 --json /tmp/train_throughput-paired.json

With ``--paired`` ours and plain run at the same time, one core each on 2 cores: whatever else
loads the machine weighs on both alike, which makes the ratio far steadier than one run after
the other (about +-1% against +-30% on a busy machine).

Cost: emolab's prompt makes rows of ~430 tokens (~870 for a pair), and peak RSS is 7 GB (sft)
to 13 GB (dpo) with batch 4. On 2 cores shared with other work (load ~8) one step of 4 rows took
50-100 s of train time for sft, 80-125 s for orpo and 125-160 s for dpo, so ``--steps 1
--grad-accum 1`` is what keeps a full run (12 runs) under half an hour there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
METHODS = ("sft", "dpo", "orpo")
PATHS = ("ours", "plain")
# emolab's defaults (TrainConfig), written out again here so that the plain path stays apart.
LEARNING_RATE = {"sft": 2e-4, "dpo": 5e-5, "orpo": 2e-4}
LORA = {"r": 16, "lora_alpha": 32, "lora_dropout": 0.0, "target_modules": "all-linear"}
MAX_LENGTH, SEED, BETA = 1024, 42, 0.1
EXPLANATION_CHARS = 200  # what Classifier asks for by default
# Trainer arguments compared between the two paths (everything that changes the work done).
COMPARED = ("max_steps", "learning_rate", "per_device_train_batch_size",
            "gradient_accumulation_steps", "weight_decay", "warmup_steps", "lr_scheduler_type",
            "optim", "bf16", "fp16", "activation_checkpointing", "logging_steps",
            "logging_first_step", "eval_strategy", "save_strategy", "save_steps",
            "save_total_limit", "seed", "data_seed", "use_cpu", "max_length", "beta",
            "packing", "padding_free", "assistant_only_loss", "completion_only_loss",
            "precompute_ref_log_probs", "loss_type", "dataloader_num_workers")


# ---------------------------------------------------------------- data (parent process)

def answer(text: str, labels: list[str]) -> str:
    snippet = " ".join(text.split()[:6])[:80]
    return json.dumps({"explanation": f'The words "{snippet}" express {" and ".join(labels)}.',
                       "most_prominent_emotion": labels[0],
                       "multiple_emotions_present": labels})


def build_rows(n: int, data_dir: str | None) -> list[dict[str, Any]]:
    """Preference rows in emolab's prompt: gold labels chosen, as many wrong labels rejected."""
    from emolab.classify.prompts import clean_text, load_prompt
    from emolab.data import load
    from emolab.labels import get_label_set

    labels = get_label_set("semeval-ec")
    prompt = load_prompt()
    rng = random.Random(SEED)
    rows = []
    for example in load("semeval-ec", "train", data_dir=data_dir):
        text = clean_text(example.text)
        gold = [label for label in labels.labels if label in example.labels]
        wrong = [label for label in labels.labels if label not in gold]
        if not text or not gold or not wrong:
            continue
        bad = sorted(rng.sample(wrong, min(len(gold), len(wrong))), key=labels.labels.index)
        rows.append({"prompt": prompt.messages(text, labels,
                                               max_explanation_chars=EXPLANATION_CHARS),
                     "chosen": [{"role": "assistant", "content": answer(text, gold)}],
                     "rejected": [{"role": "assistant", "content": answer(text, bad)}]})
        if len(rows) == n:
            break
    return rows


def method_rows(rows: list[dict[str, Any]], method: str) -> list[dict[str, Any]]:
    if method == "sft":
        return [{"messages": row["prompt"] + row["chosen"]} for row in rows]
    return rows


def row_tokens(tokenizer: Any, row: dict[str, Any]) -> int:
    """Prompt + answer tokens with the chat template; chosen and rejected both for pairs."""
    conversations = ([row["messages"]] if "messages" in row else
                     [row["prompt"] + row["chosen"], row["prompt"] + row["rejected"]])
    return sum(len(tokenizer.apply_chat_template(c, tokenize=True, return_dict=True)["input_ids"])
               for c in conversations)


# ---------------------------------------------------------------- one run (subprocess)

def watch_train(record: dict[str, Any]) -> None:
    """Time ``Trainer.train`` (which no TRL trainer overrides) and note the resolved settings;
    installed the same way in both paths."""
    import transformers

    original = transformers.Trainer.train

    def timed(self, *args, **kwargs):
        record["setup_s"] = time.perf_counter() - record.pop("_started")
        peft = self.model.peft_config["default"]
        resolved = self.args.to_dict()
        record["settings"] = {
            **{name: resolved.get(name) for name in COMPARED},
            "lora": {"r": peft.r, "alpha": peft.lora_alpha, "dropout": peft.lora_dropout,
                     "target_modules": sorted(peft.target_modules)},
            "train_rows": len(self.train_dataset), "eval": self.eval_dataset is not None,
            "trainer": type(self).__name__, "torch_threads": _threads()}
        start, cpu = time.perf_counter(), time.process_time()
        output = original(self, *args, **kwargs)
        record["train_s"] = time.perf_counter() - start
        record["train_cpu_s"] = time.process_time() - cpu  # all threads of the process
        record["trainer_runtime_s"] = output.metrics.get("train_runtime")
        record["global_step"] = output.global_step
        record["train_loss"] = output.training_loss
        return output

    transformers.Trainer.train = timed


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def run_ours(method: str, rows_file: str, out: str, args: argparse.Namespace) -> None:
    from emolab.train.config import TrainConfig
    from emolab.train.run import train

    cfg = TrainConfig(method=method, pairs=rows_file, out=out, max_steps=args.steps,
                      batch_size=args.batch_size, grad_accum=args.grad_accum, eval_share=0.0,
                      merge=False, progress=False, threads=args.threads, optim="adamw_torch",
                      quantize="none")
    train(cfg, echo=lambda _: None)


def run_plain(method: str, rows_file: str, out: str, args: argparse.Namespace) -> None:
    """What someone would write with TRL's documentation at hand, with emolab's settings."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from emolab.models import hf_folder, resolve_model  # only to find the embedded weights

    torch.set_num_threads(args.threads)
    folder = hf_folder(resolve_model("default"))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    lines = Path(rows_file).read_text(encoding="utf-8").splitlines()
    dataset = Dataset.from_list([json.loads(line) for line in lines if line.strip()])
    peft_config = LoraConfig(task_type="CAUSAL_LM", **LORA)
    settings = dict(output_dir=out, max_steps=args.steps, learning_rate=LEARNING_RATE[method],
                    per_device_train_batch_size=args.batch_size,
                    per_device_eval_batch_size=args.batch_size,
                    gradient_accumulation_steps=args.grad_accum, weight_decay=0.01, optim="adamw_torch",
                    bf16=False, gradient_checkpointing=False, logging_steps=1,
                    logging_first_step=True, save_steps=10, save_total_limit=3, seed=SEED,
                    data_seed=SEED, report_to="none", disable_tqdm=True, use_cpu=True,
                    max_length=MAX_LENGTH)
    if method == "sft":
        from trl import SFTConfig as Config
        from trl import SFTTrainer as Trainer
    elif method == "dpo":
        from trl import DPOConfig as Config
        from trl import DPOTrainer as Trainer
        settings["beta"] = BETA
    else:
        from trl.experimental.orpo import ORPOConfig as Config
        from trl.experimental.orpo import ORPOTrainer as Trainer
        settings["beta"] = BETA
    trainer = Trainer(model=model, args=Config(**settings), train_dataset=dataset,
                      processing_class=tokenizer, peft_config=peft_config)
    trainer.train()
    trainer.save_model(out + "/adapter")


def worker(args: argparse.Namespace) -> None:
    import warnings

    warnings.filterwarnings("ignore")  # deprecation chatter; both paths alike
    record: dict[str, Any] = {"_started": time.perf_counter()}
    watch_train(record)
    started = time.perf_counter()
    run = run_ours if args.worker == "ours" else run_plain
    run(args.method, args.rows_file, args.out, args)
    record["total_s"] = time.perf_counter() - started
    record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(args.result).write_text(json.dumps(record))


# ---------------------------------------------------------------- driver (parent process)

def start(path: str, method: str, rows_file: Path, work: Path, tag: str,
          args: argparse.Namespace) -> tuple[subprocess.Popen, Path, str]:
    result = work / f"{tag}.json"
    command = [sys.executable, __file__, "--worker", path, "--method", method,
               "--rows-file", str(rows_file), "--out", str(work / tag), "--result", str(result),
               "--steps", str(args.steps), "--threads", str(args.threads),
               "--batch-size", str(args.batch_size), "--grad-accum", str(args.grad_accum)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return process, result, tag


def finish(process: subprocess.Popen, result: Path, tag: str) -> dict[str, Any]:
    _, stderr = process.communicate()
    if process.returncode != 0:
        sys.exit(f"{tag} failed:\n{stderr[-4000:]}")
    return json.loads(result.read_text())


def run_repeat(method: str, rows_file: Path, work: Path, repeat: int,
               args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Ours and plain one after the other (order swapped on odd repeats), or both at once with
    ``--paired``, so that whatever else loads the machine weighs on both alike."""
    order = PATHS if repeat % 2 == 0 else PATHS[::-1]
    if args.paired:
        started = [start(p, method, rows_file, work, f"{method}-{p}-{repeat}", args) for p in order]
        return {p: finish(*s) for p, s in zip(order, started, strict=True)}
    return {p: finish(*start(p, method, rows_file, work, f"{method}-{p}-{repeat}", args))
            for p in order}


def differences(a: dict[str, Any], b: dict[str, Any]) -> dict[str, list[Any]]:
    return {key: [a.get(key), b.get(key)] for key in sorted(set(a) | set(b))
            if a.get(key) != b.get(key)}


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in ("emolab", "torch", "transformers", "trl", "peft", "accelerate", "datasets"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def bench_method(method: str, rows: list[dict[str, Any]], consumed: int, tokenizer: Any,
                 tmp: Path, args: argparse.Namespace, begun: float) -> dict[str, Any]:
    """Alternate ours / plain on one data file, order swapped on every other repeat."""
    rows_file = tmp / f"{method}.jsonl"
    rows_file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    mean_tokens = statistics.mean(row_tokens(tokenizer, r) for r in rows)
    tokens = mean_tokens * consumed
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in PATHS}
    for repeat in range(args.repeats):
        for path, record in run_repeat(method, rows_file, tmp, repeat, args).items():
            record["tokens_per_s"] = tokens / record["train_s"]
            record["tokens_per_cpu_s"] = tokens / record["train_cpu_s"]
            runs[path].append(record)
            print(f"{method} {path} #{repeat + 1}: {record['tokens_per_s']:.1f} tok/s, "
                  f"{record['tokens_per_cpu_s']:.1f} tok/CPU-s, train {record['train_s']:.1f} s "
                  f"({record['train_cpu_s']:.1f} CPU-s), set-up {record['setup_s']:.1f} s, "
                  f"peak RSS {record['peak_rss_mb']:.0f} MB, load {os.getloadavg()[0]:.1f} "
                  f"({time.perf_counter() - begun:.0f} s so far)", flush=True)
    summary = {path: {
        "tokens_per_s": round(statistics.median(r["tokens_per_s"] for r in runs[path]), 1),
        "tokens_per_cpu_s": round(statistics.median(r["tokens_per_cpu_s"] for r in runs[path]),
                                  1),
        "train_s": round(statistics.median(r["train_s"] for r in runs[path]), 2),
        "train_cpu_s": round(statistics.median(r["train_cpu_s"] for r in runs[path]), 2),
        "setup_s": round(statistics.median(r["setup_s"] for r in runs[path]), 2),
        "total_s": round(statistics.median(r["total_s"] for r in runs[path]), 2),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs[path]), 1),
    } for path in PATHS}
    return {
        **summary,
        "ratio": round(summary["ours"]["tokens_per_s"] / summary["plain"]["tokens_per_s"], 3),
        "ratio_cpu": round(summary["ours"]["tokens_per_cpu_s"]
                           / summary["plain"]["tokens_per_cpu_s"], 3),
        "rows": len(rows), "rows_consumed": consumed,
        "mean_tokens_per_row": round(mean_tokens, 1), "tokens_per_run": round(tokens),
        "settings_differ": differences(runs["ours"][0]["settings"], runs["plain"][0]["settings"]),
        "settings": runs["ours"][0]["settings"],
        "runs": {path: [{k: v for k, v in r.items() if k != "settings"} for r in runs[path]]
                 for path in PATHS},
    }


def write_results(report: dict[str, Any], args: argparse.Namespace, load_before: tuple,
                  begun: float) -> Path:
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "methods": report,
        "args": {k: v for k, v in vars(args).items()
                 if k not in ("worker", "method", "rows_file", "out", "result")},
        "max_length": MAX_LENGTH, "seconds": round(time.perf_counter() - begun, 1),
        "machine": {"cpus": os.cpu_count(), "load_avg_before": load_before,
                    "load_avg_after": os.getloadavg(), "platform": platform.platform(),
                    "versions": versions()},
    }, indent=2) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", default=",".join(METHODS), help="comma list of sft,dpo,orpo")
    parser.add_argument("--steps", type=int, default=6, help="optimizer steps per run")
    parser.add_argument("--batch-size", type=int, default=4, help="rows per device batch (emolab's default)")
    parser.add_argument("--grad-accum", type=int, default=2,
                        help="gradient-accumulation steps (emolab's default)")
    parser.add_argument("--rows", type=int, default=None,
                        help="rows in the data file (default: steps x batch x accumulation, "
                             "each row seen once)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each path per method")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--paired", action="store_true",
                        help="run ours and plain at the same time (each with --threads; give half "
                             "the cores each, and mind memory: two dpo runs at batch 4 need 27 GB)")
    parser.add_argument("--data-dir", default=None, help="data folder (default: $EMOLAB_DATA)")
    parser.add_argument("--json", default=str(RESULTS / "train_throughput.json"),
                        help="where to write the results")
    parser.add_argument("--worker", choices=PATHS, help=argparse.SUPPRESS)
    for hidden in ("--method", "--rows-file", "--out", "--result"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    from transformers import AutoTokenizer

    from emolab.models import hf_folder, resolve_model

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    consumed = args.steps * args.batch_size * args.grad_accum
    base = build_rows(args.rows or consumed, args.data_dir)
    tokenizer = AutoTokenizer.from_pretrained(hf_folder(resolve_model("default")))
    load_before = os.getloadavg()
    begun = time.perf_counter()
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="emolab-train-bench-") as tmp:
        for method in methods:
            report[method] = bench_method(method, method_rows(base, method), consumed, tokenizer,
                                          Path(tmp), args, begun)
            # Written after every method, so that an interrupted run still leaves its results.
            write_results(report, args, load_before, begun)

    print(f"\n{'method':6} {'tok/row':>7} {'ours tok/s':>10} {'plain tok/s':>11} {'ratio':>6} "
          f"{'ours tok/CPU-s':>14} {'plain tok/CPU-s':>15} {'ratio':>6} {'set-up o/p':>11} "
          f"{'peak RSS o/p':>13}")
    for method, r in report.items():
        ours, plain = r["ours"], r["plain"]
        print(f"{method:6} {r['mean_tokens_per_row']:7.0f} {ours['tokens_per_s']:10.1f} "
              f"{plain['tokens_per_s']:11.1f} {r['ratio']:6.3f} {ours['tokens_per_cpu_s']:14.1f} "
              f"{plain['tokens_per_cpu_s']:15.1f} {r['ratio_cpu']:6.3f} "
              f"{ours['setup_s']:5.1f}/{plain['setup_s']:4.1f}s "
              f"{ours['peak_rss_mb'] / 1024:6.1f}/{plain['peak_rss_mb'] / 1024:4.1f}G")
        if r["settings_differ"]:
            print(f"  settings that differ (ours, plain): {r['settings_differ']}")
    out = write_results(report, args, load_before, begun)
    print("target: ratio about 1 (no overhead of ours); load average "
          f"{load_before} -> {os.getloadavg()}\nwrote {out}")


if __name__ == "__main__":
    main()
