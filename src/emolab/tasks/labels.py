"""Label-set tasks: which emotions a text expresses (multi-label) or its one emotion
(single-label). The answer is the same for both; the kind decides what ``pred`` is."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from emolab.data.records import Example, TaskKind
from emolab.labels import LabelSet
from emolab.schemas import ANSWER_KEYS, answer_model, fixed_labels_schema
from emolab.tasks.base import (
    INVALID_JSON,
    LABEL_OUTSIDE_SET,
    MISSING_FIELD,
    PROMINENT_NOT_LISTED,
    ParseResult,
    Task,
    extract_object,
    strictly_valid,
)


class LabelTask(Task):
    prompt_section = "labels"
    answer_keys = ANSWER_KEYS

    def __init__(self, label_set: LabelSet, kind: TaskKind = TaskKind.MULTI_LABEL) -> None:
        if kind not in (TaskKind.MULTI_LABEL, TaskKind.SINGLE_LABEL):
            raise ValueError(f"a label task is multi- or single-label, not {kind.value}")
        self.label_set, self.kind, self.name = label_set, kind, label_set.name

    def answer_model(self, *, max_explanation_chars: int) -> type[BaseModel]:
        return answer_model(self.label_set, max_explanation_chars=max_explanation_chars)

    def prompt_fields(self, *, max_explanation_chars: int) -> dict[str, Any]:
        definitions = "\n".join(f"- {label}: {meaning}"
                                for label, meaning in self.label_set.definitions.items())
        return {"n_labels": len(self.label_set), "definitions": definitions,
                "labels": ", ".join(self.label_set.labels), "task": self.id,
                "multi": "every emotion present" if self.kind is TaskKind.MULTI_LABEL
                else "the one emotion", "max_explanation_chars": max_explanation_chars}

    def parse(self, raw: str, *, max_explanation_chars: int) -> ParseResult:
        return parse_labels(raw, self.label_set, max_explanation_chars=max_explanation_chars)

    def pred(self, parsed: dict[str, Any]) -> Any:
        if self.kind is TaskKind.MULTI_LABEL:
            return self.label_set.without_none(list(parsed["multiple_emotions_present"]))
        return parsed["most_prominent_emotion"]

    def gold(self, example: Example) -> Any:
        if self.kind is TaskKind.MULTI_LABEL:
            return list(example.labels)
        return example.labels[0] if example.labels else None

    def pinned_schema(self, gold: Any, *, max_explanation_chars: int) -> dict[str, Any]:
        labels = [gold] if isinstance(gold, str) else list(gold)
        return fixed_labels_schema(self.label_set, labels,
                                   max_explanation_chars=max_explanation_chars)


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


def parse_labels(raw: str, label_set: LabelSet, *, max_explanation_chars: int) -> ParseResult:
    """Lenient: code fences, chatter around the object, label case, stray spaces and a bare
    string where a list was expected are forgiven; anything else is one failure kind."""
    obj = extract_object(raw)
    if obj is None:
        return ParseResult(None, f"{INVALID_JSON}: no JSON object could be read")
    valid = strictly_valid(raw, answer_model(label_set,
                                             max_explanation_chars=max_explanation_chars))
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
