"""``emolab reason``: emotional-reasoning items from multi-agent therapy dialogues."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="Emotional-reasoning data: therapy dialogues between agents, turned "
                       "into EmoBench-style EU/EA items.", no_args_is_help=True)


@app.command("generate")
def generate(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Run folder (a rerun resumes it)."),
    config: Path = typer.Option(None, "--config", help="YAML file with any of the settings."),
    backend: str = typer.Option(None, "--backend", "-b", help="llamacpp (default), "
                                "transformers or openai."),
    model: str = typer.Option(None, "--model", "-m", help="'default', a GGUF file, a model "
                              "folder or a server's model name."),
    pipeline: str = typer.Option(None, "--pipeline", "-p", help="dialogue (default) or concise."),
    n: int = typer.Option(None, "--n", min=1, help="Items to keep in all (default 20)."),
    seed: int = typer.Option(None, "--seed", help="Seed of attributes and sampling (default 0)."),
    kinds: str = typer.Option(None, "--kinds", help="eu, ea or eu,ea (default)."),
    personas: Path = typer.Option(None, "--personas", help="JSON Lines with a 'persona' field."),
    temperature: float = typer.Option(None, "--temperature", help="Default 0.7."),
    top_p: float = typer.Option(None, "--top-p", help="Default 0.9."),
    retries: int = typer.Option(None, "--retries", min=0, help="Extra attempts per agent "
                                "call (default 2)."),
    background_tokens: int = typer.Option(None, "--background-tokens", min=1),
    background_rounds: int = typer.Option(None, "--background-rounds", min=0, help="Times a "
                                          "short background is continued (default 3)."),
    turn_tokens: int = typer.Option(None, "--turn-tokens", min=1),
    supervisor_tokens: int = typer.Option(None, "--supervisor-tokens", min=1),
    extract_tokens: int = typer.Option(None, "--extract-tokens", min=1),
    scenario: str = typer.Option(None, "--scenario", help="extractor (default: the extractor "
                                 "writes each item's scenario) or background (the background "
                                 "is the scenario; for small models)."),
    dedupe_threshold: float = typer.Option(None, "--dedupe-threshold", help="rapidfuzz score "
                                           "(0-100) of a near-duplicate (default 85)."),
    balance_ratio: float = typer.Option(None, "--balance-ratio", help="Default 1.5."),
    max_dialogues: int = typer.Option(None, "--max-dialogues", min=1, help="Default 5 x n."),
    concurrency: int = typer.Option(None, "--concurrency", min=1, help="Dialogues in flight."),
    threads: int = typer.Option(None, "--threads", min=1, help="CPU threads (local backends)."),
    n_ctx: int = typer.Option(None, "--n-ctx", min=256, help="llamacpp context (default 4096)."),
    base_url: str = typer.Option(None, "--base-url", envvar="OPENAI_BASE_URL"),
    api_key: str = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY",
                                help="Never written to the run folder."),
    data_dir: Path = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA", show_envvar=True,
                                  help="Folder holding emobench/ (for the test-item dedupe)."),
) -> None:
    """Write dialogues and extract checked EU/EA items into a run folder."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from emolab.cli.backend_options import load_backend_from_options
    from emolab.reasoning.config import ReasonConfig
    from emolab.reasoning.run import generate as run_generate
    from emolab.reasoning.store import RunStore

    flags = dict(backend=backend, model=model, pipeline=pipeline, n=n, seed=seed, kinds=kinds,
                 personas=str(personas) if personas else None, temperature=temperature,
                 top_p=top_p, retries=retries, background_tokens=background_tokens,
                 background_rounds=background_rounds,
                 turn_tokens=turn_tokens, supervisor_tokens=supervisor_tokens,
                 extract_tokens=extract_tokens, scenario=scenario, dedupe_threshold=dedupe_threshold,
                 balance_ratio=balance_ratio, max_dialogues=max_dialogues,
                 concurrency=concurrency, threads=threads, n_ctx=n_ctx, base_url=base_url,
                 data_dir=str(data_dir) if data_dir else None)
    cfg = ReasonConfig.from_sources(config, flags)
    from emolab.models.policy import choose_model

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
