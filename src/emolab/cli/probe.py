"""``emolab probe``: per-layer probes of a model's hidden states on an emotion data set."""

from __future__ import annotations

from pathlib import Path

import typer

# Every option defaults to None so that only the flags a user gives override the YAML file and
# the defaults of ProbeConfig (where the real defaults and their help live).


def probe(
    model: str | None = typer.Option(None, "--model", "-m",
                                        help="default (SmolLM2), minilm, or a model folder."),
    dataset: str | None = typer.Option(None, "--dataset", "-d",
                                          help="goemotions, isear, dair-emotion, semeval-ec."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output folder."),
    split: str | None = typer.Option(None, "--split", help="Training split [train]."),
    eval_split: str | None = typer.Option(
        None, "--eval-split", help="Split to score on [the dev split; else k-fold CV]."),
    limit: int | None = typer.Option(None, "--limit", help="At most N training texts."),
    eval_limit: int | None = typer.Option(None, "--eval-limit",
                                             help="At most N evaluation texts [limit/4]."),
    cv: int | None = typer.Option(None, "--cv", help="Folds without a dev split [5]."),
    force_cv: bool | None = typer.Option(None, "--force-cv/--no-force-cv",
                                            help="Cross-validate even if a dev split exists."),
    probes: list[str] | None = typer.Option(
        None, "--probe", help="linear, mlp or a scikit-learn classifier import path; repeat "
        "for several [linear and mlp]."),
    pooling: str | None = typer.Option(None, "--pooling", help="mean or last [mean]."),
    layers: str | None = typer.Option(None, "--layers",
                                         help="all, '0,4,8' or a slice '0:31:5' [all]."),
    max_length: int | None = typer.Option(None, "--max-length", help="Tokens per text [128]."),
    batch_size: int | None = typer.Option(None, "--batch-size", help="Texts per batch [16]."),
    seed: int | None = typer.Option(None, "--seed", help="Seed [0]."),
    control: bool | None = typer.Option(None, "--control/--no-control",
                                           help="Run the shuffled-label control task [on]."),
    ablate: str | None = typer.Option(None, "--ablate",
                                         help="keywords: rerun with emotion words removed."),
    lexicon: str | None = typer.Option(None, "--lexicon", help="logodds or nrc [logodds]."),
    keywords_per_label: int | None = typer.Option(None, "--keywords-per-label",
                                                     help="Log-odds keywords per label [15]."),
    compare: str | None = typer.Option(None, "--compare",
                                          help="A second model to overlay by relative depth."),
    cache: Path | None = typer.Option(None, "--cache", help="Activation cache folder."),
    threads: int | None = typer.Option(None, "--threads", help="torch threads."),
    progress: bool | None = typer.Option(None, "--progress/--no-progress",
                                            help="Progress bars [on]."),
    config: Path | None = typer.Option(None, "--config", help="YAML file of settings."),
    data_dir: Path | None = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA",
                                            help="Folder holding the data sets."),
) -> None:
    """Probe every layer of a model for emotion: linear and MLP probes, control task, plots."""
    from emolab.probing.config import ProbeConfig
    from emolab.probing.run import run_probe

    overrides = dict(
        model=model, dataset=dataset, out=None if out is None else str(out), split=split,
        eval_split=eval_split, limit=limit, eval_limit=eval_limit, cv=cv, force_cv=force_cv,
        probes=list(probes) if probes else None, pooling=pooling, layers=layers,
        max_length=max_length, batch_size=batch_size, seed=seed, control=control,
        ablate=ablate, lexicon=lexicon, keywords_per_label=keywords_per_label, compare=compare,
        cache=None if cache is None else str(cache), threads=threads, progress=progress)
    cfg = ProbeConfig.from_sources(config, overrides)
    manifest = run_probe(cfg, data_dir=data_dir)
    for name, summary in manifest["models"].items():
        metric = summary["metric"]
        for probe_name, best in summary["best"].items():
            typer.echo(f"{name}: {probe_name} probe best at layer {best['layer']}/"
                       f"{summary['n_layers'] - 1}: {metric} {best[metric]:.3f}, macro-F1 "
                       f"{best['f1_macro']:.3f} (majority baseline {metric} "
                       f"{summary['baseline'][metric]:.3f})")
    typer.echo(f"wrote {cfg.out}/index.html")
