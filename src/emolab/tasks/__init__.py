"""Tasks: what is asked of a model and what its answer looks like; one registry by name."""

from emolab.tasks.base import FAILURE_KINDS, ParseResult, Task
from emolab.tasks.labels import LabelTask
from emolab.tasks.registry import (
    ALIASES,
    FAMILIES,
    TaskFamily,
    get_family,
    get_task,
    list_tasks,
    task_of_example,
)
from emolab.tasks.scales import OrdinalTask, Scale, ScoreTask

__all__ = ["ALIASES", "FAILURE_KINDS", "FAMILIES", "LabelTask", "OrdinalTask", "ParseResult",
           "Scale", "ScoreTask", "Task", "TaskFamily", "get_family", "get_task", "list_tasks",
           "task_of_example"]
