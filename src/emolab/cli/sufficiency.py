"""``emolab sufficiency``: can the explanations alone recover the model's labels?"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from emolab.cli.output import table_console


def sufficiency(
    predictions: Path = typer.Argument(..., help="Predictions file with explanations."),
    encoder: str = typer.Option("minilm", help="'minilm' (embedded) or a Hugging Face encoder "
                                "folder."),
    method: str = typer.Option("frozen", help="'frozen' encoder embeddings + logistic "
                               "regression (default), or 'finetune' the whole encoder."),
    test_size: float = typer.Option(0.3, help="Share of explanations held out for scoring."),
    folds: int = typer.Option(0, help="k-fold cross-validation instead of one split (k >= 2)."),
    seed: int = typer.Option(42, help="Seed of the split and the training."),
    epochs: int = typer.Option(3, help="Fine-tuning epochs."),
    labels: str = typer.Option(None, help="Comma-separated label set, for unknown data sets."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
) -> None:
    """Can the explanations alone recover the model's labels? (higher is better)

    Trains an encoder classifier on the explanation text only, beside a control with the
    label words masked and a majority baseline.
    """
    from rich.console import Console
    from rich.progress import Progress

    from emolab.evaluate.sufficiency import SufficiencyConfig, sufficiency_file

    config = SufficiencyConfig(encoder=encoder, method=method, test_size=test_size, folds=folds,
                               seed=seed, epochs=epochs)
    label_list = [label.strip() for label in labels.split(",")] if labels else None
    console = Console(stderr=True)
    with Progress(console=console, transient=True) as progress:
        runs = 2 * max(folds, 1)
        bar = progress.add_task(f"training {method} classifiers", total=runs)
        report = sufficiency_file(predictions, config, labels=label_list,
                                  progress=lambda: progress.advance(bar))
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"sufficiency of {predictions} ({report['definition']})")
    table.add_column("explanations")
    for key in report["unmasked"]:
        table.add_column(key, justify="right")
    for name in ("unmasked", "masked", "majority_baseline"):
        table.add_row(name.replace("_", " "), *(f"{v:.4f}" for v in report[name].values()))
    table_console().print(table)
    table_console().print(f"{report['used']} of {report['rows']} rows used; "
                    f"{report['excluded_unreadable']} had no readable answer or explanation.")
