"""The row every loader produces, and the kinds of task a data set can pose."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class TaskKind(str, Enum):
    """What a data set asks for; decides which metrics apply."""

    MULTI_LABEL = "multi_label"  # any subset of the label set (SemEval E-c, GoEmotions)
    SINGLE_LABEL = "single_label"  # exactly one label (DAIR, ISEAR)
    REGRESSION = "regression"  # a real-valued score per dimension (EI-reg, V-reg)
    ORDINAL = "ordinal"  # an integer class per dimension (EI-oc, V-oc)
    MULTIPLE_CHOICE = "multiple_choice"  # one or more questions with fixed choices (EmoBench)
    INSTRUCTION = "instruction"  # free-form prompt / answer pairs (EmoLLMs AAID examples)


@dataclass(frozen=True, slots=True)
class Example:
    """One text with its gold annotation.

    - ``labels``: gold class labels (multi-label: any number, single-label: exactly one;
      multiple choice: the correct answer of each question, in ``meta["questions"]`` order).
    - ``scores``: gold numbers by dimension (regression scores, ordinal class integers).
    - ``meta``: everything else the source file holds that later stages may want.
    """

    id: str
    text: str
    labels: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "labels": list(self.labels),
            "scores": dict(self.scores),
            "meta": dict(self.meta),
        }
