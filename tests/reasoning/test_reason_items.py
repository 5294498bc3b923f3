"""Validation of items, attributes, export formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reason_scripted import ea_item, eu_item, gibberish

from emolab.errors import DataFormatError, EmolabError
from emolab.reasoning.attributes import AGE_RANGE, read_personas, sample_plan
from emolab.reasoning.balance import Balancer
from emolab.reasoning.export import emobench_prompt_rows, emobench_row, export, trl_row
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
    ("ea", {"choices": ["Talk to her sister openly", "Ignore the problem", "Shout at everyone",
                        "3 other options that are less effective"]}, "prompt_echo"),
    ("eu", {"cause_choices": ["She won the race", "The right cause.", "Her phone broke",
                              "A friend moved away"]}, "prompt_echo"),
    ("eu", {"emotion_choices": ["Delight", "Anger", "other_emotions", "Pride"]}, "prompt_echo"),
    ("ea", {"scenario": SCENARIO + " In reality, her manager will choose the other way." * 3},
     "repetitive"),
    ("ea", {"explanation": "Talk to her sister openly: 3 other options that are less "
                           "effective."}, "prompt_echo"),
])
def test_each_check_catches_its_fault(kind, changes, check):
    assert check in check_item(item(kind, **changes))


def test_a_choice_may_use_common_words_of_a_hint():
    # "the most effective option" is a hint; saying an option is the most effective is not
    ok = item("ea", explanation="Talking to her sister openly is the most effective option "
                                "because it addresses the hurt directly.")
    assert "prompt_echo" not in check_item(ok)


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


def test_emobench_prompt_rows_ask_as_the_runner_and_answer_the_shuffled_letter():
    from emolab.emobench.items import item_from_row
    from emolab.emobench.prompts import cause_messages, choice_lines

    eu = item("eu")
    rows = emobench_prompt_rows(eu, seed=3)
    assert [r["id"].rsplit("-", 1)[1] for r in rows] == ["emotion", "cause"]
    for row, label in zip(rows, (eu["emotion_label"], eu["cause_label"]), strict=True):
        user, reply = row["messages"][1]["content"], json.loads(row["messages"][2]["content"])
        assert list(reply) == ["reasoning", "answer"] and reply["reasoning"] == eu["explanation"]
        # the letter the reply names is the line of the prompt that holds the right choice
        assert f"({reply['answer']}) {label}" in user
    # the cause question names the right emotion, worded exactly as the runner words it
    bench_item = item_from_row(Path("x"), 0, emobench_row(eu))
    choices = [line.split(") ", 1)[1] for line in
               rows[1]["messages"][1]["content"].split("Choices:\n")[1].splitlines()]
    expected = cause_messages(bench_item, choices, "Pride", cot=True, structured=True)
    assert rows[1]["messages"][:2] == expected and choice_lines(choices) in expected[1]["content"]
    assert emobench_prompt_rows(eu, seed=3) == rows  # seeded
    ea_rows = emobench_prompt_rows(item("ea"), seed=3)
    assert len(ea_rows) == 1 and "most effective" in ea_rows[0]["messages"][1]["content"]
    # over many seeds the right answer moves between positions
    letters = {json.loads(emobench_prompt_rows(eu, seed=s)[0]["messages"][2]["content"])["answer"]
               for s in range(20)}
    assert len(letters) >= 3


def test_emobench_prompts_only_for_trl(tmp_path):
    with pytest.raises(EmolabError, match="--format trl only"):
        export([item("eu")], tmp_path / "x", fmt="emobench", prompts="emobench")
    written = export([item("eu"), item("ea")], tmp_path / "sft.jsonl", fmt="trl",
                     prompts="emobench")
    assert list(written.values()) == [3]


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


def test_assembled_items_hold_their_label_among_shuffled_choices():
    from reason_scripted import as_extractor_answer

    from emolab.reasoning.items import assemble

    positions = set()
    for dialogue in range(12):
        eu = assemble("eu", as_extractor_answer("eu", eu_item(SCENARIO)), subject="Ana",
                      seed=0, dialogue=dialogue)
        assert eu["subject"] == "Ana"
        assert eu["question"] == "Which emotion(s) would Ana end up feeling in this situation?"
        assert sorted(eu["emotion_choices"]) == sorted(eu_item(SCENARIO)["emotion_choices"])
        assert eu["emotion_label"] == "Pride" and eu["cause_label"] == "She won the race"
        positions.add(eu["emotion_choices"].index("Pride"))
        assert check_item(make_item("eu", eu, seed=0, dialogue=dialogue)) == []
    assert len(positions) >= 3  # the right answer is not always in one place
    again = assemble("eu", as_extractor_answer("eu", eu_item(SCENARIO)), subject="Ana", seed=0,
                     dialogue=3)
    assert again == assemble("eu", as_extractor_answer("eu", eu_item(SCENARIO)), subject="Ana",
                             seed=0, dialogue=3)
    ea = assemble("ea", as_extractor_answer("ea", ea_item(SCENARIO)), subject="Ana", seed=0,
                  dialogue=0)
    assert ea["label"] in ea["choices"] and len(ea["choices"]) == 4
    assert ea["question"].endswith("most effective action for Ana?")
