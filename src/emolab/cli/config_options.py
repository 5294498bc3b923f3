"""Command-line options derived from a config dataclass, so that a setting, its default and its
help are written once, on the dataclass field (``emolab.settings.setting``).

``@options_from(ProbeConfig)`` adds one ``--flag`` per field to a Typer command and hands the
command a ``settings`` dict of what the user typed (None where a flag was not given), ready for
``ProbeConfig.from_sources(config_file, settings)``: the YAML file sets what it sets and only the
flags a user gave override it. The field's metadata may name the flag (``flag``), its short
aliases (``aliases``) and an environment variable (``envvar``). The idea is TRL's
``TrlParser``, which builds its parser from its config dataclasses.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterable
from dataclasses import MISSING, Field, fields
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import typer

SETTINGS = "settings"  # the parameter of a decorated command that receives the typed settings


def options_from(config_cls: type, *, exclude: Iterable[str] = (),
                 panel: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a Typer command with ``settings: dict`` as its last parameter: every field of
    ``config_cls`` (but ``exclude`` and those the command declares itself) becomes an option."""
    skipped = set(exclude)

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        own = [p for p in inspect.signature(command).parameters.values() if p.name != SETTINGS]
        hints = {k: v for k, v in get_type_hints(command).items() if k != SETTINGS}
        taken = {p.name for p in own}
        field_hints = get_type_hints(config_cls)
        added: list[inspect.Parameter] = []
        for spec in fields(config_cls):
            if spec.name in skipped or spec.name in taken:
                continue
            annotation, option = _option(spec, field_hints[spec.name], panel)
            added.append(inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY,
                                           default=option, annotation=annotation))
            hints[spec.name] = annotation
        names = [p.name for p in added]

        def wrapper(**given: Any) -> Any:
            settings = {name: _plain(given.pop(name)) for name in names}
            return command(**given, **{SETTINGS: settings})

        wrapper.__signature__ = inspect.Signature([*own, *added])  # type: ignore[attr-defined]
        wrapper.__annotations__ = hints
        for attribute in ("__name__", "__qualname__", "__doc__", "__module__"):
            setattr(wrapper, attribute, getattr(command, attribute))
        return wrapper

    return decorate


def _option(spec: Field, hint: Any, panel: str | None) -> tuple[Any, Any]:
    """(annotation, typer.Option) for one config field; the option's own default is None."""
    kind = _inner(hint)
    meta = spec.metadata
    dashed = spec.name.replace("_", "-")
    flag = meta.get("flag") or f"--{dashed}"
    if kind is bool:
        declarations = [f"{flag}/--no-{flag.removeprefix('--')}"]
    else:
        declarations = [flag, *meta.get("aliases", ())]
    default = spec.default if spec.default is not MISSING else None
    if spec.default_factory is not MISSING:  # type: ignore[misc]
        default = spec.default_factory()  # type: ignore[misc]
    help_text = meta.get("help", "")
    if default not in (None, [], ()) and "default" not in help_text.lower():
        shown = ", ".join(map(str, default)) if isinstance(default, list | tuple) else (
            ("on" if default else "off") if isinstance(default, bool) else str(default))
        help_text = f"{help_text} \\[default: {shown}]"  # escaped: not a rich markup tag
    option = typer.Option(None, *declarations, help=help_text, show_default=False,
                          envvar=meta.get("envvar"), show_envvar=bool(meta.get("envvar")),
                          rich_help_panel=panel)
    return (list[kind] | None if _is_list(hint) else kind | None), option


def _inner(hint: Any) -> Any:
    """The plain type of a field: ``int | None`` -> int, ``list[str] | None`` -> str."""
    if get_origin(hint) in (Union, types.UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
    if get_origin(hint) in (list, tuple):
        hint = get_args(hint)[0]
    return hint


def _is_list(hint: Any) -> bool:
    if get_origin(hint) in (Union, types.UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
    return get_origin(hint) in (list, tuple)


def _plain(value: Any) -> Any:
    """What a config dataclass holds: paths as strings, repeated options as lists."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return list(value) or None
    return value


def config_from_flags(ctx: typer.Context, config_cls: type, config_file: Path | None,
                      settings: dict[str, Any],
                      below_file: Iterable[str] = ("data_dir", "base_url")) -> Any:
    """``config_cls`` from the YAML file and the typed flags. Settings in ``below_file`` that came
    from the environment (EMOLAB_DATA, OPENAI_BASE_URL) rank below the file: a file that names
    a data folder or a server wins over the environment; the server only counts for the openai
    backend."""
    from dataclasses import replace

    given = dict(settings)
    from_env = {k: given.pop(k) for k in below_file
                if k in given and not typed_on_command_line(ctx, k)}
    cfg = config_cls.from_sources(config_file, given)
    fallbacks = {k: v for k, v in from_env.items()
                 if v is not None and getattr(cfg, k) is None
                 and (k != "base_url" or getattr(cfg, "backend", None) == "openai")}
    return replace(cfg, **fallbacks) if fallbacks else cfg


def typed_on_command_line(ctx: typer.Context, param: str) -> bool:
    """Whether the user typed ``param`` (rather than it coming from a default or the env)."""
    source = ctx.get_parameter_source(param)
    return source is not None and source.name == "COMMANDLINE"
