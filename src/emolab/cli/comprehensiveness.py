"""``emolab comprehensiveness``: do the words an explanation quotes carry the answer?"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from emolab.cli.output import table_console


def comprehensiveness(
    predictions: Path = typer.Argument(..., help="Predictions file of a label task, with "
                                       "explanations (from `emolab classify --dataset`)."),
    split: str = typer.Option("dev", "--split", "-s", help="The split the predictions were "
                              "made on (its texts are read again)."),
    model: str = typer.Option(None, "--model", "-m", help="The model that wrote them "
                              "(default: the model policy's choice, as classify makes it)."),
    backend: str = typer.Option("llamacpp", "--backend", "-b", help="llamacpp or "
                                "transformers."),
    threads: int = typer.Option(None, "--threads", min=1, help="CPU threads."),
    limit: int = typer.Option(None, "--limit", min=1, help="Only the first N rows."),
    seed: int = typer.Option(42, "--seed", help="Seed of the random-deletion control."),
    data_dir: Path = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA", show_envvar=True,
                                  help="Folder holding the original data files."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
) -> None:
    """Delete the words each explanation quotes and ask the model again; beside it, delete as
    many random words (ERASER's comprehensiveness; higher than the control is better)."""
    from rich.console import Console
    from rich.progress import Progress

    from emolab.evaluate.comprehensiveness import comprehensiveness_file

    console = Console(stderr=True)
    with Progress(console=console, transient=True) as progress:
        bar = progress.add_task("asking again", total=None)
        report = comprehensiveness_file(
            predictions, split=split, data_dir=data_dir, model=model, backend=backend,
            threads=threads, limit=limit, seed=seed,
            on_total=lambda n: progress.update(bar, total=n),
            on_batch=lambda n: progress.advance(bar, n))
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"comprehensiveness of {predictions} ({report['model']})")
    for column in ("deleted", "answers changed", "mean Jaccard distance", "unreadable"):
        table.add_column(column, justify="right" if column != "deleted" else "left")
    for arm, name in (("without_quotes", "the quoted words"),
                      ("random_control", "as many random words")):
        got = report[arm]
        table.add_row(name, f"{got['changed_share']:.1%}", f"{got['mean_jaccard_distance']:.4f}",
                      str(got["unreadable"]))
    table_console().print(table)
    table_console().print(
        f"{report['scored']} of {report['rows']} rows scored, {report['mean_words_deleted']} "
        f"words deleted on average; not scored: {report['unreadable']} unreadable, "
        f"{report['no_quote_of_the_text']} quoting nothing of their text.")
