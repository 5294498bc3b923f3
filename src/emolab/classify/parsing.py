"""Reading a label-set answer; the parser itself lives with its task (``emolab.tasks``).

Kept as the stable import path of ``parse_answer`` and the failure kinds.
"""

from __future__ import annotations

from emolab.labels import LabelSet
from emolab.schemas import MAX_EXPLANATION_CHARS
from emolab.tasks.base import (
    FAILURE_KINDS,
    INVALID_JSON,
    LABEL_OUTSIDE_SET,
    MISSING_FIELD,
    OUT_OF_RANGE,
    PROMINENT_NOT_LISTED,
    ParseResult,
    extract_object,
)
from emolab.tasks.labels import parse_labels

__all__ = ["FAILURE_KINDS", "INVALID_JSON", "LABEL_OUTSIDE_SET", "MISSING_FIELD", "OUT_OF_RANGE",
           "PROMINENT_NOT_LISTED", "ParseResult", "extract_object", "parse_answer"]


def parse_answer(raw: str, label_set: LabelSet, *,
                 max_explanation_chars: int = MAX_EXPLANATION_CHARS) -> ParseResult:
    """Parse a label-set answer; ``schema_valid`` says whether it met the schema as is."""
    return parse_labels(raw, label_set, max_explanation_chars=max_explanation_chars)
