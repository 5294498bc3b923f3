"""Typed command configurations: a dataclass per command, help text on every field, a YAML
file that may set any field, and command-line flags that override the file."""

from __future__ import annotations

from dataclasses import asdict, field, fields
from pathlib import Path
from typing import Any, ClassVar, Self

import yaml

from emolab.errors import EmolabError


def setting(default: Any, help: str, *, flag: str | None = None, aliases: tuple[str, ...] = (),
            envvar: str | None = None, **kwargs: Any) -> Any:
    """A dataclass field whose help text the command line and the docs show.

    ``flag`` / ``aliases`` / ``envvar``: how the command line spells it where that is not
    ``--field-name`` (``emolab.cli.config_options`` builds the options from these)."""
    metadata: dict[str, Any] = {"help": help}
    if flag is not None:
        metadata["flag"] = flag
    if aliases:
        metadata["aliases"] = aliases
    if envvar is not None:
        metadata["envvar"] = envvar
    return field(default=default, metadata=metadata, **kwargs)


def read_saved(path: Path) -> dict[str, Any] | None:
    """The settings a run folder's ``config.yaml`` holds (None if there is none)."""
    if not path.is_file():
        return None
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise EmolabError(f"{path}: expected a mapping of settings; fix or remove the file")
    return loaded


class FromSources:
    """Mixin for config dataclasses: ``from_sources(yaml_path, overrides)``."""

    settings_name: ClassVar[str] = "settings"  # "unknown <settings_name>: ..." in errors

    @classmethod
    def from_sources(cls, yaml_path: str | Path | None, overrides: dict[str, Any]) -> Self:
        """YAML first, then every override that is not None (the flags a user gave)."""
        values: dict[str, Any] = {}
        if yaml_path:
            loaded = yaml.safe_load(Path(yaml_path).read_text(encoding="utf-8")) or {}
            if not isinstance(loaded, dict):
                raise EmolabError(f"{yaml_path}: expected a mapping of settings")
            values.update({k.replace("-", "_"): v for k, v in loaded.items()})
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = sorted(set(values) - {f.name for f in fields(cls)})  # type: ignore[arg-type]
        if unknown:
            raise EmolabError(f"unknown {cls.settings_name}: {', '.join(unknown)}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    def resolved(self) -> dict[str, Any]:
        """What ``write_yaml`` saves: the settings, with defaults that depend on others filled in."""
        return self.to_dict()

    def write_yaml(self, path: Path) -> None:
        """A valid ``--config`` file that reproduces these settings."""
        path.write_text(yaml.safe_dump(self.resolved(), sort_keys=False, allow_unicode=True),
                        encoding="utf-8")

    def require_at_least_one(self, *names: str) -> None:
        """Refuse counts below 1 among ``names`` (None means 'not set' and passes)."""
        for name in names:
            value = getattr(self, name)
            if value is not None and value < 1:
                raise EmolabError(f"{name} must be at least 1, not {value}")
