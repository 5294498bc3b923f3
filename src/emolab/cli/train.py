"""``emolab train sft|dpo|orpo|openai-dpo``: LoRA fine-tuning through TRL, or DPO on OpenAI.

Every option of the local trainers defaults to None so that only the flags a user gives
override the YAML file and the defaults of ``TrainConfig`` (where the real defaults and their
help live). Heavy libraries are imported inside the commands.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(help="Fine-tune with LoRA (SFT, DPO, ORPO through TRL) or on OpenAI (DPO).",
                  no_args_is_help=True)


def _options(
    pairs: Path | None = typer.Option(
        None, "--pairs", "--data", "-p",
        help="Training rows: a pairs file from `emolab pairs export --format trl` (JSONL or "
             "Parquet); sft also takes rows with 'messages'."),
    eval_pairs: Path | None = typer.Option(None, "--eval-pairs",
                                           help="Validation rows (default: a held-out share)."),
    eval_share: float | None = typer.Option(None, "--eval-share",
                                            help="Held-out share without --eval-pairs (default: 0.1)."),
    model: str | None = typer.Option(None, "--model", "-m",
                                     help="default (SmolLM2-135M-Instruct) or a model folder."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Run folder (default: runs/train)."),
    config: Path | None = typer.Option(None, "--config", help="YAML file of settings."),
    learning_rate: float | None = typer.Option(None, "--learning-rate", "--lr",
                                               help="(default: 2e-4 sft/orpo, 5e-5 dpo)."),
    beta: float | None = typer.Option(None, "--beta", help="DPO beta / ORPO lambda (default: 0.1)."),
    lora_r: int | None = typer.Option(None, "--lora-r", help="LoRA rank (default: 16)."),
    lora_alpha: int | None = typer.Option(None, "--lora-alpha", help="LoRA alpha (default: 32)."),
    lora_dropout: float | None = typer.Option(None, "--lora-dropout", help="LoRA dropout (default: 0)."),
    target_modules: str | None = typer.Option(None, "--target-modules",
                                              help="all-linear or 'q_proj,v_proj' (default: all-linear)."),
    batch_size: int | None = typer.Option(None, "--batch-size", help="Rows per device (default: 4)."),
    grad_accum: int | None = typer.Option(None, "--grad-accum",
                                          help="Gradient-accumulation steps (default: 2)."),
    max_steps: int | None = typer.Option(None, "--max-steps", help="Optimizer steps (default: 100)."),
    eval_steps: int | None = typer.Option(None, "--eval-steps", help="Evaluate every N (default: 10)."),
    save_steps: int | None = typer.Option(None, "--save-steps", help="Checkpoint every N (default: 10)."),
    save_total_limit: int | None = typer.Option(None, "--save-total-limit",
                                                help="Checkpoints kept (default: 3)."),
    logging_steps: int | None = typer.Option(None, "--logging-steps", help="Log every N (default: 1)."),
    max_length: int | None = typer.Option(None, "--max-length",
                                          help="Tokens per row; longer rows are dropped (default: 1024)."),
    weight_decay: float | None = typer.Option(None, "--weight-decay", help="(default: 0.01)."),
    warmup_ratio: float | None = typer.Option(None, "--warmup-ratio", help="(default: 0)."),
    lr_scheduler: str | None = typer.Option(None, "--lr-scheduler", help="(default: linear)."),
    optim: str | None = typer.Option(None, "--optim",
                                     help="auto, adamw_torch or adamw_bnb_8bit (default: auto)."),
    quantize: str | None = typer.Option(None, "--quantize", help="auto, none or 4bit (default: auto)."),
    precision: str | None = typer.Option(
        None, "--precision", help="auto (bf16 on GPUs and on CPUs with native bf16), fp32 or bf16."),
    gradient_checkpointing: bool | None = typer.Option(
        None, "--gradient-checkpointing/--no-gradient-checkpointing", help="Off by default."),
    seed: int | None = typer.Option(None, "--seed", help="(default: 42)."),
    resume: bool | None = typer.Option(None, "--resume",
                                       help="Continue from the latest checkpoint in --out."),
    init_adapter: Path | None = typer.Option(
        None, "--init-adapter", help="Train this LoRA adapter further (e.g. runs/NAME/adapter) "
        "instead of a fresh one; its rank, alpha and modules are kept."),
    merge: bool | None = typer.Option(None, "--merge/--no-merge",
                                      help="Write <out>/merged (base + LoRA) (default: on)."),
    threads: int | None = typer.Option(None, "--threads", help="torch CPU threads."),
    progress: bool | None = typer.Option(None, "--progress/--no-progress", help="On by default."),
) -> None:
    """Signature shared by sft, dpo and orpo (never registered itself)."""


def _train(method: str, values: dict[str, Any]) -> None:
    from emolab.train.config import TrainConfig
    from emolab.train.run import train

    config = values.pop("config")
    out = values.get("out")
    # A bare --resume picks up the settings the run was started with (flags still override).
    if values.get("resume") and config is None and out is not None:
        saved = Path(out) / "config.yaml"
        config = saved if saved.is_file() else None
    overrides = {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}
    cfg = TrainConfig.from_sources(config, {**overrides, "method": method})
    train(cfg, echo=typer.echo)


def _command(method: str, doc: str) -> Any:
    @functools.wraps(_options)
    def command(**values: Any) -> None:
        _train(method, values)

    command.__doc__ = doc
    return command


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
    from emolab.models.tuned import TUNED_NAME, adapter_digest, require_shipped
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
