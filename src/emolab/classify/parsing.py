"""Read a model's raw output as an answer, leniently, and say precisely why when it cannot.

Lenient means: code fences, chatter before or after the object, label case and stray spaces,
and a bare string where a list was expected are forgiven. What is not forgiven is reported as
one of four failure kinds (``FAILURE_KINDS``), the raw text always kept beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from emolab.labels import LabelSet
from emolab.schemas import ANSWER_KEYS, MAX_EXPLANATION_CHARS, answer_model

INVALID_JSON = "invalid JSON"
MISSING_FIELD = "missing field"
LABEL_OUTSIDE_SET = "label outside the set"
PROMINENT_NOT_LISTED = "most prominent emotion not among listed ones"
FAILURE_KINDS = (INVALID_JSON, MISSING_FIELD, LABEL_OUTSIDE_SET, PROMINENT_NOT_LISTED)


@dataclass(frozen=True)
class ParseResult:
    parsed: dict[str, Any] | None  # the answer object as read (after lenient fixes), if any
    error: str | None = None  # "<kind>: <detail>", None when the answer is valid
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


def _normalise_label(value: Any, label_set: LabelSet) -> Any:
    if isinstance(value, str):
        cleaned = value.strip().lower()
        return cleaned if cleaned in label_set else value.strip()
    return value


def _lenient(obj: dict[str, Any], label_set: LabelSet) -> dict[str, Any]:
    # Invented extra keys are dropped (the raw text keeps them); labels are matched loosely.
    fixed = {key: obj[key] for key in ANSWER_KEYS if key in obj}
    if "most_prominent_emotion" in fixed:
        fixed["most_prominent_emotion"] = _normalise_label(fixed["most_prominent_emotion"],
                                                           label_set)
    listed = fixed.get("multiple_emotions_present")
    if isinstance(listed, str):  # a single label given as a string
        listed = [listed]
    if isinstance(listed, list):
        seen: list[Any] = []
        for item in (_normalise_label(v, label_set) for v in listed):
            if item not in seen:
                seen.append(item)
        fixed["multiple_emotions_present"] = seen
    return fixed


def _strictly_valid(raw: str, label_set: LabelSet, max_explanation_chars: int) -> bool:
    """The whole raw text is one JSON document that the answer schema accepts unchanged."""
    model = answer_model(label_set, max_explanation_chars=max_explanation_chars)
    try:
        model.model_validate_json(raw.strip(), strict=True)
    except ValidationError:
        return False
    return True


def parse_answer(raw: str, label_set: LabelSet, *,
                 max_explanation_chars: int = MAX_EXPLANATION_CHARS) -> ParseResult:
    """Parse ``raw``; ``schema_valid`` says whether it met the schema as is, before any fix."""
    obj = extract_object(raw)
    if obj is None:
        return ParseResult(None, f"{INVALID_JSON}: no JSON object could be read")
    valid = _strictly_valid(raw, label_set, max_explanation_chars)
    obj = _lenient(obj, label_set)
    missing = [key for key in ANSWER_KEYS if key not in obj]
    if missing:
        return ParseResult(obj, f"{MISSING_FIELD}: {', '.join(missing)}", valid)
    explanation, prominent = obj["explanation"], obj["most_prominent_emotion"]
    listed = obj["multiple_emotions_present"]
    # A field of the wrong type (or empty) is as unusable as an absent one.
    if not isinstance(explanation, str) or not explanation.strip():
        return ParseResult(obj, f"{MISSING_FIELD}: explanation is empty or not a string", valid)
    if not isinstance(prominent, str):
        return ParseResult(obj, f"{MISSING_FIELD}: most_prominent_emotion is not a string", valid)
    if not isinstance(listed, list) or not listed or not all(isinstance(v, str) for v in listed):
        return ParseResult(obj, f"{MISSING_FIELD}: multiple_emotions_present is not a non-empty "
                                "list of labels", valid)
    outside = [v for v in [prominent, *listed] if v not in label_set]
    if outside:
        return ParseResult(obj, f"{LABEL_OUTSIDE_SET}: {', '.join(map(repr, outside))}", valid)
    if prominent not in listed:
        return ParseResult(obj, f"{PROMINENT_NOT_LISTED}: {prominent!r} not in {listed}", valid)
    return ParseResult(obj, None, valid)
