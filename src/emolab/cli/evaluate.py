"""``emolab evaluate``: score a predictions file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from emolab.cli.output import table_console


def evaluate(
    predictions: Path = typer.Argument(..., help="Predictions file (JSON Lines, see the README).",
                                       exists=False),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object instead of tables."),
    task: str = typer.Option(None, "--task", help="Override the task: multi_label, single_label, "
                             "regression, ordinal, multiple_choice."),
    labels: str = typer.Option(None, "--labels",
                               help="Comma-separated label set, for data sets emolab does not know."),
) -> None:
    """Print the metrics that fit the task of a predictions file."""
    from emolab.data.records import TaskKind
    from emolab.errors import EmolabError
    from emolab.evaluate.runner import evaluate_file

    try:
        kind = TaskKind(task) if task else None
    except ValueError:
        raise EmolabError(f"unknown task {task!r}; choose one of: "
                          f"{', '.join(k.value for k in TaskKind)}") from None
    label_list = [label.strip() for label in labels.split(",")] if labels else None
    report = evaluate_file(predictions, task=kind, labels=label_list)
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    _print_report(report)


def _print_report(report: dict) -> None:
    from rich.table import Table

    console = table_console()
    title = f"{report['file']} — {report['task']}"
    if report.get("dataset"):
        title += f" ({report['dataset']})"
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in report["metrics"].items():
        table.add_row(name, f"{value:.4f}")
    console.print(table)
    if "official" in report:
        official = report["official"]
        over = " (mean over languages)" if official.get("averaged_over") else ""
        console.print(f"[bold]official figure: {official['metric']} = "
                      f"{official['value']:.4f}{over}[/]")
    for section in ("by_language", "by_dimension", "by_category"):
        if section in report:
            sub = Table(title=section.replace("_", " "))
            sub.add_column(section.removeprefix("by_"))
            keys = list(next(iter(report[section].values())).keys())
            for key in keys:
                sub.add_column(key, justify="right")
            for name, values in report[section].items():
                sub.add_row(name, *(f"{values[k]:.4f}" if isinstance(values[k], float)
                                    else str(values[k]) for k in keys))
            console.print(sub)
    if "per_label_f1" in report:
        sub = Table(title="per-label F1")
        sub.add_column("label")
        sub.add_column("F1", justify="right")
        for label, value in report["per_label_f1"].items():
            sub.add_row(label, f"{value:.4f}")
        console.print(sub)
    style = "red" if report["failed"] else "green"
    console.print(f"[{style}]{report['failed']} of {report['rows']} rows unreadable "
                  f"({report['failure_rate']:.1%}): {report['failure_rule']}[/]")
    for kind, count in report["failures_by_kind"].items():
        console.print(f"  {kind}: {count}")
