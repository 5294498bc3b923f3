"""``emolab instruct``: build multi-task instruction data from training splits."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from emolab.cli.output import table_console

app = typer.Typer(help="Multi-task instruction data (training splits only, leaks removed).",
                  no_args_is_help=True)


@app.command("build")
def build(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Folder: train.jsonl, report.json, "
                             "config.yaml; the same command again resumes."),
    config: Path = typer.Option(None, "--config", "-c", help="YAML file of settings; flags "
                                "override it."),
    tasks: str = typer.Option(None, "--tasks", help="Comma-separated tasks (default: "
                              "ec,ei-reg,ei-oc,v-reg,v-oc)."),
    per_task: int = typer.Option(None, "--per-task", min=1, help="Rows per task (default 500)."),
    explanations: str = typer.Option(None, "--explanations", help="keywords (default) or "
                                     "rationalize."),
    prompt_version: str = typer.Option(None, "--prompt-version", help="compact (default) or v1."),
    output_format: str = typer.Option(None, "--format", help="trl (default) or emollms (also "
                                      "writes train-emollms.jsonl in the AAID layout)."),
    seed: int = typer.Option(None, "--seed", help="Seed of the sample (default 0)."),
    data_dir: Path = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA", show_envvar=True,
                                  help="Folder holding the original data files."),
    backend: str = typer.Option(None, "--backend", "-b", help="Backend of --explanations "
                                "rationalize (default llamacpp)."),
    model: str = typer.Option(None, "--model", "-m", help="Model of --explanations "
                              "rationalize."),
    rationalizer_prompt: str = typer.Option(None, "--rationalizer-prompt", help="Prompt the "
                                            "rationalizing model is asked in (default v1)."),
    threads: int = typer.Option(None, "--threads", min=1, help="CPU threads (local backends)."),
) -> None:
    """Answer training texts of every task with their gold answer and an explanation that
    quotes the words carrying it; every held-out text of every data set is kept out."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from emolab.errors import EmolabError
    from emolab.instruct.build import CONFIG, ROWS, Builder
    from emolab.instruct.config import InstructConfig
    from emolab.settings import read_saved

    given = dict(tasks=tasks, per_task=per_task, explanations=explanations,
                 prompt_version=prompt_version, output_format=output_format, seed=seed,
                 data_dir=str(data_dir) if data_dir else None, backend=backend, model=model,
                 rationalizer_prompt=rationalizer_prompt)
    cfg = InstructConfig.from_sources(config, given)
    saved = read_saved(out / CONFIG)
    if saved is not None and (out / ROWS).exists():
        fixed = ("explanations", "prompt_version", "seed", "backend", "model",
                 "max_explanation_chars", "rationalizer_prompt")
        changed = [f"{k}: {saved.get(k)!r} -> {getattr(cfg, k)!r}" for k in fixed
                   if k in saved and saved[k] != getattr(cfg, k)]
        if changed:
            raise EmolabError(f"{out} holds rows built with other settings ({'; '.join(changed)}"
                              "); use another --out folder")
    out.mkdir(parents=True, exist_ok=True)
    cfg.write_yaml(out / CONFIG)
    rationalizer = None
    engine = None
    if cfg.explanations == "rationalize":
        from emolab.backends import SamplingParams
        from emolab.classify import Classifier
        from emolab.cli.backend_options import load_backend_from_options
        from emolab.tasks import get_family

        engine = load_backend_from_options(ctx, cfg.backend, {"model": cfg.model,
                                                              "n_threads": threads})
        family = get_family(cfg.task_names()[0])  # each row passes its own task
        first = family.task(family.dimensions[0] if family.dimensions else None)
        rationalizer = Classifier(engine, first, params=SamplingParams(max_tokens=600),
                                  prompt_version=cfg.rationalizer_prompt)
    console = table_console(stderr=True)
    total = cfg.per_task * len(cfg.task_names())
    try:
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeRemainingColumn(), console=console) as progress:
            bar = progress.add_task("instruction rows", total=total)
            report = Builder(cfg, out, rationalizer=rationalizer).build(
                on_row=lambda _: progress.advance(bar))
    finally:
        if engine is not None:
            engine.close()
    if cfg.output_format == "emollms":
        from emolab.instruct.emollms_format import to_emollms

        with (out / "train-emollms.jsonl").open("w", encoding="utf-8") as handle:
            for line in (out / ROWS).read_text(encoding="utf-8").splitlines():
                handle.write(json.dumps(to_emollms(json.loads(line)), ensure_ascii=False) + "\n")
    from rich.table import Table

    table = Table(title=f"{out / ROWS}")
    for column in ("task", "written", "already there", "leaks removed", "skipped", "quoting"):
        table.add_column(column, no_wrap=column == "task")
    for name, found in report["tasks"].items():
        leaks = ", ".join(f"{k}: {v}" for k, v in found["removed_as_leaks"].items()) or "0"
        share = found["quoting_share"]
        table.add_row(name, str(found["written"]), str(found["already"]), leaks,
                      str(found["no_emotion_skipped"] + found["invalid"]),
                      "–" if share is None else f"{100 * share:.0f}%")
    console.print(table)
    if report["held_out_unchecked"]:
        console.print(f"[yellow]not on disk, so not checked for leaks: "
                      f"{', '.join(report['held_out_unchecked'])}[/]")
