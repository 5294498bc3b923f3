"""Entry point of the ``emolab`` command.

Command modules import nothing heavy at module level (torch, transformers, scikit-learn are
imported inside the commands) so that ``emolab --help`` answers at once.
"""

from __future__ import annotations

import sys

import typer

from emolab import __version__
from emolab.cli import (
    adherence,
    aeb,
    annotate,
    classify,
    comprehensiveness,
    data,
    demo,
    emobench,
    evaluate,
    export,
    instruct,
    label,
    pairs,
    probe,
    reason,
    report,
    sufficiency,
    tasks,
    train,
)
from emolab.errors import EmolabError

app = typer.Typer(
    name="emolab",
    help="Emotion analysis with language models that explain themselves.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# In the order of the research loop.
app.add_typer(data.app, name="data")
app.command("tasks")(tasks.tasks)
app.command("classify")(classify.classify)
app.command("label")(label.label)
app.command("evaluate")(evaluate.evaluate)
app.add_typer(aeb.app, name="aeb")
app.add_typer(pairs.app, name="pairs")
app.add_typer(annotate.app, name="annotate")
app.add_typer(train.app, name="train")
app.command("export-gguf")(export.export_gguf)
app.add_typer(export.app, name="export")
app.add_typer(instruct.app, name="instruct")
app.command("sufficiency")(sufficiency.sufficiency)
app.command("comprehensiveness")(comprehensiveness.comprehensiveness)
app.command("adherence")(adherence.adherence)
app.command("report")(report.report)
app.command("probe")(probe.probe)
app.command("demo")(demo.demo)
app.add_typer(emobench.app, name="emobench")
app.add_typer(reason.app, name="reason")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"emolab {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Emotion analysis with language models that explain themselves."""


def run() -> None:
    """Console entry point: emolab's own errors become one clear line and exit code 2."""
    try:
        app()
    except EmolabError as err:
        typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
        sys.exit(2)
