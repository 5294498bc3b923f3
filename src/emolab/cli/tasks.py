"""``emolab tasks``: what a model can be asked, and which data sets ask it."""

from __future__ import annotations

import json

import typer

from emolab.cli.output import table_console


def tasks(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
) -> None:
    """List every task: its answer, its dimensions and the data sets that pose it."""
    from emolab.data import get_dataset, list_datasets
    from emolab.models.tuned import shipped
    from emolab.tasks import ALIASES, list_tasks

    tuned = shipped()

    posed: dict[str, list[str]] = {}
    for info in list_datasets():
        if info.answer_task:
            posed.setdefault(info.answer_task, []).append(info.name)
        for language in info.languages:  # a language whose columns make another label set
            variant = get_dataset(f"{info.name}:{language}")
            if variant.answer_task and variant.answer_task != info.answer_task:
                posed.setdefault(variant.answer_task, []).append(variant.name)
    aliases: dict[str, list[str]] = {}
    for alias, name in ALIASES.items():
        aliases.setdefault(name, []).append(alias)
    rows = [{"name": f.name, "aliases": aliases.get(f.name, []), "kind": f.kind.value,
             "dimensions": list(f.dimensions), "answer": _answer(f),
             "data_sets": posed.get(f.name, []), "description": f.description,
             "default_model": "emolab" if tuned and tuned.serves(f.name) else "base"}
            for f in list_tasks()]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    table = Table(title="emolab tasks (ask one with --task NAME[:DIMENSION]); default model: "
                  "emolab = the tuned model, base = untuned SmolLM2")
    for column in ("name", "kind", "dimensions", "answer", "data sets", "default model"):
        table.add_column(column, no_wrap=column == "name", overflow="fold")
    for row in rows:
        name = row["name"] + (f" ({', '.join(row['aliases'])})" if row["aliases"] else "")
        table.add_row(name, row["kind"], ", ".join(row["dimensions"]) or "-", row["answer"],
                      ", ".join(row["data_sets"]) or "-", row["default_model"])
    table_console().print(table)


def _answer(family) -> str:
    task = family.task(family.dimensions[0] if family.dimensions else None)
    keys = [k for k in task.answer_keys if k != "explanation"]
    scale = getattr(task, "scale", None)
    if scale is None:
        return "explanation, " + ", ".join(keys)
    classes = getattr(task, "classes", None)
    shown = f"class {min(classes)}..{max(classes)}" if classes else f"{scale.low:g}..{scale.high:g}"
    return f"explanation, {keys[0]} ({shown})"
