"""AEB on a stratified sample: the embedded model zero-shot beside the baselines, and the cost
of enforcing each kind of answer schema.

1. ``aeb run`` with the embedded SmolLM2 (emolab prompts, schema enforced, greedy) on
   ``--limit-per-task`` rows of each of the 14 tasks (the same share of every dimension,
   spread through the file), into a resumable run folder under ``runs/``;
2. the baselines ``vader``, ``textblob`` and ``encoder`` on the same rows;
3. texts per second by answer kind (labels, score, class), from the rows' own timings;
4. schema overhead per answer kind: tokens per second with and without the schema on the
   same texts, interleaved text by text (``classify_throughput.interleaved``).

Writes ``bench/results/aeb.json`` and ``aeb.md`` and prints the table.

    EMOLAB_DATA=/work/shared/data python bench/aeb.py [--limit-per-task 100] [--overhead-texts 20]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections import defaultdict
from pathlib import Path

from classify_throughput import interleaved, summarise

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


def schema_overhead(engine, n_texts: int, data_dir: str | None) -> dict:
    params = SamplingParams(max_tokens=DEFAULT_MAX_TOKENS)
    found = {}
    for kind, (dataset, spec) in OVERHEAD.items():
        texts = [e.text for e in load(dataset, "dev", data_dir=data_dir)[:n_texts]]
        task = get_task(spec)
        paths = {"schema": (Classifier(engine, task, params=params), None),
                 "free": (Classifier(engine, task, params=params, constrain=False), None)}
        timings = interleaved(paths, texts, {}, None)
        on, off = (summarise(name, *timings[name]) for name in ("schema", "free"))
        found[kind] = {"schema": on, "free": off,
                       "tokens_per_s_cost": round(1 - on["tokens_per_s"] / off["tokens_per_s"], 3)}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-per-task", type=int, default=100)
    parser.add_argument("--overhead-texts", type=int, default=20)
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-aeb"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-model", action="store_true", help="Baselines only.")
    args = parser.parse_args()
    data_dir = os.environ.get("EMOLAB_DATA")
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
    scored = [score_run(folders[k]) for k in ("model", "encoder", "vader", "textblob")
              if k in folders]
    result["runs"] = scored
    table = markdown(table_rows(scored))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "aeb.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "aeb.md").write_text(table)
    print(table)
    for kind, found in result.get("schema_overhead", {}).items():
        print(f"schema cost, {kind}: {100 * found['tokens_per_s_cost']:.1f}% of tokens/s "
              f"({found['schema']['tokens_per_s']} vs {found['free']['tokens_per_s']})")
    for kind, found in result.get("speed_by_kind", {}).items():
        print(f"{kind}: {found['texts_per_s']} texts/s over {found['texts']} texts")


if __name__ == "__main__":
    main()
