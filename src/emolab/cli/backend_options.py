"""Backend options shared by the commands that run a model (classify, pairs): which
constructor keywords a backend takes, and the backend built from the options a user set."""

from __future__ import annotations

import inspect
from typing import Any

import typer

# Backend constructor keyword -> the command's parameter that sets it (where the names differ).
OPTION_PARAMS = {"n_threads": "threads"}


def _from_command_line(ctx: typer.Context, param: str) -> bool:
    source = ctx.get_parameter_source(param)
    return source is not None and source.name == "COMMANDLINE"


def accepted_options(backend: str) -> set[str]:
    from emolab.backends import backend_class

    return set(inspect.signature(backend_class(backend).__init__).parameters) - {"self"}


def load_backend_from_options(ctx: typer.Context, backend: str, options: dict[str, Any]):
    """Build ``backend`` with only the options the user set that its constructor takes."""
    from emolab.backends import load_backend

    accepted = accepted_options(backend)
    chosen = {k: v for k, v in options.items() if v is not None}
    # Mention only what was typed: an OPENAI_API_KEY in the environment is no news to a local run.
    typed = {k for k in chosen if _from_command_line(ctx, OPTION_PARAMS.get(k, k))}
    ignored = sorted(k for k in chosen if k not in accepted and k != "seed" and k in typed)
    if ignored:
        typer.secho(f"note: {', '.join(ignored)} not used by the {backend} backend", err=True,
                    fg=typer.colors.YELLOW)
    return load_backend(backend, **{k: v for k, v in chosen.items() if k in accepted})
