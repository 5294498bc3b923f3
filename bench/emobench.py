"""What an EmoBench run costs on the embedded model (SmolLM2 through llama.cpp, 2 threads).

1. ``greedy``: 1 answer per question, original choice order only, schema-constrained; items per
   second for EU (two questions, asked in two steps) and EA (one question).
2. ``paper``: the paper's protocol, ``--samples 5 --permutations 3`` (temperature 0.7): 5
   answers in each of 4 choice orders = 20 generations per question. Run on fewer items; the
   ratio to ``greedy`` and the projected time of the 200 + 200 English items are reported.

Both use emolab's own runner (retries, votes, every raw answer kept) on the first items of the
shipped English data. Writes ``bench/results/emobench.json`` and prints a table.

    EMOLAB_DATA=/work/shared/data python bench/emobench.py [--items 6] [--paper-items 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from emolab.backends import load_backend
from emolab.emobench.config import EmoBenchConfig
from emolab.emobench.items import load_items
from emolab.emobench.runner import Runner, read_rows
from emolab.emobench.scorer import asked_from_run, score

RESULTS = Path(__file__).parent / "results"
FULL = 200  # English items per task


def measure(backend, items, **settings) -> dict:
    cfg = EmoBenchConfig(**settings)
    runner = Runner(backend, cfg, structured=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.jsonl"
        started = time.perf_counter()
        runner.run(items, path)
        seconds = time.perf_counter() - started
        rows = read_rows(path)
    figures = score(asked_from_run({(i.task, i.id): i for i in items}, rows),
                    with_published=False)
    answers = sum(f["parse_failures"]["answers"] for f in figures.values())
    unreadable = sum(f["parse_failures"]["unreadable"] for f in figures.values())
    return {"items": len(items), "seconds": round(seconds, 2),
            "items_per_s": round(len(items) / seconds, 3),
            "s_per_item": round(seconds / len(items), 2),
            "generation_calls": runner.generations, "answers": answers,
            "unreadable": unreadable,
            "accuracy": {t: f["accuracy"] for t, f in figures.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=6, help="items per task, greedy")
    parser.add_argument("--paper-items", type=int, default=2, help="items per task, paper protocol")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    backend = load_backend("llamacpp", model="default", n_threads=args.threads)
    result: dict = {"model": backend.model_id, "backend": "llamacpp", "threads": args.threads,
                    "python": platform.python_version(), "runs": {},
                    # The machine is shared: the load says how far the rates are from idle ones.
                    "load_average_1min_before": round(os.getloadavg()[0], 2)}
    warm = load_items("EA", "en")[-1:]  # grammar compiled and prompt cache filled off the clock
    measure(backend, warm, task="EA")
    for task in ("EU", "EA"):
        items = load_items(task, "en")
        greedy = measure(backend, items[:args.items], task=task)
        paper = measure(backend, items[:args.paper_items], task=task, samples=5,
                        permutations=3, temperature=0.7)
        ratio = paper["s_per_item"] / greedy["s_per_item"]
        result["runs"][task] = {
            "greedy": greedy, "paper_protocol": paper,
            "paper_cost_ratio": round(ratio, 1),
            "projected_hours_200_items": {
                "greedy": round(FULL * greedy["s_per_item"] / 3600, 2),
                "paper_protocol": round(FULL * paper["s_per_item"] / 3600, 2)}}
    backend.close()
    result["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "emobench.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{'task':4} {'protocol':16} {'items':>5} {'s/item':>7} {'items/s':>8} "
          f"{'gen calls':>9} {'unread':>6} {'200 items (h)':>13}")
    for task, runs in result["runs"].items():
        for name in ("greedy", "paper_protocol"):
            r = runs[name]
            hours = runs["projected_hours_200_items"][name]
            print(f"{task:4} {name:16} {r['items']:5d} {r['s_per_item']:7.2f} "
                  f"{r['items_per_s']:8.3f} {r['generation_calls']:9d} {r['unreadable']:6d} "
                  f"{hours:13.2f}")
        print(f"{task:4} the paper's 20 generations per question cost "
              f"{runs['paper_cost_ratio']}x greedy")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
