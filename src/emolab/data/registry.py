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
    official_metric: str | None = None  # the figure the task's organisers rank by, if known
    # A data set in several languages registers once; ``variant(code)`` builds the data set of
    # one language (its label set, counts and loader), ``"all"`` every language at once.
    languages: tuple[str, ...] = ()
    default_language: str | None = None
    language: str | None = None  # set on a variant
    variant: Callable[[str], DatasetInfo] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.answer_task is None and self.label_set is not None:
            object.__setattr__(self, "answer_task", self.label_set.name)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.label_set.labels if self.label_set else ()

    @property
    def scored_labels(self) -> tuple[str, ...]:
        """The gold columns: the labels without a label set's none label."""
        return self.label_set.scored if self.label_set else ()

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
_LOADER_MODULES = ("semeval", "brighter", "dair", "goemotions", "isear", "emobench", "emollms",
                  "emollms_aeb1")
ALL_LANGUAGES = "all"
_VARIANTS: dict[str, DatasetInfo] = {}


def _ensure_loaded() -> None:
    for module in _LOADER_MODULES:
        importlib.import_module(f"emolab.data.{module}")  # light: no third-party imports


def list_datasets() -> list[DatasetInfo]:
    _ensure_loaded()
    return list(_REGISTRY.values())


def get_dataset(name: str) -> DatasetInfo:
    """A data set by name; a multilingual one as ``NAME:LANGUAGE`` (bare: its default
    language), e.g. ``brighter-a:deu`` or ``brighter-a:all``."""
    _ensure_loaded()
    family, _, language = name.partition(":")
    try:
        info = _REGISTRY[family]
    except KeyError:
        raise EmolabError(
            f"unknown data set {family!r}; choose one of: {', '.join(_REGISTRY)}"
        ) from None
    if not info.languages:
        if language:
            raise EmolabError(f"data set {family!r} has one language; leave out {language!r}")
        return info
    language = language or info.default_language or ""
    if language != ALL_LANGUAGES and language not in info.languages:
        raise EmolabError(f"data set {family!r} has no language {language!r}; choose one of: "
                          f"{', '.join(info.languages)} or {ALL_LANGUAGES}")
    key = f"{family}:{language}"
    if key not in _VARIANTS:
        assert info.variant is not None, f"{family} lists languages but builds no variant"
        _VARIANTS[key] = info.variant(language)
    return _VARIANTS[key]


def with_language(name: str, language: str | None) -> str:
    """``name`` with ``--language`` folded in: ``("brighter-a", "deu")`` -> ``brighter-a:deu``."""
    if language is None:
        return name
    family, _, inline = name.partition(":")
    if inline and inline != language:
        raise EmolabError(f"data set {name!r} names language {inline!r}, but --language "
                          f"{language!r} was also given")
    return f"{family}:{language}"


def load(name: str, split: str, *, data_dir: str | Path | None = None) -> list[Example]:
    """Load one split of a data set as ``Example`` rows, in file order."""
    info = get_dataset(name)
    return info.loader(resolve_data_dir(data_dir), info.canonical_split(split))
