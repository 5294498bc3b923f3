import json

import pytest

from emolab.classify.parsing import (
    FAILURE_KINDS,
    INVALID_JSON,
    LABEL_OUTSIDE_SET,
    MISSING_FIELD,
    PROMINENT_NOT_LISTED,
    parse_answer,
)
from emolab.labels import get_label_set

LABELS = get_label_set("semeval-ec")


def obj(**fields):
    base = {"explanation": "quotes 'won'", "most_prominent_emotion": "joy",
            "multiple_emotions_present": ["joy", "optimism"]}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def test_valid_answer_is_schema_valid():
    result = parse_answer(json.dumps(obj()), LABELS)
    assert result.ok and result.schema_valid
    assert result.parsed["multiple_emotions_present"] == ["joy", "optimism"]


def test_lenient_reading_of_fenced_chatty_output():
    raw = ('Here you go:\n```json\n{"explanation": "x", "most_prominent_emotion": " Joy",'
           ' "multiple_emotions_present": "JOY", "mood": "great"}\n```\nHope it helps {')
    result = parse_answer(raw, LABELS)
    assert result.ok, result.error
    assert result.parsed == {"explanation": "x", "most_prominent_emotion": "joy",
                             "multiple_emotions_present": ["joy"]}
    assert not result.schema_valid  # it needed fixing, so it does not count as adherent


@pytest.mark.parametrize("raw, kind", [
    ("", INVALID_JSON),
    ("the text is joyful", INVALID_JSON),
    ('{"explanation": "cut short by the token lim', INVALID_JSON),
    ("[1, 2]", INVALID_JSON),
    (json.dumps(obj(most_prominent_emotion=None)), MISSING_FIELD),
    (json.dumps(obj(explanation=None, multiple_emotions_present=None)), MISSING_FIELD),
    (json.dumps(obj(explanation="")), MISSING_FIELD),
    (json.dumps(obj(multiple_emotions_present=[])), MISSING_FIELD),
    (json.dumps(obj(most_prominent_emotion=3)), MISSING_FIELD),
    (json.dumps(obj(most_prominent_emotion="happiness")), LABEL_OUTSIDE_SET),
    (json.dumps(obj(multiple_emotions_present=["joy", "neutral"])), LABEL_OUTSIDE_SET),
    (json.dumps(obj(most_prominent_emotion="fear")), PROMINENT_NOT_LISTED),
])
def test_each_failure_kind(raw, kind):
    result = parse_answer(raw, LABELS)
    assert not result.ok
    assert result.kind == kind and kind in FAILURE_KINDS
    assert result.error.startswith(kind + ":")


def test_prominent_not_listed_is_still_schema_valid():
    result = parse_answer(json.dumps(obj(most_prominent_emotion="fear")), LABELS)
    assert result.schema_valid and result.parsed["most_prominent_emotion"] == "fear"


def test_schema_bound_on_explanation_length():
    long = json.dumps(obj(explanation="x" * 401))
    assert not parse_answer(long, LABELS).schema_valid
    assert parse_answer(long, LABELS).ok  # a long explanation is still usable
    assert parse_answer(long, LABELS, max_explanation_chars=500).schema_valid
