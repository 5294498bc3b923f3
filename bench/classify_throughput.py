"""Throughput of "classify and explain" on a data set's dev texts, several ways.

1. ``llamacpp``: the default backend as shipped (xllamacpp, the JSON schema enforced by
   llama.cpp's llguidance integration), with the model and prompt the model policy picks for
   the task, as ``emolab classify`` does (``--model base`` for the untuned SmolLM2).
2. ``llamacpp-free``: the same model and prompt through llama.cpp without the grammar.
3. ``transformers``: the same weights (GGUF converted once to a HF folder) through plain
   ``model.generate``, same chat template, greedy, batch 1.

Rates are per text and per generated token over wall time; slower paths run on the first
``--hf-limit`` texts only, ratios compare rates. Writes ``bench/results/classify_throughput-*.json``.

``--dataset`` picks the task: semeval-ec (labels), semeval-ei-reg (scores, anger rows;
the tuned model's score heads answer), dair-emotion (one class). On the tuned model a score
head's answer leaves the model little to write, so ``llamacpp-free`` is no like-for-like
baseline there: its schema cost is reported on label and class tasks only.

    EMOLAB_DATA=/work/shared/data python bench/classify_throughput.py [--dataset dair-emotion]
        [--limit 200] [--hf-limit 40]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from emolab.backends import SamplingParams
from emolab.classify import Classifier
from emolab.data import load
from emolab.schemas import DEFAULT_MAX_TOKENS

RESULTS = Path(__file__).parent / "results"


def summarise(name: str, seconds: float, results: list, note: str = "") -> dict:
    candidates = [r.best for r in results]
    tokens = sum(c.completion_tokens or 0 for c in candidates)
    return {
        "path": name, "texts": len(results), "seconds": round(seconds, 2),
        "texts_per_s": round(len(results) / seconds, 3),
        "generated_tokens": tokens, "tokens_per_s": round(tokens / seconds, 1),
        "mean_tokens_per_text": round(tokens / max(1, len(results)), 1),
        "schema_valid": round(sum(c.schema_valid for c in candidates) / len(candidates), 3),
        "answer_ok": round(sum(c.error is None for c in candidates) / len(candidates), 3),
        "cut_by_max_tokens": sum(c.finish_reason == "length" for c in candidates),
        "note": note,
    }


def interleaved(paths: dict, texts: list[str], limits: dict, budget_s: float | None) -> dict:
    """Run every path on text 1, then on text 2, ...: the machine is shared, and interleaving
    spreads any change in its load over all paths alike, so the ratios stay fair; the paths
    take turns at going first on a text.

    ``paths`` maps a name to ``(classifier, before_each or None)``; each path is warmed up on
    one short request first (grammar built, prefix cache filled, torch kernels chosen).
    """
    timings = {name: [0.0, []] for name in paths}
    begun = time.perf_counter()
    for classifier, _ in paths.values():  # a few tokens suffice to warm up
        classifier.backend.generate(classifier.messages(texts[0]), schema=classifier.schema,
                                    params=SamplingParams(max_tokens=4))
    order = list(paths.items())
    for i, text in enumerate(texts):
        # Each text's first path pays for its tokens in the prompt cache and the next ones
        # find them there: the paths take turns at going first (measured: with a fixed order,
        # the second path looked 15% faster on the same answers).
        turn = i % len(order)
        for name, (classifier, before_each) in order[turn:] + order[:turn]:
            if i >= limits.get(name, len(texts)):
                continue
            if before_each is not None:
                before_each()
            start = time.perf_counter()
            result = classifier.classify(text)
            timings[name][0] += time.perf_counter() - start
            timings[name][1].append(result)
        elapsed = time.perf_counter() - begun
        print(f"{i + 1}/{len(texts)} texts, {elapsed:.0f} s", flush=True)
        if budget_s is not None and elapsed > budget_s:  # stop between texts, all paths even
            print(f"time budget of {budget_s:.0f} s spent: stopping early")
            break
    return timings


class HFGenerate:
    """Just enough of a Backend for Classifier: plain ``generate``, no schema."""

    name, supports_schema, model_id = "transformers-generate", False, "SmolLM2 (HF fp32)"

    def __init__(self, threads: int) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from emolab.models import hf_folder, resolve_model

        torch.set_num_threads(threads)
        folder = hf_folder(resolve_model("default"))
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()

    def require_schema(self, schema) -> None:
        assert schema is None

    def generate(self, messages, *, schema=None, params=SamplingParams()):
        import torch

        from emolab.backends.base import Generation

        ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                 return_tensors="pt", return_dict=True)
        with torch.inference_mode():
            out = self.model.generate(**ids, max_new_tokens=params.max_tokens, do_sample=False,
                                      pad_token_id=self.tokenizer.eos_token_id)
        new = out[0, ids["input_ids"].shape[1]:]
        finished = bool(len(new)) and new[-1].item() == self.tokenizer.eos_token_id
        return [Generation(self.tokenizer.decode(new, skip_special_tokens=True),
                           "stop" if finished else "length", ids["input_ids"].shape[1], len(new))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=200, help="tweets for the llama.cpp paths")
    parser.add_argument("--hf-limit", type=int, default=40,
                        help="tweets for the slower path (transformers)")
    parser.add_argument("--max-tokens", type=int, default=DEFAULT_MAX_TOKENS,
                        help="as shipped: enough for any answer the schema allows")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--budget", type=float, default=None,
                        help="stop after the text during which this many seconds have passed")
    parser.add_argument("--skip-hf", action="store_true", help="leave out transformers")
    parser.add_argument("--dataset", default="semeval-ec",
                        choices=["semeval-ec", "semeval-ei-reg", "dair-emotion"])
    parser.add_argument("--model", default="default",
                        help="default (the model policy's pick for the task) or base")
    args = parser.parse_args()

    from emolab.backends.llamacpp import LlamaCppBackend
    from emolab.models.policy import choose_model
    from emolab.tasks import get_task

    task = get_task({"semeval-ec": "semeval-ec", "semeval-ei-reg": "ei-reg:anger",
                     "dair-emotion": "dair-emotion"}[args.dataset])
    split = "validation" if args.dataset == "dair-emotion" else "dev"
    rows_of_task = [e for e in load(args.dataset, split)
                    if task.dimension is None or task.dimension in e.scores]
    texts = [e.text for e in rows_of_task[: args.limit]]
    params = SamplingParams(max_tokens=args.max_tokens)
    chosen = choose_model(args.model, "llamacpp", [task.name], None)

    notes = {"llamacpp": f"default backend as shipped: xllamacpp, llguidance grammar; model "
                         f"{chosen.model}, prompt {chosen.prompt_version}",
             "llamacpp-free": "same model and prompt, no grammar",
             "transformers": "plain generate, fp32, greedy, batch 1, no schema"}
    shipped = LlamaCppBackend(chosen.model, n_threads=args.threads)

    def classifier(backend, **options):
        return Classifier(backend, task, params=params, prompt_version=chosen.prompt_version,
                          **options)
    paths = {"llamacpp": (classifier(shipped), None),
             "llamacpp-free": (classifier(shipped, constrain=False), None)}
    limits = {"transformers": args.hf_limit}
    if not args.skip_hf:
        paths["transformers"] = (Classifier(HFGenerate(args.threads), task, params=params,
                                            constrain=False), None)
    timings = interleaved(paths, texts, limits, args.budget)
    rows = [summarise(name, seconds, results, notes[name])
            for name, (seconds, results) in timings.items()]

    by = {r["path"]: r for r in rows}
    base = by["llamacpp"]
    ratios = {
        "schema_cost_texts": round(1 - base["texts_per_s"] / by["llamacpp-free"]["texts_per_s"], 3),
        "schema_cost_tokens": round(1 - base["tokens_per_s"] / by["llamacpp-free"]["tokens_per_s"],
                                    3),
    }
    if "transformers" in by:
        ratios["speedup_vs_transformers_texts"] = round(
            base["texts_per_s"] / by["transformers"]["texts_per_s"], 2)
        ratios["speedup_vs_transformers_tokens"] = round(
            base["tokens_per_s"] / by["transformers"]["tokens_per_s"], 2)

    print(f"{'path':18} {'texts':>5} {'texts/s':>8} {'tok/s':>7} {'tok/text':>8} "
          f"{'valid':>6} {'ok':>6} {'cut':>4}")
    for r in rows:
        print(f"{r['path']:18} {r['texts']:5d} {r['texts_per_s']:8.3f} {r['tokens_per_s']:7.1f} "
              f"{r['mean_tokens_per_text']:8.1f} {r['schema_valid']:6.1%} {r['answer_ok']:6.1%} "
              f"{r['cut_by_max_tokens']:4d}")
    for key, value in ratios.items():
        print(f"{key}: {value}")
    print("targets: schema cost <= 0.15; speedup vs transformers >= 3; 100% valid constrained")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = RESULTS / f"classify_throughput-{stamp}.json"
    out.write_text(json.dumps({
        "rows": rows, "ratios": ratios, "args": vars(args),
        "machine": {"cpus": os.cpu_count(), "load_avg_at_end": os.getloadavg(),
                    "python": platform.python_version()},
    }, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
