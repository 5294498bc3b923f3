"""``emolab label CORPUS --tasks ec,v-reg --out OUT/``: annotate a corpus, resumable, in shards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from emolab.cli.config_options import options_from
from emolab.label.config import LabelConfig


@options_from(LabelConfig, panel="Settings (any of them may also come from --config)")
def label(
    ctx: typer.Context,
    corpus: Path = typer.Argument(..., help="CSV, TSV, JSON Lines, Parquet or plain text (one "
                                  "text per line)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: data/part-*.parquet, "
                             "commits.jsonl, manifest.json. The same command again resumes."),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML file of settings; "
                                       "flags override it."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY",
                                       help="API key of the servers (never written to a file)."),
    settings: dict | None = None,
) -> None:
    """Label every text of a corpus with explained answers; resumable, exactly once."""
    cfg = LabelConfig.from_sources(config, settings or {})
    run_command(ctx, cfg, corpus, out, api_key=api_key)


def run_command(ctx: typer.Context | None, cfg: Any, corpus: Path, out: Path, *,
                api_key: str | None) -> None:
    from rich.console import Console

    from emolab.label.build import build_engine, sampling
    from emolab.label.readers import count_rows, detect_format, read_corpus
    from emolab.label.run import folder_totals, label_corpus, open_run
    from emolab.label.tasks import resolve_tasks

    console = Console(stderr=True)
    tasks = resolve_tasks(cfg.tasks)
    cfg = cfg.with_model([t.task.name for t in tasks])
    fmt = detect_format(corpus, cfg.format)
    records = read_corpus(corpus, fmt=fmt, text_column=cfg.text_column,
                          id_column=cfg.id_column)  # opens lazily; checks the header at once
    # The folder before the model: a refused rerun fails before anything heavy loads.
    run = open_run(out, cfg.deciding([t.task.id for t in tasks], fmt), tasks, corpus=corpus,
                   output_format=cfg.output_format)
    total = count_rows(corpus, fmt)
    if cfg.limit is not None:
        total = min(total, cfg.limit) if total is not None else cfg.limit
    already = run.store.rows_done
    with (build_engine(cfg, tasks, params=sampling(cfg), api_key=api_key) as engine,
          _progress(console) as progress):
        bar = progress.add_task(corpus.name, total=total, completed=already)
        summary = label_corpus(
            run, records, engine, shard_rows=cfg.shard_rows,
            commit_seconds=cfg.commit_seconds, limit=cfg.limit,
            on_row=lambda _row: progress.advance(bar),
            session={"engine": cfg.engine_name,
                     "servers": (cfg.llama_servers if cfg.engine_name == "llama-server"
                                 else len(cfg.base_url)),
                     "concurrency": cfg.concurrency, "threads": cfg.threads,
                     "limit": cfg.limit})
    rows, ok, failed = folder_totals(run.store)
    failures = ", ".join(f"{kind} {n}" for kind, n in failed.most_common()) or "none"
    rate = f"{summary.written / summary.seconds:.2f}" if summary.seconds else "-"
    console.print(f"{summary.written} rows labelled in {summary.seconds:.1f} s ({rate} texts/s), "
                  f"{already} were already done. {out}: {rows} rows in {summary.shards} shards, "
                  f"{ok} fully answered; failed by kind: {failures}.", soft_wrap=True)
    for event, n in sorted(summary.events.items()):
        console.print(f"  {event}: {n}")


def _progress(console):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.speed
            return Text("-- texts/s" if speed is None else f"{speed:.2f} texts/s")

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    Rate(), TimeElapsedColumn(), TimeRemainingColumn(), console=console)
