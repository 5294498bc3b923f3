"""One output row per input text, and the Arrow schema every shard of a run shares.

Columns: ``id``, ``line`` (where the row starts in the corpus), ``text`` (as read), ``error``
(why the row could not be labelled at all: undecodable bytes, missing text, empty text, an
unreadable row), ``model``, ``prompt_version``, then per task ``<task>__answer`` (a list of
labels, a label, a score or a class), ``<task>__explanation``, ``<task>__raw`` (the model's
output, always kept), ``<task>__error`` (``"<kind>: <detail>"``) and ``<task>__schema_valid``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from emolab.label.readers import Record
from emolab.label.tasks import RunTask

BASE_COLUMNS = ("id", "line", "text", "error", "model", "prompt_version")
TASK_FIELDS = ("answer", "explanation", "raw", "error", "schema_valid")
REQUEST_FAILED = "request failed"


def task_columns(task: RunTask) -> list[str]:
    return [f"{task.column}__{name}" for name in TASK_FIELDS]


def arrow_schema(tasks: list[RunTask], metadata: dict[str, str] | None = None):
    import pyarrow as pa

    answer_types = {"multi_label": pa.list_(pa.string()), "single_label": pa.string(),
                    "regression": pa.float64(), "ordinal": pa.int64()}
    fields = [pa.field("id", pa.string(), nullable=False), pa.field("line", pa.int64()),
              pa.field("text", pa.string()), pa.field("error", pa.string()),
              pa.field("model", pa.string()), pa.field("prompt_version", pa.string())]
    for task in tasks:
        answer, explanation, raw, error, valid = task_columns(task)
        fields += [pa.field(answer, answer_types.get(task.kind, pa.string())),
                   pa.field(explanation, pa.string()), pa.field(raw, pa.string()),
                   pa.field(error, pa.string()), pa.field(valid, pa.bool_())]
    return pa.schema(fields, metadata=metadata)


def empty_task_columns(tasks: list[RunTask]) -> dict[str, Any]:
    return {name: None for task in tasks for name in task_columns(task)}


def make_row(record: Record, answers: dict[str, Any] | None, *, tasks: list[RunTask],
             model: str, prompt_version: str) -> dict[str, Any]:
    row = {"id": record.id, "line": record.line, "text": record.text, "error": record.error,
           "model": model, "prompt_version": prompt_version, **empty_task_columns(tasks)}
    if answers:
        row.update(answers)
    return row


def failure_kinds(row: dict[str, Any], tasks: list[RunTask]) -> list[str]:
    """What went wrong in a row, one kind each: the read error, or each failed task's kind."""
    if row.get("error"):
        return [str(row["error"]).split(":", 1)[0]]
    kinds = []
    for task in tasks:
        error = row.get(f"{task.column}__error")
        if error:
            kinds.append(f"{task.column}: {str(error).split(':', 1)[0]}")
    return kinds


def tally(rows: list[dict[str, Any]], tasks: list[RunTask]) -> tuple[int, Counter]:
    """Rows answered in full, and failures by kind."""
    ok, failed = 0, Counter()
    for row in rows:
        kinds = failure_kinds(row, tasks)
        ok += not kinds
        failed.update(kinds)
    return ok, failed
