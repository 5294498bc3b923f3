"""``emolab adherence``: how many raw outputs keep the answer schema, and how the rest fail."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from emolab.cli.output import table_console


def adherence(
    predictions: Path = typer.Argument(..., help="Predictions file (raw outputs are read)."),
    labels: str = typer.Option(None, help="Comma-separated label set, for unknown data sets."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
) -> None:
    """Share of raw outputs that keep the answer schema, with examples of each failure.

    Checks: one JSON object, fields present, labels in the set, most prominent emotion listed,
    key order, schema-valid as written, usable by a lenient reader.
    """
    from rich.markup import escape
    from rich.table import Table

    from emolab.evaluate.adherence import adherence_file

    label_list = [label.strip() for label in labels.split(",")] if labels else None
    report = adherence_file(predictions, labels=label_list)
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    console = table_console()
    table = Table(title=f"schema adherence of {predictions} ({report['rows']} rows)")
    table.add_column("check")
    table.add_column("share", justify="right")
    table.add_column("rows", justify="right")
    for check, share in report["shares"].items():
        table.add_row(check.replace("_", " "), f"{share:.1%}", str(report["counts"][check]))
    console.print(table)
    for kind, examples in report["examples"].items():
        console.print(f"[bold]{escape(kind)}[/] ({report['failures_by_kind'][kind]} rows), e.g.:")
        for example in examples:
            console.print(f"  {escape(example['id'])}: {escape(example['raw'])}", soft_wrap=True)
