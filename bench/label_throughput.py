"""Throughput of ``emolab label`` on one machine, and memory while streaming a large corpus.

Throughput: the same SemEval-2018 E-c dev tweets, the E-c answer schema, greedy, through the
whole label pipeline (reader -> engine -> Parquet shards), with the model and prompt ``emolab
label`` picks by default (emolab's tuned model, compact prompt; ``--model base``: the untuned
SmolLM2 with the v1 prompt, as runs before the tuned model), by:

1. ``in-process``: ``--engine local``, the default llamacpp backend (llama-cpp-python +
   XGrammar), one text at a time;
2. ``server-1`` / ``server-2`` / ``server-4``: ``--engine llama-server --concurrency 1|2|4``:
   llama.cpp's own server (xllamacpp wheel, in this process, loopback) with that many slots and
   requests in flight;
3. ``two-servers``: ``--engine llama-server --llama-servers 2 --concurrency 2``: two such
   servers of 1 thread and 2 slots each;
4. ``ray-local``: ``--engine ray`` — a local Ray on loopback whose Ray Data actor sends the
   texts to one such server of 4 slots. Each turn of ``--block`` texts is one Ray Data pipeline
   (the engine runs one per chunk), so its start-up counts against few texts here; the path
   exists for clusters, and this measures what it costs on one machine.

The machine is shared, so the paths take turns: block 1 of the texts through every path, then
block 2, ... (all servers stay up, idle while it is not their turn); a change in the machine's
load then touches every path alike and the ratios stay fair. Every path gets one warm-up text
(not timed); model loading and server start are not timed.

Memory: ``--memory-rows`` lines of synthetic text streamed through the reader and the Parquet
writer with a stand-in answerer (no model), in a fresh process per size, peak RSS reported.

    EMOLAB_DATA=/work/shared/data python bench/label_throughput.py [--limit 40] [--threads 2]
        [--paths in-process,server-1,server-2,server-4,two-servers,ray-local] [--block 8]
        [--model default|base]
        [--memory-rows 100000,1000000]

Writes ``bench/results/label_throughput.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
TASKS = "ec"
DEFAULT_PATHS = "in-process,server-1,server-2,server-4,two-servers,ray-local"


def model_and_prompt(model: str) -> tuple[str, str]:
    """What ``emolab label --tasks ec`` runs for ``--model`` (default: the tuned model)."""
    from emolab.models.policy import choose_model

    chosen = choose_model(None if model == "default" else model, "llamacpp", ["semeval-ec"])
    return chosen.model, chosen.prompt_version


def corpus_file(folder: Path, limit: int) -> tuple[Path, list[str]]:
    from emolab.data import load

    rows = load("semeval-ec", "dev", data_dir=os.environ.get("EMOLAB_DATA"))[:limit + 1]
    path = folder / "tweets.jsonl"
    path.write_text("".join(json.dumps({"id": r.id, "text": r.text}) + "\n" for r in rows[1:]))
    return path, [rows[0].text]  # the first tweet warms up, the rest are timed


def engine_for(path: str, threads: int, servers: list, model: str, prompt_version: str):
    """(tasks, engine, an answerer for the warm-up text) of one path, built the way ``emolab
    label`` builds it (``build_engine``); servers the bench starts itself go into ``servers``."""
    from emolab.backends import SamplingParams
    from emolab.label.build import build_engine
    from emolab.label.config import LabelConfig
    from emolab.label.tasks import resolve_tasks
    from emolab.schemas import DEFAULT_MAX_TOKENS

    tasks = resolve_tasks(TASKS)
    params = SamplingParams(max_tokens=DEFAULT_MAX_TOKENS)
    common = dict(tasks=TASKS, model=model, prompt_version=prompt_version, threads=threads)
    if path == "in-process":
        engine = build_engine(LabelConfig(engine="local", **common), tasks, params=params)
        return tasks, engine, engine.answerer
    if path == "ray-local":  # the Ray engine sends to servers it is given: start one here
        from emolab.label.engines.llama_server import LlamaServer
        from emolab.label.engines.servers import load_servers

        server = LlamaServer(model, slots=4, threads=threads)
        servers.append(server)
        cfg = LabelConfig(engine="ray", base_url=[server.url], concurrency=server.slots,
                          **{**common, "model": server.model})
        warm = load_servers([server.url], tasks=tasks, model=server.model, api_key=None,
                            slots=server.slots, params=params, constrain=True,
                            prompt_version=prompt_version)[0].answerer
        return tasks, build_engine(cfg, tasks, params=params), warm
    if path == "two-servers":  # 1 thread and 2 slots each
        cfg = LabelConfig(engine="llama-server", llama_servers=2, concurrency=2, **common)
    else:
        cfg = LabelConfig(engine="llama-server", concurrency=int(path.rsplit("-", 1)[1]),
                          **common)
    engine = build_engine(cfg, tasks, params=params)  # owns its servers: closed with it
    return tasks, engine, engine.servers[0].answerer


def run_paths(paths: list[str], corpus: Path, warm: list[str], threads: int, block: int,
              folder: Path, model: str, prompt_version: str) -> list[dict]:
    """Each path labels block 1, then each labels block 2, ... into its own run folder."""
    import pyarrow.parquet as pq

    from emolab.label.readers import read_corpus
    from emolab.label.run import label_corpus, open_run

    records = list(read_corpus(corpus, id_column="id"))
    servers: list = []
    setups = {}
    loads: list[float] = []  # the machine's 1-minute load average after each round
    try:
        for path in paths:
            tasks, engine, answerer = engine_for(path, threads, servers, model, prompt_version)
            answerer.answer(warm[0])
            run = open_run(folder / f"out-{path}", {"path": path}, tasks, corpus=corpus)
            setups[path] = (engine, run, [0.0])
        for end in range(block, len(records) + block, block):
            for engine, run, seconds in setups.values():
                summary = label_corpus(run, records[:end], engine, shard_rows=1000)
                seconds[0] += summary.seconds
            loads.append(os.getloadavg()[0])
            print(f"block to row {min(end, len(records))} done, load {loads[-1]:.1f}", flush=True)
    finally:
        for engine, _, _ in setups.values():
            engine.close()
        for server in servers:
            server.close()
    results = []
    for path, (_, run, seconds) in setups.items():
        rows = pq.read_table(run.out / "data").to_pylist()
        n = len(rows)
        results.append({
            "path": path, "texts": n, "seconds": round(seconds[0], 2),
            "texts_per_s": round(n / seconds[0], 3),
            "schema_valid": round(sum(bool(r["ec__schema_valid"]) for r in rows) / n, 3),
            "answer_ok": round(sum(r["ec__error"] is None for r in rows) / n, 3),
            "mean_raw_chars": round(sum(len(r["ec__raw"] or "") for r in rows) / n, 1),
            "threads": threads, "load_average_during": round(sum(loads) / len(loads), 2)})
    return results


# -- memory -----------------------------------------------------------------------------------

class StandIn:
    """Answers every text at once with a fixed answer: the bench measures reader + writer."""

    model_id, prompt_version = "stand-in", "v1"

    def answer(self, text: str):
        from emolab.label.answer import Answer

        return Answer({"ec__answer": ["joy"], "ec__explanation": "stand-in",
                       "ec__raw": '{"stand": "in"}', "ec__error": None,
                       "ec__schema_valid": True})


def memory_child(rows: int) -> None:
    from emolab.label.engines.local import LocalEngine
    from emolab.label.readers import read_corpus
    from emolab.label.run import label_corpus, open_run
    from emolab.label.tasks import resolve_tasks

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "synthetic.txt"
        with corpus.open("w") as handle:
            for i in range(rows):
                handle.write(f"post {i}: what a day, the bus was late again and I loved it\n")
        tasks = resolve_tasks(TASKS)
        base = peak_rss_kb()
        run = open_run(Path(tmp) / "out", {"bench": "memory"}, tasks, corpus=corpus)
        started = time.perf_counter()
        with LocalEngine(StandIn(), tasks) as engine:
            summary = label_corpus(run, read_corpus(corpus), engine, shard_rows=10_000)
        seconds = time.perf_counter() - started
        peak = peak_rss_kb()
        size = sum(p.stat().st_size for p in (Path(tmp) / "out" / "data").iterdir())
    print(json.dumps({"rows": summary.written, "corpus_mb": round(corpus_bytes(rows) / 1e6, 1),
                      "rss_before_mb": round(base / 1024, 1), "peak_rss_mb": round(peak / 1024, 1),
                      "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds),
                      "shards": summary.shards, "output_mb": round(size / 1e6, 1)}))


def peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM); ru_maxrss would carry the parent's peak
    across exec on Linux."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def corpus_bytes(rows: int) -> int:
    return sum(len(f"post {i}: what a day, the bus was late again and I loved it\n")
               for i in range(rows))


def memory(rows: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--memory-child", str(rows)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=40, help="timed tweets per path")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--paths", default=DEFAULT_PATHS)
    parser.add_argument("--block", type=int, default=8, help="texts per turn of each path")
    parser.add_argument("--memory-rows", default="100000,1000000")
    parser.add_argument("--model", default="default",
                        help="default (what emolab label runs: the tuned model) or base")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    result: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "load_before": os.getloadavg()[0]},
                    "tasks": TASKS, "throughput": [], "memory": []}
    model, prompt_version = model_and_prompt(args.model)
    result.update(model=model, prompt_version=prompt_version)
    paths = [p for p in args.paths.split(",") if p]
    if paths:
        with tempfile.TemporaryDirectory() as tmp:
            corpus, warm = corpus_file(Path(tmp), args.limit)
            result["throughput"] = run_paths(paths, corpus, warm, args.threads, args.block,
                                             Path(tmp), model, prompt_version)
        result["machine"]["load_after"] = os.getloadavg()[0]
        for row in result["throughput"]:
            print(json.dumps(row), flush=True)
    for rows in (int(r) for r in args.memory_rows.split(",") if r):
        result["memory"].append(memory(rows))
        print(json.dumps(result["memory"][-1]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "label_throughput.json"
    if out.exists():  # a run of only one part keeps the other part of the last run
        previous = json.loads(out.read_text())
        for part in ("throughput", "memory"):
            if not result[part] and previous.get(part):
                result[part] = previous[part]
                result.setdefault("kept_from_previous_run", []).append(part)
        # on a shared machine one run is one sample: earlier throughput runs are kept
        result["earlier_runs"] = previous.get("earlier_runs", [])
        if previous.get("throughput") and "throughput" not in result.get("kept_from_previous_run", []):
            result["earlier_runs"].append({
                "machine": previous.get("machine"), "model": previous.get("model", "base"),
                "prompt_version": previous.get("prompt_version", "v1"),
                "throughput": previous.get("throughput")})
    out.write_text(json.dumps(result, indent=2) + "\n")
    table(result)
    print(f"written: {out}")


def table(result: dict) -> None:
    base = next((r["texts_per_s"] for r in result["throughput"] if r["path"] == "in-process"),
                None)
    print(f"\n{'path':<14}{'texts':>6}{'s':>8}{'texts/s':>9}{'vs in-process':>14}{'valid':>7}"
          f"{'ok':>6}{'chars':>7}")
    for r in result["throughput"]:
        ratio = f"{r['texts_per_s'] / base:.2f}x" if base else "-"
        print(f"{r['path']:<14}{r['texts']:>6}{r['seconds']:>8}{r['texts_per_s']:>9}{ratio:>14}"
              f"{r['schema_valid']:>7}{r['answer_ok']:>6}{r['mean_raw_chars']:>7}")
    for m in result["memory"]:
        print(f"memory: {m['rows']:>9} rows ({m['corpus_mb']} MB): peak RSS {m['peak_rss_mb']} MB "
              f"(before the run {m['rss_before_mb']} MB), {m['rows_per_s']} rows/s")


if __name__ == "__main__":
    main()
