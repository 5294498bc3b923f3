"""The AAID layout of EmoLLMs, in emolab's own wording: ShareGPT ``conversations`` whose
human turn holds the task, the text and an answer cue, and whose reply is the bare answer
(``0.62``, ``2: a moderate amount of anger can be inferred``, ``anger, disgust.``) that
``emolab.aeb.freetext`` reads back. For users who train EmoLLMs-style models elsewhere."""

from __future__ import annotations

import json
from typing import Any

from emolab.tasks import LabelTask, OrdinalTask, Task, get_task


def instruction(task: Task, text: str) -> str:
    if isinstance(task, LabelTask):
        labels = ", ".join(task.label_set.labels)
        return (f"Task: Name the emotions the author of the text expresses, choosing from "
                f"{labels}, or 'neutral or no emotion'. Text: {text} Emotions:")
    scale = task.scale  # type: ignore[attr-defined]
    if isinstance(task, OrdinalTask):
        classes = " ".join(f"{k}: {meaning}." for k, meaning in (scale.classes or {}).items())
        return (f"Task: Choose the class that says {task.question}. {classes} Text: {text} "
                "Class:")
    return (f"Task: Rate {task.question} with a number from {scale.low:g} ({scale.low_means}) "
            f"to {scale.high:g} ({scale.high_means}). Text: {text} Score:")


def answer_text(task: Task, answer: dict[str, Any]) -> str:
    if isinstance(task, LabelTask):
        return ", ".join(answer["multiple_emotions_present"]) + "."
    value = answer[task.answer_keys[1]]
    if isinstance(task, OrdinalTask):
        return f"{value}: {task.scale.classes[int(value)]}"  # type: ignore[index]
    return f"{value:g}"


def to_emollms(row: dict[str, Any]) -> dict[str, Any]:
    """An instruct row (``emolab instruct build``) in the AAID layout."""
    task = get_task(row["task"])
    text = row["prompt"][-1]["content"].removeprefix("Text: ")
    answer = json.loads(row["completion"][-1]["content"])
    return {"id": row["id"], "conversations": [
        {"from": "human", "value": instruction(task, text)},
        {"from": "gpt", "value": answer_text(task, answer)}]}
