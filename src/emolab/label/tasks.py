"""The tasks of a labelling run (``--tasks ec,ei-reg:anger,v-reg``) and one classifier each.

A task's columns are named after the spec the user typed, made safe for every Parquet reader
(``ei-reg:anger`` -> ``ei_reg_anger``), so the command line tells which columns to expect. A
task with several dimensions given without one stands for all of them: ``ei-reg`` is
``ei-reg:anger,ei-reg:fear,ei-reg:joy,ei-reg:sadness``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emolab.errors import EmolabError


@dataclass(frozen=True)
class RunTask:
    """One task of the run: the spec as given, its column prefix, the ``emolab.tasks`` task."""

    spec: str
    column: str
    task: Any  # emolab.tasks.Task

    @property
    def kind(self) -> str:
        return self.task.kind.value

    def describe(self) -> dict[str, Any]:
        return {"spec": self.spec, "column": self.column, "task": self.task.id,
                "kind": self.kind}


def column_prefix(spec: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", spec.strip().lower()).strip("_")


def resolve_tasks(specs: list[str] | str) -> list[RunTask]:
    from emolab.tasks import get_family, get_task

    if isinstance(specs, str):
        specs = [s for s in (part.strip() for part in specs.split(",")) if s]
    expanded = []
    for spec in specs:
        family = get_family(spec.partition(":")[0])
        if ":" not in spec and len(family.dimensions) > 1:
            expanded += [f"{spec}:{dimension}" for dimension in family.dimensions]
        else:
            expanded.append(spec)
    specs = expanded
    if not specs:
        raise EmolabError("give at least one task with --tasks (e.g. --tasks ec,v-reg)")
    tasks = [RunTask(spec, column_prefix(spec), get_task(spec)) for spec in specs]
    seen: dict[str, str] = {}
    for task in tasks:
        if task.column in seen or task.task.id in seen.values():
            raise EmolabError(f"task {task.spec!r} is given twice (or clashes with "
                              f"{seen.get(task.column, task.spec)!r})")
        seen[task.column] = task.task.id
    return tasks
