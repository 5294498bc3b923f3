"""emolab's tuned default model on whole test sets, beside the untuned base, frozen-encoder
baselines and the published rows.

1. Answers (resumable: run the script again to continue) under ``--runs``:
   - ``emolab/``: the tuned model (compact prompt, schema enforced, greedy) on AEB-1 — E-c (all
     3,259 test tweets), EI-reg and EI-oc (``--ei-limit`` rows, the same share of each emotion,
     default 1,000 of 4,068), V-reg and V-oc (all 937) — and on the DAIR test split (2,000);
     scores and classes come from the model's score heads when it ships them (the default
     path, ``emolab.readout``), labels from its own generated answers;
   - ``base/``: the untuned SmolLM2 (long v1 prompt) on ``--base-limit`` rows of each (its
     answers are about three times longer, so whole test sets cost hours);
2. frozen MiniLM + logistic / ridge regression trained on all training rows and on the rows of
   the instruction data only (``--instruct``), on the same test rows;
3. on the tuned model's E-c answers: explanations that repeat a sentence or a 4-word sequence
   three times or more, explanations that quote a content word of their tweet (label words
   not counted), the share of named labels with quoted evidence of their own
   (``emolab.evaluate.evidence``), comprehensiveness on the first
   ``--comprehensiveness-limit`` answers (``emolab comprehensiveness``), how often each label
   is predicted against the gold, sufficiency with and
   without label words masked, and schema adherence without constraints (``--free-texts``);
4. texts per second, interleaved text by text on the same E-c dev tweets: the base as today,
   the tuned model merged (the default path) and base + LoRA applied at load; and on EI-reg
   anger dev tweets: the base, the tuned model with its score head (the default path) and the
   tuned model writing the score itself.

Writes ``bench/results/<--results-name>.json`` and ``.md`` (default ``default_model``) and
prints the table.

    EMOLAB_DATA=/work/shared/data python bench/default_model.py --instruct runs/instruct800
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections import Counter
from pathlib import Path

from classify_throughput import interleaved, summarise

from emolab.aeb import get_aeb_tasks
from emolab.aeb.baselines import run_baseline
from emolab.aeb.benchmark import stratified
from emolab.aeb.report import interval_cell
from emolab.aeb.runner import AebRun, predictions_path, record_session
from emolab.aeb.scoring import score_run
from emolab.backends import SamplingParams, load_backend
from emolab.classify import Classifier
from emolab.data import load
from emolab.evaluate.comprehensiveness import comprehensiveness_file
from emolab.evaluate.evidence import own_evidence_share
from emolab.evaluate.intervals import bootstrap
from emolab.evaluate.predictions import read_predictions
from emolab.evaluate.repetition import is_degenerate
from emolab.evaluate.runner import evaluate_rows
from emolab.instruct.build import quotes_text
from emolab.tasks import get_task

RESULTS = Path(__file__).parent / "results"
AEB1 = ("E-c", "EI-reg", "EI-oc", "V-reg", "V-oc")
# The paper's column keys (E-c_acc is the Jaccard index, as in SemEval-2018).
COLUMNS = ("E-c_acc", "E-c_mi-F1", "E-c_ma-F1", "EI-reg", "EI-oc", "V-reg", "V-oc")
RESAMPLES = 1000  # bootstrap resamples behind every measured figure's 95% interval
PUBLISHED = ("EmoLLaMA-chat-7B", "EmoLLaMA-chat-13B", "EmoT5 (t5-large)", "EmoBART (bart-large)",
             "GPT-4 (gpt-4-1106-preview)")


def limits(args) -> dict[str, int | None]:
    return {"E-c": None, "EI-reg": args.ei_limit, "EI-oc": args.ei_limit, "V-reg": None,
            "V-oc": None}


def capped(limit: int | None, cap: int | None) -> int | None:
    return cap if limit is None else (limit if cap is None else min(limit, cap))


def answer_aeb(model: str, prompt_version: str, folder: Path, per_task: dict, data_dir,
               threads: int, names: list[str]) -> None:
    engine = load_backend("llamacpp", model=model, n_threads=threads)
    written, start = {}, time.perf_counter()
    settings = {}
    for task in get_aeb_tasks(names):
        job = AebRun(engine, prompt_version=prompt_version, limit_per_task=per_task[task.name],
                     data_dir=data_dir)
        written[task.name] = job.run_task(task, folder)
        settings = job.settings([task])
        print(f"{model} {task.name}: {written[task.name]} new answers "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    record_session(folder, {**settings, "tasks": names, "limit_per_task": per_task,
                            "name": model}, written, time.perf_counter() - start)
    engine.close()


def answer_dair(model: str, prompt_version: str, path: Path, limit: int | None, data_dir,
                threads: int) -> dict:
    rows = load("dair-emotion", "test", data_dir=data_dir)
    rows = stratified(rows, limit) if limit else rows
    engine = load_backend("llamacpp", model=model, n_threads=threads)
    classifier = Classifier(engine, get_task("dair-emotion"), prompt_version=prompt_version)
    classifier.run(rows, path, dataset="dair-emotion")
    engine.close()
    rows = read_predictions(path)
    found = evaluate_rows(rows, path=path)
    interval = bootstrap(rows, lambda picked: {"DAIR_acc": evaluate_rows(
        picked, path=path)["metrics"]["accuracy"]}, resamples=RESAMPLES)
    return {"accuracy": found["metrics"]["accuracy"], "f1_macro": found["metrics"]["f1_macro"],
            "n": found["rows"], "failed": found["failed"], "intervals": interval}


# -- what the explanations say ----------------------------------------------------------------

def explanation_checks(path: Path, texts: dict[str, str]) -> dict:
    """On E-c answers: degenerate and quoting explanations, each label's predicted / gold
    frequency; ``texts``: the tweets by id."""
    task = get_task("semeval-ec")
    rows = read_predictions(path)
    said = [(r, (r.parsed or {}).get("explanation") or "") for r in rows]
    # An unreadable answer has no explanation to quote with, but its raw text still shows
    # a loop (the usual reason it is unreadable): it counts, it is not dropped.
    looped = [is_degenerate(e if r.parsed else r.raw or "") for r, e in said]
    gold, pred = Counter(), Counter()
    for row in rows:
        gold.update(row.gold or [])
        pred.update(row.pred or [] if not row.failed else [])
    n = len(rows)
    return {
        "n": n,
        "degenerate_share": round(sum(looped) / n, 4), "unreadable": sum(r.failed for r in rows),
        "quoting_share": round(sum(quotes_text(e, texts[r.id], task) for r, e in said) / n, 4),
        # each named label tied to quoted words of its own (emolab.evaluate.evidence)
        **own_evidence_share((e, texts[r.id], r.pred or []) for r, e in said if not r.failed),
        "label_ratio": {label: round(pred[label] / gold[label], 2) if gold[label] else None
                        for label in task.label_set.labels},
    }


def sufficiency(path: Path) -> dict:
    from emolab.evaluate.sufficiency import sufficiency_file

    return sufficiency_file(path)


def adherence_without_schema(model: str, prompt_version: str, folder: Path, n: int,
                             data_dir, threads: int) -> dict:
    from emolab.evaluate.adherence import adherence_file

    rows = stratified(load("emollms-aeb1-ec", "test", data_dir=data_dir), n)
    engine = load_backend("llamacpp", model=model, n_threads=threads)
    path = folder / "E-c-free.jsonl"
    Classifier(engine, get_task("semeval-ec"), prompt_version=prompt_version,
               constrain=False).run(rows, path, dataset="emollms-aeb1-ec")
    engine.close()
    return adherence_file(path)


def speed(n_texts: int, data_dir, threads: int) -> dict:
    from emolab.models.tuned import require_shipped

    texts = [e.text for e in load("semeval-ec", "dev", data_dir=data_dir)[:n_texts]]
    task = get_task("semeval-ec")
    params = SamplingParams()
    adapter = str(require_shipped().adapter)
    paths = {
        "base, v1 prompt (before)": Classifier(load_backend("llamacpp", model="base",
                                                            n_threads=threads), task,
                                               params=params, prompt_version="v1"),
        "emolab merged (default)": Classifier(load_backend("llamacpp", model="emolab",
                                                           n_threads=threads), task,
                                              params=params, prompt_version="compact"),
        "base + LoRA at load": Classifier(load_backend("llamacpp", model="base",
                                                       adapter=adapter, n_threads=threads),
                                          task, params=params, prompt_version="compact"),
    }
    return timed(paths, texts)


def score_speed(n_texts: int, data_dir, threads: int) -> dict:
    """Texts per second on EI-reg anger dev tweets: the base as before, the tuned model with
    its score head (the default path) and the tuned model writing the score itself."""
    rows = [e for e in load("semeval-ei-reg", "dev", data_dir=data_dir)
            if e.meta.get("dimension") == "anger"][:n_texts]
    task = get_task("ei-reg:anger")
    engines = {"base, v1 prompt (before)": (load_backend("llamacpp", model="base",
                                                         n_threads=threads), "v1"),
               "emolab + score head (default)": (load_backend("llamacpp", model="emolab",
                                                              n_threads=threads), "compact"),
               "emolab, score generated": (load_backend("llamacpp", model="emolab",
                                                        n_threads=threads, readout=False),
                                           "compact")}
    paths = {name: Classifier(engine, task, prompt_version=prompt)
             for name, (engine, prompt) in engines.items()}
    paths["emolab + score head (default)"].backend.embed(["warm up"])  # load its context
    return timed(paths, [e.text for e in rows])


def timed(paths: dict[str, Classifier], texts: list[str]) -> dict:
    """Texts per second of each path, interleaved text by text, and each against the base
    ("base, v1 prompt (before)"); the backends are closed afterwards."""
    timings = interleaved({k: (c, None) for k, c in paths.items()}, texts, {}, None)
    found = {name: summarise(name, *timings[name]) for name in paths}
    for classifier in paths.values():
        classifier.backend.close()
    before = found["base, v1 prompt (before)"]["texts_per_s"]
    for row in found.values():
        row["texts_per_s_vs_before"] = round(row["texts_per_s"] / before, 2)
    return found


# -- the table --------------------------------------------------------------------------------

def readout_info() -> dict | None:
    """The shipped model's score heads (they answer the score and class tasks), if any."""
    from emolab.models.tuned import shipped
    from emolab.readout import Readout

    model = shipped()
    if model is None or model.readout is None:
        return None
    heads = Readout.load(model.readout)
    return {"file": model.readout.name, "model_digest": heads.model_digest,
            "dev_pearson": {task: head.dev_pearson for task, head in heads.heads.items()}}


