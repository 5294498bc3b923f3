"""Score and ordinal-class tasks: how intense an emotion is, how positive a text is.

A ``ScoreTask`` answers with a number within a range (``{"explanation": ..., "intensity":
0.62}``), an ``OrdinalTask`` with one class of an ordered scale, each class with its meaning
(``{"explanation": ..., "intensity_class": 2}``). The range is the schema's ``minimum`` /
``maximum`` and the classes an integer ``enum``, so they are enforced while decoding:
llguidance (both local backends, emolab.backends.guidance) honours both
(tested: 1.7 or -0.2 cannot come out of a [0, 1] score). The parser still checks every
bound, because a remote server may ignore a schema.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from emolab.data.records import Example, TaskKind
from emolab.tasks.base import (
    INVALID_JSON,
    MISSING_FIELD,
    OUT_OF_RANGE,
    ParseResult,
    Task,
    extract_object,
    strictly_valid,
)

EXPLANATION_DESCRIPTION = ("A concise rationale that quotes the words of the text that show "
                           "the answer.")
_LEADING_NUMBER = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Scale:
    """The range of a score, or the classes of an ordinal scale, and what they mean."""

    low: float
    high: float
    low_means: str  # what the bottom of the scale means, for the prompt
    high_means: str
    classes: dict[int, str] | None = None  # ordinal: class -> meaning, in order
    imputed: float = 0.0  # stands in for an unreadable answer when scores are correlated

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"empty scale [{self.low}, {self.high}]")
        if not self.low <= self.imputed <= self.high:
            raise ValueError(f"imputed value {self.imputed} is outside [{self.low}, {self.high}]")


class _ScaleTask(Task):
    """Shared by scores and classes: one answer key after the explanation."""

    answer_key: str
    question: str  # "how intensely the author feels anger", for the prompt

    def __init__(self, name: str, *, kind: TaskKind, dimension: str | None, answer_key: str,
                 question: str, scale: Scale) -> None:
        self.name, self.kind, self.dimension = name, kind, dimension
        self.answer_key, self.question, self.scale = answer_key, question, scale
        self.answer_keys = ("explanation", answer_key)

    def _model(self, answer: Any, *, max_explanation_chars: int) -> type[BaseModel]:
        return create_model(
            f"Answer_{self.name.replace('-', '_')}",
            __config__=ConfigDict(extra="forbid"),
            explanation=(str, Field(min_length=1, max_length=max_explanation_chars,
                                    description=EXPLANATION_DESCRIPTION)),
            **{self.answer_key: answer},
        )

    def gold(self, example: Example) -> Any:
        key = self.dimension or next(iter(example.scores), None)
        value = example.scores.get(key) if key else None
        if value is None:
            raise KeyError(f"example {example.id} has no gold score for {key!r}")
        return self._cast(value)

    def pred(self, parsed: dict[str, Any]) -> Any:
        return self._cast(parsed[self.answer_key])

    def parse(self, raw: str, *, max_explanation_chars: int) -> ParseResult:
        obj = extract_object(raw)
        if obj is None:
            return ParseResult(None, f"{INVALID_JSON}: no JSON object could be read")
        valid = strictly_valid(raw, self.answer_model(max_explanation_chars=max_explanation_chars))
        fixed = {key: obj[key] for key in self.answer_keys if key in obj}
        missing = [key for key in self.answer_keys if key not in fixed]
        if missing:
            return ParseResult(fixed, f"{MISSING_FIELD}: {', '.join(missing)}", valid)
        explanation = fixed["explanation"]
        if not isinstance(explanation, str) or not explanation.strip():
            return ParseResult(fixed, f"{MISSING_FIELD}: explanation is empty or not a string",
                               valid)
        value = read_number(fixed[self.answer_key])
        if value is None:
            return ParseResult(fixed, f"{MISSING_FIELD}: {self.answer_key} is not a number",
                               valid)
        problem = self._check(value)
        if problem:
            return ParseResult(fixed, f"{OUT_OF_RANGE}: {problem}", valid)
        fixed[self.answer_key] = self._cast(value)
        return ParseResult(fixed, None, valid)

    def answer_text(self, gold: Any) -> str:
        return str(gold)

    def level_phrase(self, value: Any) -> str:
        """The answer in words: "high anger (0.82)", "class 2: a moderate amount of fear can
        be inferred"."""
        if isinstance(self, OrdinalTask):
            return f"class {value}: {self.scale.classes[int(value)]}"  # type: ignore[index]
        share = (float(value) - self.scale.low) / (self.scale.high - self.scale.low)
        word = ("very low" if share < 0.2 else "low" if share < 0.4 else "moderate"
                if share < 0.6 else "high" if share < 0.8 else "very high")
        return f"{word} {self.dimension or self.name} ({value:g})"

    def stated_opening(self, value: Any) -> str:
        """How an explanation that states its answer first begins; the instruction data uses
        it as one of its sentence shapes and a score head pins it (``emolab.readout``)."""
        level = self.level_phrase(value)
        return f"{level[:1].upper()}{level[1:]}: the text says "

    def _cast(self, value: float) -> Any:
        raise NotImplementedError

    def _check(self, value: float) -> str | None:
        raise NotImplementedError


