"""``emolab aeb``: run EmoLLMs' affective benchmark, score answers, print the table."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from emolab.cli.output import table_console, unreadable_progress

app = typer.Typer(help="AEB (EmoLLMs' 14 affective tasks): run, baselines, score, report.",
                  no_args_is_help=True)

TASKS_HELP = ("Comma-separated AEB tasks (default: all 14): EI-reg, EI-oc, V-reg, V-oc, E-c, "
              "V-A, V-M, V-NYT, V-T, SST, EmoBank, SST-5, TDT, GoEmotions.")
INTERVALS_HELP = ("Also a 95% bootstrap interval of every figure from N resamples of the rows "
                  "(1000 is usual; 0: none).")
DataDir = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA", show_envvar=True,
                       help="Folder holding the original data files.")


def _names(tasks: str | None) -> list[str] | None:
    return [t.strip() for t in tasks.split(",") if t.strip()] if tasks else None


@app.command("run")
def run(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Run folder: <TASK>.jsonl per task and "
                             "manifest.json; the same command again resumes."),
    tasks: str = typer.Option(None, "--tasks", help=TASKS_HELP),
    limit_per_task: int = typer.Option(None, "--limit-per-task", min=1, help="At most N rows "
                                       "per task, the same share of each dimension, spread "
                                       "evenly through the file (default: all)."),
    prompts: str = typer.Option("emolab", "--prompts", help="emolab: self-explaining prompts "
                                "with the answer schema; emollms: the original instructions, "
                                "free-text answers (for EmoLLMs-style models)."),
    backend: str = typer.Option("llamacpp", "--backend", "-b",
                                help="llamacpp, transformers or openai."),
    model: str = typer.Option(None, "--model", "-m", help="'default' (emolab's tuned model "
                              "when it knows every chosen task, else the base), 'emolab', "
                              "'base', a GGUF file, a model folder or a server's model name."),
    prompt_version: str = typer.Option(None, "--prompt-version", help="emolab prompts' "
                                       "version (default: the model's own: compact for "
                                       "emolab's tuned model, else v1; give compact for a "
                                       "model trained on `emolab instruct build` rows)."),
    max_tokens: int = typer.Option(900, "--max-tokens", min=1, help="Tokens per answer at "
                                   "most (emollms prompts: at most 64)."),
    threads: int = typer.Option(None, "--threads", min=1, help="CPU threads (local backends)."),
    seed: int = typer.Option(None, "--seed", help="Sampling seed."),
    base_url: str = typer.Option(None, "--base-url", envvar="OPENAI_BASE_URL",
                                 help="OpenAI-compatible server (openai backend)."),
    api_key: str = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY",
                                help="API key (openai backend; never written to a file)."),
    concurrency: int = typer.Option(None, "--concurrency", min=1,
                                    help="Requests in flight (openai backend)."),
    batch_size: int = typer.Option(None, "--batch-size", min=1, help="Texts decoded "
                                   "together (transformers backend; default: 32 on a GPU, "
                                   "16 on a CPU)."),
    data_dir: Path = DataDir,
) -> None:
    """Answer every AEB task with one model, greedy; resumable, with a progress bar."""
    from emolab.aeb import get_aeb_tasks
    from emolab.aeb.runner import AebRun, model_for, run_tasks
    from emolab.backends import SamplingParams
    from emolab.cli.backend_options import load_backend_from_options

    chosen = get_aeb_tasks(_names(tasks))
    model, prompt_version = model_for(model, backend, prompts, prompt_version, chosen)
    options = {"model": model, "n_threads": threads, "seed": seed, "base_url": base_url,
               "api_key": api_key, "concurrency": concurrency, "batch_size": batch_size}
    console = table_console(stderr=True)
    failed = 0
    with load_backend_from_options(ctx, backend, options) as engine, \
            unreadable_progress(console) as progress:
        job = AebRun(engine, prompts=prompts,
                     params=SamplingParams(max_tokens=max_tokens, seed=seed),
                     limit_per_task=limit_per_task,
                     data_dir=str(data_dir) if data_dir else None,
                     prompt_version=prompt_version)

        def on_task(task, rows: int, done: int):
            bar = progress.add_task(task.name, total=rows, completed=done, unreadable=0)

            def on_row(row) -> None:
                nonlocal failed
                failed += row["error"] is not None
                progress.update(bar, advance=1, unreadable=failed)

            return on_row

        written = run_tasks(job, chosen, out, on_task=on_task)
    console.print(f"{sum(written.values())} answers written to {out}; {failed} unreadable. "
                  f"Table: emolab aeb report {out}")


@app.command("baseline")
def baseline(
    name: str = typer.Argument(..., help="vader, textblob (lexicon tools) or encoder (frozen "
                               "MiniLM + ridge / logistic regression on SemEval training data)."),
    out: Path = typer.Option(..., "--out", "-o", help="Run folder to write (rewritten)."),
    tasks: str = typer.Option(None, "--tasks", help=TASKS_HELP),
    limit_per_task: int = typer.Option(None, "--limit-per-task", min=1,
                                       help="The same rows `aeb run` takes with this limit."),
    data_dir: Path = DataDir,
) -> None:
    """Answer the AEB tasks a baseline can answer, into a run folder `aeb report` reads."""
    from emolab.aeb import get_aeb_tasks
    from emolab.aeb.baselines import run_baseline
    from emolab.aeb.runner import record_session

    chosen = get_aeb_tasks(_names(tasks))
    console = table_console(stderr=True)
    started = time.perf_counter()
    written = run_baseline(name, chosen, out, limit_per_task=limit_per_task,
                           data_dir=str(data_dir) if data_dir else None,
                           on_task=lambda task, n: console.print(f"{task}: {n} rows"))
    settings = {"model": name, "backend": "baseline", "prompts": None, "prompt_version": None,
                "constrained": None, "sampling": None, "limit_per_task": limit_per_task,
                "tasks": list(written), "name": name}
    record_session(out, settings, written, time.perf_counter() - started)
    skipped = [t.name for t in chosen if t.name not in written]
    console.print(f"{name}: {sum(written.values())} answers in {out}"
                  + (f"; not applicable to {', '.join(skipped)}" if skipped else ""))


@app.command("score")
def score(
    answers: Path = typer.Argument(..., help="JSON Lines: task, output, gold, instruction "
                                   "(and optionally id, dimension)."),
    prompts: str = typer.Option("emollms", "--prompts", help="Format of the answers: emollms "
                                "(free text). emolab answers are predictions files: use "
                                "`emolab evaluate` or `aeb report`."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
    intervals: int = typer.Option(0, "--intervals", min=0, help=INTERVALS_HELP),
) -> None:
    """Score EmoLLMs-format answers made elsewhere (e.g. the released EmoLLMs checkpoints)."""
    from emolab.aeb.report import markdown, table_rows
    from emolab.aeb.scoring import score_answers
    from emolab.errors import EmolabError

    if prompts != "emollms":
        raise EmolabError("aeb score reads --prompts emollms answers; score emolab runs with "
                          "`emolab aeb report RUN`")
    result = score_answers(answers, resamples=intervals)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(markdown(table_rows([result], with_published=False)))


@app.command("report")
def report(
    runs: list[Path] = typer.Argument(..., help="AEB run folders (aeb run / aeb baseline)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
    plot: Path = typer.Option(None, "--plot", help="Also draw the table as a bar chart (PNG)."),
    published: bool = typer.Option(True, "--published/--no-published",
                                   help="Show the published rows beside the runs."),
    all_published: bool = typer.Option(False, "--all-published", help="Every published row "
                                       "(21 systems), not only EmoLLaMA-chat-13B, GPT-4, "
                                       "ChatGPT, the tools and SemEval's top."),
    intervals: int = typer.Option(0, "--intervals", min=0, help=INTERVALS_HELP),
) -> None:
    """The AEB table in the paper's layout, with failure rates and the published rows."""
    from emolab.aeb import report as aeb_report
    from emolab.aeb.scoring import score_run

    scored = [score_run(run, resamples=intervals) for run in runs]
    rows = aeb_report.table_rows(scored, with_published=published,
                                 all_published=all_published)
    if plot is not None:
        aeb_report.plot(rows, plot)
    if as_json:
        typer.echo(json.dumps({"runs": scored, "table": rows}, indent=2))
        return
    typer.echo(aeb_report.markdown(rows))
