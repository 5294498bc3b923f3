"""AEB on a stratified sample: the embedded model zero-shot beside the baselines, and the cost
of enforcing each kind of answer schema.

1. ``aeb run`` with the embedded SmolLM2 (emolab prompts, schema enforced, greedy) on
   ``--limit-per-task`` rows of each of the 14 tasks (the same share of every dimension,
   spread through the file), into a resumable run folder under ``runs/``;
2. the baselines ``vader``, ``textblob`` and ``encoder`` on the same rows;
3. texts per second by answer kind (labels, score, class), from the rows' own timings;
4. schema overhead per answer kind: tokens per second with and without the schema on the
   same texts, interleaved text by text, over the whole call and over decoding alone
   (llama.cpp's prompt-evaluation time left out; see ``schema_overhead``).

Writes ``bench/results/aeb.json`` and ``aeb.md`` and prints the table.

    EMOLAB_DATA=/work/shared/data python bench/aeb.py [--limit-per-task 100] [--overhead-texts 40]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections import defaultdict
from pathlib import Path

from classify_throughput import summarise

from emolab.aeb import get_aeb_tasks
from emolab.aeb.baselines import run_baseline
from emolab.aeb.report import markdown, table_rows
from emolab.aeb.runner import AebRun, predictions_path, record_session
from emolab.aeb.scoring import score_run
from emolab.backends import SamplingParams, load_backend
from emolab.classify import Classifier
from emolab.data import load
from emolab.evaluate.predictions import read_predictions
from emolab.schemas import DEFAULT_MAX_TOKENS
from emolab.tasks import get_task

RESULTS = Path(__file__).parent / "results"
KIND_OF = {"regression": "score", "ordinal": "class", "multi_label": "labels",
           "single_label": "labels"}
# One task per answer kind for the schema-overhead comparison, all on SemEval dev tweets.
OVERHEAD = {"labels": ("semeval-ec", "semeval-ec"), "score": ("semeval-v-reg", "v-reg"),
            "class": ("semeval-v-oc", "v-oc")}


def speed_by_kind(run: Path, tasks) -> dict:
    seconds, texts, tokens = defaultdict(float), defaultdict(int), defaultdict(int)
    for task in tasks:
        path = predictions_path(run, task)
        for row in read_predictions(path) if path.exists() else []:
            kind = KIND_OF[row.task.value]
            seconds[kind] += getattr(row, "seconds", 0) or 0
            tokens[kind] += getattr(row, "completion_tokens", 0) or 0
            texts[kind] += 1
    return {kind: {"texts": texts[kind], "seconds": round(seconds[kind], 1),
                   "texts_per_s": round(texts[kind] / seconds[kind], 3) if seconds[kind] else None,
                   "tokens_per_s": round(tokens[kind] / seconds[kind], 1) if seconds[kind] else None}
            for kind in texts}


def timed_classify(classifier, text: str) -> tuple[float, float, int, object]:
    """(seconds, prompt-evaluation ms, decoded tokens, result) of one classify call, the
    middle two from llama.cpp's own counters of the answer."""
    start = time.perf_counter()
    result = classifier.classify(text)
    seconds = time.perf_counter() - start
    timings = classifier.backend.last_timings
    return seconds, timings.get("prompt_ms", 0.0), timings.get("predicted_n", 0), result


def add(total: dict, measured: tuple) -> None:
    seconds, prompt_ms, decoded, result = measured
    total["seconds"] += seconds
    total["prompt_ms"] += prompt_ms
    total["decoded"] += decoded
    total["results"].append(result)


