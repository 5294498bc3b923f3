"""Items per hour of ``emolab reason generate``, per pipeline, on this machine.

For each pipeline, a fresh run folder gets ``--n`` items from the embedded SmolLM2 (llamacpp
backend, schema-constrained, 2 threads) or from an OpenAI-compatible server (``--base-url``,
``--model``); with a server, ``--concurrency 1,2,4`` repeats the run at each level of
dialogues in flight. Reports dialogues, kept items, agent calls, generated tokens, wall time,
items and dialogues per hour, and the per-check counts. Writes
``bench/results/reason_generate-*.json``.

    EMOLAB_DATA=/work/shared/data python bench/reason_generate.py --pipelines concise --n 2
    python bench/reason_generate.py --base-url http://127.0.0.1:8080/v1 --model m \
        --concurrency 1,2,4
    python bench/reason_generate.py --llama-server --concurrency 1,2,4   # llama.cpp's server
                                                                        # (xllamacpp), loopback
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from emolab.backends import load_backend
from emolab.reasoning.config import ReasonConfig
from emolab.reasoning.run import generate
from emolab.reasoning.store import RunStore

RESULTS = Path(__file__).parent / "results"


def one_run(backend, cfg: ReasonConfig, folder: Path) -> dict:
    if folder.exists() and any(folder.iterdir()):
        # A run folder resumes: its earlier dialogues would count against this run's seconds.
        raise SystemExit(f"{folder} already holds a run; give --runs a new folder")
    start = time.perf_counter()
    report = generate(backend, cfg, RunStore(folder, create=True))
    seconds = time.perf_counter() - start
    records = RunStore(folder).records
    kept = sum(report["items"]["kept"].values())
    return {"pipeline": cfg.pipeline, "concurrency": cfg.concurrency, "n": cfg.n,
            "seconds": round(seconds, 1), "dialogues": len(records), "items_kept": kept,
            "items_per_hour": round(kept * 3600 / seconds, 1),
            "dialogues_per_hour": round(len(records) * 3600 / seconds, 1),
            "agent_calls": report["agent_calls"],
            "completion_tokens": sum(r["completion_tokens"] for r in records),
            "tokens_per_second": round(sum(r["completion_tokens"] for r in records) / seconds, 1),
            "report": report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", default="concise,dialogue")
    parser.add_argument("--n", type=int, default=2, help="Items per run.")
    parser.add_argument("--max-dialogues", type=int, default=None)
    parser.add_argument("--base-url", default=None, help="OpenAI-compatible server (else the "
                        "embedded model through llamacpp).")
    parser.add_argument("--model", default=None)
    parser.add_argument("--llama-server", action="store_true", help="Start llama.cpp's server "
                        "(xllamacpp) on loopback with the embedded model, as many slots as the "
                        "highest --concurrency, and run against it.")
    parser.add_argument("--concurrency", default="1", help="Comma-separated levels (server).")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=Path, default=None, help="Keep the run folders here "
                        "(default: a temporary folder); their items can be exported.")
    parser.add_argument("--settings", default="{}", help="JSON of extra ReasonConfig fields "
                        "(e.g. token limits).")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.llama_server:
            from emolab.label.engines.llama_server import LlamaServer

            top = max(int(c) for c in args.concurrency.split(","))
            server = stack.enter_context(LlamaServer(args.model or "base", slots=top,
                                                     threads=args.threads, ctx_per_slot=4096))
            args.base_url, args.model = server.url, server.model
        run_all(args)


def run_all(args: argparse.Namespace) -> None:
    if args.base_url:
        name, options = "openai", {"model": args.model, "base_url": args.base_url,
                                   "concurrency": max(int(c) for c in args.concurrency.split(","))}
    else:
        name, options = "llamacpp", {"model": args.model or "default", "n_threads": args.threads,
                                     "n_ctx": 4096}
    rows = []
    with load_backend(name, **options) as backend, tempfile.TemporaryDirectory() as tmp:
        root = args.runs or Path(tmp)
        for pipeline in args.pipelines.split(","):
            for level in (int(c) for c in args.concurrency.split(",")):
                cfg = ReasonConfig(backend=name, model=options["model"], pipeline=pipeline,
                                   n=args.n, seed=args.seed, concurrency=level,
                                   max_dialogues=args.max_dialogues,
                                   data_dir=os.environ.get("EMOLAB_DATA"),
                                   **json.loads(args.settings))
                row = one_run(backend, cfg, root / f"{pipeline}-{level}")
                print(json.dumps({k: v for k, v in row.items() if k != "report"}), flush=True)
                rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = RESULTS / f"reason_generate-{stamp}.json"
    out.write_text(json.dumps({"backend": name, "model": backend.model_id,
                               "cpu_count": os.cpu_count(), "python": platform.python_version(),
                               "args": {**vars(args), "runs": args.runs and str(args.runs)},
                               "runs": rows}, indent=2))
    print(out)


if __name__ == "__main__":
    main()
