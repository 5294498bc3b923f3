"""``emolab train sft|dpo|orpo|openai-dpo``: LoRA fine-tuning through TRL, or DPO on OpenAI.

The options of the local trainers are the fields of ``TrainConfig`` (where their defaults and
help live); only the flags a user gives override the YAML file. Heavy libraries are imported
inside the commands.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from emolab.cli.config_options import options_from
from emolab.train.config import TrainConfig

app = typer.Typer(help="Fine-tune with LoRA (SFT, DPO, ORPO through TRL) or on OpenAI (DPO).",
                  no_args_is_help=True)


def _command(method: str, doc: str) -> Any:
    @options_from(TrainConfig, exclude=("method",),
                  panel="Settings (any of them may also come from --config)")
    def command(
        config: Path | None = typer.Option(None, "--config", help="YAML file of settings; "
                                           "flags override it."),
        settings: dict | None = None,
    ) -> None:
        _train(method, config, settings or {})

    command.__doc__ = doc
    return command


def _train(method: str, config: Path | None, values: dict[str, Any]) -> None:
    from emolab.train.run import train

    out = values.get("out")
    # A bare --resume picks up the settings the run was started with (flags still override).
    if values.get("resume") and config is None and out is not None:
        saved = Path(out) / "config.yaml"
        config = saved if saved.is_file() else None
    cfg = TrainConfig.from_sources(config, {**values, "method": method})
    train(cfg, echo=typer.echo)


app.command("sft")(_command(
    "sft", "Supervised fine-tuning with LoRA on the chosen answers of a pairs file, or on "
           "'messages' rows."))
app.command("dpo")(_command("dpo", "DPO with LoRA on a pairs file (TRL DPOTrainer)."))
app.command("orpo")(_command("orpo", "ORPO with LoRA on a pairs file (TRL ORPOTrainer)."))


@app.command("openai-dpo")
def openai_dpo(
    pairs: Path = typer.Option(..., "--pairs", "-p",
                               help="File from `emolab pairs export --format openai`."),
    eval_pairs: Path | None = typer.Option(None, "--eval-pairs", help="Validation file."),
    model: str = typer.Option("gpt-4.1-mini-2025-04-14", "--model", "-m",
                              help="Base model that supports DPO fine-tuning."),
    beta: str = typer.Option("0.1", "--beta", help="DPO beta or 'auto'."),
    n_epochs: str = typer.Option("auto", "--n-epochs", help="Epochs or 'auto'."),
    batch_size: str = typer.Option("auto", "--batch-size", help="Batch size or 'auto'."),
    learning_rate_multiplier: str = typer.Option("auto", "--learning-rate-multiplier",
                                                 help="Learning-rate multiplier or 'auto'."),
    seed: int = typer.Option(42, "--seed", help="Seed of the job."),
    suffix: str | None = typer.Option(None, "--suffix", help="Suffix of the model name."),
    poll_seconds: float = typer.Option(10.0, "--poll-seconds", help="Seconds between checks."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Follow the job to its end."),
    base_url: str | None = typer.Option(None, "--base-url",
                                        help="API base URL with /v1 (default: OPENAI_BASE_URL, else "
                                             "https://api.openai.com/v1)."),
    api_key: str | None = typer.Option(None, "--api-key", help="API key (default: OPENAI_API_KEY).",
                                       show_default=False),
) -> None:
    """Upload an OpenAI preference file and run a DPO fine-tuning job on it."""
    from emolab.train.openai_ft import DEFAULT_BASE_URL, FineTuningClient, OpenAIDPOConfig, run

    cfg = OpenAIDPOConfig(pairs=str(pairs), eval_pairs=str(eval_pairs) if eval_pairs else None,
                          model=model, beta=beta, n_epochs=n_epochs, batch_size=batch_size,
                          learning_rate_multiplier=learning_rate_multiplier, seed=seed,
                          suffix=suffix, poll_seconds=poll_seconds)
    url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    client = FineTuningClient(url, api_key or os.environ.get("OPENAI_API_KEY", ""))
    try:
        job = run(cfg, client, echo=typer.echo, wait=wait)
    finally:
        client.close()
    if wait and job.get("status") != "succeeded":
        raise typer.Exit(1)


@app.command("heads")
def heads(
    out: Path = typer.Option(..., "--out", "-o",
                             help="The score-head file to write (JSON; its embeddings are cached "
                                  "beside it as .npz, so a killed fit resumes)."),
    tasks: str = typer.Option("ei-reg,ei-oc,v-reg,v-oc", "--tasks",
                              help="Comma-separated score and class tasks to fit heads for."),
    data_dir: Path | None = typer.Option(None, "--data-dir",
                                         help="Data folder (default: $EMOLAB_DATA)."),
    threads: int = typer.Option(2, "--threads", help="llama.cpp threads."),
) -> None:
    """Fit score heads on the shipped tuned model's hidden states (ridge, training splits).

    The heads answer intensities and classes for `emolab classify` when the tuned model's
    card names the file; dev rows are embedded only to report each head's Pearson r."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from emolab.backends.llamacpp import LlamaCppBackend
    from emolab.models.policy import TUNED_NAME
    from emolab.models.tuned import adapter_digest, require_shipped
    from emolab.train.heads import describe, fit_readout

    families = [t.strip() for t in tasks.split(",") if t.strip()]
    with LlamaCppBackend(TUNED_NAME, n_threads=threads, readout=False) as backend, \
            Progress("[progress.description]{task.description}", BarColumn(),
                     MofNCompleteColumn(), TimeRemainingColumn()) as bar:
        job = bar.add_task("embedding texts", total=None)
        readout = fit_readout(
            backend.embed, families, model_digest=adapter_digest(require_shipped()),
            cache=out.with_suffix(".embeddings.npz"),
            data_dir=str(data_dir) if data_dir else None,
            progress=lambda done, total: bar.update(job, completed=done, total=total))
    out.parent.mkdir(parents=True, exist_ok=True)
    readout.save(out)
    for row in describe(readout):
        r = row["dev_pearson"]
        typer.echo(f"{row['task']:<16} train {row['train']:>5}  dev {row['dev']:>4}  "
                   f"alpha {row['alpha']:<8g} dev r {'-' if r is None else f'{r:.3f}'}")
    typer.echo(f"wrote {out}")
