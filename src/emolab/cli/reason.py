"""``emolab reason``: emotional-reasoning items from multi-agent therapy dialogues."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from emolab.cli.config_options import config_from_flags, options_from
from emolab.reasoning.config import ReasonConfig

app = typer.Typer(help="Emotional-reasoning data: therapy dialogues between agents, turned "
                       "into EmoBench-style EU/EA items.", no_args_is_help=True)


@app.command("generate")
@options_from(ReasonConfig, panel="Settings (any of them may also come from --config)")
def generate(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Run folder (a rerun resumes it)."),
    config: Path = typer.Option(None, "--config", help="YAML file with any of the settings."),
    api_key: str = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY",
                                help="Never written to the run folder."),
    settings: dict | None = None,
) -> None:
    """Write dialogues and extract checked EU/EA items into a run folder."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from emolab.cli.backend_options import load_backend_from_options
    from emolab.models.policy import choose_model
    from emolab.reasoning.run import generate as run_generate
    from emolab.reasoning.store import RunStore

    cfg = config_from_flags(ctx, ReasonConfig, config, settings or {})
    # Dialogue writing is no task the tuned model was trained on: "default" is the base.
    cfg.model = choose_model(cfg.model, cfg.backend, ["reasoning"]).model
    options = {"model": cfg.model, "n_threads": cfg.threads, "seed": cfg.seed,
               "base_url": cfg.base_url, "api_key": api_key, "concurrency": cfg.concurrency,
               "n_ctx": cfg.n_ctx or (4096 if cfg.backend == "llamacpp" else None)}
    console = Console(stderr=True)
    store = RunStore(out, create=True)
    kept_before = len(store.items())
    with load_backend_from_options(ctx, cfg.backend, options) as engine, Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console) as progress:
        bar = progress.add_task(f"items ({cfg.pipeline})", total=cfg.n, completed=kept_before)
        report = run_generate(engine, cfg, store,
                              on_dialogue=lambda rec: progress.advance(bar, len(rec["items"])))
    console.print_json(json.dumps(report))
    kept = sum(report["items"]["kept"].values())
    typer.echo(f"{out}: {kept} items kept from {report['dialogues']['done']} dialogues "
               f"({report['dialogues']['dropped']} dropped)")


@app.command("export")
def export(
    run: Path = typer.Argument(..., help="Run folder of `emolab reason generate`."),
    fmt: str = typer.Option("trl", "--format", "-f", help="trl (messages) or emobench "
                            "(EmoBench's EU/EA item fields)."),
    out: Path = typer.Option(..., "--out", "-o", help="File (.jsonl); for emobench with both "
                             "kinds, a folder that receives EU.jsonl and EA.jsonl."),
    kind: str = typer.Option(None, "--kind", help="Only eu or only ea items."),
    prompts: str = typer.Option("plain", "--prompts", help="trl only: plain (scenario, "
                                "questions, option texts) or emobench (the prompts of "
                                "`emolab emobench run --cot`, choices shuffled, letter answers; "
                                "an EU item gives two rows)."),
    seed: int = typer.Option(0, "--seed", help="Choice order of --prompts emobench."),
) -> None:
    """Write the kept items in a format trainers or the EmoBench runner read as it is."""
    from emolab.errors import EmolabError
    from emolab.reasoning.export import export as run_export
    from emolab.reasoning.store import RunStore

    if kind not in (None, "eu", "ea"):
        raise EmolabError(f"--kind must be eu or ea, not {kind!r}")
    written = run_export(RunStore(run).items(), out, fmt=fmt, kind=kind, prompts=prompts,
                         seed=seed)
    typer.echo(json.dumps(written, indent=2))
