"""``emolab classify``: explain and classify one text, or a whole data set split with resume.

The options are the fields of ``ClassifyConfig`` (their help and defaults live there); the job
itself is ``emolab.classify.job``. This module parses the flags and renders the answers.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer

from emolab.classify.config import ClassifyConfig
from emolab.cli.backend_options import accepted_options, load_backend_from_options
from emolab.cli.config_options import config_from_flags, options_from
from emolab.cli.output import unreadable_progress


@options_from(ClassifyConfig, panel="Settings (any of them may also come from --config)")
def classify(
    ctx: typer.Context,
    text: str = typer.Argument(None, help="The text to classify (leave out with --dataset)."),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML file of settings "
                                       "(any option below but --api-key and the output ones); "
                                       "flags override it."),
    language: str | None = typer.Option(None, "--language", "-L",
                                        help="Language of a multilingual --dataset (BRIGHTER): "
                                        "eng (default), deu, amh, ... or 'all'."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Predictions JSONL (appended; a "
                                    "rerun skips ids already there), manifest beside it."),
    run: str | None = typer.Option(None, "--run", help="Write into the run folder "
                                   "<runs-dir>/NAME: predictions.jsonl, config.yaml, "
                                   "manifest.json; the same command again resumes."),
    run_dir: Path | None = typer.Option(None, "--run-dir", help="The run folder itself "
                                        "(instead of --run NAME)."),
    runs_dir: Path | None = typer.Option(None, "--runs-dir", help="Where --run folders go "
                                         "(default: runs)."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY",
                                       help="API key (openai backend; never written to a "
                                       "file)."),
    as_json: bool = typer.Option(False, "--json", help="Print only the answer object."),
    settings: dict | None = None,
) -> None:
    """Classify the emotions of a text and explain them, as schema-valid JSON."""
    from emolab.backends import SamplingParams
    from emolab.classify import Classifier
    from emolab.classify.datasets import answerable_dataset
    from emolab.classify.job import (
        prepare_dataset,
        run_folder_path,
        settled_for_dataset,
        settled_for_text,
    )
    from emolab.errors import EmolabError

    given = dict(settings or {})
    if text is not None and given.get("dataset") is not None:
        raise EmolabError("give either a TEXT or --dataset NAME (not both)")
    if language is not None:
        from emolab.data.registry import with_language

        if given.get("dataset") is None:
            raise EmolabError("--language goes with --dataset NAME")
        given["dataset"] = with_language(given["dataset"], language)
    cfg = config_from_flags(ctx, ClassifyConfig, config, given)
    if text is None and cfg.dataset is None:
        raise EmolabError("give either a TEXT or --dataset NAME (not both)")
    folder = run_folder_path(run, run_dir, runs_dir, out)
    if text is not None and folder is not None:
        raise EmolabError("--run / --run-dir go with --dataset: a single TEXT writes no files")
    if text is None and out is None and folder is None:
        raise EmolabError("--dataset needs --out FILE (the predictions file, resumable) or "
                          "--run NAME (a run folder under runs/)")
    params = SamplingParams(n=cfg.n, temperature=cfg.temperature, top_p=cfg.top_p,
                            max_tokens=cfg.max_tokens, seed=cfg.seed)

    def backend_options(model: str | None) -> dict[str, Any]:
        return {"model": model, "n_threads": cfg.threads, "seed": cfg.seed,
                "base_url": cfg.base_url, "api_key": api_key, "concurrency": cfg.concurrency,
                "batch_size": cfg.batch_size}

    info = answerable_dataset(cfg.dataset, cfg.labels or cfg.task) if cfg.dataset else None
    started = time.perf_counter()
    if text is not None:
        one, asked = settled_for_text(cfg, info)
        with load_backend_from_options(ctx, one.backend, backend_options(one.model)) as engine:
            classifier = Classifier(engine, asked, params=params, constrain=one.constrain,
                                    prompt_version=one.prompt_version)
            _one_text(classifier, text, as_json, started)
        return
    from emolab.tasks import task_of_example

    cfg, family = settled_for_dataset(cfg, info)  # resolved: what config.yaml and reruns compare
    job = prepare_dataset(cfg, info, folder, out)
    with load_backend_from_options(ctx, cfg.backend, backend_options(cfg.model)) as engine:
        first = task_of_example(family, job.examples[0]) if job.examples else family.task(
            None if len(family.dimensions) > 1 else cfg.dimension)
        classifier = Classifier(engine, first, params=params, constrain=cfg.constrain,
                                prompt_version=cfg.prompt_version)
        workers = cfg.concurrency if "concurrency" in accepted_options(cfg.backend) else 1
        _run_dataset(classifier, cfg, info, job, workers=workers or 1,
                     task_of=lambda example: task_of_example(family, example))


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


def _run_dataset(classifier, cfg, info, job, *, workers: int, task_of=None) -> None:
    from rich.console import Console

    from emolab.classify.job import run_dataset

    already = job.already_done()  # only to size the bar; the run re-reads the file
    console = Console(stderr=True)
    failed = 0
    with unreadable_progress(console) as progress:
        task = progress.add_task(f"{info.name}/{cfg.split}", total=len(job.examples),
                                 completed=already, unreadable=0)

        def on_row(row: dict[str, Any]) -> None:
            nonlocal failed
            failed += row["error"] is not None
            progress.update(task, advance=1, unreadable=failed)

        written, manifest = run_dataset(classifier, cfg, info, job, workers=workers,
                                        task_of=task_of, on_row=on_row)
    console.print(f"{written} rows written, {already} already in {job.out}; {failed} of the new "
                  f"rows unreadable. Manifest: {manifest}. Score with: emolab evaluate {job.out}")
