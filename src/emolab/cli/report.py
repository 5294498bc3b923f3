"""``emolab report``: one self-contained HTML page for one or more runs."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def report(
    inputs: list[Path] = typer.Argument(..., help="Predictions files or run folders "
                                        "(holding predictions.jsonl); two or more are compared."),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="HTML file to write."),
    name: list[str] = typer.Option(None, "--name", help="A display name per input, in order."),
    sufficiency: list[Path] = typer.Option(
        None, "--sufficiency", help="JSON from `emolab sufficiency --json`, shown with its "
        "input (repeatable)."),
    data_dir: Path = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA",
                                  help="Where to look up texts when the rows do not carry them."),
) -> None:
    """One self-contained HTML page of metrics, plots and explanations for one or more runs.

    Metrics, per-label F1 bars, confusion / co-occurrence matrices, adherence, sufficiency,
    a before/after table and sample explanations (escaped).
    """
    from emolab.errors import EmolabError
    from emolab.evaluate.report import build_report, resolve_input

    if name and len(name) != len(inputs):
        raise EmolabError(f"--name given {len(name)} times for {len(inputs)} inputs")
    extra = {}
    for file in sufficiency or []:
        result = json.loads(file.read_text(encoding="utf-8"))
        extra[str(resolve_input(result["file"]))] = result
    page, _ = build_report(list(inputs), names=list(name) if name else None,
                           data_dir=str(data_dir) if data_dir else None, sufficiency=extra)
    out.write_text(page, encoding="utf-8")
    typer.echo(f"wrote {out} ({len(page) // 1024} KiB)")
