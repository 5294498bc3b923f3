"""``emolab demo``: the whole research loop on the embedded model, with a before/after table.

Every option defaults to None so that only the flags a user gives override the YAML file and
the defaults of ``DemoConfig`` (where the real defaults and their help live).
"""

from __future__ import annotations

from pathlib import Path

import typer


def demo(
    out: Path | None = typer.Option(None, "--out", "-o", help="Run folder (default: runs/demo)."),
    dataset: str | None = typer.Option(None, "--dataset", "-d",
                                       help="Classification data set (default: semeval-ec)."),
    model: str | None = typer.Option(None, "--model", "-m",
                                     help="Base GGUF model (default: the embedded SmolLM2)."),
    dev_size: int | None = typer.Option(None, "--dev-size", help="Dev texts scored before and "
                                        "after (default: 100)."),
    train_size: int | None = typer.Option(None, "--train-size", help="Training texts turned "
                                          "into pairs (default: 120)."),
    rationalize: bool | None = typer.Option(None, "--rationalize/--no-rationalize",
                                            help="Pin the gold labels when both candidates "
                                            "are wrong (default: on)."),
    sft_steps: int | None = typer.Option(None, "--sft-steps", help="SFT steps on the chosen "
                                         "answers before ORPO (default: 0)."),
    orpo_steps: int | None = typer.Option(None, "--orpo-steps", help="ORPO steps (default: 30; "
                                          "0 with --sft-steps: SFT only)."),
    learning_rate: float | None = typer.Option(None, "--learning-rate", "--lr",
                                               help="(default: 2e-4)."),
    batch_size: int | None = typer.Option(None, "--batch-size", help="(default: 4)."),
    grad_accum: int | None = typer.Option(None, "--grad-accum", help="(default: 2)."),
    export_type: str | None = typer.Option(None, "--export-type",
                                           help="q8_0, f16 or f32 (default: q8_0)."),
    threads: int | None = typer.Option(None, "--threads", help="CPU threads (default: 2)."),
    seed: int | None = typer.Option(None, "--seed", help="(default: 42)."),
    config: Path | None = typer.Option(None, "--config", help="YAML file of settings."),
    data_dir: Path | None = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA",
                                         help="Folder holding the data sets."),
) -> None:
    """Zero-shot → pairs → automatic decisions → (SFT →) ORPO → classify again → the table.

    The defaults finish in under an hour on two CPU cores.
    Rerunning the same command picks up where an interrupted run stopped.
    Scale up with --dev-size, --train-size, --sft-steps and --orpo-steps; the best recipe
    measured so far is supervised steps alone (--sft-steps N --orpo-steps 0), see the README.
    """
    from emolab.demo.config import DemoConfig
    from emolab.demo.pipeline import Loop

    overrides = dict(out=None if out is None else str(out), dataset=dataset, model=model,
                     dev_size=dev_size, train_size=train_size, rationalize=rationalize,
                     sft_steps=sft_steps, orpo_steps=orpo_steps, learning_rate=learning_rate,
                     batch_size=batch_size, grad_accum=grad_accum, export_type=export_type,
                     threads=threads, seed=seed)
    cfg = DemoConfig.from_sources(config, overrides)
    Loop(cfg, data_dir=data_dir, echo=typer.echo).run()
    typer.echo(f"wrote {cfg.out}/table.md and {cfg.out}/report.html")
