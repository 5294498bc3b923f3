"""Validation of items, attributes, export formats."""

from __future__ import annotations

import json

import pytest
from reason_scripted import ea_item, eu_item, gibberish

from emolab.errors import DataFormatError
from emolab.reasoning.attributes import AGE_RANGE, read_personas, sample_plan
from emolab.reasoning.balance import Balancer
from emolab.reasoning.export import emobench_row, export, trl_row
from emolab.reasoning.items import make_item
from emolab.reasoning.validate import check_item

SCENARIO = "Mia " + gibberish("x", 60)


def item(kind="eu", **changes):
    base = eu_item(SCENARIO) if kind == "eu" else ea_item(SCENARIO)
    return make_item(kind, {**base, **changes}, seed=1, dialogue=5)


def test_good_items_pass():
    assert check_item(item("eu")) == []
    assert check_item(item("ea")) == []
    assert item("eu")["id"] == "s1-d000005-eu"


@pytest.mark.parametrize(("kind", "changes", "check"), [
    ("eu", {"emotion_label": "Joy"}, "label_not_in_choices"),
    ("ea", {"label": "Run away"}, "label_not_in_choices"),
    ("eu", {"emotion_choices": ["Pride", "pride!", "Anger", "Fear"]}, "duplicate_choices"),
    ("eu", {"emotion_choices": ["Pride", "Anger", "Fear"]}, "choice_count"),
    ("ea", {"choices": ["Talk to her sister openly", "Ignore the problem"]}, "choice_count"),
    ("eu", {"scenario": "Mia won."}, "scenario_length"),
    ("eu", {"scenario": "Mia " + gibberish("y", 520)}, "scenario_length"),
    ("eu", {"scenario": SCENARIO + " she was so proud"}, "answer_emotion_in_scenario"),
    ("eu", {"scenario": SCENARIO + " Pride filled her", "emotion_label": "Pride"},
     "answer_emotion_in_scenario"),
    ("eu", {"explanation": "Mia feels anger because the weather changed."},
     "explanation_unsupported"),
    ("eu", {"explanation": "Mia feels pride because her phone broke."},
     "explanation_unsupported"),
    ("ea", {"explanation": "Ignoring the problem is best."}, "explanation_unsupported"),
    ("ea", {"explanation": "It is a good idea."}, "explanation_unsupported"),
    ("ea", {"question": ""}, "missing_field"),
])
def test_each_check_catches_its_fault(kind, changes, check):
    assert check in check_item(item(kind, **changes))


def test_emotion_forms_are_caught_but_not_unrelated_words():
    embarrassed = item("eu", emotion_choices=["Embarrassment", "Anger", "Pride", "Fear"],
                       emotion_label="Embarrassment",
                       explanation="Mia feels embarrassment because she won the race.",
                       scenario=SCENARIO + " She looked embarrassed.")
    assert "answer_emotion_in_scenario" in check_item(embarrassed)
    angel = item("eu", emotion_choices=["Anger", "Pride", "Fear", "Joy"], emotion_label="Anger",
                 explanation="Mia feels angry because she won the race.",
                 scenario=SCENARIO + " An angel statue.")
    assert check_item(angel) == []


def test_an_explanation_may_contrast_the_answer_with_another_option():
    contrast = item("eu", explanation="Pride rather than embarrassment: she won the race.")
    assert check_item(contrast) == []


def test_plans_are_seeded_and_in_range():
    assert sample_plan(1, 4) == sample_plan(1, 4)
    assert sample_plan(1, 4) != sample_plan(1, 5) and sample_plan(1, 4) != sample_plan(2, 4)
    ages = {sample_plan(0, i).persona.age for i in range(300)}
    assert min(ages) >= AGE_RANGE[0] and max(ages) <= AGE_RANGE[1] and len(ages) > 30


def test_a_persona_file_replaces_sampled_personas(write):
    path = write("p.jsonl", '{"persona": "A beekeeper who distrusts  cities."}\n\n'
                            '{"persona": "A night-shift nurse."}\n')
    texts = read_personas(path)
    assert texts == ["A beekeeper who distrusts cities.", "A night-shift nurse."]
    plan = sample_plan(0, 1, texts)
    assert plan.persona.description in texts and plan.persona.describe().endswith(
        plan.persona.description)
    bad = write("bad.jsonl", '{"persona": "x"}\n{"name": "y"}\n')
    with pytest.raises(DataFormatError, match=r"bad.jsonl:2: field 'persona'"):
        read_personas(bad)


def test_balancer_cap():
    b = Balancer(("a", "b", "c", "d"), quota=20, ratio=1.5)
    assert b.cap == 7
    for _ in range(7):
        assert b.accepts("a")
        b.add("a")
    assert not b.accepts("a") and b.accepts("b")
    assert Balancer(("a", "b", "c", "d"), quota=5).cap == 2  # never below the even share


def test_trl_rows_put_reasoning_before_the_answer():
    row = trl_row(item("eu"))
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]
    prompt = row["messages"][1]["content"]
    assert SCENARIO in prompt and "D. Pride" in prompt and "A. She won the race" in prompt
    answer = json.loads(row["messages"][2]["content"])
    assert list(answer) == ["reasoning", "answer"]
    assert answer["answer"] == {"emotion": "Pride", "cause": "She won the race"}
    assert json.loads(trl_row(item("ea"))["messages"][2]["content"])["answer"] == \
        "Talk to her sister openly"


@pytest.mark.data
def test_emobench_rows_have_emobench_fields_and_load_as_emobench(tmp_path, real_data_dir):
    from emolab.data import load

    for kind, name in (("eu", "EU"), ("ea", "EA")):
        official = json.loads((real_data_dir / "emobench" / f"{name}.jsonl").open().readline())
        assert list(emobench_row(item(kind))) == list(official)
    written = export([item("eu"), item("ea")], tmp_path / "emobench", fmt="emobench")
    assert sorted(written.values()) == [1, 1]
    eu = load("emobench-eu", "en", data_dir=tmp_path)
    ea = load("emobench-ea", "all", data_dir=tmp_path)
    assert eu[0].labels == ("Pride", "She won the race")
    assert ea[0].labels == ("Talk to her sister openly",)
    assert ea[0].meta["category"] == "Personal-Self"
