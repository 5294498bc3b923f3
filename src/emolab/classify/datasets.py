"""Which data sets a model can be run on: a label data set (pairs, the demo), or any data set
whose rows name a task (classify)."""

from __future__ import annotations


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
