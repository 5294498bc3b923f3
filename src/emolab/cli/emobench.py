"""``emolab emobench``: run EmoBench on a model (resumable, every raw answer kept) and score
runs or the official result files."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer

from emolab.cli.backend_options import load_backend_from_options
from emolab.cli.config_options import config_from_flags, options_from
from emolab.cli.output import unreadable_progress
from emolab.emobench.config import EmoBenchConfig

app = typer.Typer(help="EmoBench (emotional understanding EU, application EA): run and score.",
                  no_args_is_help=True)


@app.command("run")
@options_from(EmoBenchConfig, panel="Settings (any of them may also come from --config)")
def run(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Run folder (answers.jsonl, items.jsonl, "
                             "config.yaml, manifest.json); the same command again resumes."),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML file of settings; "
                                       "flags override it."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY",
                                       help="API key (never written to a file)."),
    settings: dict | None = None,
) -> None:
    """Ask a model every EmoBench question; keep every raw answer; resume where it stopped."""
    from emolab.emobench.folder import limited, prepare
    from emolab.errors import EmolabError
    from emolab.models.policy import choose_model

    cfg = config_from_flags(ctx, EmoBenchConfig, config, settings or {})
    # EmoBench is no task the tuned model was trained on: "default" is the base (the policy).
    cfg.model = choose_model(cfg.model, cfg.backend, ["emobench"]).model
    chosen = limited(prepare(cfg, out), cfg.limit)  # data first: a bad file fails at once
    options = {"model": cfg.model, "n_threads": cfg.threads, "seed": cfg.seed,
               "base_url": cfg.base_url, "api_key": api_key}
    with load_backend_from_options(ctx, cfg.backend, options) as engine:
        structured = engine.supports_schema if cfg.constrain is None else cfg.constrain
        if structured and not engine.supports_schema:
            raise EmolabError(f"backend {engine.name!r} cannot enforce the answer schema; "
                              "use --no-constrain (free text, read leniently)")
        _run(cfg, engine, structured, chosen, out)


def _run(cfg, engine, structured: bool, items: list, out: Path) -> None:
    from rich.console import Console

    from emolab.emobench.folder import record_session
    from emolab.emobench.runner import ANSWERS, Runner, read_rows, unit_key
    from emolab.provenance import utc_now

    runner = Runner(engine, cfg, structured=structured)
    path = out / ANSWERS
    wanted = {(i.task, i.id, k) for i in items for k in range(cfg.permutations + 1)}
    already = len(wanted & {unit_key(r) for r in read_rows(path)})
    console = Console(stderr=True)
    counts = {"answers": 0, "unreadable": 0}
    started_utc, started = utc_now(), time.perf_counter()
    with unreadable_progress(console) as progress:
        bar = progress.add_task(f"emobench {cfg.task} {cfg.lang}", total=len(wanted),
                                completed=already, unreadable=0)

        def on_unit(row: dict[str, Any]) -> None:
            for sample in row["samples"]:
                for answer in sample.values():
                    counts["answers"] += 1
                    counts["unreadable"] += answer["read"] is None
            progress.update(bar, advance=1, unreadable=counts["unreadable"])

        written = runner.run(items, path, on_unit=on_unit)
    seconds = time.perf_counter() - started
    manifest = record_session(out, cfg=cfg, backend=engine, structured=structured, session={
        "started_utc": started_utc, "units_written": written,
        "units_already": already, "generation_calls": runner.generations,
        "answers": counts["answers"], "unreadable": counts["unreadable"],
        "seconds": round(seconds, 2), "limit": cfg.limit, "threads": cfg.threads})
    console.print(f"{written} units written ({already} already there) in {seconds:.1f} s; "
                  f"{counts['unreadable']} of {counts['answers']} new answers unreadable. "
                  f"Manifest: {manifest}. Score with: emolab emobench score {out}")


@app.command("score")
def score(
    run_folder: Path | None = typer.Argument(None, help="A run folder (emolab emobench run)."),
    official_results: Path | None = typer.Option(
        None, "--official-results", help="Score EmoBench's own result files instead: "
        "DIR/<EU|EA>/<model>/*.csv, raw answers read with emolab's parser."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Score a run folder (or EmoBench's own result files) beside the published rows."""
    from emolab.errors import EmolabError

    if (run_folder is None) == (official_results is None):
        raise EmolabError("give a RUN folder or --official-results DIR (one of them)")
    if official_results is not None:
        from emolab.emobench.official import score_official

        figures = score_official(official_results)
        if as_json:
            typer.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        else:
            _official_table(figures)
        return
    from emolab.emobench.scorer import score_run

    figures = score_run(run_folder)
    if as_json:
        typer.echo(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        _run_tables(figures)


def _official_table(figures: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="EmoBench official result files, raw answers read by emolab")
    for column in ("model", "variant", "task", "emolab", "official parser", "published",
                   "same reading", "unreadable"):
        table.add_column(column, justify="left" if column in ("model", "variant") else "right")
    for model, variants in figures.items():
        for variant, tasks in variants.items():
            for task, f in tasks.items():
                published = "" if f["published"] is None else f"{f['published']:.2f}"
                table.add_row(model, variant, task, f"{f['accuracy']:.2f}",
                              f"{f['official_parser_accuracy']:.2f}", published,
                              f"{f['agreement']:.2f}%", f"{f['parse_failures']['rate']:.2f}%")
    Console().print(table)


def _run_tables(figures: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    summary = Table(title="EmoBench (accuracy, %)")
    for column in ("task", "accuracy", "emotion only", "cause only", "unreadable", "units"):
        summary.add_column(column, justify="right" if column != "task" else "left")
    for task, f in figures.items():
        summary.add_row(task, f"{f['accuracy']:.2f}", _maybe(f, "emotion_accuracy"),
                        _maybe(f, "cause_accuracy"), f"{f['parse_failures']['rate']:.2f}%",
                        str(f["units"]))
    console.print(summary)
    for task, f in figures.items():
        table = Table(title=f"{task} by category")
        table.add_column("category")
        table.add_column("accuracy", justify="right")
        table.add_column("n", justify="right")
        for name, entry in f.get("by_category", {}).items():
            table.add_row(name, f"{entry['accuracy']:.2f}", str(entry["n"]))
        console.print(table)
        bias = Table(title=f"{task}: voted answer position vs gold (position bias)")
        bias.add_column("question")
        bias.add_column("letter")
        bias.add_column("gold", justify="right")
        bias.add_column("chosen", justify="right")
        for question, positions in f["positions"].items():
            for letter_, gold in positions["gold"].items():
                bias.add_row(question, letter_, str(gold), str(positions["chosen"][letter_]))
        console.print(bias)
    published = Table(title="Published (English, no CoT)")
    published.add_column("model")
    for task in figures:
        published.add_column(task, justify="right")
    rows = {task: f["published"] for task, f in figures.items()}
    first = next(iter(rows.values()))
    published.add_row("[bold]this run[/]", *(f"{figures[t]['accuracy']:.2f}" for t in rows))
    for i, row in enumerate(first):
        published.add_row(row["model"], *(f"{rows[t][i]['accuracy']:.2f}" for t in rows))
    console.print(published)
    console.print(f"[dim]{first[0]['source']}[/]")


def _maybe(figures: dict[str, Any], key: str) -> str:
    return f"{figures[key]:.2f}" if key in figures else "—"
