"""``emolab data``: what data sets there are, and what is in a split."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from emolab.cli.output import table_console

app = typer.Typer(help="List the data sets and describe their splits.", no_args_is_help=True)

DataDir = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA", show_envvar=True,
                       help="Folder holding the original data files (see the README).")
Language = typer.Option(None, "--language", "-L",
                        help="Language of a multilingual data set (BRIGHTER): a code such as "
                             "eng, deu, amh (default: eng), or 'all'.")


@app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
) -> None:
    """Show every data set with its task, splits and label set."""
    from emolab.data import get_dataset, list_datasets

    infos = list_datasets()
    if as_json:
        typer.echo(json.dumps([{
            "name": i.name, "task": i.task.value, "splits": list(i.splits),
            "labels": list(i.labels), "dimensions": list(i.dimensions),
            "classes": list(i.classes), "official_counts": i.official_counts,
            "languages": list(i.languages), "official_metric": i.official_metric,
            "official_counts_by_language": {
                code: get_dataset(f"{i.name}:{code}").official_counts for code in i.languages},
            "source": i.source, "description": i.description,
        } for i in infos], indent=2))
        return
    from rich.table import Table

    table = Table(title="emolab data sets", show_lines=False)
    for column in ("name", "task", "splits", "labels / dimensions", "description"):
        table.add_column(column, overflow="fold", no_wrap=column == "name")
    for i in infos:
        if i.labels:
            described = f"{len(i.scored_labels)}: {', '.join(i.scored_labels)}"
            if i.label_set and i.label_set.none_label:
                described += f" (a model may answer {i.label_set.none_label}: no emotion)"
        elif i.classes:
            described = f"{', '.join(i.dimensions)}; classes {min(i.classes)}..{max(i.classes)}"
        else:
            described = ", ".join(i.dimensions)
        about = i.description
        if i.languages:
            about += (f" — {len(i.languages)} languages (--language; default "
                      f"{i.default_language}): {', '.join(i.languages)}")
        table.add_row(i.name, i.task.value, ", ".join(i.splits), described, about)
    table_console().print(table)


@app.command("stats")
def stats_command(
    name: str = typer.Argument(..., help="Data set name (see `emolab data list`)."),
    split: str = typer.Option("train", "--split", "-s", help="Split to describe."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
    language: str | None = Language,
    data_dir: Path = DataDir,
) -> None:
    """Print the row count and label distribution of one split."""
    from emolab.data import get_dataset, load
    from emolab.data.registry import with_language
    from emolab.data.stats import split_stats

    info = get_dataset(with_language(name, language))
    name = info.name
    stats = split_stats(info, load(name, split, data_dir=data_dir))
    stats["split"] = info.canonical_split(split)
    if as_json:
        typer.echo(json.dumps(stats, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    console = table_console()
    official = info.official_counts.get(stats["split"])
    note = "" if official is None else (" (official count)" if official == stats["rows"]
                                        else f" (official: {official})")
    console.print(f"[bold]{name}[/] {stats['split']}: {stats['rows']} rows{note}")
    for key in ("empty_rows", "multi_label_rows"):
        if key in stats:
            console.print(f"{key.replace('_', ' ')}: {stats[key]}")
    table = Table(show_header=True)
    table.add_column("label")
    table.add_column("count / summary", justify="right")
    for label, value in stats["labels"].items():
        shown = value if not isinstance(value, dict) else ", ".join(f"{k}={v}" for k, v in value.items())
        table.add_row(str(label), str(shown))
    console.print(table)
