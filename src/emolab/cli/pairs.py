"""``emolab pairs``: generate candidate pairs, settle them automatically, export them."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="Preference pairs: generate, settle without people, export.",
                  no_args_is_help=True)


@app.command("generate")
def generate(
    ctx: typer.Context,
    dataset: str = typer.Option(..., "--dataset", "-d", help="Data set (see `emolab data list`)."),
    split: str = typer.Option("train", "--split", "-s", help="Split to draw texts from."),
    out: Path = typer.Option(..., "--out", "-o", help="Project folder (holds pairs.sqlite; "
                             "a rerun resumes)."),
    limit: int = typer.Option(None, "--limit", min=1, help="Only the first N texts."),
    rationalize: bool = typer.Option(False, "--rationalize", help="When both candidates are "
                                     "wrong, ask for an answer with the gold labels pinned."),
    data_dir: Path = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA", show_envvar=True,
                                  help="Folder holding the original data files."),
    backend: str = typer.Option("llamacpp", "--backend", "-b", help="Generator backend."),
    model: str = typer.Option(None, "--model", "-m", help="'default' (emolab's tuned model for "
                              "the tasks it was trained on, else the embedded SmolLM2; see "
                              "docs/models.md), 'base', 'emolab', a GGUF file, a model folder or "
                              "a server's model name."),
    temperature: float = typer.Option(0.4, help="Sampling temperature (paper: 0.4)."),
    top_p: float = typer.Option(0.8, "--top-p", help="Nucleus mass (paper: 0.8)."),
    seed: int = typer.Option(42, help="Sampling seed."),
    max_tokens: int = typer.Option(900, "--max-tokens", min=1, help="Tokens per answer at most "
                                   "(900: enough for any answer the schema allows)."),
    threads: int = typer.Option(None, "--threads", min=1, help="CPU threads (local backends)."),
    base_url: str = typer.Option(None, "--base-url", envvar="OPENAI_BASE_URL"),
    api_key: str = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY"),
) -> None:
    """Ask the generator for two candidate answers per text and keep the texts where at least
    one is correct (labels equal the gold set, most prominent emotion among them)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from emolab.backends import SamplingParams
    from emolab.classify import Classifier
    from emolab.classify.datasets import classification_dataset
    from emolab.cli.backend_options import load_backend_from_options
    from emolab.data import load
    from emolab.models.policy import choose_model
    from emolab.preference.generate import generate_pairs
    from emolab.preference.store import PairStore
    from emolab.tasks import get_family

    info = classification_dataset(dataset, None)
    model, prompt_version, _ = choose_model(model, backend, [get_family(info.answer_task).name])
    examples = load(dataset, split, data_dir=data_dir)[:limit]
    params = SamplingParams(n=2, temperature=temperature, top_p=top_p, max_tokens=max_tokens,
                            seed=seed)
    options = {"model": model, "n_threads": threads, "seed": seed, "base_url": base_url,
               "api_key": api_key}
    console = Console(stderr=True)
    with PairStore(out, create=True) as store, load_backend_from_options(ctx, backend, options) as engine:
        store.set_meta("generation", {"dataset": dataset, "split": split, "backend": backend,
                                      "model": engine.model_id, "sampling": params.__dict__,
                                      "rationalize": rationalize,
                                      "prompt_version": prompt_version})
        classifier = Classifier(engine, info.label_set, params=params,
                                prompt_version=prompt_version)
        todo = len(examples) - len(store.done_example_ids() & {e.id for e in examples})
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeRemainingColumn(), console=console) as progress:
            bar = progress.add_task(f"pairs from {dataset}/{split}", total=todo)
            counts = generate_pairs(store, classifier, examples, task=info.task, dataset=dataset,
                                    rationalize_wrong=rationalize,
                                    on_item=lambda _: progress.advance(bar))
        total = store.status_counts()
    console.print(f"this run: kept {counts.kept}, rationalized {counts.rationalized}, dropped "
                  f"{counts.dropped} ({counts.skipped_done} already done)")
    pairs = total["kept"] + total["rationalized"]
    all_items = pairs + total["dropped"]
    typer.echo(f"{out}: {pairs} of {all_items} texts kept as pairs (kept {total['kept']}, "
               f"rationalized {total['rationalized']}, dropped {total['dropped']})")


@app.command("auto")
def auto(
    ctx: typer.Context,
    project: Path = typer.Argument(..., help="Project folder."),
    judge_backend: str = typer.Option(None, "--judge-backend", help="Backend that rates pairs "
                                      "where both responses are correct (else the tie rule)."),
    judge_model: str = typer.Option(None, "--judge-model", help="Judge model or path."),
    tie_rule: str = typer.Option("shorter", "--tie-rule", help="When both are correct and no "
                                 "judge decides: shorter, longer or first explanation."),
    base_url: str = typer.Option(None, "--base-url", envvar="OPENAI_BASE_URL"),
    api_key: str = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY"),
) -> None:
    """Settle every pair without annotators; human decisions are kept as they are."""
    from contextlib import nullcontext

    from emolab.cli.backend_options import load_backend_from_options
    from emolab.preference.auto import settle
    from emolab.preference.store import PairStore

    with PairStore(project) as store:
        judge = (load_backend_from_options(ctx, judge_backend, {"model": judge_model, "base_url": base_url,
                                               "api_key": api_key})
                 if judge_backend else nullcontext(None))
        with judge as engine:
            sources = settle(store, judge=engine, tie_rule=tie_rule)
    typer.echo(", ".join(f"{source}: {n}" for source, n in sorted(sources.items()))
               or "no pairs to settle")


@app.command("export")
def export_command(
    project: Path = typer.Argument(..., help="Project folder."),
    fmt: str = typer.Option("trl", "--format", "-f", help="trl (prompt/chosen/rejected), "
                            "openai (preference fine-tuning JSONL) or table (the paper's Table 1)."),
    out: Path = typer.Option(..., "--out", "-o", help="File: .jsonl or .parquet (.csv for table)."),
    validation: float = typer.Option(0.0, "--validation", help="Share held out as a validation "
                                     "file (FILE.validation.jsonl beside FILE.train.jsonl)."),
    seed: int = typer.Option(42, help="Seed of the train / validation split."),
) -> None:
    """Write every decided pair in a format trainers read as it is."""
    from emolab.preference.export import export
    from emolab.preference.store import PairStore

    with PairStore(project) as store:
        summary = export(store, out, fmt=fmt, validation=validation, seed=seed)
    typer.echo(json.dumps(summary, indent=2))