class ScoreTask(_ScaleTask):
    prompt_section = "score"

    def __init__(self, name: str, *, dimension: str | None, answer_key: str, question: str,
                 scale: Scale, decimals: int = 2) -> None:
        super().__init__(name, kind=TaskKind.REGRESSION, dimension=dimension,
                         answer_key=answer_key, question=question, scale=scale)
        self.decimals = decimals

    def answer_model(self, *, max_explanation_chars: int) -> type[BaseModel]:
        lo, hi = self.scale.low, self.scale.high
        answer = (float, Field(ge=lo, le=hi, description=f"A number from {_fmt(lo)} to "
                               f"{_fmt(hi)}."))
        return self._model(answer, max_explanation_chars=max_explanation_chars)

    def prompt_fields(self, *, max_explanation_chars: int) -> dict[str, Any]:
        lo, hi = _fmt(self.scale.low), _fmt(self.scale.high)
        return {"question": self.question, "answer_key": self.answer_key, "task": self.id,
                "scale": f"{lo} means {self.scale.low_means}; {hi} means {self.scale.high_means}",
                "scale_inline": f"{lo} ({self.scale.low_means}) to {hi} "
                                f"({self.scale.high_means})",
                "low": lo, "high": hi, "decimals": self.decimals,
                "max_explanation_chars": max_explanation_chars}

    def pinned_schema(self, gold: Any, *, max_explanation_chars: int) -> dict[str, Any]:
        # Bounds, not an enum: XGrammar 0.2.8 (the transformers engine until December 2026)
        # could not match a float inside an enum or a const; emolab.backends.guidance turns
        # the equal bounds into llguidance's const.
        schema = self.schema(max_explanation_chars=max_explanation_chars)
        value = round(float(gold), self.decimals)
        properties = {**schema["properties"],
                      self.answer_key: {"type": "number", "minimum": value, "maximum": value}}
        return {**schema, "properties": properties}

    def _cast(self, value: float) -> float:
        return float(value)

    def _check(self, value: float) -> str | None:
        if not self.scale.low <= value <= self.scale.high:
            return f"{_fmt(value)} is outside [{_fmt(self.scale.low)}, {_fmt(self.scale.high)}]"
        return None


class OrdinalTask(_ScaleTask):
    prompt_section = "ordinal"

    def __init__(self, name: str, *, dimension: str | None, answer_key: str, question: str,
                 scale: Scale) -> None:
        if not scale.classes:
            raise ValueError(f"ordinal task {name!r} needs its classes")
        super().__init__(name, kind=TaskKind.ORDINAL, dimension=dimension,
                         answer_key=answer_key, question=question, scale=scale)

    @property
    def classes(self) -> tuple[int, ...]:
        return tuple(self.scale.classes or {})

    def answer_model(self, *, max_explanation_chars: int) -> type[BaseModel]:
        from typing import Literal

        answer = (Literal[self.classes], Field(description="One class of the scale."))  # type: ignore[valid-type]
        return self._model(answer, max_explanation_chars=max_explanation_chars)

    def prompt_fields(self, *, max_explanation_chars: int) -> dict[str, Any]:
        described = "\n".join(f"- {k}: {meaning}" for k, meaning in (self.scale.classes or {}).items())
        inline = "; ".join(f"{k} {meaning}" for k, meaning in (self.scale.classes or {}).items())
        return {"question": self.question, "answer_key": self.answer_key, "classes": described,
                "task": self.id, "classes_inline": inline,
                "low": min(self.classes), "high": max(self.classes),
                "max_explanation_chars": max_explanation_chars}

    def pinned_schema(self, gold: Any, *, max_explanation_chars: int) -> dict[str, Any]:
        schema = self.schema(max_explanation_chars=max_explanation_chars)
        properties = {**schema["properties"],
                      self.answer_key: {"type": "integer", "enum": [int(gold)]}}
        return {**schema, "properties": properties}

    def _cast(self, value: float) -> int:
        return round(value)

    def _check(self, value: float) -> str | None:
        if value != round(value) or round(value) not in self.classes:
            return f"{_fmt(value)} is not one of the classes {list(self.classes)}"
        return None


def read_number(value: Any) -> float | None:
    """A number from a JSON value: 0.62, "0.62", "2: moderate ..." -> 2; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        match = _LEADING_NUMBER.match(value)
        return float(match.group(1)) if match else None
    return None


def _fmt(value: float) -> str:
    return f"{value:g}"
