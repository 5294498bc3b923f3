"""``emolab probe``: per-layer probes of a model's hidden states on an emotion data set."""

from __future__ import annotations

from pathlib import Path

import typer

from emolab.cli.config_options import options_from
from emolab.probing.config import ProbeConfig


@options_from(ProbeConfig)
def probe(
    config: Path | None = typer.Option(None, "--config", help="YAML file of settings; flags "
                                       "override it."),
    data_dir: Path | None = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA",
                                         help="Folder holding the data sets."),
    settings: dict | None = None,
) -> None:
    """Probe every layer of a model for emotion: linear and MLP probes, control task, plots."""
    from emolab.probing.run import run_probe

    cfg = ProbeConfig.from_sources(config, settings or {})
    manifest = run_probe(cfg, data_dir=data_dir)
    for name, summary in manifest["models"].items():
        metric = summary["metric"]
        for probe_name, best in summary["best"].items():
            typer.echo(f"{name}: {probe_name} probe best at layer {best['layer']}/"
                       f"{summary['n_layers'] - 1}: {metric} {best[metric]:.3f}, macro-F1 "
                       f"{best['f1_macro']:.3f} (majority baseline {metric} "
                       f"{summary['baseline'][metric]:.3f})")
    typer.echo(f"wrote {cfg.out}/index.html")