def published_rows() -> list[dict]:
    from importlib.resources import files

    table = json.loads(files("emolab.aeb").joinpath("published.json").read_text())
    return [{"name": f"{row['system']}, {row['setting']} (published)",
             "scores": {key: row["scores"].get(key) for key in COLUMNS}}
            for row in table["rows"] if row["system"] in PUBLISHED]


def measured_row(name: str, scored: dict, dair: dict | None) -> dict:
    scores, sizes, failed, intervals = {}, {}, {}, {}
    for task, found in scored["tasks"].items():
        scores.update(found["columns"])
        intervals.update(found.get("intervals", {}))
        sizes[task], failed[task] = found["rows"], found["failed"]
    scores = {key: scores.get(key) for key in COLUMNS}
    if dair:
        scores["DAIR_acc"] = dair["accuracy"]
        intervals.update(dair["intervals"])
        sizes["DAIR"], failed["DAIR"] = dair["n"], dair["failed"]
    return {"name": name, "scores": scores, "rows": sizes, "unreadable": failed,
            "intervals": intervals}


def markdown(rows: list[dict]) -> str:
    heads = [*COLUMNS, "DAIR_acc"]
    lines = ["| system | " + " | ".join(heads) + " |", "|---" * (len(heads) + 1) + "|"]
    for row in rows:
        cells = [row["scores"].get(h) for h in heads]
        lines.append(f"| {row['name']} | " + " | ".join(
            "" if v is None else f"{v:.3f}" for v in cells) + " |")
        if row.get("intervals"):
            spans = [interval_cell(row["intervals"].get(h)) if row["scores"].get(h) is not None
                     else "" for h in heads]
            lines.append("| ↳ 95% bootstrap interval | " + " | ".join(spans) + " |")
    sizes = [f"{row['name']}: " + ", ".join(f"{t} {n}" for t, n in row["rows"].items())
             for row in rows if row.get("rows")]
    return ("\n".join(lines) + "\n\nRows scored: " + "; ".join(sizes) + f". Intervals: "
            f"{RESAMPLES} bootstrap resamples of each row set (EI within each emotion).\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-default"))
    parser.add_argument("--instruct", type=Path, default=Path("runs/instruct800"),
                        help="the instruction data the tuned model was trained on")
    parser.add_argument("--ei-limit", type=int, default=1000)
    parser.add_argument("--cap", type=int, default=None,
                        help="at most N rows per task for the tuned model (a quick look)")
    parser.add_argument("--tasks", default=",".join(AEB1),
                        help="AEB-1 tasks to answer in this session (all are scored)")
    parser.add_argument("--base-limit", type=int, default=200,
                        help="rows per task for the untuned base, a stratified sample (0: the "
                        "tuned model's rows: about 2.8 hours on 2 cores)")
    parser.add_argument("--base-run", type=Path, default=None,
                        help="score this AEB run folder of the untuned base (e.g. bench/aeb.py's "
                        "runs/bench-aeb/smollm2-zero-shot) instead of answering anew")
    parser.add_argument("--dair-limit", type=int, default=None,
                        help="DAIR test rows for the tuned model (default: all 2,000)")
    parser.add_argument("--free-texts", type=int, default=200)
    parser.add_argument("--speed-texts", type=int, default=30)
    parser.add_argument("--comprehensiveness-limit", type=int, default=500,
                        help="E-c answers asked again for comprehensiveness (two answers each; "
                        "0: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--results-name", default="default_model",
                        help="results file stem under bench/results (a partial run can keep the "
                        "whole-table results of an earlier one)")
    parser.add_argument("--skip", default="", help="comma list of parts to skip: base, dair, "
                        "baselines, checks, speed, score-speed")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    data_dir = os.environ.get("EMOLAB_DATA")
    result: dict = {"machine": platform.machine(), "cpu_count": os.cpu_count(),
                    "threads": args.threads, "ei_limit": args.ei_limit, "cap": args.cap,
                    "base_limit": args.base_limit, "tasks_answered": args.tasks,
                    "skipped": sorted(skip), "readout": readout_info()}
    tuned_limits = {k: capped(v, args.cap) for k, v in limits(args).items()}
    names = [name.strip() for name in args.tasks.split(",") if name.strip()]
    answer_aeb("emolab", "compact", args.runs / "emolab", tuned_limits, data_dir, args.threads,
               names)
    rows = []
    dair = None
    if "dair" not in skip:
        dair = answer_dair("emolab", "compact", args.runs / "emolab" / "dair.jsonl",
                           capped(args.dair_limit, args.cap), data_dir, args.threads)
    tuned = score_run(args.runs / "emolab", resamples=RESAMPLES)
    rows.append(measured_row("emolab (tuned default)", tuned, dair))
    if args.base_run is not None:
        rows.append(measured_row(f"SmolLM2-135M untuned ({args.base_run.name})",
                                 score_run(args.base_run, resamples=RESAMPLES), None))
    elif "base" not in skip:
        cap = args.base_limit or None
        base_limits = {k: capped(v, cap) for k, v in limits(args).items()}
        answer_aeb("base", "v1", args.runs / "base", base_limits, data_dir, args.threads,
                   names)
        base_dair = None if "dair" in skip else answer_dair(
            "base", "v1", args.runs / "base" / "dair.jsonl", cap, data_dir,
            args.threads)
        rows.append(measured_row(f"SmolLM2-135M untuned ({cap or 'all'} rows per task)",
                                 score_run(args.runs / "base", resamples=RESAMPLES), base_dair))
    if "baselines" not in skip:
        instruct_ids = {json.loads(line)["source_id"]
                        for line in (args.instruct / "train.jsonl").open(encoding="utf-8")}
        from emolab.evaluate.text_classifiers import Embedder, EncoderSettings
        from emolab.models import minilm_dir

        embed = Embedder(EncoderSettings(path=minilm_dir()))  # one cache for every fit
        tasks = get_aeb_tasks(list(AEB1))
        for name, ids in (("MiniLM + LR, all training rows", None),
                          ("MiniLM + LR, the instruction rows", instruct_ids)):
            folder = args.runs / ("encoder-all" if ids is None else "encoder-instruct")
            for task in tasks:  # the tuned model's rows: whole sets or the EI sample
                run_baseline("encoder", [task], folder, data_dir=data_dir, train_ids=ids,
                             limit_per_task=tuned_limits[task.name], embed=embed)
            rows.append(measured_row(name, score_run(folder, resamples=RESAMPLES), None))
    rows += published_rows()
    result["rows"] = rows
    if "checks" not in skip:
        ec = predictions_path(args.runs / "emolab", get_aeb_tasks(["E-c"])[0])
        texts = {e.id: e.text for e in load("emollms-aeb1-ec", "test", data_dir=data_dir)}
        result["explanations"] = explanation_checks(ec, texts)
        result["sufficiency"] = sufficiency(ec)
        result["comprehensiveness"] = comprehensiveness_file(
            ec, split="test", data_dir=data_dir, model="emolab", threads=args.threads,
            limit=args.comprehensiveness_limit or None)
        result["comprehensiveness"].pop("examples")
        result["adherence_without_schema"] = adherence_without_schema(
            "emolab", "compact", args.runs / "emolab", args.free_texts, data_dir, args.threads)
    if "speed" not in skip:
        result["speed"] = speed(args.speed_texts, data_dir, args.threads)
    if "score-speed" not in skip:
        result["score_speed"] = score_speed(args.speed_texts, data_dir, args.threads)
    table = markdown(rows)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.results_name}.json").write_text(
        json.dumps(result, indent=2, default=str) + "\n")
    (RESULTS / f"{args.results_name}.md").write_text(table)
    print(table)
    for key in ("explanations", "speed", "score_speed"):
        if key in result:
            print(key, json.dumps(result[key], indent=1))


if __name__ == "__main__":
    main()
