"""``emolab classify``: explain and classify one text, or a whole data set split with resume."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from emolab.cli.backend_options import accepted_options, load_backend_from_options
from emolab.cli.output import unreadable_progress

BACKEND_HELP = ("llamacpp (local GGUF, schema by grammar), transformers, openai (HTTP server) "
                "(default: llamacpp).")
# Every option that is a ClassifyConfig setting defaults to None, so that only the flags a user
# gives override the --config file and the defaults of ClassifyConfig (where the real defaults
# and their help live). Options also read from the environment (--data-dir, --base-url) rank
# below the config file: a file that names a data folder or a server wins over the environment.
ENV_FALLBACKS = ("data_dir", "base_url")
PREDICTIONS, CONFIG, MANIFEST = "predictions.jsonl", "config.yaml", "manifest.json"


def classify(
    ctx: typer.Context,
    text: str = typer.Argument(None, help="The text to classify (leave out with --dataset)."),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML file of settings "
                                       "(any option below but --api-key and the output ones); "
                                       "flags override it."),
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="Classify a data set split "
                                       "instead (see `emolab data list`)."),
    split: str | None = typer.Option(None, "--split", "-s", help="Split of --dataset (default: dev)."),
    language: str | None = typer.Option(None, "--language", "-L",
                                        help="Language of a multilingual --dataset (BRIGHTER): "
                                        "eng (default), deu, amh, ... or 'all'."),
    limit: int | None = typer.Option(None, "--limit", min=1,
                                     help="Only the first N rows of the split."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Predictions JSONL (appended; a "
                                    "rerun skips ids already there), manifest beside it."),
    run: str | None = typer.Option(None, "--run", help="Write into the run folder "
                                   "<runs-dir>/NAME: predictions.jsonl, config.yaml, "
                                   "manifest.json; the same command again resumes."),
    run_dir: Path | None = typer.Option(None, "--run-dir", help="The run folder itself "
                                        "(instead of --run NAME)."),
    runs_dir: Path | None = typer.Option(None, "--runs-dir", help="Where --run folders go "
                                         "(default: runs)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA",
                                         show_envvar=True,
                                         help="Folder holding the original data files."),
    labels: str | None = typer.Option(None, "--labels", help="Label set: semeval-ec, "
                                      "dair-emotion, goemotions, goemotions-ekman, isear "
                                      "(default: the data set's, else semeval-ec)."),
    task: str | None = typer.Option(None, "--task", "-t", help="What to ask (see `emolab "
                                    "tasks`): a label set, ei-reg, ei-oc, v-reg, v-oc, sst, "
                                    "sst5, tdt, emobank, vader (default: the data set's)."),
    dimension: str | None = typer.Option(None, "--emotion", "--dimension", "-e",
                                         help="The emotion of ei-reg / ei-oc (anger, fear, joy, "
                                         "sadness) or the dimension of emobank; with --dataset "
                                         "only its rows are run."),
    backend: str | None = typer.Option(None, "--backend", "-b", help=BACKEND_HELP),
    model: str | None = typer.Option(None, "--model", "-m", help="'default' (emolab's tuned "
                                     "model for the tasks it knows, else the embedded SmolLM2), "
                                     "'emolab', 'base' (untuned), a GGUF file or model folder, "
                                     "or a server's model name."),
    n: int | None = typer.Option(None, "--n", min=1, help="Candidate answers per text (default: 1)."),
    temperature: float | None = typer.Option(None, "--temperature", min=0.0,
                                             help="0 = greedy (default: 0)."),
    top_p: float | None = typer.Option(None, "--top-p",
                                       help="Nucleus sampling mass, in (0, 1] (default: 1)."),
    seed: int | None = typer.Option(None, "--seed",
                                    help="Seed of sampling (candidate i uses seed+i)."),
    max_tokens: int | None = typer.Option(None, "--max-tokens", min=1, help="Tokens per answer "
                                          "at most (default: 900, enough for any answer the "
                                          "schema allows)."),
    constrain: bool | None = typer.Option(None, "--constrain/--no-constrain", help="Enforce "
                                          "the JSON schema while decoding; --no-constrain: "
                                          "prompt only, outputs are parsed leniently (default: on)."),
    prompt_version: str | None = typer.Option(None, "--prompt-version",
                                              help="Prompt template version (default: the "
                                              "model's own: compact for emolab's tuned model, "
                                              "else v1)."),
    threads: int | None = typer.Option(None, "--threads", min=1,
                                       help="CPU threads (local backends)."),
    base_url: str | None = typer.Option(None, "--base-url", envvar="OPENAI_BASE_URL",
                                        help="OpenAI-compatible server (openai backend)."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY",
                                       help="API key (openai backend; never written to a "
                                       "file)."),
    concurrency: int | None = typer.Option(None, "--concurrency", min=1,
                                           help="Requests in flight (openai backend)."),
    as_json: bool = typer.Option(False, "--json", help="Print only the answer object."),
) -> None:
    """Classify the emotions of a text and explain them, as schema-valid JSON."""
    from dataclasses import replace

    from emolab.backends import SamplingParams
    from emolab.classify.config import ClassifyConfig
    from emolab.errors import EmolabError

    if text is not None and dataset is not None:
        raise EmolabError("give either a TEXT or --dataset NAME (not both)")
    if language is not None:
        from emolab.data.registry import with_language

        if dataset is None:
            raise EmolabError("--language goes with --dataset NAME")
        dataset = with_language(dataset, language)
    given = dict(dataset=dataset, split=split, limit=limit, labels=labels, task=task,
                 dimension=dimension, data_dir=data_dir,
                 backend=backend, model=model, n=n, temperature=temperature, top_p=top_p,
                 seed=seed, max_tokens=max_tokens, constrain=constrain,
                 prompt_version=prompt_version, threads=threads, base_url=base_url,
                 concurrency=concurrency)
    from_env = {k: given.pop(k) for k in ENV_FALLBACKS if not _typed(ctx, k)}
    cfg = ClassifyConfig.from_sources(
        config, {k: str(v) if isinstance(v, Path) else v for k, v in given.items()})
    fallbacks = {k: str(v) for k, v in from_env.items()
                 if v is not None and getattr(cfg, k) is None
                 and (k != "base_url" or cfg.backend == "openai")}
    if fallbacks:
        cfg = replace(cfg, **fallbacks)
    if text is None and cfg.dataset is None:
        raise EmolabError("give either a TEXT or --dataset NAME (not both)")
    folder = _run_folder(run, run_dir, runs_dir, out)
    if text is not None and folder is not None:
        raise EmolabError("--run / --run-dir go with --dataset: a single TEXT writes no files")
    if text is None and out is None and folder is None:
        raise EmolabError("--dataset needs --out FILE (the predictions file, resumable) or "
                          "--run NAME (a run folder under runs/)")
    params = SamplingParams(n=cfg.n, temperature=cfg.temperature, top_p=cfg.top_p,
                            max_tokens=cfg.max_tokens, seed=cfg.seed)
    from emolab.models.tuned import choose

    def backend_options(model: str | None) -> dict[str, Any]:
        return {"model": model, "n_threads": cfg.threads, "seed": cfg.seed,
                "base_url": cfg.base_url, "api_key": api_key, "concurrency": cfg.concurrency}

    from emolab.classify.datasets import answerable_dataset

    info = answerable_dataset(cfg.dataset, cfg.labels or cfg.task) if cfg.dataset else None
    started = time.perf_counter()
    if text is not None:
        from emolab.tasks import get_task

        default = info.answer_task if info is not None else "semeval-ec"
        asked = get_task(cfg.task or cfg.labels or default, cfg.dimension)
        model, prompt_version = choose(cfg.model, cfg.backend, [asked.name], cfg.prompt_version)
        with load_backend_from_options(ctx, cfg.backend, backend_options(model)) as engine:
            from emolab.classify import Classifier

            classifier = Classifier(engine, asked, params=params, constrain=cfg.constrain,
                                    prompt_version=prompt_version)
            _one_text(classifier, text, as_json, started)
        return
    from emolab.tasks import get_family, task_of_example

    family = get_family(info.answer_task)
    if cfg.dimension is not None:
        family.task(cfg.dimension)  # an unknown dimension fails before anything is read
    # Resolved: what config.yaml and reruns compare.
    model, prompt_version = choose(cfg.model, cfg.backend, [family.name], cfg.prompt_version)
    cfg = replace(cfg, labels=info.label_set.name if info.label_set else None,
                  task=None if info.label_set else family.name, model=model,
                  prompt_version=prompt_version)
    # Data before the model: a missing data folder or a refused rerun fails at once.
    job = _prepare_dataset(cfg, info, folder, out)
    with load_backend_from_options(ctx, cfg.backend, backend_options(cfg.model)) as engine:
        from emolab.classify import Classifier

        first = task_of_example(family, job.examples[0]) if job.examples else family.task(
            None if len(family.dimensions) > 1 else cfg.dimension)
        classifier = Classifier(engine, first, params=params, constrain=cfg.constrain,
                                prompt_version=cfg.prompt_version)
        workers = cfg.concurrency if "concurrency" in accepted_options(cfg.backend) else 1
        _run_dataset(classifier, cfg, info, job, workers=workers or 1,
                     task_of=lambda example: task_of_example(family, example))


def _typed(ctx: typer.Context, param: str) -> bool:
    source = ctx.get_parameter_source(param)
    return source is not None and source.name == "COMMANDLINE"


def _run_folder(run: str | None, run_dir: Path | None, runs_dir: Path | None,
                out: Path | None) -> Path | None:
    from emolab.errors import EmolabError

    if run is not None and run_dir is not None:
        raise EmolabError("give --run NAME or --run-dir DIR, not both")
    if runs_dir is not None and run is None:
        raise EmolabError("--runs-dir goes with --run NAME")
    if out is not None and (run is not None or run_dir is not None):
        raise EmolabError("give --out FILE or a run folder (--run / --run-dir), not both")
    if run is not None:
        if not run.strip() or run in (".", "..") or "/" in run or "\\" in run:
            raise EmolabError(f"--run takes a plain name, not {run!r} (use --run-dir for a path)")
        return (runs_dir or Path("runs")) / run
    return run_dir


@dataclass
class _Job:
    """What a data set run reads and writes, settled before the model is loaded."""

    examples: list  # the rows of this session (after --limit)
    split_examples: list  # the whole split, for its checksum
    out: Path  # the predictions file
    folder: Path | None = None  # the run folder (None with --out FILE)


def _prepare_dataset(cfg, info, folder: Path | None, out: Path | None) -> _Job:
    from emolab.classify import PredictionsFile
    from emolab.classify.config import conflicts
    from emolab.classify.manifest import data_checksum
    from emolab.data import load
    from emolab.errors import EmolabError
    from emolab.settings import read_saved

    started = False
    if folder is not None:
        with PredictionsFile(folder / PREDICTIONS) as existing:
            started = bool(existing.done)
    if started:  # a folder without predictions yet may take any settings (e.g. a fixed model)
        saved = read_saved(folder / CONFIG)
        changed = conflicts(saved, cfg) if saved is not None else []
        if changed:
            raise EmolabError(
                f"{folder} holds predictions made with other settings ({'; '.join(changed)}); "
                f"use another --run name, or continue that run with --config {folder / CONFIG} "
                "(only limit, data_dir, threads and concurrency may change)")
    split_examples = load(info.name, cfg.split, data_dir=cfg.data_dir)
    examples = split_examples
    if cfg.dimension is not None and len(info.dimensions) > 1:
        examples = [e for e in examples if cfg.dimension in e.scores]
    examples = examples[:cfg.limit]
    if folder is None:
        assert out is not None
        return _Job(examples, split_examples, out)
    if started:
        manifest = folder / MANIFEST
        previous = (json.loads(manifest.read_text()).get("data", {}).get("split_sha256")
                    if manifest.is_file() else None)
        if previous is not None and previous != data_checksum(split_examples):
            raise EmolabError(f"the rows of {info.name}/{cfg.split} differ from those {folder} "
                              "was started on (the data checksum in its manifest.json changed); "
                              "use another --run name")
    folder.mkdir(parents=True, exist_ok=True)
    cfg.write_yaml(folder / CONFIG)  # before the first row: a killed run keeps its settings
    return _Job(examples, split_examples, folder / PREDICTIONS, folder)


def _one_text(classifier, text: str, as_json: bool, started: float) -> None:
    result = classifier.classify(text)
    answers = [c.parsed if c.error is None else {"error": c.error, "raw": c.raw}
               for c in result.candidates]
    shown: Any = answers[0] if len(answers) == 1 else answers
    failed = any(c.error is not None for c in result.candidates)
    if as_json:
        typer.echo(json.dumps(shown, ensure_ascii=False))
    else:
        from rich.console import Console
        from rich.json import JSON

        console = Console()
        # soft_wrap: a long explanation must not get newlines inside its JSON string
        console.print(JSON(json.dumps(shown, ensure_ascii=False)), soft_wrap=True)
        engine = classifier.backend
        note = ", text truncated to fit the context" if result.truncated else ""
        console.print(f"[dim]{engine.model_id} · {engine.name} · prompt "
                      f"{classifier.prompt_version}"
                      f"{'' if classifier.constrain else ' (unconstrained)'} · "
                      f"{result.seconds:.2f} s generating, "
                      f"{time.perf_counter() - started:.2f} s in all{note}[/]")
    if failed:
        raise typer.Exit(1)


def _run_dataset(classifier, cfg, info, job: _Job, *, workers: int, task_of=None) -> None:
    from rich.console import Console

    from emolab.classify import PredictionsFile
    from emolab.classify.manifest import record_session
    from emolab.provenance import utc_now

    examples, out = job.examples, job.out
    with PredictionsFile(out) as existing:  # only to size the bar; the run re-reads the file
        already = sum(1 for e in examples if e.id in existing.done)
    console = Console(stderr=True)
    failed = 0
    started_utc = utc_now()
    with unreadable_progress(console) as progress:
        task = progress.add_task(f"{info.name}/{cfg.split}", total=len(examples),
                                 completed=already, unreadable=0)

        def on_row(row: dict[str, Any]) -> None:
            nonlocal failed
            failed += row["error"] is not None
            progress.update(task, advance=1, unreadable=failed)

        started = time.perf_counter()
        written = classifier.run(examples, out, task_of=task_of, dataset=info.name,
                                 workers=workers, on_row=on_row)
    seconds = time.perf_counter() - started
    if job.folder is None:  # --out FILE: the manifest as it has always been
        manifest = record_session(out, classifier=classifier, examples=examples,
                                  dataset=info.name, split=cfg.split, written=written,
                                  seconds=seconds)
    else:
        manifest = record_session(out, classifier=classifier, examples=examples,
                                  dataset=info.name, split=cfg.split, written=written,
                                  seconds=seconds, manifest=job.folder / MANIFEST,
                                  settings=cfg.to_dict(), split_examples=job.split_examples,
                                  already=already, started_utc=started_utc)
    console.print(f"{written} rows written, {already} already in {out}; {failed} of the new rows "
                  f"unreadable. Manifest: {manifest}. Score with: emolab evaluate {out}")
