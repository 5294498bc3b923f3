"""``emolab label CORPUS --tasks ec,v-reg --out OUT/``: annotate a corpus, resumable, in shards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def label(
    ctx: typer.Context,
    corpus: Path = typer.Argument(..., help="CSV, TSV, JSON Lines, Parquet or plain text (one "
                                  "text per line)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: data/part-*.parquet, "
                             "commits.jsonl, manifest.json. The same command again resumes."),
    tasks: str | None = typer.Option(None, "--tasks", "-t", help="Comma-separated tasks: ec, "
                                     "isear, ei-reg:anger, v-reg, v-oc, sst5, ... (default: ec)."),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML file of settings; "
                                       "flags override it."),
    fmt: str | None = typer.Option(None, "--format", help="csv, tsv, jsonl, parquet, txt "
                                   "(default: from the suffix)."),
    text_column: str | None = typer.Option(None, "--text-column", help="Column of the text "
                                           "(default: text)."),
    id_column: str | None = typer.Option(None, "--id-column", help="Column of a unique id "
                                         "(default: line number + content hash)."),
    output_format: str | None = typer.Option(None, "--output-format", help="parquet (default) "
                                             "or jsonl."),
    shard_rows: int | None = typer.Option(None, "--shard-rows", min=1, help="Rows per shard at "
                                          "most (default: 1000)."),
    commit_seconds: float | None = typer.Option(None, "--commit-seconds", help="Commit a shard "
                                                "at least this often (default: 60)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N rows."),
    engine: str | None = typer.Option(None, "--engine", help="auto, local, servers, "
                                      "llama-server, ray (default: auto: servers when --base-url "
                                      "is given, else local)."),
    backend: str | None = typer.Option(None, "--backend", "-b", help="Local engine's backend: "
                                       "llamacpp (default), transformers."),
    model: str | None = typer.Option(None, "--model", "-m", help="'default', a GGUF file or "
                                     "model folder, or the servers' model name."),
    base_url: list[str] | None = typer.Option(None, "--base-url", help="OpenAI-compatible "
                                              "server with /v1; repeat for several."),
    ray_address: str | None = typer.Option(None, "--ray-address", help="Ray cluster for "
                                           "--engine ray (default: a local Ray on loopback)."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY",
                                       help="API key of the servers (never written to a file)."),
    concurrency: int | None = typer.Option(None, "--concurrency", min=1, help="Requests in "
                                           "flight per server (default: 4)."),
    llama_servers: int | None = typer.Option(None, "--llama-servers", min=1, help="Servers "
                                             "--engine llama-server starts, the threads split "
                                             "among them (default: 1; 2 on a 2-core machine "
                                             "was the fastest path measured)."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="CPU threads (local)."),
    max_tokens: int | None = typer.Option(None, "--max-tokens", min=1, help="Tokens per answer "
                                          "at most."),
    temperature: float | None = typer.Option(None, "--temperature", min=0.0, help="0 = greedy."),
    top_p: float | None = typer.Option(None, "--top-p", help="Nucleus sampling mass."),
    seed: int | None = typer.Option(None, "--seed", help="Seed of sampling."),
    constrain: bool | None = typer.Option(None, "--constrain/--no-constrain", help="Enforce "
                                          "the JSON schema while decoding (default: on)."),
    prompt_version: str | None = typer.Option(None, "--prompt-version", help="Prompt version "
                                              "(default: the model's own)."),
) -> None:
    """Label every text of a corpus with explained answers; resumable, exactly once."""
    from emolab.label.config import LabelConfig

    given = dict(tasks=tasks, format=fmt, text_column=text_column, id_column=id_column,
                 output_format=output_format, shard_rows=shard_rows,
                 commit_seconds=commit_seconds, limit=limit, engine=engine, backend=backend,
                 model=model, base_url=base_url or None, ray_address=ray_address,
                 concurrency=concurrency, llama_servers=llama_servers,
                 threads=threads, max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                 seed=seed, constrain=constrain, prompt_version=prompt_version)
    cfg = LabelConfig.from_sources(config, given)
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
