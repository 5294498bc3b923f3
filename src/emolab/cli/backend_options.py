"""Backend options shared by the commands that run a model (classify, pairs): which
constructor keywords a backend takes, and the classification data sets these commands accept."""

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


def classification_dataset(name: str, labels: str | None):
    from emolab.data import TaskKind, get_dataset
    from emolab.errors import EmolabError

    info = get_dataset(name)
    if info.task not in (TaskKind.MULTI_LABEL, TaskKind.SINGLE_LABEL) or info.label_set is None:
        raise EmolabError(f"data set {name!r} is a {info.task.value} task; classify runs on "
                          "multi-label and single-label emotion data sets")
    if labels is not None and labels != info.label_set.name:
        raise EmolabError(f"data set {name!r} is labelled with {info.label_set.name!r}, "
                          f"not {labels!r}; leave out --labels")
    return info


def answerable_dataset(name: str, task: str | None):
    """A data set whose rows a model can answer (it names an ``emolab.tasks`` task); ``task``,
    if given, must be that one."""
    from emolab.data import get_dataset
    from emolab.errors import EmolabError
    from emolab.tasks import get_family

    info = get_dataset(name)
    if info.answer_task is None:
        raise EmolabError(f"data set {name!r} is a {info.task.value} task that classify does not "
                          "answer (EmoBench: `emolab emobench run`)")
    if task is not None and get_family(task.split(":")[0]).name != info.answer_task:
        raise EmolabError(f"data set {name!r} is answered as task {info.answer_task!r}, not "
                          f"{task!r}; leave out --task / --labels")
    return info
