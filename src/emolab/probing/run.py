"""The whole ``emolab probe`` run: data -> activations (cached) -> sweeps -> files in ``out``.

Output folder (one model)::

    results.json  results.csv   every (layer, probe) row, plus the keyword-ablated rows
    curves.png    index.html    the curves, and a page embedding them with the tables
    confusion_<probe>.png        confusion matrix of that probe at its best layer
    keywords.json                the removed words (with --ablate keywords)
    manifest.json                config, versions, data checksums, timings

With ``--compare`` each model gets a subfolder and ``compare.png`` overlays both by depth.
"""

from __future__ import annotations

import csv
import json
import re
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from emolab.data import TaskKind, get_dataset, load
from emolab.errors import EmolabError
from emolab.probing.activations import extract, texts_digest
from emolab.probing.config import ProbeConfig, parse_layers
from emolab.probing.sweep import encode_labels, main_metric, run_sweep
from emolab.run_folder import RunFolder


def subset(examples: list, limit: int | None, seed: int) -> list:
    """A seeded random subset in file order: the first N rows of a file can be one class."""
    if limit is None or limit >= len(examples):
        return examples
    keep = np.sort(np.random.default_rng(seed).permutation(len(examples))[:limit])
    return [examples[i] for i in keep]


def _eval_split(cfg: ProbeConfig, info) -> str | None:
    if cfg.force_cv:
        return None
    if cfg.eval_split:
        return info.canonical_split(cfg.eval_split)
    if info.canonical_split(cfg.split) == "all":  # ISEAR's "all" contains its dev rows
        return None
    for name in ("dev", "validation"):
        if name in info.splits and name != info.canonical_split(cfg.split):
            return name
    return None


def slug(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(model).name or model).strip("-") or "model"


VERSIONED = ("emolab", "numpy", "torch", "transformers", "scikit-learn")


