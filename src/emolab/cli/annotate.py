"""``emolab annotate``: the web page where people rate and compare the two responses of each
item, the personal links that open it, and how well the annotators agree."""

from __future__ import annotations

import ipaddress
import json
from enum import Enum
from pathlib import Path

import typer

from emolab.cli.output import table_console

app = typer.Typer(help="Annotate pairs in the browser: serve the page, add people, measure "
                       "agreement.", no_args_is_help=True)

Project = typer.Argument(..., help="The pairs project folder (holding pairs.sqlite).")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


class Role(str, Enum):
    annotator = "annotator"
    adjudicator = "adjudicator"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@app.command("serve")
def serve(
    project: Path = Project,
    port: int = typer.Option(DEFAULT_PORT, "--port", help="TCP port to listen on."),
    host: str = typer.Option(DEFAULT_HOST, "--host", help="Address to listen on. The default "
                             "reaches only this machine; tokens travel unencrypted over HTTP."),
) -> None:
    """Run the annotation page until Ctrl+C. Every rating is committed when it is given."""
    from emolab.errors import EmolabError

    try:
        import uvicorn

        from emolab.webapp import create_app
    except ImportError as err:
        raise EmolabError(f"`emolab annotate serve` needs fastapi and uvicorn ({err}); "
                          "install them with `pip install fastapi uvicorn`") from None

    web = create_app(project)  # checks the project before anything listens
    if not _is_loopback(host):
        typer.secho(f"warning: listening on {host}: other machines can reach the page, and "
                    "plain HTTP shows tokens to anyone on the network", fg=typer.colors.YELLOW,
                    err=True)
    typer.echo(f"emolab annotate: {project} at http://{host}:{port}/ (Ctrl+C stops)")
    # No access log: the first request of each person carries their token in its URL.
    uvicorn.run(web, host=host, port=port, log_level="warning", access_log=False)


@app.command("add-user")
def add_user(
    project: Path = Project,
    name: str = typer.Argument(..., help="The person's name (unique in the project)."),
    role: Role = typer.Option(Role.annotator, "--role", help="annotator: rates and chooses; "
                              "adjudicator: settles the items where two annotators disagree."),
    port: int = typer.Option(DEFAULT_PORT, "--port", help="The port `serve` uses, for the link."),
    host: str = typer.Option(DEFAULT_HOST, "--host", help="The host `serve` uses, for the link."),
) -> None:
    """Add a person and print their personal link (shown once: the token is stored hashed)."""
    from emolab.preference.store import PairStore

    with PairStore(project) as store:
        token = store.add_user(name, role.value)
    typer.echo(f"http://{host}:{port}/?token={token}")
    typer.echo(f"{name} ({role.value}): send them this link; it cannot be shown again.", err=True)


def _cell(value: float | None, *, percent: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0%}" if percent else f"{value:.2f}"


@app.command("agreement")
def agreement(
    project: Path = Project,
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """How well the annotators agree, per pair of annotators.

    Shared items, raw agreement and Cohen's kappa on the chosen response, Krippendorff's alpha
    (ordinal) per rating dimension; n/a where a value is undefined.
    """
    from emolab.preference.agreement import agreement_report
    from emolab.preference.store import DIMENSIONS, PairStore

    with PairStore(project) as store:
        report = agreement_report(store)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"Agreement in {project}")
    for column in ("annotators", "items", "agreement", "kappa", *(f"α {d}" for d in DIMENSIONS)):
        table.add_column(column, justify="left" if column == "annotators" else "right")
    for pair in report["pairs"]:
        table.add_row(" + ".join(pair["annotators"]), str(pair["items"]),
                      _cell(pair["chosen_agreement"], percent=True), _cell(pair["chosen_kappa"]),
                      *(_cell(pair["alpha_ordinal"][d]) for d in DIMENSIONS))
    console = table_console()
    if not report["pairs"]:
        console.print(f"No two annotators have answered the same item yet "
                      f"({len(report['annotators'])} annotator(s)).")
        return
    console.print(table)
