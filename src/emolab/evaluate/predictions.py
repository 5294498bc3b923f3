"""The predictions file: one JSON object per line, written by `emolab classify` (and anything
else), read by `emolab evaluate`.

Fields (see the README for the full table):

- ``id``: the example id; ``gold``: the gold answer; ``pred``: the predicted answer, or null
  when the model output could not be read; ``raw``: the model's raw output; ``error``: why
  it could not be read (null when it could);
- ``dataset`` (a registry name) or ``task`` (multi_label, single_label, regression, ordinal,
  multiple_choice) say how to score; ``dimension`` names the scored dimension of EI / V rows;
  ``language`` the language of a row of a multilingual run (``dataset`` ``NAME:all``);
  ``category`` groups multiple-choice items;
- ``parsed`` (the whole answer object), ``model``, ``backend``, ``prompt_version`` and any other
  key are carried along untouched.

The shape of ``gold`` / ``pred`` follows the task: a list of labels (multi-label), a label
(single-label), a number (regression, ordinal) or a list with one answer per question
(multiple choice).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from emolab.data.reading import iter_jsonl
from emolab.data.records import TaskKind
from emolab.errors import DataFormatError

Answer = list[str] | str | float | int


class PredictionRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    gold: Answer
    pred: Answer | None = None
    raw: str | None = None
    error: str | None = None
    parsed: dict[str, Any] | None = None
    dataset: str | None = None
    task: TaskKind | None = None
    dimension: str | None = None
    language: str | None = None
    category: str | None = None
    model: str | None = None
    backend: str | None = None
    prompt_version: str | None = None
    _line: int = PrivateAttr(default=0)  # where the row sits in its file, for error messages

    @property
    def line(self) -> int:
        return self._line

    @property
    def own_dataset(self) -> str | None:
        """``dataset``, a row of a ``NAME:all`` run named by its own language (``NAME:deu``)."""
        family, _, language = (self.dataset or "").partition(":")
        if language == "all" and self.language:
            return f"{family}:{self.language}"
        return self.dataset

    @property
    def failed(self) -> bool:
        """The model's output could not be turned into an answer: it counts as wrong."""
        return self.error is not None or self.pred is None


def read_predictions(path: str | Path) -> list[PredictionRow]:
    path = Path(path)
    rows, seen = [], {}
    for line, obj in iter_jsonl(path, required=("id", "gold")):
        try:
            row = PredictionRow.model_validate(obj)
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(part) for part in first["loc"][:1]) or None
            raise DataFormatError(path, first["msg"], line=line, field=field) from None
        row._line = line
        key = (row.id, row.dimension)
        if key in seen:
            raise DataFormatError(path, f"id {row.id!r} already appears on line {seen[key]}",
                                  line=line, field="id")
        seen[key] = line
        rows.append(row)
    return rows