def run_probe(cfg: ProbeConfig, *, data_dir: str | Path | None = None) -> dict:
    """Run everything ``cfg`` asks for and return the summary also written to manifest.json."""
    started = time.perf_counter()
    info = get_dataset(cfg.dataset)
    if info.task not in (TaskKind.SINGLE_LABEL, TaskKind.MULTI_LABEL):
        raise EmolabError(f"probing needs a classification data set; {cfg.dataset!r} is "
                          f"{info.task.value}")
    multi_label = info.task is TaskKind.MULTI_LABEL
    train = subset(load(cfg.dataset, cfg.split, data_dir=data_dir), cfg.limit, cfg.seed)
    eval_name = _eval_split(cfg, info)
    evaluation = None
    if eval_name:
        eval_limit = cfg.eval_limit or (max(cfg.limit // 4, 1) if cfg.limit else None)
        evaluation = subset(load(cfg.dataset, eval_name, data_dir=data_dir), eval_limit, cfg.seed)
    labels = list(info.labels)
    data = {"train": train, "eval": evaluation, "labels": labels, "multi_label": multi_label,
            "eval_split": eval_name}
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    models = [cfg.model] + ([cfg.compare] if cfg.compare else [])
    summaries = {}
    for model in models:
        folder = out / slug(model) if cfg.compare else out
        summaries[model] = probe_model(model, cfg, data, folder)
    if cfg.compare:
        _write_comparison(cfg, summaries, out, multi_label)
    manifest = {
        "config": asdict(cfg),
        "data": {"dataset": cfg.dataset, "train_split": cfg.split, "train_rows": len(train),
                 "train_sha256": texts_digest([e.id for e in train], [e.text for e in train]),
                 "eval_split": eval_name or f"{cfg.cv}-fold cross-validation",
                 "eval_rows": len(evaluation) if evaluation else 0,
                 "eval_sha256": texts_digest([e.id for e in evaluation],
                                             [e.text for e in evaluation]) if evaluation else None},
        "models": summaries, "seconds": time.perf_counter() - started,
    }
    RunFolder(out, packages=VERSIONED).record_session({"seconds": round(manifest["seconds"], 2)},
                                                      **manifest)
    return manifest


def _cache_root(cfg: ProbeConfig) -> Path:
    if cfg.cache:
        return Path(cfg.cache)
    from emolab.models import cache_dir

    return cache_dir() / "activations"


def _sweep_texts(cfg, folder_model: Path, data: dict, train_texts, eval_texts, loaded,
                 name: str):
    """Extract (or reuse) activations of both splits, then sweep the chosen layers."""
    cache = _cache_root(cfg)
    common = {"max_length": cfg.max_length, "batch_size": cfg.batch_size,
              "progress": cfg.progress, "threads": cfg.threads}
    train_ids = [e.id for e in data["train"]]
    train_store, loaded, t_train = extract(loaded, folder_model, train_ids, train_texts, cache,
                                           description=f"{name} train", **common)
    eval_store, t_eval = None, None
    if data["eval"] is not None:
        eval_ids = [e.id for e in data["eval"]]
        eval_store, loaded, t_eval = extract(loaded, folder_model, eval_ids, eval_texts, cache,
                                             description=f"{name} eval", **common)
    multi = data["multi_label"]
    y_train = encode_labels([e.labels for e in data["train"]], data["labels"], multi_label=multi)
    y_eval = None if eval_store is None else encode_labels(
        [e.labels for e in data["eval"]], data["labels"], multi_label=multi)
    layers = parse_layers(cfg.layers, train_store.n_layers)
    result = run_sweep(
        lambda i: train_store.layer(i, cfg.pooling), y_train, layers=layers,
        n_labels=len(data["labels"]), probes=cfg.probes,
        evaluate=None if eval_store is None else (lambda i: eval_store.layer(i, cfg.pooling)),
        y_eval=y_eval, cv=cfg.cv, seed=cfg.seed, control=cfg.control,
        n_layers=train_store.n_layers, progress=cfg.progress, description=f"{name} probes")
    timing = {"extract_train": t_train, "extract_eval": t_eval,
              "probe_seconds": sum(r["seconds"] for r in result.rows)}
    return result, loaded, timing, train_store.n_layers


def probe_model(model: str, cfg: ProbeConfig, data: dict, out: Path) -> dict:
    from emolab.models import hf_folder, resolve_model
    from emolab.probing import plots

    out.mkdir(parents=True, exist_ok=True)
    folder = hf_folder(resolve_model(model))
    train_texts = [e.text for e in data["train"]]
    eval_texts = [e.text for e in data["eval"]] if data["eval"] else []
    result, loaded, timing, n_layers = _sweep_texts(cfg, folder, data, train_texts, eval_texts,
                                                    None, slug(model))
    runs = {"": result}
    summary = {"model": model, "folder": str(folder), "n_layers": n_layers, "timing": timing}
    if cfg.ablate == "keywords":
        keywords = _keywords(cfg, data)
        (out / "keywords.json").write_text(json.dumps(keywords, indent=2))
        removed = {w for words in keywords.values() for w in words}
        from emolab.probing.lexicon import remove_keywords

        ablated, _, ablated_timing, _ = _sweep_texts(
            cfg, folder, data, [remove_keywords(t, removed) for t in train_texts],
            [remove_keywords(t, removed) for t in eval_texts], loaded, f"{slug(model)} ablated")
        runs = {"with keywords": result, "keywords removed": ablated}
        summary["ablated_timing"] = ablated_timing
        summary["keywords_removed"] = len(removed)
    metric = main_metric(data["multi_label"])
    rows = []
    for run_name, run in runs.items():
        for row in run.rows:
            rows.append({"model": model, "run": run_name or "full", **row})
    _write_tables(rows, out)
    title = (f"{model} on {cfg.dataset} ({len(data['train'])} train texts, scored on "
             f"{data['eval_split'] or f'{cfg.cv}-fold CV'}), {cfg.pooling} pooling")
    plots.plot_curves({k: v.rows for k, v in runs.items()}, out / "curves.png",
                      metrics=[metric, "f1_macro"], baseline=result.baseline, title=title)
    images = ["curves.png"]
    best = {}
    for probe in cfg.probes:
        row = result.best(probe)
        best[probe] = {k: row[k] for k in row if not k.startswith("baseline_")}
        name = f"confusion_{slug(probe)}.png"
        plots.plot_confusion(result.eval_target, result.predictions[(row["layer"], probe)],
                             data["labels"], out / name,
                             title=f"{probe} probe, layer {row['layer']}")
        images.append(name)
    summary.update(best=best, baseline=result.baseline, metric=metric)
    columns = ["run", "layer", "probe", *_score_columns(rows), "seconds"]
    plots.write_html(out / "index.html", title=f"Probing {model} on {cfg.dataset}",
                     facts={"model": model, "dataset": cfg.dataset, "layers": n_layers,
                            "train texts": len(data["train"]),
                            "scored on": data["eval_split"] or f"{cfg.cv}-fold CV",
                            "pooling": cfg.pooling, "metric": metric,
                            "majority baseline": json.dumps(result.baseline)},
                     images=images, tables={"per layer": (rows, columns)})
    return summary


def _score_columns(rows: list[dict]) -> list[str]:
    skip = {"model", "run", "layer", "probe", "seconds", "relative_depth"}
    return [k for k in rows[0] if k not in skip and not k.startswith("baseline_")]


def _keywords(cfg: ProbeConfig, data: dict) -> dict[str, list[str]]:
    from emolab.probing.lexicon import log_odds_keywords, nrc_keywords

    if cfg.lexicon == "nrc":
        return nrc_keywords()
    # Chosen on the training rows only, so the evaluation texts play no part in the choice.
    return log_odds_keywords([e.text for e in data["train"]], [e.labels for e in data["train"]],
                             data["labels"], k=cfg.keywords_per_label)


def _write_tables(rows: list[dict], out: Path) -> None:
    (out / "results.json").write_text(json.dumps(rows, indent=2))
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with (out / "results.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _write_comparison(cfg: ProbeConfig, summaries: dict, out: Path, multi_label: bool) -> None:
    from emolab.probing import plots

    metric = main_metric(multi_label)
    runs, baseline = {}, None
    for model in summaries:
        rows = json.loads((out / slug(model) / "results.json").read_text())
        runs[model] = [r for r in rows if r["run"] in ("full", "with keywords")]
        baseline = summaries[model]["baseline"]
    plots.plot_curves(runs, out / "compare.png", metrics=[metric, "f1_macro"],
                      baseline=baseline, x="relative_depth",
                      title=f"{' vs '.join(summaries)} on {cfg.dataset}, by relative depth")
    best = [{"model": m, "probe": p, "layer": b["layer"], "relative_depth": b["relative_depth"],
             metric: b[metric], "f1_macro": b["f1_macro"]}
            for m, s in summaries.items() for p, b in s["best"].items()]
    plots.write_html(out / "index.html", title=f"Probing comparison on {cfg.dataset}",
                     facts={"models": ", ".join(summaries), "metric": metric},
                     images=["compare.png"] + [f"{slug(m)}/curves.png" for m in summaries],
                     tables={"best layer per model and probe":
                             (best, ["model", "probe", "layer", "relative_depth", metric,
                                     "f1_macro"])})
