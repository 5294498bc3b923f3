"""Score heads: intensities and classes read off a model's own hidden states.

A 135M model that writes a number digit by digit learns intensities poorly (emolab-affect-v1
wrote its EI-reg scores with Pearson r 0.10), while a linear map of the same model's
mean-pooled last hidden state, fitted on the training split, reads them far better (see
docs/model-card.md). A ``Readout`` holds one such head per task (``ei-reg:anger``, ``v-oc``
...). When a backend's model carries one, the classifier asks the head for the answer, pins it
in the schema, and lets the model write the explanation around it; the explanation is made to
open with the answer's level (``High anger (0.62): the text says ...``), the shape the
instruction data taught, so the words and the number cannot disagree.

Only NumPy is needed to apply a head; fitting lives in ``emolab.train.heads``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emolab.errors import EmolabError
from emolab.schemas import quoting_explanation
from emolab.tasks import OrdinalTask, ScoreTask, Task

FORMAT = "emolab-readout/1"
# Characters an explanation may add after its opening. The instruction data's longest such
# tail is 51 characters ('"word", "word" and "word".'); the cap ends the rare answer that
# would quote one word over and over until the token limit cut its JSON (7 of 3,874 test
# answers before the cap), and the pinned answer then still follows.
OPENING_TAIL_CHARS = 120


@dataclass(frozen=True)
class Head:
    weights: np.ndarray  # one per hidden unit
    bias: float
    dev_pearson: float | None = None  # measured on the dev split when fitted (not fitted on)

    def raw(self, features: np.ndarray) -> float:
        return float(features @ self.weights + self.bias)


@dataclass
class Readout:
    heads: dict[str, Head]  # by task id
    features: str  # how the hidden states are pooled; must match the backend's ``embed``
    model_digest: str  # the adapter the heads were fitted on (sha256, first 12 hex digits)
    info: dict[str, Any]

    def covers(self, task: Task) -> bool:
        return task.id in self.heads and isinstance(task, ScoreTask | OrdinalTask)

    def value(self, task: Task, features: np.ndarray) -> float | int:
        """The head's answer, on the task's scale: clipped, rounded to the task's decimals, or
        the nearest class."""
        raw = self.heads[task.id].raw(features)
        if isinstance(task, OrdinalTask):
            classes = task.classes
            return min(classes, key=lambda c: (abs(c - raw), c))
        scale = task.scale  # type: ignore[attr-defined]
        clipped = min(max(raw, scale.low), scale.high)
        return round(clipped, task.decimals)  # type: ignore[attr-defined]

    def save(self, path: Path) -> None:
        heads = {task_id: {"weights": [round(float(w), 7) for w in head.weights],
                           "bias": head.bias, "dev_pearson": head.dev_pearson}
                 for task_id, head in sorted(self.heads.items())}
        path.write_text(json.dumps({"format": FORMAT, "features": self.features,
                                    "model_digest": self.model_digest, "info": self.info,
                                    "heads": heads}) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Readout:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise EmolabError(f"{path}: not a readable score-head file ({err})") from None
        if data.get("format") != FORMAT:
            raise EmolabError(f"{path}: format {data.get('format')!r}, expected {FORMAT!r}")
        heads = {task_id: Head(np.asarray(head["weights"], dtype=np.float32),
                               float(head["bias"]), head.get("dev_pearson"))
                 for task_id, head in data["heads"].items()}
        return cls(heads, data["features"], data["model_digest"], data.get("info", {}))


def pinned_with_opening(task: Task, value: Any, opening: str, *, max_explanation_chars: int
                        ) -> dict[str, Any]:
    """``task``'s schema with the answer fixed to ``value`` and the explanation opening with
    ``opening`` (``emolab.schemas.quoting_explanation``; ``emolab.backends.guidance`` makes
    the opening a pattern for llguidance)."""
    schema = task.pinned_schema(value, max_explanation_chars=max_explanation_chars)
    return quoting_explanation(schema, tail_chars=OPENING_TAIL_CHARS, opening=opening)
