"""A registry of data sets by name: what each one is, and how to load a split of it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from emolab.data.paths import resolve_data_dir
from emolab.data.records import Example, TaskKind
from emolab.errors import EmolabError
from emolab.labels import LabelSet

Loader = Callable[[Path, str], list[Example]]

# Other names people use for a split; each maps to the canonical name if the data set has it.
SPLIT_ALIASES = {"validation": "dev", "val": "dev", "development": "dev", "dev": "validation"}


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    task: TaskKind
    description: str
    splits: tuple[str, ...]
    loader: Loader = field(repr=False)
    label_set: LabelSet | None = None  # classification tasks
    dimensions: tuple[str, ...] = ()  # regression / ordinal: the scored dimensions
    classes: tuple[int, ...] = ()  # ordinal: the class integers
    official_counts: dict[str, int] = field(default_factory=dict)  # split -> published row count
    source: str = ""  # the folder under the data directory
    citation: str = ""
    answer_task: str | None = None  # the emolab.tasks name a model answers (None: no task)

    def __post_init__(self) -> None:
        if self.answer_task is None and self.label_set is not None:
            object.__setattr__(self, "answer_task", self.label_set.name)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.label_set.labels if self.label_set else ()

    def canonical_split(self, split: str) -> str:
        if split in self.splits:
            return split
        alias = SPLIT_ALIASES.get(split)
        if alias in self.splits:
            return alias
        raise EmolabError(
            f"data set {self.name!r} has no split {split!r}; choose one of: {', '.join(self.splits)}"
        )


_REGISTRY: dict[str, DatasetInfo] = {}


def register(info: DatasetInfo) -> DatasetInfo:
    if info.name in _REGISTRY:
        raise ValueError(f"data set {info.name!r} registered twice")
    _REGISTRY[info.name] = info
    return info


# Importing a loader module registers its data sets; this order is the order of `data list`.
_LOADER_MODULES = ("semeval", "dair", "goemotions", "isear", "emobench", "emollms",
                  "emollms_aeb1")


def _ensure_loaded() -> None:
    for module in _LOADER_MODULES:
        importlib.import_module(f"emolab.data.{module}")  # light: no third-party imports


def list_datasets() -> list[DatasetInfo]:
    _ensure_loaded()
    return list(_REGISTRY.values())


def get_dataset(name: str) -> DatasetInfo:
    _ensure_loaded()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise EmolabError(
            f"unknown data set {name!r}; choose one of: {', '.join(_REGISTRY)}"
        ) from None


def load(name: str, split: str, *, data_dir: str | Path | None = None) -> list[Example]:
    """Load one split of a data set as ``Example`` rows, in file order."""
    info = get_dataset(name)
    return info.loader(resolve_data_dir(data_dir), info.canonical_split(split))
