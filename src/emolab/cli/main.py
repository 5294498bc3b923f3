"""Entry point of the ``emolab`` command.

Command modules import nothing heavy at module level (torch, transformers, scikit-learn are
imported inside the commands) so that ``emolab --help`` answers at once.
"""

from __future__ import annotations

import sys

import typer

from emolab import __version__
from emolab.cli import data, evaluate, sufficiency
from emolab.errors import EmolabError

app = typer.Typer(
    name="emolab",
    help="Emotion analysis with language models that explain themselves.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app, name="data")
app.command("evaluate")(evaluate.evaluate)
app.command("sufficiency")(sufficiency.sufficiency)


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
