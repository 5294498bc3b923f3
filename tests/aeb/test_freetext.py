"""EmoLLMs free-text answers: the documented rules, with known answers."""

from __future__ import annotations

import pytest

from emolab.aeb.freetext import FreeTextTask, read_answer
from emolab.tasks import get_task
from emolab.tasks.base import LABEL_OUTSIDE_SET, MISSING_FIELD, OUT_OF_RANGE


@pytest.mark.parametrize("raw, expected", [
    ("0.734", 0.734), (" 0.5\n", 0.5), ("0.62 (moderate)", 0.62), ("1", 1.0), ("0", 0.0),
])
def test_score_number_at_the_start(raw, expected):
    assert read_answer(raw, get_task("ei-reg:anger")) == (expected, None)


@pytest.mark.parametrize("raw, kind", [
    ("1.7", OUT_OF_RANGE), ("-0.2", OUT_OF_RANGE), ("about 0.5", MISSING_FIELD), ("", MISSING_FIELD),
])
def test_score_failures(raw, kind):
    value, why = read_answer(raw, get_task("ei-reg:anger"))
    assert value is None and why.startswith(kind)


def test_scales_of_other_ranges():
    assert read_answer("-2.5", get_task("vader")) == (-2.5, None)
    assert read_answer("4.5", get_task("vader"))[1].startswith(OUT_OF_RANGE)
    assert read_answer("3.27", get_task("emobank:valence")) == (3.27, None)
    assert read_answer("0.9", get_task("emobank:valence"))[1].startswith(OUT_OF_RANGE)


@pytest.mark.parametrize("raw, expected", [
    ("2: moderate amount of anger can be inferred", 2), ("3", 3), ("0: no anger", 0),
    ("1.", 1),
])
def test_class_before_the_colon(raw, expected):
    assert read_answer(raw, get_task("ei-oc:anger")) == (expected, None)


def test_class_failures_and_negative_classes():
    assert read_answer("-3: very negative emotional state can be inferred",
                       get_task("v-oc")) == (-3, None)
    assert read_answer("4: high", get_task("ei-oc:joy"))[1].startswith(OUT_OF_RANGE)
    assert read_answer("moderate", get_task("ei-oc:joy"))[1].startswith(MISSING_FIELD)
    assert read_answer("-1", get_task("tdt")) == (-1, None)


def test_labels_comma_separated():
    ec = get_task("ec")
    assert read_answer("anger, disgust.", ec) == (["anger", "disgust"], None)
    assert read_answer("Joy,  Optimism", ec) == (["joy", "optimism"], None)
    assert read_answer("neutral or no emotion.", ec) == ([], None)
    value, why = read_answer("anger, rage.", ec)
    assert value is None and why.startswith(LABEL_OUTSIDE_SET) and "rage" in why
    ekman = get_task("goemotions-ekman")
    assert read_answer("neutral", ekman) == (["neutral"], None)
    assert read_answer("sadness, joy.", ekman) == (["joy", "sadness"], None)


def test_free_text_task_parse_and_pred():
    task = FreeTextTask(get_task("v-reg"))
    result = task.parse("0.25")
    assert result.ok and task.pred(result.parsed) == 0.25
    assert not task.parse("positive").ok
