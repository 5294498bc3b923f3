"""EmoLLMs-style free-text answers, read by documented rules.

EmoLLMs' models answer AEB prompts with bare text. The rules, per kind of task:

- **score** (EI-reg, V-reg, SST, EmoBank, VADER): the number at the start of the answer
  (``0.734``, ``-1.5 (negative)``); a number outside the task's range is a failure;
- **class** (EI-oc, V-oc, SST-5, TDT): the integer before the colon (``2: moderate amount of
  anger can be inferred``), or a bare integer; a class outside the scale is a failure;
- **labels** (E-c, GoEmotions): comma-separated labels, a final full stop dropped, case and
  spaces forgiven; ``neutral or no emotion`` (E-c) is the empty set; one unknown label makes
  the whole answer a failure (a partial read would flatter the model).

A failure is never dropped: it is kept with its reason and scored by the evaluation's rule
(a wrong answer, or the task's imputed value for correlations).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel

from emolab.data.records import Example
from emolab.tasks import LabelTask, Task
from emolab.tasks.base import LABEL_OUTSIDE_SET, MISSING_FIELD, OUT_OF_RANGE, ParseResult
from emolab.tasks.scales import OrdinalTask, read_number

NO_EMOTION = ("neutral or no emotion", "no emotion", "none")
_CLASS = re.compile(r"^\s*([-+]?\d+)\s*(?::|$|\.|\s)")


class FreeTextTask(Task):
    """``inner``'s question asked with EmoLLMs' own instruction; the answer is free text.

    The example's text must be the whole instruction (the ``emollms`` prompt sends it as is).
    """

    prompt_section: ClassVar[str] = "instruction"

    def __init__(self, inner: Task) -> None:
        self.inner = inner
        self.name, self.kind, self.dimension = inner.name, inner.kind, inner.dimension
        self.answer_keys = ("answer",)

    def answer_model(self, *, max_explanation_chars: int) -> type[BaseModel]:
        raise NotImplementedError("free-text answers have no schema")

    def schema(self, *, max_explanation_chars: int) -> dict[str, Any]:
        raise NotImplementedError("free-text answers have no schema; run with constrain=False")

    def prompt_fields(self, *, max_explanation_chars: int) -> dict[str, Any]:
        return {}

    def parse(self, raw: str, *, max_explanation_chars: int = 0) -> ParseResult:
        value, error = read_answer(raw, self.inner)
        return ParseResult({"answer": value} if error is None else None, error, False)

    def pred(self, parsed: dict[str, Any]) -> Any:
        return parsed["answer"]

    def gold(self, example: Example) -> Any:
        return self.inner.gold(example)

    def pinned_schema(self, gold: Any, *, max_explanation_chars: int) -> dict[str, Any]:
        raise NotImplementedError("free-text answers have no schema")


def read_answer(raw: str, task: Task) -> tuple[Any, str | None]:
    """``(value, None)`` when ``raw`` answers ``task`` by the rules above, else ``(None, why)``."""
    text = (raw or "").strip()
    if not text:
        return None, f"{MISSING_FIELD}: the answer is empty"
    if isinstance(task, LabelTask):
        return _labels(text, task)
    scale = getattr(task, "scale", None)
    if scale is None:
        raise TypeError(f"no free-text rule for task {task.id!r}")
    if isinstance(task, OrdinalTask):
        match = _CLASS.match(text)
        if not match:
            return None, f"{MISSING_FIELD}: no class at the start of {text[:40]!r}"
        value = int(match.group(1))
        if value not in task.classes:
            return None, f"{OUT_OF_RANGE}: class {value} is not one of {list(task.classes)}"
        return value, None
    number = read_number(text)
    if number is None:
        return None, f"{MISSING_FIELD}: no number at the start of {text[:40]!r}"
    if not scale.low <= number <= scale.high:
        return None, f"{OUT_OF_RANGE}: {number:g} is outside [{scale.low:g}, {scale.high:g}]"
    return number, None


def _labels(text: str, task: LabelTask) -> tuple[Any, str | None]:
    cleaned = text.splitlines()[0].strip().rstrip(".").strip().lower()
    if cleaned in NO_EMOTION and "neutral" not in task.label_set:
        return [], None
    parts = [part.strip().strip(".").strip() for part in cleaned.split(",")]
    parts = [part for part in parts if part]
    unknown = [part for part in parts if part not in task.label_set]
    if unknown or not parts:
        return None, f"{LABEL_OUTSIDE_SET}: {', '.join(map(repr, unknown or [cleaned]))}"
    return [label for label in task.label_set.labels if label in parts], None