def schema_overhead(engine, n_texts: int, data_dir: str | None) -> dict:
    """Per answer kind: the same texts with and without the schema, interleaved text by text.

    ``tokens_per_s`` counts the whole call, so a short constrained answer (50 tokens) pays
    its prompt evaluation over fewer tokens than a long free one (300), and a path that runs
    second on a text finds its prompt in llama.cpp's prefix cache. ``decode_tokens_per_s``
    leaves the prompt evaluation out (llama.cpp's own counter): the per-token cost of decoding,
    the XGrammar mask included. A free answer also runs longer, so its later tokens attend to a
    longer context; ``free_matched`` therefore decodes the free prompt for at most as many
    tokens as the schema path wrote on that text, and the headline cost compares the two.
    """
    params = SamplingParams(max_tokens=DEFAULT_MAX_TOKENS)
    found = {}
    for kind, (dataset, spec) in OVERHEAD.items():
        texts = [e.text for e in load(dataset, "dev", data_dir=data_dir)[:n_texts]]
        task = get_task(spec)
        schema = Classifier(engine, task, params=params)
        free = Classifier(engine, task, params=params, constrain=False)
        for classifier in (schema, free):  # warm up: grammar compiled, prefix cached
            classifier.backend.generate(classifier.messages(texts[0]), schema=classifier.schema,
                                        params=SamplingParams(max_tokens=4))
        totals = {name: {"seconds": 0.0, "prompt_ms": 0.0, "decoded": 0, "results": []}
                  for name in ("schema", "free", "free_matched")}

        for i, text in enumerate(texts):
            # Alternate which path goes first, so neither always finds the prompt cached.
            order = [("schema", schema), ("free", free)]
            for name, classifier in order if i % 2 == 0 else order[::-1]:
                add(totals[name], timed_classify(classifier, text))
            wrote = totals["schema"]["results"][-1].best.completion_tokens or 1
            matched = Classifier(engine, task, params=SamplingParams(max_tokens=wrote),
                                 constrain=False)
            add(totals["free_matched"], timed_classify(matched, text))
            print(f"{kind}: {i + 1}/{len(texts)} texts", flush=True)
        summary = {}
        for name, t in totals.items():
            row = summarise(name, t["seconds"], t["results"])
            decode_s = t["seconds"] - t["prompt_ms"] / 1000
            row.update(prompt_seconds=round(t["prompt_ms"] / 1000, 2),
                       decode_seconds=round(decode_s, 2),
                       decode_tokens_per_s=round(t["decoded"] / decode_s, 1))
            summary[name] = row
        on = summary["schema"]
        found[kind] = {**summary,
                       "tokens_per_s_cost": round(
                           1 - on["tokens_per_s"] / summary["free"]["tokens_per_s"], 3),
                       "decode_tokens_per_s_cost": round(
                           1 - on["decode_tokens_per_s"] / summary["free"]["decode_tokens_per_s"], 3),
                       "matched_decode_cost": round(
                           1 - on["decode_tokens_per_s"]
                           / summary["free_matched"]["decode_tokens_per_s"], 3)}
    return found


def print_overhead(result: dict) -> None:
    for kind, found in result.get("schema_overhead", {}).items():
        print(f"schema cost, {kind}: {100 * found['matched_decode_cost']:.1f}% of decoding "
              f"tokens/s at matched length ({found['schema']['decode_tokens_per_s']} vs "
              f"{found['free_matched']['decode_tokens_per_s']}); against whole free answers "
              f"{100 * found['decode_tokens_per_s_cost']:.1f}% decoding, "
              f"{100 * found['tokens_per_s_cost']:.1f}% whole call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-per-task", type=int, default=100)
    parser.add_argument("--overhead-texts", type=int, default=40)
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-aeb"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-model", action="store_true", help="Baselines only.")
    parser.add_argument("--overhead-only", action="store_true",
                        help="Measure the schema overhead again and keep the rest of aeb.json.")
    args = parser.parse_args()
    data_dir = os.environ.get("EMOLAB_DATA")
    if args.overhead_only:
        result = json.loads((RESULTS / "aeb.json").read_text())
        with load_backend("llamacpp", model="default", n_threads=args.threads) as engine:
            result["schema_overhead"] = schema_overhead(engine, args.overhead_texts, data_dir)
        result["overhead_texts"] = args.overhead_texts
        (RESULTS / "aeb.json").write_text(json.dumps(result, indent=2) + "\n")
        print_overhead(result)
        return
    tasks = get_aeb_tasks()
    folders = {}
    for name in ("vader", "textblob", "encoder"):
        folder = args.runs / name
        start = time.perf_counter()
        written = run_baseline(name, tasks, folder, limit_per_task=args.limit_per_task,
                               data_dir=data_dir)
        record_session(folder, {"model": name, "backend": "baseline", "prompts": None,
                                "prompt_version": None, "constrained": None, "sampling": None,
                                "limit_per_task": args.limit_per_task, "tasks": list(written),
                                "name": name}, written, time.perf_counter() - start)
        folders[name] = folder
        print(f"{name}: {sum(written.values())} answers in {time.perf_counter() - start:.0f} s")
    result: dict = {"limit_per_task": args.limit_per_task, "machine": platform.machine(),
                    "cpu_count": os.cpu_count(), "threads": args.threads}
    if not args.skip_model:
        folder = args.runs / "smollm2-zero-shot"
        engine = load_backend("llamacpp", model="default", n_threads=args.threads)
        job = AebRun(engine, limit_per_task=args.limit_per_task, data_dir=data_dir)
        written, start = {}, time.perf_counter()
        for task in tasks:
            written[task.name] = job.run_task(task, folder)
            print(f"{task.name}: {written[task.name]} new answers "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
        record_session(folder, {**job.settings(tasks), "name": "SmolLM2-135M zero-shot"},
                       written, time.perf_counter() - start)
        folders["model"] = folder
        result["speed_by_kind"] = speed_by_kind(folder, tasks)
        result["schema_overhead"] = schema_overhead(engine, args.overhead_texts, data_dir)
        result["overhead_texts"] = args.overhead_texts
    scored = [score_run(folders[k]) for k in ("model", "encoder", "vader", "textblob")
              if k in folders]
    result["runs"] = scored
    table = markdown(table_rows(scored))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "aeb.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "aeb.md").write_text(table)
    print(table)
    print_overhead(result)
    for kind, found in result.get("speed_by_kind", {}).items():
        print(f"{kind}: {found['texts_per_s']} texts/s over {found['texts']} texts")


if __name__ == "__main__":
    main()
