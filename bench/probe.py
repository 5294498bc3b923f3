"""Speed of ``emolab probe``'s two stages, against a plain loop.

Extraction: texts per second of ``emolab.probing.activations.extract`` (length-sorted batches,
every layer streamed to per-layer memory maps on disk) against the plain way, one text at a
time through ``model(..., output_hidden_states=True)`` with every pooled layer kept in RAM.
Both produce the same numbers (checked: the largest absolute difference is reported).
Probing: seconds per layer of each probe on the cached activations, real labels plus control.

    EMOLAB_DATA=/work/shared/data python bench/probe.py [--model minilm] [--n 200]

Writes ``bench/results/probe-<model>.json`` and prints a table with ratios. The machine is
shared: quote the ratios, not the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from emolab.data import get_dataset, load
from emolab.models import hf_folder, resolve_model
from emolab.probing.activations import extract, load_model, pool
from emolab.probing.run import subset
from emolab.probing.sweep import encode_labels, run_sweep

RESULTS = Path(__file__).parent / "results"


def plain_loop(loaded, texts: list[str], max_length: int) -> dict[str, np.ndarray]:
    """The baseline: batch of one, every layer's pooled vectors appended to lists in RAM."""
    import torch

    kept = {"mean": [], "last": []}
    with torch.inference_mode():
        for text in texts:
            batch = loaded.tokenizer([text], truncation=True, max_length=max_length,
                                     return_tensors="pt")
            states = loaded.model(**loaded.inputs(batch),
                                  output_hidden_states=True).hidden_states
            for pooling in kept:
                kept[pooling].append(np.stack(
                    [pool(h, batch["attention_mask"])[pooling][0].numpy() for h in states]))
    return {p: np.stack(v, axis=1) for p, v in kept.items()}  # layers x rows x width


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--dataset", default="isear")
    parser.add_argument("--n", type=int, default=200, help="texts to extract")
    parser.add_argument("--probe-layers", type=int, default=3, help="layers to probe")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    info = get_dataset(args.dataset)
    examples = subset(load(args.dataset, "train"), args.n, seed=0)
    texts, ids = [e.text for e in examples], [e.id for e in examples]
    folder = hf_folder(resolve_model(args.model))
    loaded = load_model(folder, threads=args.threads)
    plain_loop(loaded, texts[:4], args.max_length)  # warm-up of both paths' kernels

    started = time.perf_counter()
    reference = plain_loop(loaded, texts, args.max_length)
    plain_seconds = time.perf_counter() - started

    cache = Path(tempfile.mkdtemp(prefix="emolab-bench-"))
    try:
        store, _, timing = extract(loaded, folder, ids, texts, cache, max_length=args.max_length,
                                   batch_size=args.batch_size, progress=False)
        ours_seconds = timing["seconds"]
        diff = max(float(np.abs(store.layer(i, p) - reference[p][i]).max())
                   for i in range(store.n_layers) for p in ("mean", "last"))
        y = encode_labels([e.labels for e in examples], info.labels,
                          multi_label=info.task.value == "multi_label")
        layers = list(np.linspace(0, store.n_layers - 1, args.probe_layers).round().astype(int))
        probing = {}
        for name in ("linear", "mlp"):
            result = run_sweep(lambda i: store.layer(i, "mean"), y, layers=layers,
                               n_labels=len(info.labels), probes=(name,), cv=5,
                               progress=False)
            probing[name] = float(np.mean([r["seconds"] for r in result.rows]))
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    report = {
        "model": args.model, "dataset": args.dataset, "texts": len(texts),
        "layers": store.n_layers, "width": store.width, "threads": args.threads,
        "batch_size": args.batch_size, "max_length": args.max_length,
        "plain_texts_per_s": len(texts) / plain_seconds,
        "extract_texts_per_s": len(texts) / ours_seconds,
        "speedup": plain_seconds / ours_seconds,
        "max_abs_difference": diff,
        "probe_seconds_per_layer_5fold_with_control": probing,
        "load_average": os.getloadavg(), "python": platform.python_version(),
        "torch": torch.__version__,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"probe-{args.model}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"{'what':<44}{'value':>12}")
    print(f"{'plain loop, batch 1, in RAM (texts/s)':<44}{report['plain_texts_per_s']:>12.1f}")
    print(f"{'extract, batches to memmaps (texts/s)':<44}{report['extract_texts_per_s']:>12.1f}")
    print(f"{'ratio (extract / plain)':<44}{report['speedup']:>11.2f}x")
    print(f"{'max |difference| of activations':<44}{diff:>12.2e}")
    for name, seconds in probing.items():
        print(f"{f'{name} probe, s per layer (5-fold + control)':<44}{seconds:>12.2f}")
    print(f"load average while running: {report['load_average']}; wrote {path}")


if __name__ == "__main__":
    main()
