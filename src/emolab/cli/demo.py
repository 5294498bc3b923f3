"""``emolab demo``: the whole research loop on the embedded model, with a before/after table.

The options are the fields of ``DemoConfig`` (where their defaults and help live); only the
flags a user gives override the YAML file.
"""

from __future__ import annotations

from pathlib import Path

import typer

from emolab.cli.config_options import options_from
from emolab.demo.config import DemoConfig


@options_from(DemoConfig, panel="Settings (any of them may also come from --config)")
def demo(
    config: Path | None = typer.Option(None, "--config", help="YAML file of settings; flags "
                                       "override it."),
    data_dir: Path | None = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA",
                                         help="Folder holding the data sets."),
    settings: dict | None = None,
) -> None:
    """Zero-shot → pairs → automatic decisions → (SFT →) ORPO → classify again → the table.

    The defaults finish in under an hour on two CPU cores.
    Rerunning the same command picks up where an interrupted run stopped.
    Scale up with --dev-size, --train-size, --sft-steps and --orpo-steps; the best recipe
    measured so far is supervised steps alone (--sft-steps N --orpo-steps 0), see the README.
    """
    from emolab.demo.pipeline import Loop

    cfg = DemoConfig.from_sources(config, settings or {})
    Loop(cfg, data_dir=data_dir, echo=typer.echo).run()
    typer.echo(f"wrote {cfg.out}/table.md and {cfg.out}/report.html")
