"""Data sets as ``Example`` rows, loaded by name from their original files."""

from emolab.data.records import Example, TaskKind
from emolab.data.registry import DatasetInfo, get_dataset, list_datasets, load

__all__ = ["DatasetInfo", "Example", "TaskKind", "get_dataset", "list_datasets", "load"]
