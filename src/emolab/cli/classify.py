"""``emolab classify``: explain and classify one text, or a whole data set split with resume."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer

from emolab.cli.backend_options import (
    accepted_options,
    classification_dataset,
    load_backend_from_options,
)

BACKEND_HELP = "llamacpp (local GGUF, schema by grammar), transformers, openai (HTTP server)."


def classify(
    ctx: typer.Context,
    text: str = typer.Argument(None, help="The text to classify (leave out with --dataset)."),
    dataset: str = typer.Option(None, "--dataset", "-d", help="Classify a data set split "
                                "instead (see `emolab data list`)."),
    split: str = typer.Option("dev", "--split", "-s", help="Split of --dataset."),
    limit: int = typer.Option(None, "--limit", min=1, help="Only the first N rows of the split."),
    out: Path = typer.Option(None, "--out", "-o", help="Predictions JSONL (appended; a rerun "
                             "skips ids already there). Required with --dataset."),
    data_dir: Path = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA", show_envvar=True,
                                  help="Folder holding the original data files."),
    labels: str = typer.Option(None, "--labels", help="Label set: semeval-ec, dair-emotion, "
                               "goemotions, goemotions-ekman, isear (default: the data set's, "
                               "else semeval-ec)."),
    backend: str = typer.Option("llamacpp", "--backend", "-b", help=BACKEND_HELP),
    model: str = typer.Option(None, "--model", "-m", help="'default' (the embedded SmolLM2), a "
                              "GGUF file or model folder, or a server's model name."),
    n: int = typer.Option(1, "--n", min=1, help="Candidate answers per text."),
    temperature: float = typer.Option(0.0, "--temperature", min=0.0, help="0 = greedy."),
    top_p: float = typer.Option(1.0, "--top-p", help="Nucleus sampling mass, in (0, 1]."),
    seed: int = typer.Option(None, "--seed", help="Seed of sampling (candidate i uses seed+i)."),
    max_tokens: int = typer.Option(320, "--max-tokens", min=1, help="Tokens per answer at most "
                                   "(room for a 200-character explanation and every label)."),
    no_constrain: bool = typer.Option(False, "--no-constrain", help="Prompt only: do not "
                                      "enforce the JSON schema; outputs are parsed leniently."),
    prompt_version: str = typer.Option("v1", "--prompt-version", help="Prompt template version."),
    threads: int = typer.Option(None, "--threads", min=1, help="CPU threads (local backends)."),
    base_url: str = typer.Option(None, "--base-url", envvar="OPENAI_BASE_URL",
                                 help="OpenAI-compatible server (openai backend)."),
    api_key: str = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY",
                                help="API key (openai backend)."),
    concurrency: int = typer.Option(None, "--concurrency", min=1,
                                    help="Requests in flight (openai backend)."),
    as_json: bool = typer.Option(False, "--json", help="Print only the answer object."),
) -> None:
    """Classify the emotions of a text and explain them, as schema-valid JSON."""
    from emolab.backends import SamplingParams
    from emolab.errors import EmolabError

    if (text is None) == (dataset is None):
        raise EmolabError("give either a TEXT or --dataset NAME (not both)")
    if dataset is not None and out is None:
        raise EmolabError("--dataset needs --out FILE (the predictions file, resumable)")
    try:
        params = SamplingParams(n=n, temperature=temperature, top_p=top_p,
                                max_tokens=max_tokens, seed=seed)
    except ValueError as err:
        raise EmolabError(str(err)) from None
    options = {"model": model, "n_threads": threads, "seed": seed, "base_url": base_url,
               "api_key": api_key, "concurrency": concurrency}
    info = classification_dataset(dataset, labels) if dataset else None
    label_set = _label_set(labels, info)
    started = time.perf_counter()
    with load_backend_from_options(ctx, backend, options) as engine:
        from emolab.classify import Classifier

        classifier = Classifier(engine, label_set, params=params, constrain=not no_constrain,
                                prompt_version=prompt_version)
        if info is None:
            _one_text(classifier, text, as_json, started)
        else:
            _run_dataset(classifier, info, split, limit, out, data_dir,
                         workers=concurrency if "concurrency" in accepted_options(backend) else 1)


def _label_set(labels: str | None, info):
    from emolab.labels import get_label_set

    if info is not None:
        return info.label_set
    return get_label_set(labels or "semeval-ec")


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


def _run_dataset(classifier, info, split: str, limit: int | None, out: Path,
                 data_dir: Path | None, *, workers: int) -> None:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from emolab.classify import PredictionsFile
    from emolab.classify.manifest import record_session
    from emolab.data import load

    examples = load(info.name, split, data_dir=data_dir)[:limit]
    with PredictionsFile(out) as existing:  # only to size the bar; the run re-reads the file
        already = sum(1 for e in examples if e.id in existing.done)
    console = Console(stderr=True)
    failed = 0
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[failed]} unreadable"), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"{info.name}/{split}", total=len(examples),
                                 completed=already, failed=0)

        def on_row(row: dict[str, Any]) -> None:
            nonlocal failed
            failed += row["error"] is not None
            progress.update(task, advance=1, failed=failed)

        started = time.perf_counter()
        written = classifier.run(examples, out, task=info.task, dataset=info.name,
                                 workers=workers or 1, on_row=on_row)
    manifest = record_session(out, classifier=classifier, examples=examples, dataset=info.name,
                              split=split, written=written,
                              seconds=time.perf_counter() - started)
    console.print(f"{written} rows written, {already} already in {out}; {failed} of the new rows "
                  f"unreadable. Manifest: {manifest}. Score with: emolab evaluate {out}")
