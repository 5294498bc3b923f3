"""What a task is: the question put to a model, the shape of its answer and how to read it.

A task owns one answer schema (``explanation`` first, then the answer), the prompt section it
fills (``labels``, ``score`` or ``ordinal`` of a versioned prompt file), a lenient parser that
says precisely why an output cannot be used, and the reader of the gold answer of an
``Example``. One ``Classifier`` runs every task; a task never talks to a backend itself.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from emolab.data.records import Example, TaskKind

INVALID_JSON = "invalid JSON"
MISSING_FIELD = "missing field"
LABEL_OUTSIDE_SET = "label outside the set"
PROMINENT_NOT_LISTED = "most prominent emotion not among listed ones"
OUT_OF_RANGE = "answer out of range"
FAILURE_KINDS = (INVALID_JSON, MISSING_FIELD, LABEL_OUTSIDE_SET, PROMINENT_NOT_LISTED,
                 OUT_OF_RANGE)


@dataclass(frozen=True)
class ParseResult:
    parsed: dict[str, Any] | None  # the answer object as read (after lenient fixes), if any
    error: str | None = None  # "<kind>: <detail>", None when the answer is usable
    schema_valid: bool = False  # the object, as the model wrote it, validates against the schema

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def kind(self) -> str | None:
        return None if self.error is None else self.error.split(":", 1)[0]


def extract_object(raw: str) -> dict[str, Any] | None:
    """The first JSON object in ``raw`` (fences and surrounding prose ignored), else None."""
    decoder = json.JSONDecoder()
    start = raw.find("{")
    while start != -1:
        try:
            obj, _ = decoder.raw_decode(raw, start)
        except json.JSONDecodeError:
            start = raw.find("{", start + 1)
            continue
        if isinstance(obj, dict):
            return obj
        start = raw.find("{", start + 1)
    return None


def strictly_valid(raw: str, model: type[BaseModel]) -> bool:
    """The whole raw text is one JSON document that ``model`` accepts unchanged."""
    try:
        model.model_validate_json(raw.strip(), strict=True)
    except ValidationError:
        return False
    return True


class Task(ABC):
    """One question with a fixed answer shape. Instances are immutable and hashable by ``id``."""

    kind: TaskKind
    name: str  # registry name: "semeval-ec", "ei-reg", ...
    dimension: str | None = None  # the emotion / affect dimension asked about, if any
    prompt_section: ClassVar[str]  # which part of a prompt file this task fills
    answer_keys: tuple[str, ...]  # explanation first, then the answer's keys

    @property
    def id(self) -> str:
        """``name`` or ``name:dimension``: what ``get_task`` takes back."""
        return self.name if self.dimension is None else f"{self.name}:{self.dimension}"

    @abstractmethod
    def answer_model(self, *, max_explanation_chars: int) -> type[BaseModel]:
        """The Pydantic model of the answer, keys in order."""

    def schema(self, *, max_explanation_chars: int) -> dict[str, Any]:
        """The JSON Schema that backends enforce while decoding."""
        return self.answer_model(max_explanation_chars=max_explanation_chars).model_json_schema()

    @abstractmethod
    def prompt_fields(self, *, max_explanation_chars: int) -> dict[str, Any]:
        """Values for the placeholders of this task's prompt section."""

    @abstractmethod
    def parse(self, raw: str, *, max_explanation_chars: int) -> ParseResult:
        """Read ``raw`` leniently; ``schema_valid`` tells whether it met the schema as is."""

    @abstractmethod
    def pred(self, parsed: dict[str, Any]) -> Any:
        """The answer of a usable parsed object, in the predictions-file shape."""

    @abstractmethod
    def gold(self, example: Example) -> Any:
        """The gold answer of ``example`` in the same shape as ``pred``."""

    @abstractmethod
    def pinned_schema(self, gold: Any, *, max_explanation_chars: int) -> dict[str, Any]:
        """The schema with the answer fixed to ``gold``: only the explanation is free.

        Rationalization (STaR): the model explains an answer it is told.
        """

    def answer_text(self, gold: Any) -> str:
        """``gold`` as a short phrase for a hint in a prompt ("joy, love", "0.62")."""
        return ", ".join(gold) if isinstance(gold, list) else str(gold)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Task) and (type(self), self.id) == (type(other), other.id)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r})"
