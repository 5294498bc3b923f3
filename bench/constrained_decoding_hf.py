"""Schema-constrained decoding engines behind ``transformers.generate``, on the embedded model.

Each engine gets the same model, prompts and JSON schema, greedy, and a fresh (or reset) logits
processor per call. Recorded per engine: the first call's time (it includes grammar compile,
which some engines do lazily), decode speed of the later calls (generated tokens per second,
prompt included in the time as users see it), time inside the logits processor per token, and
how many
outputs parse, validate and keep the key order. Runs are interleaved across engines so that load
from other processes on the machine hits all of them alike.

    python bench/constrained_decoding_hf.py [--rounds 2] [--max-tokens 96]

Writes bench/results/constrained_decoding_hf.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from emolab.labels import SEMEVAL_EC
from emolab.models import hf_folder, resolve_model
from emolab.schemas import ANSWER_KEYS, answer_model, answer_schema

TEXTS = [
    "I can't believe they cancelled the concert, I was so looking forward to it.",
    "Finally got the job!!! Best day ever, thank you all for believing in me",
    "Why does every single bus driver in this city hate me #fuming",
]
SYSTEM = ("Classify the emotions of the text. Answer with JSON: a short explanation, the most "
          "prominent emotion and every emotion present. Emotions: " + ", ".join(SEMEVAL_EC.labels))


def engines(model, tokenizer, schema_text):
    """name -> (make a fresh logits processor list, or None for the unconstrained baseline)."""
    import outlines
    import xgrammar as xgr
    from outlines.backends import get_json_schema_logits_processor
    from xgrammar.contrib.hf import LogitsProcessor

    vocab = model.get_output_embeddings().weight.shape[0]
    info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab,
                                              stop_token_ids=[tokenizer.eos_token_id])
    compiler = xgr.GrammarCompiler(info)
    compiled = {}

    def xgrammar_direct():
        if "g" not in compiled:
            compiled["g"] = compiler.compile_json_schema(schema_text, any_whitespace=False)
        return [LogitsProcessor(compiled["g"])]

    steerable = outlines.from_transformers(model, tokenizer)

    def outlines_with(backend):
        # Outlines processors are built (compiled) once and reset between calls.
        def make():
            if backend not in compiled:
                compiled[backend] = get_json_schema_logits_processor(backend, steerable, schema_text)
            compiled[backend].reset()
            return [compiled[backend]]
        return make

    return {
        "unconstrained": lambda: None,
        "xgrammar (contrib.hf)": xgrammar_direct,
        "outlines + outlines_core": outlines_with("outlines_core"),
        "outlines + llguidance": outlines_with("llguidance"),
    }


class Timed:
    """Wraps a logits processor and adds up the time spent inside it: the masking cost alone,
    less disturbed by other load on the machine than the end-to-end speed."""

    def __init__(self, inner):
        self.inner, self.seconds, self.calls = inner, 0.0, 0

    def __call__(self, input_ids, scores):
        start = time.perf_counter()
        out = self.inner(input_ids, scores)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        return out


def check(text, validator):
    try:
        obj = json.loads(text)
        validator.model_validate(obj)
    except Exception:
        return False
    return tuple(obj) == ANSWER_KEYS


def summary(s):
    def median(xs):
        return round(statistics.median(xs), 3) if xs else None

    return {**s, "tok_per_s_median": median(s["tok_per_s"]),
            "mask_ms_per_token_median": median(s["mask_ms_per_token"]),
            "tok_per_s": [round(x, 2) for x in s["tok_per_s"]],
            "mask_ms_per_token": [round(x, 3) for x in s["mask_ms_per_token"]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--max-explanation-chars", type=int, default=120)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    folder = hf_folder(resolve_model("default"))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    schema = answer_schema(SEMEVAL_EC, max_explanation_chars=args.max_explanation_chars)
    validator = answer_model(SEMEVAL_EC, max_explanation_chars=args.max_explanation_chars)
    table = engines(model, tokenizer, json.dumps(schema))
    stats = {name: {"first_call_s": None, "tok_per_s": [], "mask_ms_per_token": [],
                    "valid": 0, "runs": 0}
             for name in table}

    prompts = [tokenizer.apply_chat_template(
        [{"role": "system", "content": SYSTEM}, {"role": "user", "content": t}],
        add_generation_prompt=True, return_tensors="pt", return_dict=True) for t in TEXTS]
    for _ in range(args.rounds):
        for inputs in prompts:
            for name, make in table.items():
                start = time.perf_counter()
                processors = make()
                timed = [Timed(p) for p in processors] if processors else None
                with torch.inference_mode():
                    out = model.generate(**inputs, max_new_tokens=args.max_tokens, do_sample=False,
                                         logits_processor=timed, top_k=None, top_p=None,
                                         temperature=None, pad_token_id=tokenizer.eos_token_id)
                seconds = time.perf_counter() - start
                new = out[0, inputs["input_ids"].shape[1]:]
                # Some engines compile lazily inside the first call: keep it out of the speed.
                if stats[name]["first_call_s"] is None:
                    stats[name]["first_call_s"] = round(seconds, 2)
                    stats[name]["first_call_tokens"] = len(new)
                else:
                    stats[name]["tok_per_s"].append(len(new) / seconds)
                    if timed:
                        stats[name]["mask_ms_per_token"].append(
                            1000 * timed[0].seconds / max(timed[0].calls, 1))
                stats[name]["runs"] += 1
                stats[name]["valid"] += check(tokenizer.decode(new, skip_special_tokens=True),
                                              validator)
                print(f"{name:28s} {len(new):4d} tok {seconds:6.2f} s", flush=True)

    result = {
        "bench": "constrained_decoding_hf",
        "model": "SmolLM2-135M-Instruct (embedded GGUF converted to fp32)",
        "threads": args.threads, "max_tokens": args.max_tokens, "rounds": args.rounds,
        "max_explanation_chars": args.max_explanation_chars,
        "machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),  # other work on the machine skews tok/s
        "versions": {p: version(p) for p in ("torch", "transformers", "xgrammar", "outlines",
                                             "outlines_core", "llguidance")},
        "engines": {name: summary(s) for name, s in stats.items()},
    }
    out_path = Path(__file__).parent / "results" / "constrained_decoding_hf.json"
    out_path.parent.mkdir(exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2) + "\n")
    for name, s in result["engines"].items():
        print(f"{name:28s} first call {s['first_call_s']:7.2f} s  "
              f"median {s['tok_per_s_median']:6.2f} tok/s  "
              f"mask {s['mask_ms_per_token_median']} ms/token  valid {s['valid']}/{s['runs']}")


if __name__ == "__main__":
    main()
