"""Tasks: schemas (key order, bounds), lenient parsing with failure kinds, gold readers."""

from __future__ import annotations

import json

import pytest

from emolab.data.records import Example, TaskKind
from emolab.errors import EmolabError
from emolab.tasks import FAMILIES, OrdinalTask, ScoreTask, get_task, list_tasks, task_of_example
from emolab.tasks.base import INVALID_JSON, MISSING_FIELD, OUT_OF_RANGE

CHARS = 200


def answer(**fields) -> str:
    return json.dumps(fields)


def test_every_family_builds_a_task_with_explanation_first():
    for family in list_tasks():
        for dimension in family.dimensions or (None,):
            task = family.task(dimension)
            schema = task.schema(max_explanation_chars=CHARS)
            assert next(iter(schema["properties"])) == "explanation", family.name
            assert list(schema["properties"]) == list(task.answer_keys)
            assert task.kind is family.kind


@pytest.mark.parametrize("spec, key, low, high", [
    ("ei-reg:anger", "intensity", 0, 1), ("v-reg", "valence", 0, 1), ("sst", "sentiment", 0, 1),
    ("emobank:arousal", "arousal", 1, 5), ("vader", "sentiment", -4, 4),
])
def test_score_schema_carries_the_range(spec, key, low, high):
    schema = get_task(spec).schema(max_explanation_chars=CHARS)
    assert schema["properties"][key]["minimum"] == low
    assert schema["properties"][key]["maximum"] == high


@pytest.mark.parametrize("spec, key, classes", [
    ("ei-oc:joy", "intensity_class", [0, 1, 2, 3]), ("v-oc", "valence_class", list(range(-3, 4))),
    ("sst5", "sentiment_class", [0, 1, 2, 3, 4]), ("tdt", "sentiment_class", [-1, 0, 1]),
])
def test_ordinal_schema_is_an_enum_of_classes(spec, key, classes):
    prop = get_task(spec).schema(max_explanation_chars=CHARS)["properties"][key]
    assert prop["enum"] == classes


def test_score_parse_known_answers():
    task = get_task("ei-reg", "fear")
    ok = task.parse(answer(explanation="'terrified' says it", intensity=0.62),
                    max_explanation_chars=CHARS)
    assert ok.ok and ok.schema_valid and task.pred(ok.parsed) == 0.62
    lenient = task.parse('```json\n{"explanation": "x", "intensity": "0.7"}\n```',
                         max_explanation_chars=CHARS)
    assert lenient.ok and not lenient.schema_valid and task.pred(lenient.parsed) == 0.7
    high = task.parse(answer(explanation="x", intensity=1.7), max_explanation_chars=CHARS)
    assert high.kind == OUT_OF_RANGE and "1.7" in high.error
    missing = task.parse(answer(explanation="x"), max_explanation_chars=CHARS)
    assert missing.kind == MISSING_FIELD
    words = task.parse(answer(explanation="x", intensity="high"), max_explanation_chars=CHARS)
    assert words.kind == MISSING_FIELD
    assert task.parse("no json here", max_explanation_chars=CHARS).kind == INVALID_JSON


def test_ordinal_parse_known_answers():
    task = get_task("v-oc")
    assert task.pred(task.parse(answer(explanation="x", valence_class=-2),
                                max_explanation_chars=CHARS).parsed) == -2
    text_class = task.parse(answer(explanation="x", valence_class="2: moderately positive"),
                            max_explanation_chars=CHARS)
    assert text_class.ok and task.pred(text_class.parsed) == 2
    assert task.parse(answer(explanation="x", valence_class=4),
                      max_explanation_chars=CHARS).kind == OUT_OF_RANGE
    assert task.parse(answer(explanation="x", valence_class=1.5),
                      max_explanation_chars=CHARS).kind == OUT_OF_RANGE


def test_gold_readers_and_dimensions():
    ei = Example("t1:anger", "grr", scores={"anger": 0.8}, meta={"dimension": "anger"})
    family = FAMILIES["ei-reg"]
    task = task_of_example(family, ei)
    assert task.dimension == "anger" and task.gold(ei) == 0.8
    assert "anger" in task.prompt_fields(max_explanation_chars=CHARS)["question"]
    oc = Example("t2", "meh", scores={"valence": -1})
    assert task_of_example(FAMILIES["v-oc"], oc).gold(oc) == -1
    labels = Example("t3", "yay", labels=("joy",))
    assert get_task("ec").gold(labels) == ["joy"]
    assert get_task("isear").gold(labels) == "joy"
    assert get_task("isear").kind is TaskKind.SINGLE_LABEL


def test_task_names_dimensions_and_errors():
    assert get_task("ei-reg:sadness") == get_task("ei-reg", "sadness")
    assert get_task("EC").name == "semeval-ec"
    assert get_task("v-reg").dimension == "valence"
    with pytest.raises(EmolabError, match="ei-reg:NAME"):
        get_task("ei-reg")
    with pytest.raises(EmolabError, match="no dimension 'disgust'"):
        get_task("ei-reg", "disgust")
    with pytest.raises(EmolabError, match="unknown task"):
        get_task("nope")
    with pytest.raises(EmolabError, match="has no dimensions"):
        get_task("isear", "anger")


def test_pinned_schemas_fix_the_answer():
    score = get_task("v-reg")
    assert isinstance(score, ScoreTask)
    pinned = score.pinned_schema(0.456, max_explanation_chars=CHARS)
    bounds = pinned["properties"]["valence"]
    assert (bounds["minimum"], bounds["maximum"]) == (0.46, 0.46)
    ordinal = get_task("ei-oc:anger")
    assert isinstance(ordinal, OrdinalTask)
    assert ordinal.pinned_schema(2, max_explanation_chars=CHARS)["properties"][
        "intensity_class"]["enum"] == [2]


def test_a_task_names_the_data_set_it_is_trained_on_once():
    from emolab.data import get_dataset
    from emolab.tasks import list_tasks

    trained = {f.name: f.training_set for f in list_tasks() if f.training_set}
    assert trained == {"semeval-ec": "semeval-ec", "dair-emotion": "dair-emotion",
                       "goemotions": "goemotions", "goemotions-ekman": "goemotions-ekman",
                       "isear": "isear", "ei-reg": "semeval-ei-reg", "ei-oc": "semeval-ei-oc",
                       "v-reg": "semeval-v-reg", "v-oc": "semeval-v-oc"}
    for family, dataset in trained.items():
        info = get_dataset(dataset)
        assert "train" in info.splits and info.answer_task == family
